"""Run charts: one full-size chart when the scope is one site, else small multiples —
one chart per site on a common scale, two to a row, sorted by name."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from ...core.variation import suppression_label
from ..charts import legend_drawing, run_chart_drawing
from ..fonts import REGULAR
from ..layout import SMALL, Heading, label, nothing, para
from .base import Context

GRID = TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                   ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                   ("LEFTPADDING", (0, 0), (-1, -1), 1),
                   ("RIGHTPADDING", (0, 0), (-1, -1), 1),
                   ("TOPPADDING", (0, 0), (-1, -1), 2),
                   ("BOTTOMPADDING", (0, 0), (-1, -1), 2)])


def run_charts(ctx: Context) -> list[Any]:
    d = ctx.data
    if not d.measures:
        return [nothing("no measures defined")]
    out: list[Any] = [legend_drawing(ctx.width), Spacer(1, 2 * mm)]
    for i, md in enumerate(d.measures):
        ctx.tick(i, len(d.measures), "Run charts")
        m, sm, panels = md.measure, md.multiples, md.panels
        out.append(Heading(label(m.name), 1, ctx.key()))
        if not panels:
            out.append(nothing("no site reports this measure"))
            continue
        if md.single:
            p = panels[0]
            out.append(run_chart_drawing([pt.period for pt in p.points], p.analysis,
                                         ctx.width, 210, title=label(p.name),
                                         percent=sm.percent, target=m.target,
                                         note=p.explanation))
            out += [para(line, SMALL) for line in (p.analysis.summary() if p.analysis
                                                   else [])]
            if md.summary is not None:  # the judgement the screen and the CLI show
                out.append(para(md.summary.line, SMALL))
            continue
        if all(p.status == "suppressed" for p in panels):  # not a page of empty boxes
            out.append(para(f"All values suppressed: fewer than {d.threshold} at every "
                            "site, so no chart is shown.", SMALL))
            continue
        out.append(para(f"One chart per site on a common scale, sorted by name. "
                        f"{m.definition}", SMALL))
        cells = []
        w = (ctx.width - 4) / 2
        for p in [x for x in sm.sorted("name") if x.site_id in d.scope]:
            periods = [pt.period for pt in p.points]
            cells.append(run_chart_drawing(
                periods, p.analysis, w, 118, title=label(p.name), percent=sm.percent,
                target=m.target, y_range=sm.y_range, compact=True,
                note=(suppression_label(d.threshold) if p.status == "suppressed"
                      else p.explanation if not p.analysis else
                      p.latest_signal.text if p.latest_signal else "no signal")))
        grid = [cells[k:k + 2] + [""] * (2 - len(cells[k:k + 2]))
                for k in range(0, len(cells), 2)]
        table = Table(grid, colWidths=[w + 2, w + 2])
        table.setStyle(GRID)
        out.append(table)
    return out
