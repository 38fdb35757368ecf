"""Reads for the Network menu's dialogs, each in a read of its own: the conflicts a merge
kept, and the history of imported bundles.  Plain values, never ORM rows (the session-based
forms are `store.ops.conflicts.open_conflicts` and `bundle_history`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..ops import conflicts as cops
from ..ops.conflicts import ConflictRow

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["ConflictRow", "bundle_history", "open_conflicts"]


def open_conflicts(ws: Workspace) -> list[ConflictRow]:
    """The unresolved conflicts, oldest first, each with both versions of the field."""
    with ws.read() as s:
        return cops.open_conflicts(s)


def bundle_history(ws: Workspace) -> list[dict[str, Any]]:
    """The imported bundles, newest first: who sent each, when, and what it changed."""
    with ws.read() as s:
        return cops.bundle_history(s)
