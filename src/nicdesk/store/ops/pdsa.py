"""PDSA operations and reads: the next cycle of a ramp, reordering, the filtered list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...core.entities import NAME_MAX
from ...core.pdsa import CycleFacts, overdue, problems, stage
from ...core.states import DriverLevel
from ..errors import InvalidChangeError
from ..operations import OpChanges, Transaction
from ..schema import ChangeIdea, PdsaCycle, PdsaMeasure, PdsaQuestion, PdsaRamp, Site, stored
from ..workspace import Workspace


def facts(session: Session, cycle: PdsaCycle) -> CycleFacts:
    qs = list(session.scalars(select(PdsaQuestion).where(
        PdsaQuestion.cycle_id == cycle.id, PdsaQuestion.deleted.is_(False))))
    return CycleFacts(
        cycle.title, cycle.change_idea_id is not None, len(qs),
        sum(1 for q in qs if q.prediction.strip()), sum(1 for q in qs if q.result.strip()),
        cycle.start_date, cycle.end_date,
        bool(cycle.do_what_happened or cycle.do_observations or cycle.do_problems
             or cycle.do_deviations),
        bool(cycle.study_learned or cycle.study_surprises), cycle.decision, cycle.act_next)


@dataclass(frozen=True)
class CycleRow:
    """One line of the PDSA list."""

    id: str
    site: str
    change_idea: str
    title: str
    cycle_number: int
    scale: str
    start: dt.date | None
    end: dt.date | None
    stage: str
    decision: str
    overdue: bool
    incomplete: int


def cycle_rows(session: Session, *, network_id: str | None = None, site_id: str | None = None,
               today: dt.date | None = None) -> list[CycleRow]:
    """Every live cycle of a site (or a whole network), with its stage: three queries, not
    one per cycle, so thousands of cycles list at once."""
    today = today or dt.date.today()
    C = PdsaCycle
    did = (func.length(C.do_what_happened) + func.length(C.do_observations)
           + func.length(C.do_problems) + func.length(C.do_deviations)) > 0
    learned = (func.length(C.study_learned) + func.length(C.study_surprises)) > 0
    q = select(C.id, C.site_id, C.change_idea_id, C.title, C.cycle_number, C.scale,
               C.start_date, C.end_date, C.decision, C.act_next, did, learned).where(
        C.deleted.is_(False))  # columns only: long texts are not loaded for a list
    if site_id:
        q = q.where(C.site_id == site_id)
    elif network_id:
        q = q.join(Site, Site.id == C.site_id).where(Site.network_id == network_id)
    cycles = session.execute(q).all()
    ids = [c[0] for c in cycles]
    counts: dict[str, list[int]] = {}
    if ids:  # one query for every question of these cycles
        for cid, prediction, result in session.execute(select(
                PdsaQuestion.cycle_id, PdsaQuestion.prediction, PdsaQuestion.result).where(
                PdsaQuestion.cycle_id.in_(ids), PdsaQuestion.deleted.is_(False))):
            tally = counts.setdefault(cid, [0, 0, 0])
            tally[0] += 1
            tally[1] += bool(prediction.strip())
            tally[2] += bool(result.strip())
    ideas = {i.id: i.title for i in session.scalars(select(ChangeIdea))}
    sites = {s.id: s.name for s in session.scalars(select(Site))}
    out = []
    for (cid, site, idea, title, number, scale, start, end, decision, act_next, d,
         lrn) in cycles:
        n, p, r = counts.get(cid, [0, 0, 0])
        f = CycleFacts(title, idea is not None, n, p, r, start, end, bool(d), bool(lrn),
                       decision, act_next)
        out.append(CycleRow(cid, sites.get(site or "", ""), ideas.get(idea or "", ""), title, number,
                            scale, start, end, stage(f, today), decision, overdue(f, today),
                            len(problems(f))))
    return sorted(out, key=lambda r: (r.start or dt.date.max, r.site, r.cycle_number))


def idea_of_node(session: Session, node_id: str) -> ChangeIdea | None:
    """The change idea a driver-diagram node stands for: its own, or (a site's adopted
    copy) the idea of the network node it came from."""
    from ..schema import DriverNode

    node = session.get(DriverNode, node_id)
    for nid in (node_id, node.source_node_id if node is not None else None):
        if nid is not None:
            idea = session.scalars(select(ChangeIdea).where(
                ChangeIdea.node_id == nid, ChangeIdea.deleted.is_(False))).first()
            if idea is not None:
                return idea
    return None


def new_cycle(ws: Workspace, site_id: str, *, change_idea_id: str | None = None,
              node_id: str | None = None) -> OpChanges:
    """A new PDSA cycle at a site, ready to plan: testing a change idea (given, or the one
    a change-idea node of a driver diagram stands for, made now if it has none) and named
    after it.  One operation; `created` holds the cycle (and an idea made for the node)."""

    def op(t: Transaction) -> None:
        t.get("site", site_id)
        idea_id = change_idea_id
        if idea_id is None and node_id is not None:
            idea = idea_of_node(t.session, node_id)
            if idea is not None:
                idea_id = idea.id
            else:
                node = t.get("driver_node", node_id)
                if node.level != DriverLevel.CHANGE_IDEA:
                    raise InvalidChangeError("PDSA cycles test change ideas: select a "
                                             "change idea (the last column) first.")
                diagram = t.get("driver_diagram", node.diagram_id)
                idea_id = t.create("change_idea", network_id=diagram.network_id,
                                   node_id=node_id, title=node.text[:NAME_MAX])
        title, number = "New PDSA cycle", 1
        if idea_id is not None:  # "Advisory check-ins, cycle 2": the site's second test
            number += len(t.session.scalars(select(PdsaCycle.id).where(
                PdsaCycle.change_idea_id == idea_id, PdsaCycle.site_id == site_id,
                PdsaCycle.deleted.is_(False))).all())
            suffix = f", cycle {number}"
            title = t.get("change_idea", idea_id).title[:NAME_MAX - len(suffix)] + suffix
        t.create("pdsa_cycle", site_id=site_id, change_idea_id=idea_id, title=title,
                 cycle_number=number)

    return ws.ops.run("New PDSA cycle", op)


def start_next_cycle(ws: Workspace, cycle_id: str) -> OpChanges:
    """The next cycle of the ramp: same change idea, site and measures; the Act notes and
    the questions not yet answered carried into the new Plan."""

    def op(t: Transaction) -> None:
        cycle = t.get("pdsa_cycle", cycle_id)
        ramp = cycle.ramp_id
        if ramp is None:
            ramp = t.create("pdsa_ramp", site_id=cycle.site_id,
                            change_idea_id=cycle.change_idea_id, title=cycle.title)
            t.update("pdsa_cycle", cycle.id, ramp_id=ramp)
        numbers = t.session.scalars(select(PdsaCycle.cycle_number).where(
            PdsaCycle.ramp_id == ramp, PdsaCycle.deleted.is_(False))).all()
        number = max(numbers, default=0) + 1
        base = cycle.title.rsplit(", cycle", 1)[0]
        carried = f"From cycle {cycle.cycle_number} ({cycle.decision or 'no decision yet'}): " \
                  f"{cycle.act_next}".strip()
        new = t.create(
            "pdsa_cycle", ramp_id=ramp, site_id=cycle.site_id,
            change_idea_id=cycle.change_idea_id, title=f"{base}, cycle {number}",
            cycle_number=number, conditions=cycle.conditions,
            objective=carried, logistics=cycle.logistics,
            data_collection=cycle.data_collection)
        questions = t.session.scalars(select(PdsaQuestion).where(
            PdsaQuestion.cycle_id == cycle.id, PdsaQuestion.deleted.is_(False)).order_by(
            PdsaQuestion.position)).all()
        for k, q in enumerate(q for q in questions if not q.result.strip()):
            t.create("pdsa_question", cycle_id=new, position=k, question=q.question)
        for link in t.session.scalars(select(PdsaMeasure).where(
                PdsaMeasure.cycle_id == cycle.id, PdsaMeasure.deleted.is_(False))):
            t.create("pdsa_measure", cycle_id=new, measure_id=link.measure_id)

    return ws.ops.run("Start next cycle", op)


def move_in_ramp(ws: Workspace, cycle_id: str, delta: int) -> OpChanges | None:
    """Swap a cycle with its neighbour in the ramp (renumbering both)."""
    with ws.read() as s:
        cycle = stored(s, PdsaCycle, cycle_id)
        order = list(s.scalars(select(PdsaCycle).where(
            PdsaCycle.ramp_id == cycle.ramp_id, PdsaCycle.deleted.is_(False)).order_by(
            PdsaCycle.cycle_number, PdsaCycle.start_date)))
    ids = [c.id for c in order]
    i = ids.index(cycle_id)
    j = i + delta
    if cycle.ramp_id is None or not 0 <= j < len(ids):
        return None
    ids[i], ids[j] = ids[j], ids[i]

    def op(t: Transaction) -> None:
        for n, cid in enumerate(ids, start=1):
            t.update("pdsa_cycle", cid, cycle_number=n)

    return ws.ops.run("Reorder ramp", op)


def attach_to_ramp(ws: Workspace, cycle_id: str, ramp_id: str) -> OpChanges:
    def op(t: Transaction) -> None:
        numbers = t.session.scalars(select(PdsaCycle.cycle_number).where(
            PdsaCycle.ramp_id == ramp_id, PdsaCycle.deleted.is_(False))).all()
        ramp = t.get("pdsa_ramp", ramp_id)
        t.update("pdsa_cycle", cycle_id, ramp_id=ramp_id, change_idea_id=ramp.change_idea_id,
                 cycle_number=max(numbers, default=0) + 1)

    return ws.ops.run("Move cycle to another ramp", op)


def ramps_of(session: Session, site_id: str) -> list[PdsaRamp]:
    return list(session.scalars(select(PdsaRamp).where(
        PdsaRamp.site_id == site_id, PdsaRamp.deleted.is_(False))))
