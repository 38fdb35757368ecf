"""Everything a meeting packet shows, read in one read session as plain view models.

Why: the packet used to query the database section by section while reportlab laid out
pages, holding a read session (and ORM rows) for the whole build.  Now `read_packet`
reads once, up front, only what the chosen sections need, and `nicdesk.report` turns the
returned dataclasses into pages without knowing SQLAlchemy exists — the same split as the
network views (`store.views.network`), whose small multiples and funnels are reused here
so a value small-cell suppression hides on screen is hidden on paper too.

Scope: a network meeting covers every site; a site meeting covers that site and the
sites under it (a district team looks at its schools).  A person's choice of measures and
sites narrows that further.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.layout import Layout
from ...core.measures import is_percent, pool_sites
from ...core.network import network_threshold
from ...core.sites import SiteLink, descendants
from ...core.states import WITH_DENOMINATOR
from ...core.summary import SeriesFacts, SeriesSummary, summarise
from ..errors import NotFoundError
from ..ops.diagrams import load_diagram
from ..ops.fishbones import load_fishbone
from ..ops.meetings import actions_for, agenda
from ..schema import (
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
from ..workspace import Workspace
from . import network as nv
from .coaching import FeedbackRow, feedback_by_cycle
from .equity_packet import EquityAimGaps, read_equity
from .milestones import MilestoneRow, milestones
from .network import FunnelView, Panel, SmallMultiples
from .progress import ProgressBoard, progress_board
from .spread import NetworkSpread, network_spread

__all__ = [
    "ActionLine", "AgendaLine", "AimInfo", "DecisionLine", "DiagramInfo", "FishboneInfo",
    "FunnelView", "MeasureData", "MeasureInfo", "MeetingInfo", "PacketData", "Panel",
    "PdsaCycleInfo", "PdsaQuestionInfo", "PdsaSummary", "RampLine", "SitePage",
    "SmallMultiples", "read_choices", "read_packet", "read_pdsa_summary",
]

Tick = Callable[[int, int, str], None]  # done, total, what (may raise to cancel)


# ------------------------------------------------------------------ view models
@dataclass(frozen=True)
class MeetingInfo:
    id: str
    title: str
    date: dt.date | None
    start_time: str
    place: str
    attendees: tuple[str, ...]
    notes: str
    decisions: str


@dataclass(frozen=True)
class MeasureInfo:
    id: str
    name: str
    kind: str  # outcome, process, balancing
    value_type: str
    unit: str
    definition: str
    direction: str
    frequency: str
    chart_kind: str
    target: float | None

    @property
    def percent(self) -> bool:
        return is_percent(self.value_type, self.unit)

    @property
    def facts(self) -> SeriesFacts:
        """What judges its series (`core.summary.summarise`)."""
        return SeriesFacts(self.chart_kind, self.value_type, self.direction, self.frequency,
                           self.target)


@dataclass
class MeasureData:
    """One measure with its sites' panels (every site, and those in the packet's scope),
    its judgement over the scope and, where a funnel plot fits, its funnel."""

    measure: MeasureInfo
    multiples: SmallMultiples
    panels: list[Panel]  # in scope
    single: bool  # a site meeting whose scope holds one panel: full-size, own values
    funnel: FunnelView | None = None
    # `core.summary.summarise` of the scope: one site's series with its phases, or the
    # sites' points pooled (no phases); None while no site in scope has shown values
    summary: SeriesSummary | None = None


@dataclass(frozen=True)
class AgendaLine:
    title: str
    minutes: int | None
    owner: str
    material: str


@dataclass(frozen=True)
class ActionLine:
    text: str
    owner: str
    due: dt.date | None
    done: bool
    overdue: bool
    carried: bool  # from an earlier meeting
    agreed_title: str  # the meeting where it was agreed
    agreed_date: dt.date | None


@dataclass(frozen=True)
class AimInfo:
    statement: str
    measure_name: str | None
    percent: bool  # of its measure's values
    baseline_value: float | None
    baseline_date: dt.date | None
    target_value: float | None
    deadline: dt.date | None
    population: str


@dataclass(frozen=True)
class DiagramInfo:
    name: str
    layout: Layout
    statuses: dict[str, str]  # node id -> status


@dataclass(frozen=True)
class FishboneInfo:
    title: str
    where: str  # the site's name, or "network"
    layout: Layout


@dataclass(frozen=True)
class PdsaCycleInfo:
    title: str
    cycle_number: int
    scale: str
    start_date: dt.date | None
    end_date: dt.date | None
    objective: str
    logistics: str
    data_collection: str
    conditions: str
    do_what_happened: str
    do_observations: str
    do_problems: str
    do_deviations: str
    study_learned: str
    study_surprises: str
    decision: str
    act_next: str


@dataclass(frozen=True)
class PdsaQuestionInfo:
    question: str
    prediction: str
    result: str


@dataclass(frozen=True)
class PdsaSummary:
    cycle: PdsaCycleInfo
    questions: tuple[PdsaQuestionInfo, ...]
    idea: str  # the change idea's title ("" if none)
    site: str
    #: coaching feedback given on the cycle, oldest first (issue #22)
    feedback: tuple[FeedbackRow, ...] = ()


@dataclass(frozen=True)
class RampLine:
    title: str
    cycles: int
    decision: str | None  # the latest decision taken, if any
    last_title: str | None  # the last cycle, if any
    last_start: dt.date | None


@dataclass(frozen=True)
class DecisionLine:
    start_date: dt.date | None
    title: str
    decision: str
    act_next: str


@dataclass
class SitePage:
    site_id: str
    name: str
    aim: str | None
    outcome_panel: Panel | None
    ramps: list[RampLine]
    decisions: list[DecisionLine]  # newest first, at most five
    outcome_summary: SeriesSummary | None = None  # the panel's judgement, phases applied
    # the site's panel of every other measure in the packet, as (measure, panel)
    others: list[tuple[MeasureData, Panel]] = field(default_factory=list)


@dataclass
class PacketData:
    """A meeting's packet content; lists are empty for sections not asked for."""

    meeting: MeetingInfo
    network_name: str
    common_aim: str
    threshold: int
    rule_set: str  # the network's run-chart rule set
    site_name: str | None  # the meeting's site (None: a network meeting)
    scope: set[str]  # site ids
    measures: list[MeasureData] = field(default_factory=list)
    outcome: MeasureData | None = None  # the one measure site one-pagers chart
    agenda: list[AgendaLine] = field(default_factory=list)
    actions: list[ActionLine] = field(default_factory=list)
    aims: list[AimInfo] = field(default_factory=list)
    driver_diagrams: list[DiagramInfo] = field(default_factory=list)
    fishbones: list[FishboneInfo] = field(default_factory=list)
    cycles: list[PdsaSummary] = field(default_factory=list)
    site_pages: list[SitePage] = field(default_factory=list)
    progress: ProgressBoard | None = None  # IHI progress scores up to the meeting (#22)
    milestones: list[MilestoneRow] = field(default_factory=list)  # the network timeline
    equity: list[EquityAimGaps] = field(default_factory=list)  # gap-closing aims' gaps (#21)
    spread: NetworkSpread | None = None  # change ideas across the sites in scope (#22)


# ------------------------------------------------------------------ reading
def read_packet(ws: Workspace, meeting_id: str, sections: Collection[str], *,
                measure_ids: Collection[str] | None = None,
                site_ids: Collection[str] | None = None, recent_cycles: int = 6,
                tick: Tick | None = None) -> PacketData:
    """Read what `sections` (packet section keys) need, in one read session.  `tick` is
    called once per measure read (the slow part); raising from it stops the read."""
    with ws.read() as s:
        meeting = _meeting(s, meeting_id)
        return _Reader(s, meeting, measure_ids, site_ids).read(sections, recent_cycles, tick)


def read_choices(ws: Workspace, meeting_id: str) -> tuple[list[tuple[str, str]],
                                                          list[tuple[str, str]]]:
    """The measures and sites a meeting's packet can show: (id, name) pairs."""
    with ws.read() as s:
        reader = _Reader(s, _meeting(s, meeting_id), None, None)
        sites = [x for x in nv.participating_sites(s, reader.network.id)
                 if x.id in reader.scope]
        return ([(m.id, m.name) for m in reader.measures], [(x.id, x.name) for x in sites])


def read_pdsa_summary(session: Session, cycle_id: str) -> PdsaSummary:
    """One PDSA cycle for its one-page summary (`nicdesk pdsa --out`, packets)."""
    cycle = session.get(PdsaCycle, cycle_id)
    if cycle is None:
        raise NotFoundError("That PDSA cycle no longer exists.")
    site = session.get(Site, cycle.site_id)
    return _summary(session, cycle, site.name if site else "")


def _meeting(s: Session, meeting_id: str) -> Meeting:
    meeting = s.get(Meeting, meeting_id)
    if meeting is None or meeting.deleted:
        raise NotFoundError("That meeting no longer exists.")
    return meeting


def _measure_info(m: Measure) -> MeasureInfo:
    return MeasureInfo(m.id, m.name, m.kind, m.value_type, m.unit or "", m.definition or "",
                       m.direction, m.frequency, m.chart_kind, m.target)


def _summary(s: Session, c: PdsaCycle, site: str) -> PdsaSummary:
    questions = s.scalars(select(PdsaQuestion).where(
        PdsaQuestion.cycle_id == c.id, PdsaQuestion.deleted.is_(False)).order_by(
        PdsaQuestion.position))
    idea = s.get(ChangeIdea, c.change_idea_id) if c.change_idea_id else None
    info = PdsaCycleInfo(
        c.title, c.cycle_number, c.scale, c.start_date, c.end_date, c.objective,
        c.logistics, c.data_collection, c.conditions, c.do_what_happened,
        c.do_observations, c.do_problems, c.do_deviations, c.study_learned,
        c.study_surprises, c.decision, c.act_next)
    feedback = tuple(feedback_by_cycle(s, [c.id]).get(c.id, []))
    return PdsaSummary(info, tuple(PdsaQuestionInfo(q.question, q.prediction, q.result)
                                   for q in questions), idea.title if idea else "", site,
                       feedback)


class _Reader:
    """One meeting's scope and measures inside an open read session."""

    def __init__(self, s: Session, meeting: Meeting, measure_ids: Collection[str] | None,
                 site_ids: Collection[str] | None) -> None:
        self.s, self.meeting = s, meeting
        network = s.get(Network, meeting.network_id)
        if network is None:
            raise NotFoundError("That meeting's network no longer exists.")
        self.network = network
        self.site = s.get(Site, meeting.site_id) if meeting.site_id else None
        self.measures = nv.network_measures(s, meeting.network_id)
        if self.site is not None:
            self.measures += list(s.scalars(select(Measure).where(
                Measure.site_id == self.site.id, Measure.deleted.is_(False))))
        sites = list(s.scalars(select(Site).where(Site.network_id == network.id,
                                                  Site.deleted.is_(False))))
        self.scope: set[str] = {x.id for x in sites}
        if self.site is not None:
            self.scope = descendants((SiteLink(x.id, x.name, x.parent_id) for x in sites),
                                     self.site.id)
        if measure_ids is not None:
            chosen = set(measure_ids)
            self.measures = [m for m in self.measures if m.id in chosen]
        if site_ids is not None:
            self.scope &= set(site_ids)

    def read(self, sections: Collection[str], recent_cycles: int,
             tick: Tick | None) -> PacketData:
        m, s = self.meeting, self.s
        data = PacketData(
            MeetingInfo(m.id, m.title, m.date, m.start_time or "", m.place or "",
                        tuple(m.attendees or ()), m.notes or "",
                        m.decisions or ""),
            self.network.name, self.network.common_aim or "",
            network_threshold(self.network.suppression_threshold), self.network.rule_set,
            self.site.name if self.site else None,
            self.scope)
        wanted = set(sections)
        if wanted & {"measures", "run_charts", "funnel"}:
            for i, measure in enumerate(self.measures):
                if tick is not None:
                    tick(i, len(self.measures), "Reading measures")
                data.measures.append(self._measure(measure, "funnel" in wanted))
        outcome = next((x for x in self.measures if x.kind == "outcome"),
                       self.measures[0] if self.measures else None)
        if outcome is not None and "site_pages" in wanted:
            data.outcome = next((x for x in data.measures if x.measure.id == outcome.id),
                                None) or self._measure(outcome, False)
        if "agenda" in wanted:
            data.agenda = [AgendaLine(a.title, a.minutes, a.owner or "", a.material or "")
                           for a in agenda(s, m.id)]
        if "actions" in wanted:
            data.actions = [ActionLine(r.item.text, r.item.owner or "", r.item.due,
                                       bool(r.item.done), r.overdue, r.carried,
                                       r.meeting.title, r.meeting.date)
                            for r in actions_for(s, m)]
        if "aim" in wanted:
            data.aims = self._aims()
        if "driver_diagram" in wanted:
            data.driver_diagrams = self._driver_diagrams()
        if "fishbone" in wanted:
            data.fishbones = self._fishbones()
        if "pdsa" in wanted:
            data.cycles = self._cycles(recent_cycles)
        if "site_pages" in wanted:
            charted = data.measures or [self._measure(x, False) for x in self.measures]
            data.site_pages = self._site_pages(data.outcome, charted)
        if "progress" in wanted:  # the network's own and the sites in scope
            board = progress_board(s, self.network.id, end=m.date)
            board.rows = [r for r in board.rows if r.site_id is None or r.site_id in self.scope]
            data.progress = board
        if "timeline" in wanted:
            data.milestones = milestones(s, self.network.id, m.date or dt.date.today())
        if "spread" in wanted:  # as known on the meeting's day, across the sites in scope
            data.spread = network_spread(s, self.network.id, end=m.date or dt.date.today(),
                                         site_ids=self.scope)
        if "equity" in wanted:
            data.equity = read_equity(s, self.network.id, self.scope,
                                      self.site.id if self.site else None, m.date,
                                      [x.id for x in self.measures])
        return data

    def _measure(self, measure: Measure, funnel: bool) -> MeasureData:
        sm = nv.small_multiples(self.s, measure.id, end=self.meeting.date)
        panels = [p for p in sm.panels if p.site_id in self.scope]
        out = MeasureData(_measure_info(measure), sm, panels,
                          self.site is not None and len(panels) == 1)
        out.summary = self._summary(out.measure, panels)
        if funnel and measure.value_type in WITH_DENOMINATOR and not out.single:
            scoped = nv.SmallMultiples(**{**sm.__dict__, "panels": panels})
            out.funnel = nv.funnel_view(self.s, measure.id, end=self.meeting.date,
                                        multiples=scoped)
        return out

    def _summary(self, measure: MeasureInfo, panels: list[Panel]) -> SeriesSummary | None:
        """The scope's judgement, as the screen judges a site's series: one site's shown
        points with its phases; several sites' pooled per period, without phases (a
        network series has none of its own, and its words say so)."""
        charted = [p for p in panels if p.points]
        if not charted:
            return None
        if len(charted) == 1:
            return summarise(charted[0].points, charted[0].phases, measure.facts,
                             self.network.rule_set)
        return summarise(pool_sites([p.points for p in charted]), (), measure.facts,
                         self.network.rule_set, pooled=True)

    def _aims(self) -> list[AimInfo]:
        q = list(self.s.scalars(select(Aim).where(Aim.network_id == self.network.id,
                                                  Aim.deleted.is_(False))))
        site_id = self.site.id if self.site else None
        aims = [a for a in q if a.site_id == site_id] or [
            a for a in q if a.site_id is None]  # a site meeting without its own aim
        out = []
        for a in aims:
            measure = self.s.get(Measure, a.measure_id) if a.measure_id else None
            out.append(AimInfo(a.statement, measure.name if measure else None,
                               measure is not None and is_percent(measure.value_type,
                                                                  measure.unit),
                               a.baseline_value, a.baseline_date, a.target_value,
                               a.deadline, a.population or ""))
        return out

    def _driver_diagrams(self) -> list[DiagramInfo]:
        site_id = self.site.id if self.site else None
        live = list(self.s.scalars(select(DriverDiagram).where(
            DriverDiagram.network_id == self.network.id, DriverDiagram.deleted.is_(False))))
        diagrams = [d for d in live if d.site_id == site_id]
        if not diagrams and site_id is not None:
            diagrams = [d for d in live if d.site_id is None]
        out = []
        for d in diagrams:
            loaded = load_diagram(self.s, d.id)
            out.append(DiagramInfo(d.name, loaded.layout,
                                   {i: n.status for i, n in loaded.nodes.items()}))
        return out

    def _fishbones(self) -> list[FishboneInfo]:
        q = self.s.scalars(select(Fishbone).where(Fishbone.network_id == self.network.id,
                                                  Fishbone.deleted.is_(False)))
        out = []
        for f in q:
            if self.site is not None and f.site_id != self.site.id:
                continue
            site = self.s.get(Site, f.site_id) if f.site_id else None
            out.append(FishboneInfo(f.title, site.name if site else "network",
                                    load_fishbone(self.s, f.id).layout))
        return out

    def _cycles(self, recent: int) -> list[PdsaSummary]:
        sites = {x.id: x for x in self.s.scalars(select(Site).where(
            Site.network_id == self.network.id))}
        day = self.meeting.date
        cycles = [c for c in self.s.scalars(select(PdsaCycle).where(
            PdsaCycle.deleted.is_(False)))
            if c.site_id in sites and c.site_id in self.scope
            and (c.start_date is None or day is None or c.start_date <= day)]
        cycles.sort(key=lambda c: (c.start_date or dt.date.min, c.cycle_number), reverse=True)
        return [_summary(self.s, c, sites[c.site_id].name) for c in cycles[:recent]]

    def _site_pages(self, outcome: MeasureData | None,
                    measures: list[MeasureData]) -> list[SitePage]:
        out = []
        for site in nv.participating_sites(self.s, self.network.id):
            if site.id not in self.scope:
                continue
            aim = self.s.scalars(select(Aim).where(
                Aim.site_id == site.id, Aim.deleted.is_(False))).first() or self.s.scalars(
                select(Aim).where(Aim.network_id == self.network.id, Aim.site_id.is_(None),
                                  Aim.deleted.is_(False))).first()
            panel = None if outcome is None else next(
                (p for p in outcome.multiples.panels if p.site_id == site.id), None)
            ramps = []
            for r in self.s.scalars(select(PdsaRamp).where(PdsaRamp.site_id == site.id,
                                                           PdsaRamp.deleted.is_(False))):
                cyc = sorted(self.s.scalars(select(PdsaCycle).where(
                    PdsaCycle.ramp_id == r.id, PdsaCycle.deleted.is_(False))),
                    key=lambda c: c.cycle_number)
                last = cyc[-1] if cyc else None
                decided = [c for c in cyc if c.decision]
                ramps.append(RampLine(r.title, len(cyc),
                                      decided[-1].decision if decided else None,
                                      last.title if last else None,
                                      last.start_date if last else None))
            decisions = [c for c in self.s.scalars(select(PdsaCycle).where(
                PdsaCycle.site_id == site.id, PdsaCycle.deleted.is_(False))) if c.decision]
            decisions.sort(key=lambda c: c.start_date or dt.date.min, reverse=True)
            out.append(SitePage(site.id, site.name, aim.statement if aim else None, panel,
                                ramps, [DecisionLine(c.start_date, c.title, c.decision,
                                                     c.act_next or "")
                                        for c in decisions[:5]],
                                None if outcome is None or panel is None
                                else self._summary(outcome.measure, [panel]),
                                [(md, p) for md in measures
                                 if outcome is None or md.measure.id != outcome.measure.id
                                 for p in md.multiples.panels if p.site_id == site.id]))
        return out
