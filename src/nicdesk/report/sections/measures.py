"""The measures summary: each measure's latest value, target, variation and assurance
icons and the same in words, for one site or for the scope's sites pooled (suppressed
values left out).  The judgement is the one the screen and the CLI show
(`core.summary.summarise`, read with the packet's data as `MeasureData.summary`, phases
applied); this module only lays it out."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from ...core.formatting import format_value
from ...core.variation import suppression_label
from ...store.views.packet import MeasureData
from ..charts import ASSURANCE, VARIATION, icon_drawing
from ..layout import CELL, CELL_HEAD, SMALL, grid_table, label, nothing, para
from .base import Context

KEY = ("Variation: ~ common cause, I special cause improvement, C special cause "
       "concern. Assurance: P will consistently meet the target, F will consistently "
       "miss it, ? may or may not (target inside the limits), – no target or limits.")


def measures_summary(ctx: Context) -> list[Any]:
    d = ctx.data
    if not d.measures:
        return [nothing("no measures defined")]
    rows = [[para(h, CELL_HEAD) for h in ("Measure", "Latest", "Target", "Varia\u00adtion",
                                        "Assur\u00adance", "In words")]]
    for md in d.measures:
        m = md.measure
        latest, variation, assurance, words = summary_of(ctx, md)
        target = format_value(m.target, m.percent, percent_spec=".0f")
        rows.append([para(f"{label(m.name)} ({m.kind})", CELL), para(latest, CELL),
                     para(target, CELL),
                     icon_drawing(VARIATION, variation), icon_drawing(ASSURANCE, assurance),
                     para(words, CELL)])
    w = ctx.width
    site = d.site_name
    where = f"{label(site)} and its sites" if site is not None else "the network"
    scope = (f"at {label(site)}" if site is not None and len(d.scope) == 1 else
             f"for {where} (sites pooled; suppressed values left out)")
    own = {p.name for md in d.measures if md.summary is not None and not md.summary.pooled
           for p in md.panels if p.points}
    if len(own) == 1 and not any(md.summary is not None and md.summary.pooled
                                 for md in d.measures):
        # one site's own series in every row, its phases applied
        scope = f"at {label(own.pop())} (suppressed values left out)"
    return [para(f"Latest values {scope}.", SMALL), Spacer(1, 2 * mm),
            grid_table(rows, [w * 0.27, w * 0.12, w * 0.09, w * 0.1, w * 0.1, w * 0.32],
                       align_middle=True), Spacer(1, 2 * mm), para(KEY, SMALL)]


def summary_of(ctx: Context, md: MeasureData) -> tuple[str, str, str, str]:
    """(latest value, variation key, assurance key, words) of one measure over the
    scope: `MeasureData.summary`, the judgement the screen and the CLI show."""
    summary = md.summary
    if summary is None:
        return ("—", "none", "none", "No data to summarise yet (or all "
                f"{suppression_label(ctx.data.threshold)}).")
    latest = format_value(summary.latest, md.measure.percent, spec=".3g")
    return latest, summary.variation, summary.assurance, summary.words
