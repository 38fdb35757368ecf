"""Reads for the PDSA screens: a cycle's choice lists and questions, its stage facts, a
ramp as a ladder of cycles, the filtered list of cycles.  Plain values only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from ...core.pdsa import CycleFacts
from ..ops import pdsa as ops
from ..schema import ChangeIdea, Measure, PdsaCycle, PdsaMeasure, PdsaQuestion, PdsaRamp, Site

if TYPE_CHECKING:
    from ..workspace import Workspace

CycleRow = ops.CycleRow


@dataclass(frozen=True)
class QuestionRow:
    id: str
    question: str
    prediction: str
    result: str


def questions_of(ws: Workspace, cycle_id: str) -> list[QuestionRow]:
    """A cycle's live questions in their order."""
    with ws.read() as s:
        return [QuestionRow(q.id, q.question, q.prediction, q.result)
                for q in s.scalars(select(PdsaQuestion).where(
                    PdsaQuestion.cycle_id == cycle_id, PdsaQuestion.deleted.is_(False))
                    .order_by(PdsaQuestion.position, PdsaQuestion.id))]


@dataclass(frozen=True)
class PlanChoices:
    """What the Plan tab offers: (title, id) of the site's ramps and the network's change
    ideas (sorted), the network's measures (id → name) and the measures linked to it."""

    ramps: list[tuple[str, str]] = field(default_factory=list)
    ideas: list[tuple[str, str]] = field(default_factory=list)
    measures: dict[str, str] = field(default_factory=dict)
    linked: list[str] = field(default_factory=list)


def plan_choices(ws: Workspace, cycle_id: str) -> PlanChoices:
    with ws.read() as s:
        cycle = s.get(PdsaCycle, cycle_id)
        site = s.get(Site, cycle.site_id) if cycle is not None else None
        if cycle is None or site is None:
            return PlanChoices()
        ramps = sorted((r.title, r.id) for r in ops.ramps_of(s, site.id))
        ideas = sorted((i.title, i.id) for i in s.scalars(select(ChangeIdea).where(
            ChangeIdea.network_id == site.network_id, ChangeIdea.deleted.is_(False))))
        measures = {m.id: m.name for m in s.scalars(select(Measure).where(
            Measure.network_id == site.network_id, Measure.deleted.is_(False)))}
        linked = [lk.measure_id for lk in s.scalars(select(PdsaMeasure).where(
            PdsaMeasure.cycle_id == cycle_id, PdsaMeasure.deleted.is_(False)))]
        return PlanChoices(ramps, ideas, measures, linked)


def cycle_facts(ws: Workspace, cycle_id: str) -> CycleFacts | None:
    """What the stage and the hints of a cycle are judged from (None: no live cycle)."""
    with ws.read() as s:
        cycle = s.get(PdsaCycle, cycle_id)
        if cycle is None or cycle.deleted:
            return None
        return ops.facts(s, cycle)


@dataclass(frozen=True)
class RampCycle:
    id: str
    title: str
    cycle_number: int
    scale: str
    start_date: dt.date | None
    end_date: dt.date | None
    decision: str


@dataclass(frozen=True)
class RampView:
    id: str
    title: str
    cycles: list[RampCycle]


def ramp_view(ws: Workspace, ramp_id: str) -> RampView | None:
    """A ramp and its live cycles in ladder order (None: no such ramp)."""
    with ws.read() as s:
        ramp = s.get(PdsaRamp, ramp_id)
        if ramp is None:
            return None
        cycles = [RampCycle(c.id, c.title, c.cycle_number, c.scale, c.start_date, c.end_date,
                            c.decision)
                  for c in s.scalars(select(PdsaCycle).where(
                      PdsaCycle.ramp_id == ramp_id, PdsaCycle.deleted.is_(False)).order_by(
                      PdsaCycle.cycle_number, PdsaCycle.start_date))]
        return RampView(ramp.id, ramp.title, cycles)


def cycle_list(ws: Workspace, *, site_id: str | None = None,
               network_id: str | None = None) -> list[CycleRow]:
    """Every live cycle of a site (or of a network), with stage — `ops.pdsa.cycle_rows`."""
    with ws.read() as s:
        return ops.cycle_rows(s, site_id=site_id, network_id=network_id)


def site_cycles(ws: Workspace, site_id: str | None) -> list[tuple[str, str]]:
    """(id, title) of a site's live cycles, e.g. to tie a chart phase to one."""
    with ws.read() as s:
        return [(c.id, c.title) for c in s.scalars(select(PdsaCycle).where(
            PdsaCycle.site_id == site_id, PdsaCycle.deleted.is_(False)))]
