"""Read-side queries: the navigator tree and read-only summaries of stored content.

Both return plain data (no Qt) so the GUI, the CLI and tests share them.  Tombstoned
records are never shown.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...core.formatting import format_value, is_percent
from ...core.states import Direction, DriverLevel
from ..schema import (
    ActionItem,
    AgendaItem,
    Aim,
    Annotation,
    Cause,
    ChangeIdea,
    Charter,
    ChartPhase,
    DiagramSnapshot,
    DriverDiagram,
    DriverLink,
    DriverNode,
    Fishbone,
    FishboneCategory,
    Measure,
    Meeting,
    Member,
    Network,
    Observation,
    PdsaCycle,
    PdsaQuestion,
    PdsaRamp,
    Site,
    stored,
)  # fmt: skip
from .nav_tree import NavNode, NavRows, build_tree


def _live(session: Session, model: Any, *where: Any) -> list[Any]:
    return list(session.scalars(select(model).where(model.deleted.is_(False), *where)))


def navigator_tree(session: Session) -> list[NavNode]:
    """Network → Charter, network-wide groups, Sites (nested by parent) → site groups
    (`nav_tree.build_tree` over the live rows read here)."""
    observed: dict[str, set[str]] = defaultdict(set)  # site -> measure ids with data
    for site_id, measure_id in session.execute(
        select(Observation.site_id, Observation.measure_id)
        .where(Observation.deleted.is_(False))
        .distinct()
    ):
        observed[site_id].add(measure_id)
    return build_tree(NavRows(
        networks=_live(session, Network), charters=_live(session, Charter),
        measures=_live(session, Measure), aims=_live(session, Aim),
        fishbones=_live(session, Fishbone), driver_diagrams=_live(session, DriverDiagram),
        meetings=_live(session, Meeting), ramps=_live(session, PdsaRamp),
        cycles=_live(session, PdsaCycle), sites=_live(session, Site), observed=observed))


# ------------------------------------------------------------------ summaries
@dataclass
class Summary:
    """Read-only view of stored content for entities whose editors come later."""

    title: str
    subtitle: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    table: tuple[list[str], list[list[str]]] | None = None


#: periods a measure's summary lists (the latest ones)
SUMMARY_PERIODS = 12


def _pct(value: float | None, m: Measure) -> str:
    return format_value(value, is_percent(m.value_type, m.unit))


def summarize(session: Session, kind: str, record_id: str, site_id: str | None = None) -> Summary:
    fn = _SUMMARIES[kind]
    return fn(session, record_id, site_id)


def _fishbone(s: Session, rid: str, _site: str | None) -> Summary:
    fb = stored(s, Fishbone, rid)
    out = Summary(fb.title or "Fishbone", fb.problem)
    causes = _live(s, Cause, Cause.fishbone_id == rid)
    kids: dict[str | None, list[Cause]] = defaultdict(list)
    for c in causes:
        kids[c.parent_id].append(c)
    for cat in sorted(_live(s, FishboneCategory, FishboneCategory.fishbone_id == rid),
                      key=lambda c: c.position):
        lines: list[str] = []

        def add(parent: str | None, depth: int, cat_id: str = cat.id,
                lines: list[str] = lines) -> None:
            for c in sorted(kids[parent], key=lambda c: c.position):
                if c.category_id != cat_id:
                    continue
                flags = (" — ROOT CAUSE" if c.is_root else "") + (
                    f" · {c.votes} vote{'s' if c.votes != 1 else ''}" if c.votes else "")
                lines.append("    " * depth + c.text + flags)
                if c.evidence:
                    lines.append("    " * depth + f"  evidence: {c.evidence}")
                for i, why in enumerate(c.whys or [], start=1):
                    lines.append("    " * depth + f"  why {i}: {why}")
                add(c.id, depth + 1)

        add(None, 0)
        out.sections.append((cat.name, lines or ["(no causes yet)"]))
    return out


def _driver_diagram(s: Session, rid: str, _site: str | None) -> Summary:
    dd = stored(s, DriverDiagram, rid)
    nodes = {n.id: n for n in _live(s, DriverNode, DriverNode.diagram_id == rid)}
    links = _live(s, DriverLink, DriverLink.diagram_id == rid)
    children: dict[str, list[str]] = defaultdict(list)
    for link in links:
        if link.parent_node_id in nodes and link.child_node_id in nodes:
            children[link.parent_node_id].append(link.child_node_id)
    out = Summary(dd.name, "Theory of improvement: aim → primary drivers → secondary drivers "
                  "→ change ideas")
    lines: list[str] = []

    def add(node_id: str, depth: int) -> None:
        n = nodes[node_id]
        lines.append("    " * depth + f"{n.level.title()}: {n.text}  [{n.status}]")
        for child in sorted(children[node_id], key=lambda c: (nodes[c].position, nodes[c].text)):
            add(child, depth + 1)

    for root in (n for n in nodes.values() if n.level == DriverLevel.AIM):
        add(root.id, 0)
    out.sections.append(("Diagram", lines or ["(no nodes yet)"]))
    snaps = _live(s, DiagramSnapshot, DiagramSnapshot.diagram_id == rid)
    if snaps:
        out.sections.append(("Snapshots", [f"{x.taken} — {x.name}" for x in snaps]))
    return out


def _measure(s: Session, rid: str, site: str | None) -> Summary:
    m = stored(s, Measure, rid)
    out = Summary(m.name, f"{m.kind.title()} measure · {m.frequency} · higher is "
                  f"{'better' if m.direction == Direction.UP else 'worse'}")
    out.facts = [("Operational definition", m.definition or "(not written yet)"),
                 ("Unit", m.unit), ("Data source", m.data_source),
                 ("Target", _pct(m.target, m)), ("Chart", m.chart_kind)]
    where = [Observation.measure_id == rid]
    if site:
        where.append(Observation.site_id == site)
    obs = sorted(_live(s, Observation, *where), key=lambda o: o.period)
    counted = [o for o in obs if o.value is not None and not o.excluded]
    out.facts.append(("Observations", str(len(obs))))
    if counted:
        out.facts.append(("Median", _pct(statistics.median(o.value for o in counted), m)))
        out.facts.append(("Latest", f"{_pct(counted[-1].value, m)} ({counted[-1].period})"))
    if len(obs) > SUMMARY_PERIODS:  # said, so a short table is not read as all there is
        out.facts.append(("Periods listed", f"the last {SUMMARY_PERIODS} of {len(obs)} (the "
                          "measure's page charts them all)"))
    rows = [[o.period.isoformat(), _pct(o.value, m),
             f"{o.numerator:g}/{o.denominator:g}" if o.denominator else "",
             ("excluded: " + o.exclusion_reason) if o.excluded else o.note]
            for o in obs[-SUMMARY_PERIODS:]]
    out.table = (["Period", "Value", "Num/den", "Note"], rows)
    phases = _live(s, ChartPhase, ChartPhase.measure_id == rid, *(
        [ChartPhase.site_id == site] if site else []))
    notes = _live(s, Annotation, Annotation.measure_id == rid, *(
        [Annotation.site_id == site] if site else []))
    if phases or notes:
        out.sections.append(("Phases and annotations",
                             [f"{p.start} — {p.kind}: {p.reason}" for p in phases]
                             + [f"{a.date} — {a.text}" for a in notes]))
    return out


def _pdsa_cycle(s: Session, rid: str, _site: str | None) -> Summary:
    c = stored(s, PdsaCycle, rid)
    idea = s.get(ChangeIdea, c.change_idea_id) if c.change_idea_id else None
    out = Summary(c.title, f"Cycle {c.cycle_number}" + (f" · testing “{idea.title}”" if idea else "")
                  + (f" · scale: {c.scale}" if c.scale else ""))
    out.facts = [("Dates", f"{c.start_date or '?'} – {c.end_date or '?'}"),
                 ("Decision", c.decision or "(not decided yet)")]
    questions = sorted(_live(s, PdsaQuestion, PdsaQuestion.cycle_id == rid),
                       key=lambda q: q.position)
    out.sections = [
        ("Plan", [x for x in (c.objective, c.logistics, c.data_collection) if x]
         + [f"Q: {q.question} — predicted: {q.prediction}" for q in questions]),
        ("Do", [x for x in (c.do_what_happened, c.do_observations, c.do_problems,
                            c.do_deviations) if x]),
        ("Study", [f"Q: {q.question} — result: {q.result or '?'}" for q in questions]
         + [x for x in (c.study_learned, c.study_surprises) if x]),
        ("Act", [x for x in (c.decision and f"Decision: {c.decision}", c.act_next) if x]),
    ]
    out.sections = [(h, lines or ["(nothing written yet)"]) for h, lines in out.sections]
    return out


def _pdsa_ramp(s: Session, rid: str, _site: str | None) -> Summary:
    r = stored(s, PdsaRamp, rid)
    cycles = sorted(_live(s, PdsaCycle, PdsaCycle.ramp_id == rid), key=lambda c: c.cycle_number)
    out = Summary(f"Ramp: {r.title}", "A chain of PDSA cycles testing one change idea at "
                  "growing scale")
    out.table = (["Cycle", "Scale", "Start", "Decision"],
                 [[str(c.cycle_number), c.scale, str(c.start_date or ""), c.decision or "—"]
                  for c in cycles])
    return out


def _meeting(s: Session, rid: str, _site: str | None) -> Summary:
    m = stored(s, Meeting, rid)
    out = Summary(m.title, str(m.date or ""))
    out.facts = [("Attendees", ", ".join(m.attendees or []) or "—")]
    agenda = sorted(_live(s, AgendaItem, AgendaItem.meeting_id == rid), key=lambda a: a.position)
    out.table = (["#", "Agenda item", "Minutes", "Owner"],
                 [[str(i + 1), a.title, str(a.minutes), a.owner] for i, a in enumerate(agenda)])
    out.sections = [("Notes", [m.notes or "—"]), ("Decisions", [m.decisions or "—"]),
                    ("Action items", [f"{a.text} — {a.owner}, due {a.due or '?'}"
                                      + (" ✓" if a.done else "")
                                      for a in _live(s, ActionItem, ActionItem.meeting_id == rid)]
                     or ["—"])]
    return out


_SUMMARIES = {
    "fishbone": _fishbone,
    "driver_diagram": _driver_diagram,
    "measure": _measure,
    "pdsa_cycle": _pdsa_cycle,
    "pdsa_ramp": _pdsa_ramp,
    "meeting": _meeting,
}


def has_summary(kind: str) -> bool:
    return kind in _SUMMARIES


def members_of(session: Session, site_id: str) -> list[Member]:
    return sorted(_live(session, Member, Member.site_id == site_id), key=lambda m: m.name)


def sites_of(session: Session, network_id: str) -> list[Site]:
    return sorted(_live(session, Site, Site.network_id == network_id), key=lambda s: s.name)


def counts(session: Session) -> dict[str, int]:
    """Live records per table (for `nicdesk info` and tests)."""
    from ..schema import MODELS

    return {
        kind: session.scalar(select(func.count()).select_from(model).where(
            model.deleted.is_(False))) or 0
        for kind, model in MODELS.items()
    }
