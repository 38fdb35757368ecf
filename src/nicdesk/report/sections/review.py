"""The year-in-review report's own sections (the progress scores, the timeline and the
gaps are shared with the meeting packet: `sections.progress`, `sections.timeline`,
`sections.equity`).  Each is a
function from `ReviewContext` to flowables, heading excluded; none reads the database.

Sections, in order (`REVIEW_SECTIONS`): the aim and its measures across the network,
gaps between student groups (when the network has groups), bright spots and what they tested, spread of change ideas, progress scores, PDSA cycles
by decision, lessons from Study and Act, and the network timeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer, Table, TableStyle
from reportlab.platypus.tableofcontents import TableOfContents

from ...core.entities import counted
from ...core.formatting import axis_value
from ...core.states import Assessment
from ...core.variation import suppression_label
from ...store.views.review import DECISIONS, ReviewData
from ..charts import legend_drawing, run_chart_drawing
from ..fonts import REGULAR
from ..layout import (
    BODY,
    CELL,
    CELL_HEAD,
    COVER_SUB,
    COVER_TITLE,
    H1,
    H2,
    NOTE,
    SMALL,
    TOC_STYLES,
    Heading,
    Progress,
    grid_table,
    label,
    nothing,
    para,
)  # fmt: skip
from .progress import progress_flowables
from .run_charts import GRID
from .timeline import timeline_flowables


@dataclass
class ReviewContext:
    data: ReviewData
    width: float
    height: float
    progress: Progress | None = None
    _keys: int = 0

    def key(self) -> str:
        self._keys += 1
        return f"r{self._keys}"

    def tick(self, i: int, n: int, what: str) -> None:
        from ..layout import PacketCancelled

        if self.progress is not None and not self.progress(i, n, what):
            raise PacketCancelled()


def cover(ctx: ReviewContext) -> list[Any]:
    d = ctx.data
    out: list[Any] = [Spacer(1, 30 * mm), para(label(d.network_name), COVER_SUB),
                      Spacer(1, 4 * mm), para("Year in review", COVER_TITLE),
                      para(f"{d.start:%d %B %Y} – {d.end:%d %B %Y}", COVER_SUB),
                      Spacer(1, 10 * mm)]
    if d.common_aim:
        out += [para("Our aim", H2), para(d.common_aim)]
    sites = sum(1 for r in (d.progress.sites if d.progress else []) if r.entries)
    bright = sum(1 for s in d.spots if s.assessment == Assessment.IMPROVEMENT)
    out += [para("In this period", H2), para(
        f"{d.cycles} PDSA cycle{'s' if d.cycles != 1 else ''} at "
        f"{len(d.cycle_counts)} site{'s' if len(d.cycle_counts) != 1 else ''}; "
        f"{counted(bright, '', 'bright spot')} on the network's measures; "
        f"{counted(sites, '', 'site')} followed on IHI's progress scale.")]
    out += [Spacer(1, 8 * mm), para(
        f"Counts and proportions built from fewer than {d.threshold} people are shown as "
        f"“{suppression_label(d.threshold)}”. Only data and PDSA cycles of the period are "
        "counted.", NOTE), PageBreak()]
    toc = TableOfContents()
    toc.levelStyles = TOC_STYLES
    toc.tableStyle = TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR),
                                 ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    out += [para("Contents", H1), toc, PageBreak()]
    return out


def aim_and_measures(ctx: ReviewContext) -> list[Any]:
    d = ctx.data
    out: list[Any] = []
    for a in d.aims:
        out.append(para(a.statement or "—", BODY))
        facts = []
        if a.measure_name:
            facts.append(f"Measure: {label(a.measure_name)}")
        if a.baseline_value is not None:
            facts.append(f"baseline {axis_value(a.baseline_value, a.percent)}"
                         + (f" ({a.baseline_date})" if a.baseline_date else ""))
        if a.target_value is not None:
            facts.append(f"target {axis_value(a.target_value, a.percent)}"
                         + (f" by {a.deadline}" if a.deadline else ""))
        if facts:
            out.append(para(", ".join(facts) + ".", SMALL))
        out.append(Spacer(1, 2 * mm))
    if not d.aims:
        out.append(nothing("no network aim"))
    if not d.measures:
        return [*out, nothing("no network measures")]
    out += [legend_drawing(ctx.width), Spacer(1, 2 * mm)]
    for i, md in enumerate(d.measures):
        ctx.tick(i, len(d.measures), "Measures across the network")
        m, sm = md.measure, md.multiples
        out.append(Heading(label(m.name), 1, ctx.key()))
        if md.summary is not None:
            out.append(para("Across the network: " + md.summary.line, SMALL))
        shown = [p for p in sm.sorted("name") if p.points or p.status == "suppressed"]
        if not shown:
            out.append(nothing("no site reported this measure in the period"))
            continue
        if all(p.status == "suppressed" for p in shown):
            out.append(para(f"All values suppressed: fewer than {d.threshold} at every "
                            "site, so no chart is shown.", SMALL))
            continue
        w = (ctx.width - 4) / 2
        cells = [run_chart_drawing(
            [pt.period for pt in p.points], p.analysis, w, 112, title=label(p.name),
            percent=sm.percent, target=m.target, y_range=sm.y_range, compact=True,
            note=(suppression_label(d.threshold) if p.status == "suppressed"
                  else p.explanation if not p.analysis else
                  p.latest_signal.text if p.latest_signal else "no signal"))
            for p in shown]
        grid = [cells[k:k + 2] + [""] * (2 - len(cells[k:k + 2]))
                for k in range(0, len(cells), 2)]
        table = Table(grid, colWidths=[w + 2, w + 2])
        table.setStyle(GRID)
        out.append(table)
    return out


def gaps(ctx: ReviewContext) -> list[Any]:
    """The meeting packet's Equity section (`sections.equity`), fed the review's gaps: it
    reads only `data.equity`, `data.threshold`, the frame's width, `key` and `tick`,
    which a `ReviewContext` has alike."""
    from .equity import equity

    lead = [para("Each gap is charted from its first data to the end of the period, so "
                 "the period is seen against where the groups started.", SMALL)]
    return [*(lead if ctx.data.equity else []), *equity(cast(Any, ctx))]


def bright_spots(ctx: ReviewContext) -> list[Any]:
    spots = ctx.data.spots
    if not spots:
        return [nothing("no signal of improvement or concern in the period")]
    out: list[Any] = [para("Sites whose chart of a network measure showed a signal in the "
                           "period, and the PDSA cycles they ran there in the period.", SMALL)]
    for s in spots:
        mark = "▲ Bright spot" if s.assessment == Assessment.IMPROVEMENT else "▼ Concern"
        out.append(para(f"{mark}: {label(s.site)} — {label(s.measure)}", H2))
        out.append(para(f"{s.signal} (since {s.since:%d %B %Y})", SMALL))
        if s.cycles:
            out += [para(f"{day or '—'} · {label(title)}: "
                         f"{(decision or 'not decided yet').upper()}", SMALL)
                    for title, day, decision in s.cycles]
        else:
            out.append(para("No PDSA cycle recorded there in the period.", NOTE))
    return out


def spread(ctx: ReviewContext) -> list[Any]:
    sp = ctx.data.spread
    ideas = [i for i in (sp.ideas if sp else ()) if i.tested]
    if sp is None or not ideas:
        return [nothing("no change idea tested in the period")]
    rows = [[para(h, CELL_HEAD) for h in ("Change idea", "Testing", "Adapting", "Adopted",
                                        "Abandoned", "In words")]]
    for idea in ideas:
        rows.append([para(label(idea.title), CELL),
                     *(para(str(idea.now(k)), CELL)
                       for k in ("testing", "adapting", "adopted", "abandoned")),
                     para(idea.sentence, CELL)])
    w = ctx.width
    return [para(f"Where the {sp.noun} stood with each change idea on {sp.end:%d %B %Y}.",
                 SMALL),
            grid_table(rows, [w * 0.27, w * 0.11, w * 0.11, w * 0.11, w * 0.12, w * 0.28])]


def progress(ctx: ReviewContext) -> list[Any]:
    d = ctx.data
    return progress_flowables(d.progress, ctx.width, d.start, d.end, ctx.key, ctx.tick)


def cycles(ctx: ReviewContext) -> list[Any]:
    d = ctx.data
    out: list[Any] = []
    if not d.cycle_counts:
        out.append(nothing("no PDSA cycle in the period"))
    else:
        names = [k.value.capitalize() if k else "Not decided" for k in DECISIONS]
        rows = [[para(h, CELL_HEAD) for h in ("Site", *names, "All")]]
        for c in d.cycle_counts:
            rows.append([para(label(c.site), CELL),
                         *(para(str(c.counts[k]), CELL) for k in DECISIONS),
                         para(str(c.total), CELL)])
        rows.append([para("Network", CELL_HEAD),
                     *(para(str(sum(c.counts[k] for c in d.cycle_counts)), CELL_HEAD)
                       for k in DECISIONS), para(str(d.cycles), CELL_HEAD)])
        w = ctx.width
        out.append(grid_table(rows, [w * 0.3] + [w * 0.7 / (len(DECISIONS) + 1)]
                              * (len(DECISIONS) + 1)))
    out.append(para("A cycle is counted in the period it started in (by its end date when "
                    "it has no start date).", SMALL))
    if d.undated_cycles:
        out.append(para(f"{d.undated_cycles} cycle(s) with no dates are not counted.", NOTE))
    return out


def lessons(ctx: ReviewContext) -> list[Any]:
    d = ctx.data
    if not d.lessons:
        return [nothing("no lessons written in Study or Act in the period")]
    out: list[Any] = []
    site = None
    for x in d.lessons:
        if x.site != site:
            site = x.site
            out.append(para(label(site), H2))
        head = f"{x.day} · {label(x.title)}" + (f" ({label(x.idea)})" if x.idea else "") + (
            f": {x.decision.upper()}" if x.decision else "")
        out.append(para(head, CELL_HEAD))
        if x.learned:
            out.append(para("Learned: " + x.learned, SMALL))
        if x.next_step:
            out.append(para("Next: " + x.next_step, SMALL))
    return out


def timeline(ctx: ReviewContext) -> list[Any]:
    d = ctx.data
    return timeline_flowables(d.milestones, ctx.width, d.start, d.end)


Maker = Callable[[ReviewContext], list[Any]]
#: (key, title, maker) in the report's order; "gaps" only when the network has groups
REVIEW_SECTIONS: list[tuple[str, str, Maker]] = [
    ("aim", "The aim and its measures across the network", aim_and_measures),
    ("gaps", "Gaps between student groups", gaps),
    ("bright_spots", "Bright spots and what they tested", bright_spots),
    ("spread", "Spread of change ideas", spread),
    ("progress", "Progress scores", progress),
    ("cycles", "PDSA cycles by decision", cycles),
    ("lessons", "Lessons from Study and Act", lessons),
    ("timeline", "Network timeline", timeline),
]


def sections_of(data: ReviewData) -> list[tuple[str, str, Maker]]:
    """The report's sections for this network: the gaps only where groups exist."""
    return [x for x in REVIEW_SECTIONS if x[0] != "gaps" or data.has_groups]
