"""Decisions and notes as written, then ruled lines for notes by hand."""

from __future__ import annotations

from typing import Any

from ..layout import H2, RuledLines, nothing, para
from .base import Context


def notes(ctx: Context) -> list[Any]:
    m = ctx.data.meeting
    out: list[Any] = [para("Decisions", H2), para(m.decisions) if m.decisions.strip()
                      else nothing("no decisions"),
                      para("Notes", H2), para(m.notes) if m.notes.strip()
                      else nothing("no notes")]
    out += [para("Your notes", H2), RuledLines(ctx.width, 14)]
    return out
