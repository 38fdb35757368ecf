"""Reads for the driver-diagram and fishbone editors: each diagram as plain view models
(nodes, links, causes and categories as frozen dataclasses, with the computed layout),
the details beside the drawing, and the snapshots to compare.  Never ORM rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ...core.fishbone import children
from ...core.layout import Layout
from ..ops import diagrams as dops
from ..ops import fishbones as fops
from ..schema import Cause, DriverDiagram, Fishbone, NodeMeasure

if TYPE_CHECKING:
    from ..workspace import Workspace


# ------------------------------------------------------------------ driver diagrams
@dataclass(frozen=True)
class DiagramInfo:
    id: str
    name: str
    network_id: str
    site_id: str | None
    aim_id: str | None
    adopted_from_id: str | None
    order_pinned: bool


@dataclass(frozen=True)
class NodeInfo:
    id: str
    level: str
    text: str
    description: str
    status: str
    position: int


@dataclass(frozen=True)
class LinkInfo:
    parent_node_id: str
    child_node_id: str


@dataclass
class DriverDiagramView:
    """A driver diagram as drawn: its live nodes and links, layout and, per change-idea
    node, how many PDSA cycles tested it.  Same shape as `ops.diagrams.DiagramData`."""

    diagram: DiagramInfo
    nodes: dict[str, NodeInfo]
    links: list[LinkInfo]
    layout: Layout
    cycles: dict[str, int] = field(default_factory=dict)

    def parents(self, node_id: str) -> list[str]:
        return [lk.parent_node_id for lk in self.links if lk.child_node_id == node_id]

    def children(self, node_id: str) -> list[str]:
        return [lk.child_node_id for lk in self.links if lk.parent_node_id == node_id]

    def version(self) -> dict[str, Any]:
        return dops.version_of(self.nodes.values(), self.links)


def driver_diagram(ws: Workspace, diagram_id: str) -> DriverDiagramView:
    with ws.read() as s:
        data = dops.load_diagram(s, diagram_id)
        d = data.diagram
        info = DiagramInfo(d.id, d.name, d.network_id, d.site_id, d.aim_id, d.adopted_from_id,
                           bool(d.order_pinned))
        nodes = {i: NodeInfo(n.id, n.level, n.text, n.description, n.status, n.position)
                 for i, n in data.nodes.items()}
        links = [LinkInfo(lk.parent_node_id, lk.child_node_id) for lk in data.links]
        return DriverDiagramView(info, nodes, links, data.layout, dict(data.cycles))


def diagram_list(ws: Workspace) -> list[tuple[str, str, str, int, str]]:
    """(kind, site name, diagram name, node count, id) of every live driver diagram and
    fishbone, sorted (`ops.diagrams.all_diagrams` in a read of its own)."""
    with ws.read() as s:
        return dops.all_diagrams(s)


def network_diagrams(ws: Workspace, network_id: str) -> list[tuple[str, str]]:
    """(id, name) of the network's own live driver diagrams (the ones a site may adopt)."""
    with ws.read() as s:
        return [(d.id, d.name) for d in s.scalars(select(DriverDiagram).where(
            DriverDiagram.network_id == network_id, DriverDiagram.site_id.is_(None),
            DriverDiagram.deleted.is_(False)))]


def deletion_impact(ws: Workspace, diagram_id: str, node_id: str) -> tuple[int, int]:
    """(nodes that would go with this node, PDSA cycles linked to its change ideas)."""
    with ws.read() as s:
        return dops.impact(s, dops.load_diagram(s, diagram_id), node_id)


@dataclass(frozen=True)
class SnapshotInfo:
    id: str
    name: str
    taken: dt.date | None
    content: dict[str, Any]


def diagram_snapshots(ws: Workspace, diagram_id: str) -> list[SnapshotInfo]:
    """A diagram's named snapshots, oldest first."""
    with ws.read() as s:
        return [SnapshotInfo(x.id, x.name, x.taken, dict(x.content or {}))
                for x in dops.snapshots(s, diagram_id)]


@dataclass(frozen=True)
class NodeDetails:
    """Beside a selected node: the root causes behind it and its linked measures."""

    root_causes: list[str]
    linked_measures: list[str]  # measure ids, one per live link


def node_details(ws: Workspace, node_id: str) -> NodeDetails:
    with ws.read() as s:
        causes = [c.text for c in fops.causes_for_node(s, node_id)]
        linked = [lk.measure_id for lk in s.scalars(select(NodeMeasure).where(
            NodeMeasure.node_id == node_id, NodeMeasure.deleted.is_(False)))]
        return NodeDetails(causes, linked)


# ------------------------------------------------------------------ fishbones
@dataclass(frozen=True)
class FishboneInfo:
    id: str
    title: str
    problem: str
    network_id: str
    site_id: str | None


@dataclass(frozen=True)
class CategoryInfo:
    id: str
    name: str
    position: int


@dataclass(frozen=True)
class CauseInfo:
    id: str
    category_id: str
    parent_id: str | None
    text: str
    evidence: str
    evidence_kind: str
    votes: int
    is_root: bool
    whys: list[str]
    position: int


@dataclass
class FishboneView:
    """A fishbone as drawn: categories in order, live causes, layout, and for each cause
    the texts of the drivers it informs.  Same shape as `ops.fishbones.FishboneData`."""

    fishbone: FishboneInfo
    categories: list[CategoryInfo]
    causes: dict[str, CauseInfo]
    layout: Layout
    driver_links: dict[str, list[str]] = field(default_factory=dict)

    def children(self, cause_or_category: str) -> list[str]:
        return children(self.causes, cause_or_category)


def fishbone_view(ws: Workspace, fishbone_id: str) -> FishboneView:
    with ws.read() as s:
        data = fops.load_fishbone(s, fishbone_id)
        f = data.fishbone
        info = FishboneInfo(f.id, f.title, f.problem, f.network_id, f.site_id)
        cats = [CategoryInfo(c.id, c.name, c.position) for c in data.categories]
        causes = {i: CauseInfo(c.id, c.category_id, c.parent_id, c.text, c.evidence,
                               c.evidence_kind, c.votes or 0, bool(c.is_root),
                               list(c.whys or []), c.position)
                  for i, c in data.causes.items()}
        links = {k: list(v) for k, v in data.driver_links.items()}
        return FishboneView(info, cats, causes, data.layout, links)


@dataclass(frozen=True)
class CauseContext:
    """Beside a selected cause: the drivers of its network it may inform, as
    (node id, "diagram › driver"), and the texts of those it is linked to."""

    driver_choices: list[tuple[str, str]]
    linked_drivers: list[str]


def cause_context(ws: Workspace, cause_id: str) -> CauseContext:
    with ws.read() as s:
        cause = s.get(Cause, cause_id)
        fishbone = s.get(Fishbone, cause.fishbone_id) if cause is not None else None
        if cause is None or fishbone is None:
            return CauseContext([], [])
        choices = fops.driver_choices(s, fishbone.network_id)
        data = fops.load_fishbone(s, fishbone.id)
        return CauseContext(choices, list(data.driver_links.get(cause_id, [])))
