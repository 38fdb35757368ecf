"""The navigator tree, the read-only summaries and the record counts, read for a screen
or the command line: the workspace in, plain `NavNode`s, `Summary`s and numbers out (the
session-level functions are in `queries`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .nav_tree import NavNode, find_path, label_inboxes
from .queries import Summary, counts, navigator_tree, summarize

if TYPE_CHECKING:
    from ..workspace import Workspace


def navigator(ws: Workspace) -> list[NavNode]:
    """Network → Charter, network-wide groups, Sites → site groups (`navigator_tree`)."""
    with ws.read() as s:
        roots = navigator_tree(s)
    from .inbox import remember_inbox_counts

    label_inboxes(roots, remember_inbox_counts(ws, [r.network_id for r in roots
                                                    if r.network_id]))
    return roots


def find_in_navigator(ws: Workspace, path: str) -> NavNode | None:
    """The node at a '/'-separated label path, e.g. "Lincoln High School/Aims"."""
    return find_path(navigator(ws), path)


def summary(ws: Workspace, kind: str, record_id: str, site_id: str | None = None) -> Summary:
    """The read-only summary of a record (for kinds `queries.has_summary` names)."""
    with ws.read() as s:
        return summarize(s, kind, record_id, site_id)


def record_counts(ws: Workspace) -> dict[str, int]:
    """Live records per kind (`queries.counts`), e.g. for `nicdesk info`."""
    with ws.read() as s:
        return counts(s)
