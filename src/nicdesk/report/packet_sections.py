"""The sections of a meeting packet, each a method that turns one meeting's stored
content into flowables (inside one read session): agenda, measures summary, aim,
diagrams, run charts, funnels, PDSA summaries, actions, notes and site one-pagers."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from ..core.signals import Point, analyse_series
from ..core.variation import suppression_label
from ..store.ops.diagrams import load_diagram
from ..store.ops.fishbones import load_fishbone
from ..store.ops.meetings import actions_for, agenda
from ..store.schema import (
    Aim,
    ChangeIdea,
    DriverDiagram,
    Fishbone,
    Measure,
    Meeting,
    Network,
    PdsaCycle,
    PdsaQuestion,
    PdsaRamp,
    Site,
)  # fmt: skip
from ..store.views import network as nv
from .charts import (
    ASSURANCE,
    VARIATION,
    funnel_drawing,
    icon_drawing,
    legend_drawing,
    run_chart_drawing,
)  # fmt: skip
from .drawings import driver_drawing, fishbone_drawing
from .fonts import REGULAR
from .packet_layout import (
    BODY,
    CELL,
    CELL_HEAD,
    COVER_SUB,
    COVER_TITLE,
    H1,
    H2,
    NAME_LIMIT,
    NOTE,
    SMALL,
    TOC_STYLES,
    Heading,
    PacketCancelled,
    PacketOptions,
    Progress,
    RuledLines,
    fit,
    grid_table,
    label,
    nothing,
    para,
)  # fmt: skip
from .pdsa import pdsa_flowables


# ------------------------------------------------------------------ building
class Sections:
    """Gathers one meeting's content into flowables (inside one read session)."""

    def __init__(self, s: Any, meeting: Meeting, width: float, height: float,
                 progress: Progress | None, options: PacketOptions | None = None) -> None:
        self.s, self.meeting, self.width, self.height = s, meeting, width, height
        self.progress = progress
        self.options = options or PacketOptions()
        self.network = s.get(Network, meeting.network_id)
        self.site = s.get(Site, meeting.site_id) if meeting.site_id else None
        self.threshold = self.network.suppression_threshold or 10
        self.measures = nv.network_measures(s, meeting.network_id)
        if self.site is not None:
            self.measures += list(s.query(Measure).filter_by(site_id=self.site.id,
                                                             deleted=False))
        self._multiples: dict[str, nv.SmallMultiples] = {}
        self._keys = 0
        # a site meeting covers the site and the sites under it (a district team meeting
        # looks at its schools); a network meeting covers every site
        sites = list(s.query(Site).filter_by(network_id=self.network.id, deleted=False))
        self.scope: set[str] = {x.id for x in sites}
        if self.site is not None:
            children: dict[str | None, list[str]] = {}
            for x in sites:
                children.setdefault(x.parent_id, []).append(x.id)
            self.scope, stack = set(), [self.site.id]
            while stack:
                sid = stack.pop()
                if sid not in self.scope:
                    self.scope.add(sid)
                    stack.extend(children.get(sid, ()))
        if self.options.measures is not None:
            chosen = set(self.options.measures)
            self.measures = [m for m in self.measures if m.id in chosen]
        if self.options.sites is not None:
            self.scope &= set(self.options.sites)

    def key(self) -> str:
        self._keys += 1
        return f"k{self._keys}"

    def multiples(self, measure_id: str) -> nv.SmallMultiples:
        if measure_id not in self._multiples:
            self._multiples[measure_id] = nv.small_multiples(self.s, measure_id,
                                                             end=self.meeting.date)
        return self._multiples[measure_id]

    def panels(self, measure_id: str) -> list[nv.Panel]:
        return [p for p in self.multiples(measure_id).panels if p.site_id in self.scope]

    def single(self, measure_id: str) -> bool:
        """One site in scope: full-size charts and that site's own values."""
        return self.site is not None and len(self.panels(measure_id)) == 1

    # -- sections
    def cover(self) -> list[Any]:
        m = self.meeting
        when = m.date.strftime("%A %d %B %Y") if m.date else "date to be set"
        if m.start_time:
            when += f", {m.start_time}"
        scope = label(self.site.name) if self.site else "the whole network"
        out: list[Any] = [Spacer(1, 30 * mm), para(label(self.network.name), COVER_SUB),
                          Spacer(1, 4 * mm), para(label(m.title) or "Meeting", COVER_TITLE),
                          para(when, COVER_SUB)]
        if m.place:
            out.append(para(label(m.place, 3 * NAME_LIMIT), COVER_SUB))
        out += [Spacer(1, 3 * mm), para(f"Scope: {scope}", BODY), Spacer(1, 10 * mm)]
        if self.network.common_aim:
            out += [para("Our aim", H2), para(self.network.common_aim)]
        out += [para("Attendees", H2),
                para(", ".join(label(a) for a in m.attendees) if m.attendees
                     else "Nothing recorded yet.")]
        out += [Spacer(1, 8 * mm), para(
            f"Counts and proportions built from fewer than {self.threshold} people are "
            f"shown as “{suppression_label(self.threshold)}”.", NOTE), PageBreak()]
        toc = TableOfContents()
        toc.levelStyles = TOC_STYLES
        toc.tableStyle = TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR),
                                     ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                     ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                     ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
        out += [para("Contents", H1), toc, PageBreak()]
        return out

    def agenda(self) -> list[Any]:
        items = agenda(self.s, self.meeting.id)
        if not items:
            return [nothing("no agenda items")]
        clock = None
        if self.meeting.start_time:
            with contextlib.suppress(ValueError):
                clock = dt.datetime.combine(dt.date.today(),
                                            dt.time.fromisoformat(self.meeting.start_time))
        rows = [[para(h, CELL_HEAD) for h in ("Time", "Min", "Item", "Owner", "Material")]]
        for item in items:
            start = clock.strftime("%H:%M") if clock else ""
            rows.append([para(start, CELL), para(str(item.minutes or ""), CELL),
                         para(item.title, CELL), para(label(item.owner), CELL),
                         para(item.material, CELL)])
            if clock is not None:
                clock += dt.timedelta(minutes=item.minutes or 0)
        total = sum(i.minutes or 0 for i in items)
        rows.append([para("", CELL), para(str(total), CELL_HEAD), para("minutes in all", CELL),
                     para("", CELL), para("", CELL)])
        w = self.width
        return [grid_table(rows, [w * 0.09, w * 0.07, w * 0.44, w * 0.2, w * 0.2])]

    def aim(self) -> list[Any]:
        q = list(self.s.query(Aim).filter_by(network_id=self.network.id, deleted=False))
        aims = [a for a in q if a.site_id == (self.site.id if self.site else None)] or [
            a for a in q if a.site_id is None]  # a site meeting without its own aim
        if not aims:
            return [nothing("no aim written for this scope")]
        out: list[Any] = []
        for a in aims:
            measure = self.s.get(Measure, a.measure_id) if a.measure_id else None
            pct = measure is not None and measure.value_type == "proportion"

            def v(x: float | None, pct: bool = pct) -> str:
                return "—" if x is None else (f"{x * 100:.0f} %" if pct else f"{x:g}")

            out += [para(a.statement, ParagraphStyle("aim", parent=BODY, fontSize=12,
                                                   leading=16, spaceAfter=6)),
                    para(f"Measure: {label(measure.name) if measure else '—'} · baseline "
                       f"{v(a.baseline_value)} ({a.baseline_date or '—'}) · target "
                       f"{v(a.target_value)} by {a.deadline or '—'}"
                       + (f" · for {a.population}" if a.population else ""), SMALL),
                    Spacer(1, 4 * mm)]
        return out

    def measures_summary(self) -> list[Any]:
        if not self.measures:
            return [nothing("no measures defined")]
        rows = [[para(h, CELL_HEAD) for h in ("Measure", "Latest", "Target", "Varia\u00adtion",
                                            "Assur\u00adance", "In words")]]
        for m in self.measures:
            latest, variation, assurance, words = self._summary_of(m)
            pct = m.value_type == "proportion"
            target = "—" if m.target is None else (f"{m.target * 100:.0f} %" if pct
                                                   else f"{m.target:g}")
            rows.append([para(f"{label(m.name)} ({m.kind})", CELL), para(latest, CELL),
                         para(target, CELL),
                         icon_drawing(VARIATION, variation), icon_drawing(ASSURANCE, assurance),
                         para(words, CELL)])
        w = self.width
        where = f"{label(self.site.name)} and its sites" if self.site else "the network"
        scope = (f"at {label(self.site.name)}" if self.site and len(self.scope) == 1 else
                 f"for {where} (sites pooled; suppressed values left out)")
        key = ("Variation: ~ common cause, I special cause improvement, C special cause "
               "concern. Assurance: P will consistently meet the target, F will consistently "
               "miss it, ? may or may not (target inside the limits), – no target or limits.")
        return [para(f"Latest values {scope}.", SMALL), Spacer(1, 2 * mm),
                grid_table(rows, [w * 0.27, w * 0.12, w * 0.09, w * 0.1, w * 0.1, w * 0.32],
                       align_middle=True), Spacer(1, 2 * mm), para(key, SMALL)]

    def _summary_of(self, m: Measure) -> tuple[str, str, str, str]:
        panels = [p for p in self.panels(m.id) if p.points]
        if not panels:
            return ("—", "none", "none", "No data to summarise yet (or all "
                    f"{suppression_label(self.threshold)}).")
        if len(panels) == 1:
            points = panels[0].points
        else:  # pool the sites per period
            pooled: dict[dt.date, list[float]] = {}
            for p in panels:
                for pt in p.points:
                    acc = pooled.setdefault(pt.period, [0.0, 0.0, 0.0, 0])
                    acc[0] += pt.numerator or 0
                    acc[1] += pt.denominator or 0
                    acc[2] += pt.value or 0
                    acc[3] += 1
            points = [Point(d, a[2] if not a[1] else None, a[0] if a[1] else None,
                            a[1] or None) for d, a in sorted(pooled.items())]
        kind = m.chart_kind if m.chart_kind != "run" else {
            "proportion": "p", "rate": "u", "count": "c"}.get(m.value_type, "i")
        analysis = analyse_series(points, chart_kind=kind, value_type=m.value_type,
                                  direction=m.direction, frequency=m.frequency,
                                  rule_set=self.network.rule_set)
        values = [v for v in analysis.y if v is not None]
        if not values:
            return "—", "none", "none", "No values yet."
        pct = m.value_type == "proportion"
        last = values[-1]
        latest = f"{last * 100:.1f} %" if pct else f"{last:.3g}"
        n = len(analysis.y)
        recent = [s for s in analysis.signals if s.assessment in ("improvement", "concern")
                  and s.last >= n - 3]
        variation = recent[-1].assessment if recent else "common"
        seg = analysis.segments[-1] if analysis.segments else None
        lower = seg.lower[-1] if seg and seg.lower else None
        upper = seg.upper[-1] if seg and seg.upper else None
        assurance = "none"
        if m.target is not None and lower is not None and upper is not None:
            up = m.direction != "down"
            if lower <= m.target <= upper:
                assurance = "hit and miss"
            elif (m.target < lower) == up:
                assurance = "pass"
            else:
                assurance = "fail"
        words = f"{VARIATION[variation][2].capitalize()}; {ASSURANCE[assurance][2]}."
        if recent:
            words = recent[-1].text + ". " + words
        return latest, variation, assurance, words

    def driver_diagrams(self) -> list[Any]:
        site_id = self.site.id if self.site else None
        diagrams = [d for d in self.s.query(DriverDiagram).filter_by(
            network_id=self.network.id, deleted=False) if d.site_id == site_id]
        if not diagrams and site_id is not None:
            diagrams = [d for d in self.s.query(DriverDiagram).filter_by(
                network_id=self.network.id, deleted=False) if d.site_id is None]
        if not diagrams:
            return [nothing("no driver diagram")]
        out: list[Any] = []
        for d in diagrams:
            data = load_diagram(self.s, d.id)
            drawing = driver_drawing(data.layout, {i: n.status for i, n in data.nodes.items()})
            out += [Heading(label(d.name), 1, self.key()),
                    fit(drawing, self.width, self.height * 0.78),
                    para("Border and letter show status: H hypothesis (dashed), T testing, "
                       "E evidence of improvement (solid), × not supported.", SMALL)]
        return out

    def fishbones(self) -> list[Any]:
        q = self.s.query(Fishbone).filter_by(network_id=self.network.id, deleted=False)
        fishes = [f for f in q if self.site is None or f.site_id == self.site.id]
        if not fishes:
            return [nothing("no fishbone")]
        out: list[Any] = []
        for f in fishes:
            fish = load_fishbone(self.s, f.id)
            where = label(self.s.get(Site, f.site_id).name) if f.site_id else "network"
            out += [Heading(f"{label(f.title) or 'Fishbone'} ({where})", 1, self.key()),
                    fit(fishbone_drawing(fish.layout), self.width, self.height * 0.8)]
        return out

    def run_charts(self) -> list[Any]:
        if not self.measures:
            return [nothing("no measures defined")]
        out: list[Any] = [legend_drawing(self.width), Spacer(1, 2 * mm)]
        for i, m in enumerate(self.measures):
            self._tick(i, len(self.measures), "Run charts")
            sm = self.multiples(m.id)
            panels = self.panels(m.id)
            out.append(Heading(label(m.name), 1, self.key()))
            if not panels:
                out.append(nothing("no site reports this measure"))
                continue
            if self.single(m.id):
                p = panels[0]
                out.append(run_chart_drawing([pt.period for pt in p.points], p.analysis,
                                             self.width, 210, title=label(p.name),
                                             percent=sm.percent,
                                             target=m.target, note=p.explanation))
                out += [para(line, SMALL) for line in (p.analysis.summary() if p.analysis
                                                     else [])]
                continue
            out.append(para(f"One chart per site on a common scale, sorted by name. "
                          f"{m.definition}", SMALL))
            cells = []
            w = (self.width - 4) / 2
            for p in [x for x in sm.sorted("name") if x.site_id in self.scope]:
                periods = [pt.period for pt in p.points]
                cells.append(run_chart_drawing(
                    periods, p.analysis, w, 118, title=label(p.name), percent=sm.percent,
                    target=m.target, y_range=sm.y_range, compact=True,
                    note=(suppression_label(self.threshold) if p.status == "suppressed"
                          else p.explanation if not p.analysis else
                          p.latest_signal.text if p.latest_signal else "no signal")))
            grid = [cells[k:k + 2] + [""] * (2 - len(cells[k:k + 2]))
                    for k in range(0, len(cells), 2)]
            table = Table(grid, colWidths=[w + 2, w + 2])
            table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                       ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                                       ("LEFTPADDING", (0, 0), (-1, -1), 1),
                                       ("RIGHTPADDING", (0, 0), (-1, -1), 1),
                                       ("TOPPADDING", (0, 0), (-1, -1), 2),
                                       ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
            out.append(table)
        return out

    def funnels(self) -> list[Any]:
        out: list[Any] = []
        for m in self.measures:
            if m.value_type not in ("proportion", "rate") or self.single(m.id):
                continue
            sm = self.multiples(m.id)
            scoped = nv.SmallMultiples(**{**sm.__dict__, "panels": self.panels(m.id)})
            view = nv.funnel_view(self.s, m.id, end=self.meeting.date, multiples=scoped)
            f = view.funnel
            heading = Heading(label(m.name), 1, self.key())
            if f is None or f.mean is None:
                out += [heading, nothing(view.note)]
                continue
            adjusted = f.overdispersed
            out.append(KeepTogether([
                heading, fit(funnel_drawing(f, self.width, 300, percent=view.percent,
                                             adjusted=adjusted), self.width, self.height * 0.5),
                para("Limits shown: " + (f.adjusted_label if adjusted else f.limits_label)
                   + ". Dashed: 99.8 %; dotted: 95 %; dash-dot: network mean; ◆ outside "
                   "the limits. " + " ".join(f.notes), SMALL)]))
            unit = 100 if view.percent else 1
            rows = [[para(h, CELL_HEAD) for h in ("Site", "Denominator", "Value",
                                                "Against the limits")]]
            for r in f.rows:
                if r.suppressed:
                    rows.append([para(label(r.name), CELL),
                                 para(suppression_label(f.threshold), CELL),
                                 para("", CELL), para("", CELL)])
                    continue
                flag = r.adj_flag if adjusted else r.flag
                rows.append([para(label(r.name), CELL), para(f"{r.size:,.0f}", CELL),
                             para(f"{r.value * unit:.1f}{' %' if view.percent else ''}", CELL),
                             para(flag, CELL)])
            for site, why in view.excluded:
                rows.append([para(label(site) or "—", CELL), para("not shown", CELL),
                             para("", CELL), para(why, CELL)])
            w = self.width
            out.append(grid_table(rows, [w * 0.4, w * 0.2, w * 0.15, w * 0.25]))
        return out or [nothing("no proportion or rate measure reported by two or more "
                                "sites in this meeting's scope")]

    def pdsa(self) -> list[Any]:
        q = self.s.query(PdsaCycle).filter_by(deleted=False)
        sites = {s.id: s for s in self.s.query(Site).filter_by(network_id=self.network.id)}
        cycles = [c for c in q if c.site_id in sites and c.site_id in self.scope
                  and (c.start_date is None or self.meeting.date is None
                       or c.start_date <= self.meeting.date)]
        cycles.sort(key=lambda c: (c.start_date or dt.date.min, c.cycle_number), reverse=True)
        cycles = cycles[:self.options.recent_cycles]
        if not cycles:
            return [nothing("no PDSA cycles before this meeting")]
        out: list[Any] = [para(f"The {len(cycles)} most recent cycles before this meeting, "
                             "newest first.", SMALL)]
        for c in cycles:
            questions = list(self.s.query(PdsaQuestion).filter_by(cycle_id=c.id, deleted=False)
                             .order_by(PdsaQuestion.position))
            ci = self.s.get(ChangeIdea, c.change_idea_id) if c.change_idea_id else None
            idea = label(ci.title) if ci else ""
            out += [CondPageBreak(self.height * 0.45),
                    *pdsa_flowables(c, questions, idea, label(sites[c.site_id].name),
                                    self.width),
                    Spacer(1, 6 * mm)]
        return out

    def actions(self) -> list[Any]:
        rows_in = actions_for(self.s, self.meeting)
        if not rows_in:
            return [nothing("no action items")]
        rows = [[para(h, CELL_HEAD) for h in ("Action", "Owner", "Due", "Status", "Agreed at")]]
        for r in rows_in:
            status = "done" if r.item.done else ("OVERDUE" if r.overdue else "open")
            origin = f"{label(r.meeting.title)} ({r.meeting.date})" + (
                " — carried over" if r.carried else "")
            rows.append([para(r.item.text, CELL), para(label(r.item.owner), CELL),
                         para(str(r.item.due or "—"), CELL), para(status, CELL),
                         para(origin, CELL)])
        w = self.width
        return [grid_table(rows, [w * 0.36, w * 0.17, w * 0.12, w * 0.1, w * 0.25])]

    def notes(self) -> list[Any]:
        m = self.meeting
        out: list[Any] = [para("Decisions", H2), para(m.decisions) if m.decisions.strip()
                          else nothing("no decisions"),
                          para("Notes", H2), para(m.notes) if m.notes.strip()
                          else nothing("no notes")]
        out += [para("Your notes", H2), RuledLines(self.width, 14)]
        return out

    def site_pages(self) -> list[Any]:
        sites = [x for x in nv.participating_sites(self.s, self.network.id)
                 if x.id in self.scope]
        outcome = next((m for m in self.measures if m.kind == "outcome"),
                       self.measures[0] if self.measures else None)
        out: list[Any] = []
        for i, site in enumerate(sites):
            self._tick(i, len(sites), "Site one-pagers")
            if i:
                out.append(PageBreak())
            out.append(Heading(label(site.name), 1, self.key()))
            aim = self.s.query(Aim).filter_by(site_id=site.id, deleted=False).first() or \
                self.s.query(Aim).filter_by(network_id=self.network.id, site_id=None,
                                            deleted=False).first()
            out.append(para("Aim: " + (aim.statement if aim else "nothing recorded yet"), BODY))
            if outcome is not None:
                panel = next((p for p in self.multiples(outcome.id).panels
                              if p.site_id == site.id), None)
                if panel is not None:
                    out.append(Spacer(1, 3 * mm))
                    out.append(run_chart_drawing(
                        [pt.period for pt in panel.points], panel.analysis, self.width, 170,
                        title=label(outcome.name), percent=self.multiples(outcome.id).percent,
                        target=outcome.target, note=panel.explanation))
            ramps = self.s.query(PdsaRamp).filter_by(site_id=site.id, deleted=False).all()
            out.append(para("Current ramps", H2))
            if not ramps:
                out.append(nothing("no PDSA ramps"))
            else:
                rows = [[para(h, CELL_HEAD) for h in ("Ramp", "Cycles", "Latest decision",
                                                    "Last cycle")]]
                for r in ramps:
                    cyc = sorted(self.s.query(PdsaCycle).filter_by(ramp_id=r.id, deleted=False),
                                 key=lambda c: c.cycle_number)
                    last = cyc[-1] if cyc else None
                    decided = [c for c in cyc if c.decision]
                    rows.append([para(label(r.title), CELL), para(str(len(cyc)), CELL),
                                 para(decided[-1].decision if decided else "undecided", CELL),
                                 para(f"{label(last.title)} ({last.start_date or '—'})" if last
                                    else "—", CELL)])
                w = self.width
                out.append(grid_table(rows, [w * 0.35, w * 0.1, w * 0.2, w * 0.35]))
            decisions = [c for c in self.s.query(PdsaCycle).filter_by(site_id=site.id,
                                                                      deleted=False)
                         if c.decision]
            decisions.sort(key=lambda c: c.start_date or dt.date.min, reverse=True)
            out.append(para("Recent decisions", H2))
            out += [para(f"{c.start_date or '—'} · {label(c.title)}: {c.decision.upper()}"
                       + (f" — {c.act_next}" if c.act_next.strip() else ""), SMALL)
                    for c in decisions[:5]] or [
                nothing("no decisions")]
        return out or [nothing("no sites")]

    def _tick(self, i: int, n: int, what: str) -> None:
        if self.progress is not None and not self.progress(i, n, what):
            raise PacketCancelled()


