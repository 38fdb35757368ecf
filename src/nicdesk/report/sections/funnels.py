"""Funnel plots of the proportion and rate measures two or more sites in scope report,
with the limits named, and a table of each site against them (suppressed sites by
label only).  The limits, flags and caption are `core.variation.funnel_limits`' — the
network view's on screen — so the packet adjusts for over-dispersion exactly when the
screen does and says so with the same φ and τ²."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import KeepTogether

from ...core.formatting import rate_value
from ...core.variation import funnel_limits, suppression_label
from ..charts import funnel_drawing
from ..layout import CELL, CELL_HEAD, SMALL, Heading, fit, grid_table, label, nothing, para
from .base import Context


def funnels(ctx: Context) -> list[Any]:
    out: list[Any] = []
    for md in ctx.data.measures:
        view = md.funnel
        if view is None:  # not a proportion or rate, or one site only
            continue
        f = view.funnel
        heading = Heading(label(md.measure.name), 1, ctx.key())
        if f is None or f.mean is None:
            out += [heading, nothing(view.note)]
            continue
        limits = funnel_limits(f)
        out.append(KeepTogether([
            heading, fit(funnel_drawing(f, ctx.width, 300, percent=view.percent,
                                        limits=limits), ctx.width, ctx.height * 0.5),
            para(limits.caption + " Dashed: 99.8 %; dotted: 95 %; dash-dot: network mean; "
                 "◆ outside the limits. " + " ".join(f.notes), SMALL)]))
        rows = [[para(h, CELL_HEAD) for h in ("Site", "Denominator", "Value",
                                            "Against the limits")]]
        for r in f.rows:
            if r.suppressed:
                rows.append([para(label(r.name), CELL),
                             para(suppression_label(f.threshold), CELL),
                             para("", CELL), para("", CELL)])
                continue
            flag = limits.flag(r)
            rows.append([para(label(r.name), CELL), para(f"{r.size:,.0f}", CELL),
                         para(rate_value(r.value, view.percent, sign=" %"), CELL),
                         para(flag, CELL)])
        for site, why in view.excluded:
            rows.append([para(label(site) or "—", CELL), para("not shown", CELL),
                         para("", CELL), para(why, CELL)])
        w = ctx.width
        out.append(grid_table(rows, [w * 0.4, w * 0.2, w * 0.15, w * 0.25]))
    return out or [nothing("no proportion or rate measure reported by two or more "
                           "sites in this meeting's scope")]
