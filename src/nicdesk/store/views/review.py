"""Everything the year-in-review report shows, read in one read session as plain view
models (as `views.packet` does for a meeting packet): the aims and each network measure
across the sites over the period, bright spots and the cycles they ran, the spread of
change ideas, progress scores, counts of PDSA cycles by decision, the lessons written
in Study and Act, and the timeline.

The period is inclusive.  A PDSA cycle belongs to it when it started in it (a cycle
with no start date, by its end date; with neither, it is not counted and the report
says how many were left out).  Charts use only the period's data, with the network's
suppression applied by the same views the screen uses.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.errors import NicdeskError
from ...core.measures import is_percent, pool_sites
from ...core.network import network_threshold
from ...core.states import PdsaDecision
from ...core.summary import summarise
from ..schema import Aim, ChangeIdea, Measure, Network, PdsaCycle, Site, stored
from . import network as nv
from .equity import group_dimensions
from .equity_packet import EquityAimGaps, read_equity
from .milestones import MilestoneRow, milestones
from .packet import AimInfo, MeasureData, MeasureInfo
from .progress import ProgressBoard, progress_board
from .spread import NetworkSpread, network_spread

if TYPE_CHECKING:
    from ..workspace import Workspace

#: the decisions counted, in the order the report lists them ("" = not decided yet)
DECISIONS = (PdsaDecision.ADOPT, PdsaDecision.ADAPT, PdsaDecision.ABANDON,
             PdsaDecision.EXPAND, PdsaDecision.SPREAD, PdsaDecision.UNDECIDED)


class ReviewRangeError(NicdeskError):
    """The period asked for cannot make a report."""

    title = "No year in review"


@dataclass(frozen=True)
class CycleCount:
    """One site's PDSA cycles in the period, by decision."""

    site_id: str
    site: str
    counts: dict[str, int]  # decision ("" = undecided) -> cycles

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Lesson:
    """What one cycle's team wrote in Study (learned) and Act (next)."""

    site: str
    day: dt.date
    title: str
    idea: str
    decision: str
    learned: str
    next_step: str


@dataclass(frozen=True)
class SpotLine:
    """A bright spot (or concern) over the period, with the cycles run there in it."""

    site: str
    measure: str
    assessment: str
    signal: str
    since: dt.date
    cycles: tuple[tuple[str, dt.date | None, str], ...]  # title, start, decision


@dataclass
class ReviewData:
    network_id: str
    network_name: str
    common_aim: str
    threshold: int
    start: dt.date
    end: dt.date
    aims: list[AimInfo] = field(default_factory=list)
    measures: list[MeasureData] = field(default_factory=list)
    spots: list[SpotLine] = field(default_factory=list)
    spread: NetworkSpread | None = None
    has_groups: bool = False  # the network defines student groups: the report shows gaps
    # gap-closing aims' gaps (`views.equity_packet`), up to the period's end
    equity: list[EquityAimGaps] = field(default_factory=list)
    progress: ProgressBoard | None = None
    cycle_counts: list[CycleCount] = field(default_factory=list)
    undated_cycles: int = 0  # cycles with neither a start nor an end date: not counted
    lessons: list[Lesson] = field(default_factory=list)
    milestones: list[MilestoneRow] = field(default_factory=list)

    @property
    def cycles(self) -> int:
        return sum(c.total for c in self.cycle_counts)

    @property
    def empty(self) -> bool:
        """Nothing at all happened in the period: no data, cycle, score or milestone."""
        data = any(p.points for md in self.measures for p in md.multiples.panels)
        scores = self.progress is not None and any(
            self.start <= e.date for r in self.progress.rows for e in r.entries)
        return not (data or scores or self.cycles or self.milestones)


def refuse_empty(data: ReviewData) -> None:
    """A report of a period where nothing was recorded would be pages of "nothing yet":
    say so, and which dates hold something."""
    if data.empty:
        raise ReviewRangeError(
            f"Nothing was recorded for {data.network_name} between {data.start} and "
            f"{data.end} (no data, PDSA cycles, progress scores or milestones): check the "
            "dates, or choose a period the network was active in.")


def check_range(start: dt.date, end: dt.date) -> None:
    """A report needs a period that ends after it starts."""
    if end < start:
        raise ReviewRangeError(f"The period ends ({end}) before it starts ({start}): "
                               "choose a first day earlier than the last.")


def read_review(ws: Workspace, network_id: str, start: dt.date, end: dt.date) -> ReviewData:
    """Read the report's content for [start, end] in one read session."""
    check_range(start, end)
    with ws.read() as s:
        return _read(s, network_id, start, end)


def cycle_day(c: PdsaCycle) -> dt.date | None:
    """The day a cycle counts on: its start, else its end."""
    return c.start_date or c.end_date


def _read(s: Session, network_id: str, start: dt.date, end: dt.date) -> ReviewData:
    net = stored(s, Network, network_id)
    data = ReviewData(net.id, net.name, net.common_aim or "",
                      network_threshold(net.suppression_threshold), start, end)
    sites = {x.id: x for x in s.scalars(select(Site).where(Site.network_id == net.id))}
    data.aims = _aims(s, net.id)
    multiples = {}
    for m in nv.network_measures(s, net.id):
        sm = nv.small_multiples(s, m.id, start=start, end=end)
        multiples[m.id] = sm
        info = MeasureInfo(m.id, m.name, m.kind, m.value_type, m.unit or "",
                           m.definition or "", m.direction, m.frequency, m.chart_kind,
                           m.target)
        charted = [p for p in sm.panels if p.points]
        md = MeasureData(info, sm, list(sm.panels), False)
        if charted:
            md.summary = summarise(pool_sites([p.points for p in charted]), (), info.facts,
                                   net.rule_set, pooled=True)
        data.measures.append(md)
    cycles = [c for c in s.scalars(select(PdsaCycle).where(PdsaCycle.deleted.is_(False)))
              if c.site_id in sites]
    data.undated_cycles = sum(1 for c in cycles if cycle_day(c) is None)
    inside = [c for c in cycles if (d := cycle_day(c)) is not None and start <= d <= end]
    data.spots = _spots(s, net.id, multiples, inside, start, end)
    data.spread = network_spread(s, net.id, start=start, end=end)
    data.has_groups = bool(group_dimensions(s, net.id))
    if data.has_groups:
        scope = {x.id for x in nv.participating_sites(s, net.id)}
        data.equity = read_equity(s, net.id, scope, None, end)
    data.progress = progress_board(s, net.id, start, end)
    counts: dict[str, Counter[str]] = {}
    for c in inside:
        counts.setdefault(c.site_id, Counter())[c.decision or ""] += 1
    data.cycle_counts = sorted(
        (CycleCount(k, sites[k].name, {d: v.get(d, 0) for d in DECISIONS})
         for k, v in counts.items()), key=lambda c: c.site.lower())
    ideas = {i.id: i.title for i in s.scalars(select(ChangeIdea))}
    data.lessons = sorted(
        (Lesson(sites[c.site_id].name, d, c.title, ideas.get(c.change_idea_id or "", ""),
                c.decision or "", (c.study_learned or "").strip(), (c.act_next or "").strip())
         for c in inside if (d := cycle_day(c)) is not None
         and ((c.study_learned or "").strip() or (c.act_next or "").strip())),
        key=lambda x: (x.site.lower(), x.day))
    data.milestones = milestones(s, net.id, end, start, end)
    return data


def _aims(s: Session, network_id: str) -> list[AimInfo]:
    out = []
    for a in s.scalars(select(Aim).where(Aim.network_id == network_id, Aim.site_id.is_(None),
                                         Aim.deleted.is_(False))):
        measure = s.get(Measure, a.measure_id) if a.measure_id else None
        out.append(AimInfo(a.statement, measure.name if measure else None,
                           measure is not None and is_percent(measure.value_type, measure.unit),
                           a.baseline_value, a.baseline_date, a.target_value, a.deadline,
                           a.population or ""))
    return out


def _spots(s: Session, network_id: str, multiples: dict[str, nv.SmallMultiples],
           inside: list[PdsaCycle], start: dt.date, end: dt.date) -> list[SpotLine]:
    """Bright spots and concerns of the period's charts, with the cycles each site ran in
    the period up to the signal's end (never a cycle outside the period)."""
    ran = {c.id for c in inside}
    out = []
    for b in nv.bright_spots(s, network_id, multiples=multiples):
        if b.since > end:
            continue
        out.append(SpotLine(b.site, b.measure, b.assessment, b.signal, b.since,
                            tuple((title, day, decision) for cid, title, day, decision
                                  in b.cycles if cid in ran)))
    return out


def review_networks(ws: Workspace) -> list[tuple[str, str]]:
    """(id, name) of the networks a report can be about."""
    with ws.read() as s:
        return [(n.id, n.name) for n in s.scalars(select(Network).where(
            Network.deleted.is_(False)).order_by(Network.name))]
