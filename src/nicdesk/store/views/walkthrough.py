"""Reads for the guided first cycle: what one site has stored, as `core.walkthrough`
facts (fishbones and their causes, driver diagrams by level, PDSA cycles on change ideas
and whether they are planned, measures with the site's observations).  Plain values
only; the rules that read them are in `core.walkthrough`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from ...core.pdsa import problems
from ...core.states import DriverLevel
from ...core.walkthrough import (
    PLACEHOLDER_CAUSE,
    CycleFacts,
    DiagramFacts,
    FishboneFacts,
    MeasureFacts,
    WalkthroughFacts,
    named,
)
from ..ops.pdsa import facts as cycle_facts
from ..schema import (
    Cause,
    ChangeIdea,
    DriverDiagram,
    DriverNode,
    Fishbone,
    Measure,
    Observation,
    PdsaCycle,
    Site,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..workspace import Workspace


def walkthrough_site(ws: Workspace) -> tuple[str | None, str | None]:
    """The site the walkthrough works at (this workspace's own, else the first site) and
    its network; (None, the first network or None) when there is no site yet."""
    local = ws.meta().get("local_site_id")
    with ws.read() as s:
        site = s.get(Site, local) if local else None
        if site is None or site.deleted:
            site = s.scalars(select(Site).where(Site.deleted.is_(False))
                             .order_by(Site.name)).first()
        if site is not None:
            return site.id, site.network_id
        from ..schema import Network

        net = s.scalars(select(Network).where(Network.deleted.is_(False))).first()
        return None, net.id if net is not None else None


def _diagrams(s: Session, site_id: str) -> list[DiagramFacts]:
    out = []
    for diagram in s.scalars(select(DriverDiagram).where(
            DriverDiagram.site_id == site_id, DriverDiagram.deleted.is_(False))
            .order_by(DriverDiagram.name, DriverDiagram.id)):
        nodes = list(s.scalars(select(DriverNode).where(
            DriverNode.diagram_id == diagram.id, DriverNode.deleted.is_(False))
            .order_by(DriverNode.position, DriverNode.id)))

        def level(name: str, nodes: list[DriverNode] = nodes) -> tuple[str, ...]:
            return tuple(n.id for n in nodes if n.level == name)

        aim = next((n.text for n in nodes if n.level == DriverLevel.AIM), "")
        out.append(DiagramFacts(diagram.id, aim, level(DriverLevel.PRIMARY),
                                level(DriverLevel.SECONDARY), level(DriverLevel.CHANGE_IDEA)))
    return out


def _cycles(s: Session, site_id: str, diagrams: list[DiagramFacts]) -> list[CycleFacts]:
    site_ideas = {n for d in diagrams for n in d.change_ideas}
    # an adopted diagram's node stands for the network node it came from
    sources = {n.source_node_id: n.id for n in s.scalars(select(DriverNode).where(
        DriverNode.id.in_(site_ideas), DriverNode.source_node_id.is_not(None)))}
    ideas = {i.id: i.node_id for i in s.scalars(select(ChangeIdea).where(
        ChangeIdea.deleted.is_(False)))}
    out = []
    for cycle in s.scalars(select(PdsaCycle).where(
            PdsaCycle.site_id == site_id, PdsaCycle.deleted.is_(False))
            .order_by(PdsaCycle.start_date, PdsaCycle.id)):
        node = ideas.get(cycle.change_idea_id or "")
        if node is not None and node not in site_ideas:
            node = sources.get(node, node)
        # what the PDSA page lists as "Not finished yet", by the page's own rule
        out.append(CycleFacts(cycle.id, node, tuple(problems(cycle_facts(s, cycle)))))
    return out


def _measures(s: Session, site_id: str) -> list[MeasureFacts]:
    counts: dict[str, int] = {measure: int(n) for measure, n in s.execute(
        select(Observation.measure_id, func.count()).where(
            Observation.site_id == site_id, Observation.deleted.is_(False))
        .group_by(Observation.measure_id)).all()}
    own = s.execute(select(Measure.id, Measure.name, Measure.definition).where(
        Measure.deleted.is_(False), or_(Measure.site_id == site_id,
                                        Measure.id.in_(list(counts))))
        .order_by(Measure.id)).all()
    return [MeasureFacts(m, int(counts.get(m, 0)), name or "", definition or "")
            for m, name, definition in own]


def walkthrough_facts(ws: Workspace) -> WalkthroughFacts:
    """What the walkthrough's site has stored (see `walkthrough_site`)."""
    site_id, network_id = walkthrough_site(ws)
    if site_id is None:
        return WalkthroughFacts(None, network_id)
    with ws.read() as s:
        # a cause still named as the editor made it ("New cause") is not one yet
        fishbones = [FishboneFacts(f.id, f.problem, sum(
            1 for text in s.scalars(select(Cause.text).where(
                Cause.fishbone_id == f.id, Cause.deleted.is_(False)))
            if named(text or "", PLACEHOLDER_CAUSE)))
            for f in s.scalars(select(Fishbone).where(
                Fishbone.site_id == site_id, Fishbone.deleted.is_(False))
                .order_by(Fishbone.id))]
        diagrams = _diagrams(s, site_id)
        cycles = _cycles(s, site_id, diagrams)
        measures = _measures(s, site_id)
    return WalkthroughFacts(site_id, network_id, tuple(fishbones), tuple(diagrams),
                            tuple(cycles), tuple(measures))
