"""Equity: for each gap-closing aim, the gap between its groups over time — for the
network (sites pooled, only where both groups are shown) and at each site — judged by
the network's rules, with the aim's target gap as the target line and its progress in
words.  Small cells are already gone from the view models (`store.views.equity_packet`):
a hidden group's gap is "not shown", never a number."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from ...store.views.equity import GapView
from ..charts import run_chart_drawing
from ..layout import BODY, SMALL, Heading, label, nothing, para
from .base import Context
from .run_charts import GRID


def _chart(gap: GapView, title: str, width: float, height: float, compact: bool) -> Any:
    j = gap.judgement
    target = gap.aim.aim.target_gap if gap.aim is not None else None
    return run_chart_drawing([p.period for p in j.points], j.analysis if j.points else None,
                             width, height, title=label(title),
                             percent=gap.percent and gap.kind == "difference",
                             target=target, compact=compact,
                             note="" if j.points else "Not shown: a group too small to show")


def equity(ctx: Context) -> list[Any]:
    d = ctx.data
    if not d.equity:
        return [nothing("no gap-closing aim: write one on an aim (focus group, reference "
                        "group, baseline and target gap) to see its gap here")]
    out: list[Any] = [para(
        "Gaps between student groups, judged like any chart: narrowing (moving toward no "
        "gap) is an improvement, widening a concern. Groups of fewer than "
        f"{d.threshold} students — and any group that could be worked out from the others "
        "by subtraction — are not shown.", SMALL)]
    if any(b.network is not None and b.network.percent and b.network.kind == "difference"
           or any(x.gap.percent and x.gap.kind == "difference" for x in b.sites)
           for b in d.equity):
        # the axes mark a gap of rates with "%": say it is percentage points, as the
        # words under each chart do (−15% on the axis is 15 points below the reference)
        out.append(para("Charts: the gap in percentage points, the group's rate minus the "
                        "reference group's; 0 is no gap, below 0 the group is behind "
                        "(−15% on an axis: 15 points behind).", SMALL))
    out.append(Spacer(1, 2 * mm))
    for block in d.equity:
        out.append(Heading(label(block.statement), 1, ctx.key()))
        out.append(para(f"Measure: {label(block.measure)}", SMALL))
        first = block.network or (block.sites[0].gap if len(block.sites) == 1 else None)
        if first is not None and first.aim is not None:
            out.append(para(first.aim.progress, BODY))
        if block.network is not None:
            out.append(_chart(block.network, "Network (sites pooled)", ctx.width, 190, False))
            out.append(para(block.network.words, SMALL))
            out.append(Spacer(1, 3 * mm))
        if not block.sites:
            out.append(nothing("no site in this packet has data for these groups"))
            continue
        if len(block.sites) == 1 and block.network is None:
            site = block.sites[0]
            out += [_chart(site.gap, site.site, ctx.width, 210, False),
                    para(site.gap.words, SMALL)]
            continue
        w = (ctx.width - 4) / 2
        cells: list[Any] = []
        for site in block.sites:
            words = site.gap.words + (f" {site.gap.aim.progress}" if site.gap.aim else "")
            cells.append([_chart(site.gap, site.site, w, 118, True), para(words, SMALL)])
        rows = [cells[k:k + 2] for k in range(0, len(cells), 2)]
        if rows and len(rows[-1]) == 1:
            rows[-1].append("")
        out.append(Table(rows, colWidths=[w + 2, w + 2], style=GRID))
    return out
