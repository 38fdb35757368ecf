"""Progress scores on paper: a step chart per site on IHI's 0.5–5.0 scale (small
multiples, two to a row, on the same dates), a table of where each site stands and how
far it came, and the scale's definitions with their source.  Used by the meeting packet
("progress" section) and the year-in-review report; vector drawings, black and white
readable (the step line is solid ink, the network's own is dashed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from ...core.progress import HIGHEST, LEVELS, LOWEST, SCALE, SOURCE
from ...store.views.progress import ProgressBoard, SiteProgress
from ..charts import BLUE, GREY, INK, clip_text
from ..fonts import BOLD, REGULAR
from ..layout import CELL, CELL_HEAD, SMALL, grid_table, label, nothing, para
from .base import Context
from .run_charts import GRID


def step_drawing(row: SiteProgress, start: dt.date, end: dt.date, width: float,
                 height: float, *, compact: bool = True) -> Drawing:
    """One site's scores as a step line from `start` to `end` on the full 0.5–5.0 scale
    (so every site's chart reads alike), gridlines at 1, 2, 3, 4, 5."""
    d = Drawing(width, height)
    d.add(Rect(0, 0, width, height, fillColor=None, strokeColor=GREY, strokeWidth=0.4))
    size = 8 if compact else 10
    d.add(String(6, height - size - 4, clip_text(row.name, width - 4, size, BOLD),
                 fontName=BOLD, fontSize=size))
    top, bottom = height - size - 10, 16.0
    left, right = 24.0, width - 8
    span = max((end - start).days, 1)

    def x(day: dt.date) -> float:
        return left + (right - left) * min(max((day - start).days, 0), span) / span

    def y(v: float) -> float:
        return bottom + (top - bottom) * (v - LOWEST) / (HIGHEST - LOWEST)

    fs = 6.5
    for v in (1.0, 2.0, 3.0, 4.0, 5.0):
        d.add(Line(left, y(v), right, y(v), strokeColor=GREY, strokeWidth=0.2))
        d.add(String(left - 3, y(v) - 2.3, f"{v:.0f}", fontName=REGULAR, fontSize=fs,
                     textAnchor="end", fillColor=INK))
    d.add(Line(left, bottom, right, bottom, strokeColor=GREY, strokeWidth=0.5))
    d.add(String(left, bottom - fs - 3, start.strftime("%b %Y"), fontName=REGULAR,
                 fontSize=fs))
    d.add(String(right, bottom - fs - 3, end.strftime("%b %Y"), fontName=REGULAR,
                 fontSize=fs, textAnchor="end"))
    edges, values = row.steps(end)
    if not values:
        d.add(String(width / 2, (top + bottom) / 2, "No score recorded", fontName=REGULAR,
                     fontSize=size - 1, textAnchor="middle"))
        return d
    pts: list[float] = []
    for k, v in enumerate(values):
        pts += [x(edges[k]), y(v), x(edges[k + 1]), y(v)]
    d.add(PolyLine(pts, strokeColor=INK if row.site_id else BLUE, strokeWidth=1.4,
                   strokeDashArray=None if row.site_id else [4, 2]))
    last = values[-1]
    d.add(String(min(x(edges[-1]) + 2, right - 10), y(last) + 3, f"{last:.1f}",
                 fontName=BOLD, fontSize=fs + 0.5, fillColor=INK))
    return d


def progress_flowables(board: ProgressBoard | None, width: float, start: dt.date | None,
                       end: dt.date | None, key: Callable[[], str],
                       tick: Callable[[int, int, str], None] | None = None) -> list[Any]:
    """The progress section's flowables (heading excluded): charts, the standings table
    and the scale.  `start`/`end` default to the span of the scores."""
    if board is None or not board.scored:
        return [nothing("no progress scores"), *_scale(width)]
    first = start or board.first or dt.date.today()
    last = end or board.last or first
    if last <= first:
        last = first + dt.timedelta(days=30)
    out: list[Any] = [para(
        f"IHI progress scores from {first:%d %B %Y} to {last:%d %B %Y}: each step is a "
        "score the hub or the team recorded, held until the next one. The network's own "
        "score is dashed.", SMALL), Spacer(1, 2 * mm)]
    rows = [r for r in board.rows if r.entries]
    w = (width - 4) / 2
    cells = []
    for i, row in enumerate(rows):
        if tick is not None:
            tick(i, len(rows), "Progress scores")
        cells.append(step_drawing(row, first, last, w, 100))
    grid = [cells[k:k + 2] + [""] * (2 - len(cells[k:k + 2])) for k in range(0, len(cells), 2)]
    table = Table(grid, colWidths=[w + 2, w + 2])
    table.setStyle(GRID)
    out.append(table)
    quiet = [r.name for r in board.rows if not r.entries]
    if quiet:
        out.append(para("No score recorded for: " + ", ".join(label(n) for n in quiet) + ".",
                        SMALL))
    out += [Spacer(1, 3 * mm), *_standings(board, first, last, width), *_scale(width)]
    return out


def _standings(board: ProgressBoard, first: dt.date, last: dt.date, width: float
               ) -> list[Any]:
    head = [para(h, CELL_HEAD) for h in ("Site", "Latest score", "Over the period",
                                        "Latest note")]
    rows = [head]
    for r in board.rows:
        if not r.entries:
            continue
        now = r.latest
        assert now is not None  # it has entries
        rows.append([para(label(r.name), CELL),
                     para(f"{now.score} {LEVELS[now.score].name} ({now.date})"
                          if now.score in LEVELS else now.score, CELL),
                     para(r.change(first, last), CELL), para(now.note or "—", CELL)])
    return [grid_table(rows, [width * 0.24, width * 0.26, width * 0.22, width * 0.28])]


def _scale(width: float) -> list[Any]:
    rows = [[para("Score", CELL_HEAD), para("Meaning", CELL_HEAD)]]
    for lv in SCALE:
        rows.append([para(f"{lv.score} {lv.name}", CELL), para(lv.meaning, CELL)])
    return [Spacer(1, 3 * mm), para("The scale", CELL_HEAD),
            grid_table(rows, [width * 0.3, width * 0.7]), para(f"Source: {SOURCE}.", SMALL)]


def progress(ctx: Context) -> list[Any]:
    """The packet's section: every score up to the meeting's date."""
    data = ctx.data
    end = data.meeting.date
    return progress_flowables(data.progress, ctx.width, None, end, ctx.key, ctx.tick)
