"""View models of the coordinator's Network view (DOMAIN.md "Learning together").

Each builder reads the workspace once in bulk and returns plain data that the GUI, the
CLI (`nicdesk funnel`, `nicdesk matrix`) and meeting packets all render, so a value that
small-cell suppression hides is hidden everywhere: suppressed points, panels and funnel
rows carry no value at all, only the label "suppressed (n < T)".

This module only reads: what is compared, suppressed, ranked and said is decided by the
pure rules of `nicdesk.core.network` (and `core.sites` for which sites take part), so
the same rule is tested once and applied in every view.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from ...core.formatting import is_percent
from ...core.network import (
    ALL_SITES,
    CONTEXT_TAGS,
    TAG_LABELS,
    ContextFilter,
    MeasureDefinition,
    PanelStatus,
    bright_spot_key,
    definition_difference,
    enters_funnel,
    judge_panel,
    latest_signal,
    lookback_start,
    measure_order,
    network_threshold,
    not_compared_explanation,
    rank_panels,
    same_measure_name,
)
from ...core.network import tag_choices as _tag_choices
from ...core.safe_text import csv_cell
from ...core.signals import Phase, Point, SeriesAnalysis, Signal, analyse_series
from ...core.sites import SiteLink, compared_sites
from ...core.states import WITH_DENOMINATOR, ValueType
from ...core.variation import Funnel, SiteRate, funnel, suppression_label
from ..schema import (
    ChartPhase,
    Measure,
    Network,
    Observation,
    PdsaCycle,
    Site,
    stored,
)  # fmt: skip

# the filter and tag names live in core; they stay importable from here for callers
__all__ = ["ALL_SITES", "CONTEXT_TAGS", "TAG_LABELS", "BrightSpot", "ContextFilter",
           "FunnelView", "Panel", "PanelStatus", "SmallMultiples", "bright_spots",
           "funnel_csv", "funnel_view", "network_measures", "participating_sites",
           "small_multiples", "tag_choices"]


# ------------------------------------------------------------------ sites and filters
def tag_choices(session: Session, network_id: str) -> dict[str, list[str]]:
    """Every context tag used in the network, with the values sites have."""
    return _tag_choices(session.scalars(select(Site.context_tags).where(
        Site.network_id == network_id, Site.deleted.is_(False))))


def participating_sites(session: Session, network_id: str,
                        context: ContextFilter = ALL_SITES,
                        with_data: Iterable[str] = ()) -> list[Site]:
    """The sites compared (`core.sites.compared_sites`), filtered by context."""
    sites = {s.id: s for s in session.scalars(select(Site).where(
        Site.network_id == network_id, Site.deleted.is_(False)))}
    chosen = compared_sites([SiteLink(s.id, s.name, s.parent_id) for s in sites.values()],
                            set(with_data))
    return [sites[i] for i in chosen if context.matches(sites[i].context_tags)]


def network_measures(session: Session, network_id: str) -> list[Measure]:
    """The network's own measures, outcome first (`core.network.measure_order`)."""
    rows = session.scalars(select(Measure).where(
        Measure.network_id == network_id, Measure.site_id.is_(None),
        Measure.deleted.is_(False)))
    return sorted(rows, key=lambda m: measure_order(m.kind, m.name))


# ------------------------------------------------------------------ small multiples
_OBSERVATIONS = ("SELECT site_id, measure_id, period, value, numerator, denominator, excluded, "
                 "note, astronomical "
                 "FROM observations WHERE measure_id IN :ids AND deleted = :no")


def _observations(session: Session, measure_ids: list[str], start: dt.date | None,
                  end: dt.date | None) -> list[tuple[Any, ...]]:
    """Observation rows as plain tuples, periods as dates.  Plain SQL: at network scale
    (300 sites × 260 weeks) ORM row processing costs more than the whole analysis."""
    sql = _OBSERVATIONS + (" AND period >= :start" if start else "") + (
        " AND period <= :end" if end else "") + " ORDER BY measure_id, site_id, period"
    params: dict[str, Any] = {"ids": measure_ids, "no": False}
    if start:
        params["start"] = start.isoformat()
    if end:
        params["end"] = end.isoformat()
    rows = session.execute(text(sql).bindparams(bindparam("ids", expanding=True)),
                           params).all()
    parse = dt.date.fromisoformat
    return [(r[0], r[1], r[2] if isinstance(r[2], dt.date) else parse(r[2]), r[3], r[4],
             r[5], r[6], r[7], r[8]) for r in rows]


@dataclass
class Panel:
    """One site's small multiple: what it may show and, if charted, its analysis."""

    site_id: str
    name: str
    tags: dict[str, Any]
    status: PanelStatus
    explanation: str = ""
    points: list[Point] = field(default_factory=list)
    analysis: SeriesAnalysis | None = None
    suppressed_points: int = 0
    phases: tuple[Phase, ...] = ()  # the site's phases of the measure (its judgement's)

    @property
    def latest(self) -> float | None:
        if self.analysis is None:
            return None
        return next((v for v in reversed(self.analysis.y) if v is not None), None)

    @property
    def latest_signal(self) -> Signal | None:
        """The most recent improvement or concern signal, if any."""
        if self.analysis is None:
            return None
        return latest_signal(self.analysis.signals)

    @property
    def signal(self) -> str:
        s = self.latest_signal
        return s.assessment if s else ""


@dataclass
class SmallMultiples:
    """One network measure across the sites, on a common scale."""

    measure_id: str
    measure_name: str
    unit: str
    value_type: str
    direction: str
    frequency: str
    threshold: int
    panels: list[Panel]
    percent: bool

    @property
    def y_range(self) -> tuple[float, float] | None:
        """The common scale: every shown value of every panel."""
        values = [v for p in self.panels if p.analysis for v in p.analysis.y if v is not None]
        if not values:
            return None
        return min(values), max(values)

    def sorted(self, by: str = "name") -> list[Panel]:
        """The panels in the chosen order (`core.network.rank_panels`)."""
        return rank_panels(self.panels, by)


def _definition(m: Measure) -> MeasureDefinition:
    return MeasureDefinition(m.name, m.unit, m.value_type, m.definition, m.frequency)


def small_multiples(session: Session, measure_id: str,
                    context: ContextFilter = ALL_SITES,
                    start: dt.date | None = None, end: dt.date | None = None,
                    analyse: bool = True) -> SmallMultiples:
    """One panel per site for a network measure, judged alike, with suppression applied
    (`analyse=False`: statuses and points only, for views that need no signals)."""
    measure = stored(session, Measure, measure_id)
    net = session.get(Network, measure.network_id)
    threshold = network_threshold(net.suppression_threshold if net else None)
    same_name = [m for m in session.scalars(select(Measure).where(
        Measure.network_id == measure.network_id, Measure.deleted.is_(False),
        Measure.site_id.is_not(None))) if same_measure_name(m.name, measure.name)]
    local = {m.site_id: m for m in same_name}
    source = {measure.id: None} | {m.id: m.site_id for m in same_name}
    rows: dict[tuple[str, str], list[Point]] = defaultdict(list)
    by_measure: dict[str, set[str]] = defaultdict(set)
    for site_id, mid, period, value, num, den, excluded, note, astro in _observations(
            session, list(source), start, end):
        by_measure[site_id].add(mid)
        # the note travels only with a person's astronomical mark: it is the mark's reason
        rows[(site_id, mid)].append(Point(period, value, num, den, bool(excluded),
                                          note if astro else "", bool(astro)))
    phases: dict[str, list[Phase]] = defaultdict(list)
    for site_id, kind, start_d, reason in session.execute(select(
            ChartPhase.site_id, ChartPhase.kind, ChartPhase.start, ChartPhase.reason).where(
            ChartPhase.measure_id == measure.id, ChartPhase.deleted.is_(False))):
        phases[site_id].append(Phase(start_d, kind, reason))
    rule_set = net.rule_set if net else "IHI run-chart rules"
    network_definition = _definition(measure)
    panels = []
    for site in participating_sites(session, measure.network_id, context, by_measure):
        panel = Panel(site.id, site.name, dict(site.context_tags or {}), PanelStatus.OK)
        panels.append(panel)
        mine = local.get(site.id)
        if mine is not None and (why := definition_difference(network_definition,
                                                              _definition(mine))):
            panel.status = PanelStatus.DEFINED_DIFFERENTLY
            panel.explanation = not_compared_explanation(mine.name, why)
            continue
        points = rows.get((site.id, measure.id)) or (
            rows.get((site.id, mine.id), []) if mine is not None else [])
        verdict = judge_panel(points, measure.value_type, threshold)
        panel.status, panel.explanation = verdict.status, verdict.explanation
        panel.suppressed_points = verdict.suppressed_points
        if not verdict.chartable:
            continue
        panel.points = shown = list(verdict.points)
        panel.phases = tuple(sorted(phases.get(site.id, ()), key=lambda ph: ph.start))
        if not analyse:
            continue
        panel.analysis = analyse_series(
            shown, phases.get(site.id, ()), chart_kind=measure.chart_kind,
            value_type=measure.value_type, direction=measure.direction,
            frequency=measure.frequency, rule_set=rule_set)
    return SmallMultiples(measure.id, measure.name, measure.unit, measure.value_type,
                          measure.direction, measure.frequency, threshold, panels,
                          is_percent(measure.value_type, measure.unit))


# ------------------------------------------------------------------ funnel
@dataclass
class FunnelView:
    measure_name: str
    start: dt.date | None
    end: dt.date | None
    funnel: Funnel | None
    excluded: list[tuple[str, str]]  # (site, why it is not on the plot)
    percent: bool
    direction: str

    @property
    def note(self) -> str:
        if self.funnel is None:
            return self.excluded[0][1] if self.excluded else ""
        return " ".join(self.funnel.notes)


def funnel_view(session: Session, measure_id: str, context: ContextFilter = ALL_SITES,
                start: dt.date | None = None, end: dt.date | None = None,
                multiples: SmallMultiples | None = None) -> FunnelView:
    """Each site's total over the period against its denominator (proportion/rate)."""
    measure = stored(session, Measure, measure_id)
    percent = measure.value_type == ValueType.PROPORTION
    if measure.value_type not in WITH_DENOMINATOR:
        return FunnelView(measure.name, start, end, None,
                          [("", "A funnel plot compares proportions or rates: this measure is "
                                f"a {measure.value_type} measure. Use the small multiples.")],
                          percent, measure.direction)
    sm = multiples or small_multiples(session, measure_id, context, start, end, analyse=False)
    rates, excluded = [], []
    kept = {}
    for p in sm.panels:
        if not enters_funnel(p.status):
            excluded.append((p.name, p.explanation))
            continue
        # totals over the period use every point, suppressed ones included: the
        # total is what the threshold applies to
        kept[p.site_id] = p
    q = select(Observation.site_id, Observation.numerator, Observation.denominator).where(
        Observation.measure_id == measure_id, Observation.deleted.is_(False),
        Observation.excluded.is_(False), Observation.site_id.in_(list(kept)))
    if start:
        q = q.where(Observation.period >= start)
    if end:
        q = q.where(Observation.period <= end)
    events: dict[str, float] = defaultdict(float)
    sizes: dict[str, float] = defaultdict(float)
    group: dict[str, float] = defaultdict(float)
    missing: Counter[str] = Counter()
    for site_id, num, den in session.execute(q):
        if num is None or den is None:
            missing[site_id] += 1
            continue
        events[site_id] += num
        sizes[site_id] += den
        group[site_id] = max(group[site_id], den)
    for site_id, panel in kept.items():
        if sizes.get(site_id, 0) <= 0:
            excluded.append((panel.name, "No numerators and denominators in this period."))
            continue
        rates.append(SiteRate(site_id, panel.name, events[site_id], sizes[site_id],
                              group[site_id]))
        if missing[site_id]:
            excluded.append((panel.name, f"{missing[site_id]} value(s) without a denominator "
                             "left out of the total."))
    result = funnel(rates, "binomial" if percent else "poisson", sm.threshold)
    return FunnelView(measure.name, start, end, result, excluded, percent, measure.direction)


def funnel_csv(view: FunnelView) -> str:
    """The `nicdesk funnel --csv` table: unadjusted limits, plus adjusted ones if any.
    Names are neutralised for spreadsheets (`core.safe_text.csv_cell`)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    f = view.funnel
    adjusted = f is not None and f.overdispersed
    head = ["site", "denominator", "proportion", "lower95", "upper95", "lower998",
            "upper998", "flag"]
    if adjusted:
        head += ["adj_lower95", "adj_upper95", "adj_lower998", "adj_upper998", "adj_flag"]
    w.writerow(head)

    def num(v: float | None) -> str:
        return "" if v is None else f"{v:.6g}"

    # text cells (the site's name, flags) go through csv_cell so a spreadsheet cannot run
    # a name as a formula; the numbers NICdesk computed are written as they are
    if f is None:
        return out.getvalue()
    for r in f.rows:
        if r.suppressed:
            w.writerow([csv_cell(r.name), csv_cell(suppression_label(f.threshold)), "", "",
                        "", "", "", "suppressed", *([""] * 5 if adjusted else [])])
            continue
        row = [csv_cell(r.name), num(r.size), num(r.value), num(r.lower95), num(r.upper95),
               num(r.lower998), num(r.upper998), csv_cell(r.flag)]
        if adjusted:
            row += [num(r.adj_lower95), num(r.adj_upper95), num(r.adj_lower998),
                    num(r.adj_upper998), csv_cell(r.adj_flag)]
        w.writerow(row)
    return out.getvalue()


# ------------------------------------------------------------------ bright spots
@dataclass
class BrightSpot:
    site_id: str
    site: str
    measure_id: str
    measure: str
    assessment: str  # improvement / concern
    signal: str  # in words
    since: dt.date
    cycles: list[tuple[str, str, dt.date | None, str]]  # id, title, start, decision


def bright_spots(session: Session, network_id: str, context: ContextFilter = ALL_SITES,
                 months_before: int = 6,
                 multiples: dict[str, SmallMultiples] | None = None) -> list[BrightSpot]:
    """Sites whose latest signal on a network measure is an improvement or a concern, with
    the PDSA cycles run there in the months before: the "what are they doing?" prompt."""
    cycles_by_site: dict[str, list[PdsaCycle]] = defaultdict(list)
    for c in session.scalars(select(PdsaCycle).where(PdsaCycle.deleted.is_(False))):
        cycles_by_site[c.site_id].append(c)
    out = []
    for measure in network_measures(session, network_id):
        sm = (multiples or {}).get(measure.id) or small_multiples(session, measure.id, context)
        for panel in sm.panels:
            sig = panel.latest_signal
            if sig is None:
                continue
            since = panel.points[sig.first].period
            until = panel.points[sig.last].period
            window = lookback_start(since, months_before)
            ran = sorted((c for c in cycles_by_site[panel.site_id]
                          if c.start_date and window <= c.start_date <= until),
                         key=lambda c: c.start_date or dt.date.min)  # all have one
            out.append(BrightSpot(panel.site_id, panel.name, measure.id, measure.name,
                                  sig.assessment, sig.text, since,
                                  [(c.id, c.title, c.start_date, c.decision) for c in ran]))
    out.sort(key=lambda b: bright_spot_key(b.assessment, b.measure, b.site))
    return out
