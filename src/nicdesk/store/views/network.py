"""View models of the coordinator's Network view (DOMAIN.md "Learning together").

Each builder reads the workspace once in bulk and returns plain data that the GUI, the
CLI (`nicdesk funnel`, `nicdesk matrix`) and meeting packets all render, so a value that
small-cell suppression hides is hidden everywhere: suppressed points, panels and funnel
rows carry no value at all, only the label "suppressed (n < T)".

This module only reads: what is compared, suppressed, ranked and said is decided by the
pure rules of `nicdesk.core.network` (and `core.sites` for which sites take part), so
the same rule is tested once and applied in every view.

Speed (issue #20: 300 sites × 260 weeks × 5 measures): observations are read straight
from the SQLite driver as plain tuples (through SQLAlchemy on PostgreSQL; `_select`) and
turned into points in one pass; each site's judged panel (verdict and analysis) is
cached per database and measure until a summary of its observations (`_FINGERPRINT`), its
phases or the measure's definition change.  Cached analyses are shared between the
views that return them: read them, never change them.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import re
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

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
    PanelVerdict,
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
    return [sites[i] for i in chosen if context.matches(sites[i].context_tags, i)]


def network_measures(session: Session, network_id: str) -> list[Measure]:
    """The network's own measures, outcome first (`core.network.measure_order`)."""
    rows = session.scalars(select(Measure).where(
        Measure.network_id == network_id, Measure.site_id.is_(None),
        Measure.deleted.is_(False)))
    return sorted(rows, key=lambda m: measure_order(m.kind, m.name))


# ------------------------------------------------------------------ small multiples
_COLUMNS = ("SELECT site_id, measure_id, period, value, numerator, denominator, excluded, "
            "CASE WHEN astronomical THEN note ELSE '' END, astronomical FROM observations "
            "WHERE deleted = :no AND measure_id IN :ids")
#: what a site's analysis of a measure depends on in its observations, summed up: it
#: changes on every write to them (a write stamps a newer clock, a deletion or a new row
#: changes the count) and, for a merged field whose clock is older than the row's, with
#: the value itself
_FINGERPRINT = ("SELECT site_id, measure_id, count(*), max(hlc), sum(value), sum(numerator), "
                "sum(denominator), sum(CASE WHEN excluded THEN 1 ELSE 0 END), "
                "sum(CASE WHEN astronomical THEN 1 + length(note) ELSE 0 END), min(period), "
                "max(period) FROM observations WHERE measure_id IN :ids AND deleted = :no")
#: read rows straight from the SQLite driver (plain tuples); off: through SQLAlchemy, as
#: on PostgreSQL (the bench compares the two)
driver_reads = True


def _select(session: Session, sql: str, params: dict[str, Any]) -> Iterable[Any]:
    """The rows of `sql` (":name" parameters; a list expands to its items) as plain
    tuples: on SQLite straight from the driver, elsewhere through SQLAlchemy."""
    conn = session.connection()
    if driver_reads and conn.dialect.name == "sqlite":
        args: list[Any] = []

        def mark(match: re.Match[str]) -> str:
            value = params[match.group(1)]
            if isinstance(value, list):
                args.extend(value)
                return f"({','.join('?' * len(value))})"
            args.append(value)
            return "?"

        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            rows: list[Any] = cursor.execute(_PARAM.sub(mark, sql), args).fetchall()
            return rows
        finally:
            cursor.close()
    stmt = text(sql).bindparams(*(bindparam(k, expanding=True) for k, v in params.items()
                                  if isinstance(v, list)))
    return session.execute(stmt, params)


_PARAM = re.compile(r":(\w+)")


def _window(start: dt.date | None, end: dt.date | None,
            group_id: str | None = None) -> tuple[str, dict[str, Any]]:
    """The period and student-group condition and its parameters (ISO dates, as the
    column stores them): one group's rows (`group_id`) or all students' (None), never a
    mixture, since a site keeps one value per period and group."""
    sql = (" AND period >= :start" if start else "") + (" AND period <= :end" if end else "")
    sql += " AND group_id = :group" if group_id else " AND group_id IS NULL"
    params: dict[str, Any] = {"no": False}
    if group_id:
        params["group"] = group_id
    if start:
        params["start"] = start.isoformat()
    if end:
        params["end"] = end.isoformat()
    return sql, params


def _fingerprints(session: Session, measure_ids: list[str], start: dt.date | None,
                  end: dt.date | None, group_id: str | None = None,
                  ) -> dict[tuple[str, str], tuple[Any, ...]]:
    """(site, measure) → a summary of its observations in the window that changes
    whenever they do (`_FINGERPRINT`): the key of the analysis cache."""
    where, params = _window(start, end, group_id)
    return {(r[0], r[1]): tuple(r[2:]) for r in _select(
        session, _FINGERPRINT + where + " GROUP BY site_id, measure_id",
        params | {"ids": measure_ids})}


def _observations(session: Session, measure_ids: list[str], start: dt.date | None,
                  end: dt.date | None, site_ids: list[str] | None = None,
                  group_id: str | None = None) -> dict[tuple[str, str], list[Point]]:
    """(site, measure) → its points, in one pass over the rows (ordered by measure, site
    and period), each period parsed once.  On SQLite the rows come straight from the
    driver as plain tuples: at network scale (300 sites × 260 weeks × 5 measures)
    SQLAlchemy's row processing costs more than the analyses."""
    where, params = _window(start, end, group_id)
    params["ids"] = measure_ids
    if site_ids is not None:
        where += " AND site_id IN :sites"
        params["sites"] = site_ids
    out: dict[tuple[str, str], list[Point]] = {}
    with _no_cycle_collection():
        _group_points(_select(session, _COLUMNS + where
                              + " ORDER BY measure_id, site_id, period", params), out, {})
    return out


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Hundreds of thousands of new tuples would start Python's cycle collector again
    and again, each time walking every point already cached (twice the time of the
    reads and analyses themselves); points hold no cycles, and whatever else does is
    collected once it is back on."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _group_points(rows: Iterable[Any], out: dict[tuple[str, str], list[Point]],
                  days: dict[Any, dt.date]) -> None:
    parse = dt.date.fromisoformat
    make = tuple.__new__  # a Point without its keyword defaults: hundreds of thousands
    group: list[Point] = []
    last_site = last_measure = None
    for site_id, mid, period, value, num, den, excluded, note, astro in rows:
        if site_id != last_site or mid != last_measure:
            last_site, last_measure = site_id, mid
            group = out[(site_id, mid)] = []
        day = days.get(period)
        if day is None:
            day = days[period] = period if isinstance(period, dt.date) else parse(period)
        # the note travels only with a person's astronomical mark (the mark's reason; the
        # query leaves it empty otherwise)
        group.append(make(Point, (day, value, num, den, bool(excluded), note, bool(astro))))


@dataclass(frozen=True)
class _Judged:
    """A site's panel of a measure as its data last gave it, with what it depended on."""

    key: tuple[Any, ...]
    verdict: PanelVerdict
    analysis: SeriesAnalysis | None


#: per database, per (measure, window): each site's judged panel (`_Judged`), kept until
#: its key — the fingerprint of its observations, its phases, the measure's definition,
#: the rule set and the threshold — changes; the least recently used windows go first
_ANALYSES: WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], dict[str, _Judged]]] = \
    WeakKeyDictionary()
_WINDOWS_KEPT = 10  # ≈ 14 MB each at 300 sites × 260 weeks: two windows of 5 measures
_ANALYSES_LOCK = threading.Lock()


def forget_analyses() -> None:
    """Empty the analysis cache (benchmarks time the views cold with it)."""
    with _ANALYSES_LOCK:
        _ANALYSES.clear()


def _cache_of(session: Session, measure_id: str, start: dt.date | None,
              end: dt.date | None, group_id: str | None = None) -> dict[str, _Judged]:
    engine = session.get_bind()
    engine = getattr(engine, "engine", engine)
    with _ANALYSES_LOCK:  # views may be built on more than one thread
        windows = _ANALYSES.get(engine)
        if windows is None:
            windows = _ANALYSES[engine] = OrderedDict()
        key = (measure_id, start, end, group_id)
        sites = windows.get(key)
        if sites is None:
            sites = windows[key] = {}
            while len(windows) > _WINDOWS_KEPT:
                windows.popitem(last=False)
        windows.move_to_end(key)
        return sites


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
    # one student group's panels; None: all students (left out of repr: the views'
    # digests in bench/network.py stay comparable with the earlier implementation's)
    group_id: str | None = field(default=None, repr=False)

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
                    analyse: bool = True, group_id: str | None = None) -> SmallMultiples:
    """One panel per site for a network measure, judged alike, with suppression applied
    (`analyse=False`: statuses and points only, for views that need no signals);
    `group_id`: one student group's values at each site (None: all students).

    Each site's judged panel is cached until its data change (`_ANALYSES`): a call reads
    one summary row per site and the observations of the sites whose summary moved."""
    measure = stored(session, Measure, measure_id)
    net = session.get(Network, measure.network_id)
    threshold = network_threshold(net.suppression_threshold if net else None)
    same_name = [m for m in session.scalars(select(Measure).where(
        Measure.network_id == measure.network_id, Measure.deleted.is_(False),
        Measure.site_id.is_not(None))) if same_measure_name(m.name, measure.name)]
    local = {m.site_id: m for m in same_name}
    source = [measure.id, *(m.id for m in same_name)]
    prints = _fingerprints(session, source, start, end, group_id)
    phases: dict[str, list[Phase]] = defaultdict(list)
    for site_id, kind, start_d, reason in session.execute(select(
            ChartPhase.site_id, ChartPhase.kind, ChartPhase.start, ChartPhase.reason).where(
            ChartPhase.measure_id == measure.id, ChartPhase.deleted.is_(False))):
        phases[site_id].append(Phase(start_d, kind, reason))
    rule_set = net.rule_set if net else "IHI run-chart rules"
    network_definition = _definition(measure)
    facts = (measure.value_type, measure.chart_kind, measure.direction, measure.frequency,
             rule_set, threshold)
    cache = _cache_of(session, measure.id, start, end, group_id)
    panels: list[Panel] = []
    todo: list[tuple[Panel, str, tuple[Any, ...]]] = []  # not cached: read and judge
    for site in participating_sites(session, measure.network_id, context,
                                    {site_id for site_id, _ in prints}):
        panel = Panel(site.id, site.name, dict(site.context_tags or {}), PanelStatus.OK)
        panels.append(panel)
        mine = local.get(site.id)
        if mine is not None and (why := definition_difference(network_definition,
                                                              _definition(mine))):
            panel.status = PanelStatus.DEFINED_DIFFERENTLY
            panel.explanation = not_compared_explanation(mine.name, why)
            continue
        mid = measure.id if (site.id, measure.id) in prints else (
            mine.id if mine is not None and (site.id, mine.id) in prints else None)
        mine_phases = phases.get(site.id, [])
        if mid is None:  # no data: nothing to read or cache
            _judge(panel, judge_panel([], measure.value_type, threshold))
            continue
        key = (mid, prints[(site.id, mid)], tuple(mine_phases), facts)
        hit = cache.get(site.id)
        if hit is not None and hit.key == key and (hit.analysis is not None or not analyse
                                                   or not hit.verdict.chartable):
            _judge(panel, hit.verdict, hit.analysis, mine_phases, analyse)
            continue
        todo.append((panel, mid, key))
    read: dict[tuple[str, str], list[Point]] = {}
    if todo:
        everyone = len(todo) * 2 > len(panels)  # most sites: read the whole measure
        read = _observations(session, sorted({mid for _, mid, _ in todo}), start, end,
                             None if everyone else sorted(p.site_id for p, _, _ in todo),
                             **({"group_id": group_id} if group_id else {}))
    with _no_cycle_collection():
        for panel, mid, key in todo:
            verdict = judge_panel(read.get((panel.site_id, mid), []), measure.value_type,
                                  threshold)
            mine_phases = phases.get(panel.site_id, [])
            analysis = analyse_series(
                list(verdict.points), mine_phases, chart_kind=measure.chart_kind,
                value_type=measure.value_type, direction=measure.direction,
                frequency=measure.frequency, rule_set=rule_set,
            ) if analyse and verdict.chartable else None
            cache[panel.site_id] = _Judged(key, verdict, analysis)
            _judge(panel, verdict, analysis, mine_phases, analyse)
    return SmallMultiples(measure.id, measure.name, measure.unit, measure.value_type,
                          measure.direction, measure.frequency, threshold, panels,
                          is_percent(measure.value_type, measure.unit), group_id)


def _judge(panel: Panel, verdict: PanelVerdict, analysis: SeriesAnalysis | None = None,
           phases: list[Phase] | None = None, analyse: bool = True) -> None:
    """Fill `panel` from its verdict and (if asked for) its analysis."""
    panel.status, panel.explanation = verdict.status, verdict.explanation
    panel.suppressed_points = verdict.suppressed_points
    if not verdict.chartable:
        return
    panel.points = list(verdict.points)
    panel.phases = tuple(sorted(phases or (), key=lambda ph: ph.start))
    if analyse:
        panel.analysis = analysis


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
    group_id: str | None = field(default=None, repr=False)  # one group's; None: all

    @property
    def note(self) -> str:
        if self.funnel is None:
            return self.excluded[0][1] if self.excluded else ""
        return " ".join(self.funnel.notes)


def funnel_view(session: Session, measure_id: str, context: ContextFilter = ALL_SITES,
                start: dt.date | None = None, end: dt.date | None = None,
                multiples: SmallMultiples | None = None,
                group_id: str | None = None) -> FunnelView:
    """Each site's total over the period against its denominator (proportion/rate), of
    all students or of one student group (`group_id`)."""
    if multiples is not None:
        group_id = multiples.group_id
    measure = stored(session, Measure, measure_id)
    percent = measure.value_type == ValueType.PROPORTION
    if measure.value_type not in WITH_DENOMINATOR:
        return FunnelView(measure.name, start, end, None,
                          [("", "A funnel plot compares proportions or rates: this measure is "
                                f"a {measure.value_type} measure. Use the small multiples.")],
                          percent, measure.direction, group_id)
    sm = multiples or small_multiples(session, measure_id, context, start, end, analyse=False,
                                      group_id=group_id)
    rates, excluded = [], []
    kept = {}
    for p in sm.panels:
        if not enters_funnel(p.status):
            excluded.append((p.name, p.explanation))
            continue
        # totals over the period use every point, suppressed ones included: the
        # total is what the threshold applies to
        kept[p.site_id] = p
    where, params = _window(start, end, group_id)
    rows = _select(session, "SELECT site_id, numerator, denominator FROM observations "
                   "WHERE measure_id = :measure AND deleted = :no AND excluded = :no "
                   "AND site_id IN :sites" + where,
                   params | {"measure": measure_id, "sites": list(kept)}) if kept else ()
    events: dict[str, float] = defaultdict(float)
    sizes: dict[str, float] = defaultdict(float)
    group: dict[str, float] = defaultdict(float)
    missing: Counter[str] = Counter()
    for site_id, num, den in rows:
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
    return FunnelView(measure.name, start, end, result, excluded, percent, measure.direction,
                      group_id)


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
class _Cycle(NamedTuple):
    id: str
    site_id: str
    title: str
    start_date: dt.date | None
    decision: str


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
                 multiples: dict[str, SmallMultiples] | None = None,
                 group_id: str | None = None) -> list[BrightSpot]:
    """Sites whose latest signal on a network measure is an improvement or a concern, with
    the PDSA cycles run there in the months before: the "what are they doing?" prompt.
    `group_id`: judged on one student group's series at each site ("where are English
    learners on track most often, and what are those schools testing?")."""
    cycles_by_site: dict[str, list[_Cycle]] = defaultdict(list)
    for c in session.execute(select(PdsaCycle.id, PdsaCycle.site_id, PdsaCycle.title,
                                    PdsaCycle.start_date, PdsaCycle.decision).where(
            PdsaCycle.deleted.is_(False))):
        cycles_by_site[c[1]].append(_Cycle(*c))
    out = []
    for measure in network_measures(session, network_id):
        sm = (multiples or {}).get(measure.id) or small_multiples(session, measure.id, context,
                                                                  group_id=group_id)
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
