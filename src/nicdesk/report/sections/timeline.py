"""The network timeline on paper: milestones drawn along a line of months (done ● filled,
planned ○ hollow, late ○ with a cross — told apart by shape, not colour) and listed in a
table with planned and done dates and who is responsible.  Used by the meeting packet
("timeline" section) and the year-in-review report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Line, String
from reportlab.lib import colors

from ...core.milestones import Standing, when
from ...store.views.milestones import MilestoneRow
from ..charts import GREY, INK, clip_text
from ..fonts import REGULAR
from ..layout import CELL, CELL_HEAD, SMALL, grid_table, label, nothing, para
from .base import Context

MARK = {Standing.DONE: "● done", Standing.PLANNED: "○ planned", Standing.LATE: "⊗ late",
        Standing.UNDATED: "no date"}


def timeline_drawing(rows: list[MilestoneRow], width: float, start: dt.date,
                     end: dt.date) -> Drawing:
    """The dated milestones along one line from `start` to `end`; labels alternate above
    and below the line and step outwards so neighbours do not overprint."""
    dated = [r for r in rows if when(r) is not None]
    lanes = 4
    height = 50 + 2 * lanes * 11
    d = Drawing(width, height)
    mid = height / 2
    left, right = 8.0, width - 8
    span = max((end - start).days, 1)

    def x(day: dt.date) -> float:
        return left + (right - left) * min(max((day - start).days, 0), span) / span

    d.add(Line(left, mid, right, mid, strokeColor=INK, strokeWidth=0.8))
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            d.add(Line(x(month), mid - 2, x(month), mid + 2, strokeColor=GREY, strokeWidth=0.5))
            if month.month in (1, 4, 7, 10) or month == dt.date(start.year, start.month, 1):
                d.add(String(x(month) + 1, mid - 8, month.strftime("%b %y"), fontName=REGULAR,
                             fontSize=5.5, fillColor=GREY))
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    for k, r in enumerate(dated):
        day = when(r)
        assert day is not None
        px = x(day)
        above = k % 2 == 0
        lane = (k // 2) % lanes
        ly = mid + ((14 if above else 20) + lane * 11) * (1 if above else -1)
        d.add(Line(px, mid, px, ly - (2 if above else -6), strokeColor=GREY, strokeWidth=0.4))
        filled = r.standing == Standing.DONE
        d.add(Circle(px, mid, 3, fillColor=INK if filled else colors.white, strokeColor=INK,
                     strokeWidth=0.8))
        if r.standing == Standing.LATE:
            d.add(Line(px - 2, mid - 2, px + 2, mid + 2, strokeColor=INK, strokeWidth=0.7))
            d.add(Line(px - 2, mid + 2, px + 2, mid - 2, strokeColor=INK, strokeWidth=0.7))
        text = clip_text(f"{day:%d %b} {r.title}", 150, 6.5)
        anchor = "start" if px < width * 0.7 else "end"
        d.add(String(px, ly, text, fontName=REGULAR, fontSize=6.5, fillColor=INK,
                     textAnchor=anchor))
    return d


def timeline_flowables(rows: list[MilestoneRow], width: float,
                       start: dt.date | None = None, end: dt.date | None = None
                       ) -> list[Any]:
    """The timeline section's flowables (heading excluded)."""
    if not rows:
        return [nothing("no milestones")]
    days = [d for r in rows for d in (r.planned, r.done) if d is not None]
    out: list[Any] = []
    if days:
        first, last = start or min(days), end or max(days)
        if last <= first:
            last = first + dt.timedelta(days=30)
        out += [timeline_drawing(rows, width, first, last),
                para("● done   ○ planned   ⊗ planned date passed, not done yet", SMALL)]
    head = [para(h, CELL_HEAD) for h in ("Milestone", "Kind", "Planned", "Done",
                                        "Who is responsible", "Where")]
    table = [head]
    for r in rows:
        table.append([para(label(r.title), CELL), para(r.kind, CELL),
                      para(str(r.planned or "—"), CELL),
                      para(str(r.done) if r.done else MARK[r.standing], CELL),
                      para(label(r.responsible) or "—", CELL),
                      para(label(r.site_name) or "network", CELL)])
    w = width
    out.append(grid_table(table, [w * 0.3, w * 0.14, w * 0.12, w * 0.12, w * 0.17, w * 0.15]))
    return out


def timeline(ctx: Context) -> list[Any]:
    """The packet's section: the network's whole timeline."""
    return timeline_flowables(ctx.data.milestones, ctx.width)
