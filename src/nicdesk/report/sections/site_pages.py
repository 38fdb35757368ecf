"""Site one-pagers: per site in scope its aim, its chart of the outcome measure (or the
first measure), each other measure as a small chart (two to a row; one line for a
measure whose values are all suppressed there), its PDSA ramps and its five most recent
decisions."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer, Table

from ...store.views.packet import MeasureData, Panel
from ..charts import run_chart_drawing
from ..layout import BODY, CELL, CELL_HEAD, H2, SMALL, Heading, grid_table, label, nothing, para
from .base import Context
from .run_charts import GRID


def site_pages(ctx: Context) -> list[Any]:
    pages = ctx.data.site_pages
    outcome = ctx.data.outcome
    out: list[Any] = []
    for i, page in enumerate(pages):
        ctx.tick(i, len(pages), "Site one-pagers")
        if i:
            out.append(PageBreak())
        out.append(Heading(label(page.name), 1, ctx.key()))
        out.append(para("Aim: " + (page.aim if page.aim is not None
                                   else "nothing recorded yet"), BODY))
        panel = page.outcome_panel
        if outcome is not None and panel is not None:
            out.append(Spacer(1, 3 * mm))
            out.append(run_chart_drawing(
                [pt.period for pt in panel.points], panel.analysis, ctx.width, 170,
                title=label(outcome.measure.name), percent=outcome.multiples.percent,
                target=outcome.measure.target, note=panel.explanation))
            if page.outcome_summary is not None:  # as on the screen and in the CLI
                out.append(para(page.outcome_summary.line, SMALL))
        out += _other_measures(ctx, page.others)
        out.append(para("Current ramps", H2))
        if not page.ramps:
            out.append(nothing("no PDSA ramps"))
        else:
            rows = [[para(h, CELL_HEAD) for h in ("Ramp", "Cycles", "Latest decision",
                                                "Last cycle")]]
            for r in page.ramps:
                rows.append([para(label(r.title), CELL), para(str(r.cycles), CELL),
                             para(r.decision or "undecided", CELL),
                             para(f"{label(r.last_title)} ({r.last_start or '—'})"
                                  if r.last_title is not None else "—", CELL)])
            w = ctx.width
            out.append(grid_table(rows, [w * 0.35, w * 0.1, w * 0.2, w * 0.35]))
        out.append(para("Recent decisions", H2))
        out += [para(f"{c.start_date or '—'} · {label(c.title)}: {c.decision.upper()}"
                     + (f" — {c.act_next}" if c.act_next.strip() else ""), SMALL)
                for c in page.decisions] or [nothing("no decisions")]
    return out or [nothing("no sites")]


def _other_measures(ctx: Context, others: list[tuple[MeasureData, Panel]]) -> list[Any]:
    """The site's other measures as small charts, two to a row."""
    if not others:
        return []
    threshold = ctx.data.threshold
    cells: list[Any] = []
    quiet: list[str] = []
    w = (ctx.width - 4) / 2
    for md, panel in others:
        name = label(md.measure.name)
        if panel.status == "suppressed":
            quiet.append(f"{name}: all values suppressed (fewer than {threshold})")
            continue
        cells.append(run_chart_drawing(
            [pt.period for pt in panel.points], panel.analysis, w, 112, title=name,
            percent=md.multiples.percent, target=md.measure.target, compact=True,
            note=(panel.explanation if not panel.analysis else
                  panel.latest_signal.text if panel.latest_signal else "no signal")))
    out: list[Any] = [para("Other measures", H2)]
    if cells:
        grid = [cells[k:k + 2] + [""] * (2 - len(cells[k:k + 2]))
                for k in range(0, len(cells), 2)]
        table = Table(grid, colWidths=[w + 2, w + 2])
        table.setStyle(GRID)
        out.append(table)
    out += [para(line, SMALL) for line in quiet]
    return out
