"""View models of the coordinator's Network view (DOMAIN.md "Learning together").

Each builder reads the workspace once in bulk and returns plain data that the GUI, the
CLI (`nicdesk funnel`, `nicdesk matrix`) and meeting packets all render, so a value that
small-cell suppression hides is hidden everywhere: suppressed points, panels and funnel
rows carry no value at all, only the label "suppressed (n < T)".

What is suppressed (the network's threshold T, default 10): a proportion or rate whose
denominator is below T, and a count between 1 and T − 1.  Counts of network activity
(PDSA cycles, sites) describe adults' work, not students, and are shown as they are.
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

from ...core.safe_text import csv_cell
from ...core.signals import Phase, Point, SeriesAnalysis, Signal, analyse_series
from ...core.variation import Funnel, SiteRate, funnel, is_suppressed, suppression_label
from ..schema import (
    ChartPhase,
    Measure,
    Network,
    Observation,
    PdsaCycle,
    Site,
)  # fmt: skip

CONTEXT_TAGS = ("grade_band", "enrolment", "locale")
TAG_LABELS = {"grade_band": "Grade band", "enrolment": "Size", "locale": "Locale"}


# ------------------------------------------------------------------ sites and filters
@dataclass(frozen=True)
class ContextFilter:
    """Sites whose context tags match every chosen value ("where" of what works)."""

    tags: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, **tags: str | None) -> ContextFilter:
        return cls(tuple(sorted((k, v) for k, v in tags.items() if v)))

    def matches(self, site_tags: dict[str, Any] | None) -> bool:
        site_tags = site_tags or {}
        return all(str(site_tags.get(k, "")) == v for k, v in self.tags)

    def describe(self) -> str:
        return ", ".join(f"{TAG_LABELS.get(k, k)}: {v}" for k, v in self.tags) or "all sites"


ALL_SITES = ContextFilter()  # no filter


def tag_choices(session: Session, network_id: str) -> dict[str, list[str]]:
    """Every context tag used in the network, with the values sites have."""
    found: dict[str, set[str]] = defaultdict(set)
    for tags in session.scalars(select(Site.context_tags).where(
            Site.network_id == network_id, Site.deleted.is_(False))):
        for k, v in (tags or {}).items():
            if v not in (None, ""):
                found[k].add(str(v))
    order = {k: i for i, k in enumerate(CONTEXT_TAGS)}
    return {k: sorted(found[k]) for k in sorted(found, key=lambda k: (order.get(k, 99), k))}


def participating_sites(session: Session, network_id: str,
                        context: ContextFilter = ContextFilter(),
                        with_data: Iterable[str] = ()) -> list[Site]:
    """The sites compared: those with no sub-sites (schools, regional centres) and any
    other site holding data of the measure at hand; filtered by context."""
    sites = list(session.scalars(select(Site).where(Site.network_id == network_id,
                                                    Site.deleted.is_(False))))
    parents = {s.parent_id for s in sites if s.parent_id}
    keep = set(with_data)
    chosen = [s for s in sites if (s.id not in parents or s.id in keep)
              and context.matches(s.context_tags)]
    return sorted(chosen, key=lambda s: s.name.lower())


def network_measures(session: Session, network_id: str) -> list[Measure]:
    order = {"outcome": 0, "process": 1, "balancing": 2}
    rows = session.scalars(select(Measure).where(
        Measure.network_id == network_id, Measure.site_id.is_(None),
        Measure.deleted.is_(False)))
    return sorted(rows, key=lambda m: (order.get(m.kind, 3), m.name.lower()))


# ------------------------------------------------------------------ small multiples
_OBSERVATIONS = ("SELECT site_id, measure_id, period, value, numerator, denominator, excluded "
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
             r[5], r[6]) for r in rows]


@dataclass
class Panel:
    site_id: str
    name: str
    tags: dict[str, Any]
    status: str  # ok, no data, one point, suppressed, defined differently, no denominators
    explanation: str = ""
    points: list[Point] = field(default_factory=list)
    analysis: SeriesAnalysis | None = None
    suppressed_points: int = 0

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
        judged = [s for s in self.analysis.signals if s.assessment in ("improvement", "concern")]
        return max(judged, key=lambda s: (s.last, s.first)) if judged else None

    @property
    def signal(self) -> str:
        s = self.latest_signal
        return s.assessment if s else ""


@dataclass
class SmallMultiples:
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
        if by == "latest":
            return sorted(self.panels, key=lambda p: (p.latest is None, -(p.latest or 0),
                                                      p.name.lower()))
        if by == "signal":
            rank = {"improvement": 0, "concern": 1, "": 2}
            return sorted(self.panels, key=lambda p: (rank[p.signal], p.status != "ok",
                                                      p.name.lower()))
        return sorted(self.panels, key=lambda p: p.name.lower())


def _threshold(session: Session, network_id: str) -> int:
    net = session.get(Network, network_id)
    return int(net.suppression_threshold or 10) if net else 10


def _differs(a: Measure, b: Measure) -> str:
    """How a site's own measure of the same name is defined differently ('' if alike)."""
    for attr, label in (("unit", "unit"), ("value_type", "kind of value"),
                        ("definition", "operational definition"), ("frequency", "frequency")):
        x, y = (getattr(a, attr) or "").strip(), (getattr(b, attr) or "").strip()
        if x.casefold() != y.casefold():
            if attr == "definition":
                return f"its operational definition differs from the network's: “{y[:80]}”"
            return f"its {label} is “{y}”, the network's is “{x}”"
    return ""


def _suppress(points: list[Point], value_type: str, threshold: int) -> tuple[list[Point], int]:
    out, hidden = [], 0
    for p in points:
        size = p.denominator if value_type in ("proportion", "rate") else p.value
        if value_type in ("proportion", "rate", "count") and is_suppressed(size, threshold):
            hidden += 1
            continue
        out.append(p)
    return out, hidden


def small_multiples(session: Session, measure_id: str,
                    context: ContextFilter = ContextFilter(),
                    start: dt.date | None = None, end: dt.date | None = None,
                    analyse: bool = True) -> SmallMultiples:
    """One panel per site for a network measure, judged alike, with suppression applied
    (`analyse=False`: statuses and points only, for views that need no signals)."""
    measure = session.get(Measure, measure_id)
    net = session.get(Network, measure.network_id)
    threshold = _threshold(session, measure.network_id)
    same_name = [m for m in session.scalars(select(Measure).where(
        Measure.network_id == measure.network_id, Measure.deleted.is_(False),
        Measure.site_id.is_not(None)))
        if m.name.strip().casefold() == measure.name.strip().casefold()]
    local = {m.site_id: m for m in same_name}
    source = {measure.id: None} | {m.id: m.site_id for m in same_name}
    rows: dict[tuple[str, str], list[Point]] = defaultdict(list)
    by_measure: dict[str, set[str]] = defaultdict(set)
    for site_id, mid, period, value, num, den, excluded in _observations(
            session, list(source), start, end):
        by_measure[site_id].add(mid)
        rows[(site_id, mid)].append(Point(period, value, num, den, bool(excluded)))
    phases: dict[str, list[Phase]] = defaultdict(list)
    for site_id, kind, start_d, reason in session.execute(select(
            ChartPhase.site_id, ChartPhase.kind, ChartPhase.start, ChartPhase.reason).where(
            ChartPhase.measure_id == measure.id, ChartPhase.deleted.is_(False))):
        phases[site_id].append(Phase(start_d, kind, reason))
    rule_set = net.rule_set if net else "IHI run-chart rules"
    label = suppression_label(threshold)
    panels = []
    for site in participating_sites(session, measure.network_id, context, by_measure):
        panel = Panel(site.id, site.name, dict(site.context_tags or {}), "ok")
        panels.append(panel)
        mine = local.get(site.id)
        if mine is not None and (why := _differs(measure, mine)):
            panel.status, panel.explanation = "defined differently", (
                f"Not compared: this site measures “{mine.name}” its own way — {why}.")
            continue
        points = rows.get((site.id, measure.id)) or (
            rows.get((site.id, mine.id), []) if mine is not None else [])
        if not points:
            panel.status, panel.explanation = "no data", "No data recorded for this measure."
            continue
        if measure.value_type in ("proportion", "rate") and all(
                p.denominator is None for p in points):
            panel.status, panel.explanation = "no denominators", (
                "Values without denominators: sizes unknown, so the values cannot be "
                "compared or checked for small numbers.")
            continue
        shown, hidden = _suppress(points, measure.value_type, threshold)
        panel.suppressed_points = hidden
        if not shown or (hidden and measure.value_type == "count"):
            # a count series with gaps where the small counts were would give them away
            panel.status = "suppressed"
            panel.explanation = (f"{label}: {hidden} of {len(points)} values are built from "
                                 f"fewer than {threshold}, so this chart is not shown.")
            continue
        if len(shown) == 1:
            panel.status = "one point"
            panel.explanation = "Only one value so far: a run chart needs more points."
        panel.points = shown
        if hidden:
            panel.explanation = (f"{hidden} value{'s' if hidden > 1 else ''} {label} "
                                 "left out.")
        if not analyse:
            continue
        panel.analysis = analyse_series(
            shown, phases.get(site.id, ()), chart_kind=measure.chart_kind,
            value_type=measure.value_type, direction=measure.direction,
            frequency=measure.frequency, rule_set=rule_set)
    return SmallMultiples(measure.id, measure.name, measure.unit, measure.value_type,
                          measure.direction, measure.frequency, threshold, panels,
                          measure.value_type == "proportion" or "%" in (measure.unit or ""))


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


def funnel_view(session: Session, measure_id: str, context: ContextFilter = ContextFilter(),
                start: dt.date | None = None, end: dt.date | None = None,
                multiples: SmallMultiples | None = None) -> FunnelView:
    """Each site's total over the period against its denominator (proportion/rate)."""
    measure = session.get(Measure, measure_id)
    percent = measure.value_type == "proportion"
    if measure.value_type not in ("proportion", "rate"):
        return FunnelView(measure.name, start, end, None,
                          [("", "A funnel plot compares proportions or rates: this measure is "
                                f"a {measure.value_type} measure. Use the small multiples.")],
                          percent, measure.direction)
    sm = multiples or small_multiples(session, measure_id, context, start, end, analyse=False)
    rates, excluded = [], []
    kept = {}
    for p in sm.panels:
        if p.status not in ("ok", "one point", "suppressed"):
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
    for r in (f.rows if f else []):
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


def bright_spots(session: Session, network_id: str, context: ContextFilter = ContextFilter(),
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
            window = since - dt.timedelta(days=round(30.5 * months_before))
            ran = sorted((c for c in cycles_by_site[panel.site_id]
                          if c.start_date and window <= c.start_date <= until),
                         key=lambda c: c.start_date)
            out.append(BrightSpot(panel.site_id, panel.name, measure.id, measure.name,
                                  sig.assessment, sig.text, since,
                                  [(c.id, c.title, c.start_date, c.decision) for c in ran]))
    out.sort(key=lambda b: (b.assessment != "improvement", b.measure, b.site.lower()))
    return out
