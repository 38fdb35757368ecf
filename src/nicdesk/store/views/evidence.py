"""Evidence of what was tried where (DOMAIN.md "Learning together"): the change idea ×
site matrix and the combined driver diagram, built from the network's diagrams, its
change ideas and the PDSA cycles run at each site.  Split from `network_views`, whose
per-site charts it reads to say whether a measure improved after a change.  What a chart
says after a change, and the order of rows, are rules of `nicdesk.core.network`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import overload

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.network import SignalAfter, combine_after, matrix_row_key, signal_after
from ...core.safe_text import csv_cell
from ...core.states import DRIVERS, DriverLevel, PdsaDecision
from ..schema import (
    ChangeIdea,
    DriverDiagram,
    DriverLink,
    DriverNode,
    NodeMeasure,
    PdsaCycle,
    PdsaMeasure,
    PdsaRamp,
    Site,
)  # fmt: skip
from .network import (
    ALL_SITES,
    ContextFilter,
    Panel,
    SmallMultiples,
    participating_sites,
    small_multiples,
)


# ------------------------------------------------------------------ change idea × site
@dataclass
class MatrixCell:
    """One site's work on one change idea."""

    cycles: int
    decision: str  # latest decision ('' while undecided)
    signal_after: SignalAfter  # what the linked measures' charts show after the first cycle
    ramp_id: str | None
    first_start: dt.date | None


@dataclass
class MatrixRow:
    """A change idea (merged across sites by its network-diagram origin)."""

    key: str  # the network node (or idea) the row merges by
    title: str
    drivers: set[str]  # ids of the network drivers it hangs under (for the filter)
    cells: dict[str, MatrixCell] = field(default_factory=dict)
    local_to: str = ""  # the site name when the idea is a local one

    def ordered_cells(self, sites: list[tuple[str, str]]) -> list[tuple[str, MatrixCell]]:
        return [(sid, self.cells[sid]) for sid, _name in sites if sid in self.cells]


@dataclass
class ChangeMatrix:
    """Change ideas × sites, with the drivers rows can be filtered by."""

    sites: list[tuple[str, str]]  # (id, name) columns
    rows: list[MatrixRow]
    drivers: list[tuple[str, str]]  # (node id, text) available for the filter

    def filtered(self, driver_id: str | None) -> list[MatrixRow]:
        return [r for r in self.rows if not driver_id or driver_id in r.drivers]

    def to_csv(self, driver_id: str | None = None) -> str:
        """The matrix as CSV (`nicdesk matrix --csv`, the Network view's export): text
        cells through `core.safe_text.csv_cell`, so no title or name runs as a formula;
        the cycle count and the date stay as NICdesk wrote them."""
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["change idea", "site", "cycles", "latest decision",
                    "improvement signal after first cycle", "first cycle"])
        names = dict(self.sites)
        for row in self.filtered(driver_id):
            for site_id, cell in row.ordered_cells(self.sites):
                w.writerow([csv_cell(row.title), csv_cell(names.get(site_id, site_id)),
                            cell.cycles, csv_cell(cell.decision or "undecided"),
                            csv_cell(cell.signal_after),
                            cell.first_start.isoformat() if cell.first_start else ""])
        return out.getvalue()


def _network_graph(session: Session, network_id: str) -> tuple[
        dict[str, DriverNode], dict[str, list[str]], list[DriverDiagram]]:
    """Every live node of the network's diagrams and each node's parents."""
    diagrams = list(session.scalars(select(DriverDiagram).where(
        DriverDiagram.network_id == network_id, DriverDiagram.deleted.is_(False))))
    ids = [d.id for d in diagrams]
    nodes = {n.id: n for n in session.scalars(select(DriverNode).where(
        DriverNode.diagram_id.in_(ids), DriverNode.deleted.is_(False)))}
    parents: dict[str, list[str]] = defaultdict(list)
    for lk in session.scalars(select(DriverLink).where(DriverLink.diagram_id.in_(ids),
                                                       DriverLink.deleted.is_(False))):
        if lk.parent_node_id in nodes and lk.child_node_id in nodes:
            parents[lk.child_node_id].append(lk.parent_node_id)
    return nodes, parents, diagrams


@overload
def _origin(node: DriverNode, nodes: dict[str, DriverNode]) -> DriverNode: ...


@overload
def _origin(node: None, nodes: dict[str, DriverNode]) -> None: ...


@overload
def _origin(node: DriverNode | None, nodes: dict[str, DriverNode]) -> DriverNode | None: ...


def _origin(node: DriverNode | None, nodes: dict[str, DriverNode]) -> DriverNode | None:
    """The network-diagram node a (possibly adopted) node stands for."""
    if node is None:
        return None
    if node.source_node_id and node.source_node_id in nodes:
        return nodes[node.source_node_id]
    return node


def _ancestors(node_id: str, parents: dict[str, list[str]]) -> set[str]:
    seen, stack = set(), list(parents.get(node_id, ()))
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(parents.get(n, ()))
    return seen


def _signal_after(panel: Panel | None, start: dt.date | None) -> SignalAfter:
    """What the site's chart says after the first cycle (`core.network.signal_after`)."""
    if panel is None:
        return signal_after(None, None, (), start)
    return signal_after(panel.status, panel.analysis.signals if panel.analysis else None,
                        [p.period for p in panel.points], start)


def change_matrix(session: Session, network_id: str, context: ContextFilter = ALL_SITES,
                  multiples: dict[str, SmallMultiples] | None = None) -> ChangeMatrix:
    """Rows = change ideas merged by their network-diagram origin; columns = sites."""
    nodes, parents, diagrams = _network_graph(session, network_id)
    site_diagram = {d.id: d.site_id for d in diagrams}
    sites = {s.id: s for s in session.scalars(select(Site).where(
        Site.network_id == network_id, Site.deleted.is_(False)))}
    allowed = {s.id for s in sites.values() if context.matches(s.context_tags, s.id)}
    ideas = {i.id: i for i in session.scalars(select(ChangeIdea).where(
        ChangeIdea.network_id == network_id, ChangeIdea.deleted.is_(False)))}
    ramps = {r.id: r for r in session.scalars(select(PdsaRamp).where(
        PdsaRamp.deleted.is_(False)))}
    rows: dict[str, MatrixRow] = {}

    def row_of(idea: ChangeIdea) -> MatrixRow:
        node = _origin(nodes.get(idea.node_id or ""), nodes)
        if node is not None and site_diagram.get(node.diagram_id) is None:
            key, title = node.id, node.text
            drivers = {a for a in _ancestors(node.id, parents)
                       if nodes[a].level in DRIVERS}
            local = ""
        else:
            key, title, drivers = f"idea:{idea.id}", idea.title, set()
            home = site_diagram.get(node.diagram_id) if node is not None else None
            owner = sites.get(home or idea.owner_site_id or "")
            local = owner.name if owner else "a site"
            if node is not None:
                drivers = {_origin(nodes[a], nodes).id for a in _ancestors(node.id, parents)
                           if nodes[a].level in DRIVERS}
        if key not in rows:
            rows[key] = MatrixRow(key, title, drivers, local_to=local)
        return rows[key]

    cycles = list(session.scalars(select(PdsaCycle).where(PdsaCycle.deleted.is_(False))))
    linked: dict[str, set[str]] = defaultdict(set)  # cycle id -> measure ids
    for cid, mid in session.execute(select(PdsaMeasure.cycle_id, PdsaMeasure.measure_id)
                                    .where(PdsaMeasure.deleted.is_(False))):
        linked[cid].add(mid)
    node_measures: dict[str, set[str]] = defaultdict(set)
    for nid, mid in session.execute(select(NodeMeasure.node_id, NodeMeasure.measure_id)
                                    .where(NodeMeasure.deleted.is_(False))):
        node_measures[nid].add(mid)
    groups: dict[tuple[str, str], list[PdsaCycle]] = defaultdict(list)
    for c in cycles:
        idea_id = c.change_idea_id or (ramps[c.ramp_id].change_idea_id
                                       if c.ramp_id in ramps else None)
        if idea_id not in ideas or c.site_id not in allowed:
            continue
        groups[(row_of(ideas[idea_id]).key, c.site_id)].append(c)
    for idea in ideas.values():  # ideas with no cycles yet still get a row
        row_of(idea)
    multiples = dict(multiples or {})
    panels: dict[tuple[str, str], Panel | None] = {}  # (measure, ""): the measure is read

    def panel(measure_id: str, site_id: str) -> Panel | None:
        if measure_id not in multiples:
            multiples[measure_id] = small_multiples(session, measure_id, context)
        if (measure_id, "") not in panels:
            panels[(measure_id, "")] = None
            for p in multiples[measure_id].panels:
                panels[(measure_id, p.site_id)] = p
        return panels.get((measure_id, site_id))

    for (key, site_id), run in groups.items():
        run.sort(key=lambda c: (c.start_date or dt.date.max, c.cycle_number))
        decided = [c for c in run if c.decision]
        first = next((c.start_date for c in run if c.start_date), None)
        measures = set().union(*(linked[c.id] for c in run)) or node_measures.get(key, set())
        after = combine_after({_signal_after(panel(m, site_id), first) for m in measures})
        rows[key].cells[site_id] = MatrixCell(
            len(run), decided[-1].decision if decided else "", after,
            next((c.ramp_id for c in run if c.ramp_id), None), first)
    used = {s for r in rows.values() for s in r.cells}
    columns = [(s.id, s.name) for s in participating_sites(session, network_id, context, used)]
    drivers = sorted(((n.id, n.text) for n in nodes.values()
                      if n.level in DRIVERS
                      and site_diagram.get(n.diagram_id) is None),
                     key=lambda x: (nodes[x[0]].level != DriverLevel.PRIMARY, nodes[x[0]].position,
                                    x[1]))
    ordered = sorted(rows.values(), key=lambda r: matrix_row_key(r.local_to, r.title))
    return ChangeMatrix(columns, ordered, drivers)


# ------------------------------------------------------------------ combined diagram
@dataclass
class NodeEvidence:
    """The network's evidence on one node of a network driver diagram."""

    node_id: str
    level: str
    text: str
    sites: list[str]  # sites that adopted it into their own diagram or ran cycles on it
    cycles: int
    decisions: Counter[str]
    local_additions: list[tuple[str, str]]  # (site, text) hanging from this node

    def badge(self) -> str:
        parts = []
        if self.sites:
            parts.append(f"{len(self.sites)} site{'s' if len(self.sites) != 1 else ''}")
        if self.cycles:
            parts.append(f"{self.cycles} cycle{'s' if self.cycles != 1 else ''}")
        letters: dict[str, str] = {PdsaDecision.ADOPT: "A", PdsaDecision.ADAPT: "D",
                                   PdsaDecision.ABANDON: "X"}
        parts += [f"{letters[k]}{v}" for k, v in sorted(self.decisions.items()) if k in letters]
        return " · ".join(parts)


@dataclass
class CombinedDiagram:
    """A network driver diagram with evidence per node."""

    diagram_id: str
    name: str
    evidence: dict[str, NodeEvidence]


def combined_diagrams(session: Session, network_id: str,
                      context: ContextFilter = ALL_SITES) -> list[CombinedDiagram]:
    """Each network-level driver diagram with the network's evidence on every node."""
    nodes, parents, diagrams = _network_graph(session, network_id)
    site_of = {d.id: d.site_id for d in diagrams}
    sites = {s.id: s for s in session.scalars(select(Site).where(
        Site.network_id == network_id, Site.deleted.is_(False)))}
    allowed = {s for s, site in sites.items() if context.matches(site.context_tags, s)}
    adopted: dict[str, set[str]] = defaultdict(set)
    local: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for n in nodes.values():
        site = site_of.get(n.diagram_id)
        if site is None or site not in allowed:
            continue
        if n.source_node_id in nodes:
            adopted[n.source_node_id].add(site)
        else:  # a local addition: list it under the network node it hangs from
            for p in parents.get(n.id, ()):
                origin = _origin(nodes[p], nodes)
                if origin is not None and site_of.get(origin.diagram_id) is None:
                    local[origin.id].append((sites[site].name, n.text))
    ideas = {i.id: _origin(nodes.get(i.node_id or ""), nodes) for i in session.scalars(
        select(ChangeIdea).where(ChangeIdea.network_id == network_id,
                                 ChangeIdea.deleted.is_(False)))}
    cycles: dict[str, list[PdsaCycle]] = defaultdict(list)
    for c in session.scalars(select(PdsaCycle).where(PdsaCycle.deleted.is_(False))):
        node = ideas.get(c.change_idea_id or "")
        if node is None or c.site_id not in allowed:
            continue
        for target in {node.id, *_ancestors(node.id, parents)}:
            cycles[target].append(c)
    out = []
    for d in diagrams:
        if d.site_id is not None:
            continue
        evidence = {}
        for n in nodes.values():
            if n.diagram_id != d.id:
                continue
            run = cycles.get(n.id, [])
            latest: dict[tuple[str, str | None], PdsaCycle] = {}
            for c in sorted(run, key=lambda c: (c.start_date or dt.date.min, c.cycle_number)):
                if c.decision:
                    latest[(c.site_id, c.change_idea_id)] = c
            tested = adopted[n.id] | {c.site_id for c in run}
            evidence[n.id] = NodeEvidence(
                n.id, n.level, n.text, sorted(sites[s].name for s in tested if s in sites),
                len(run), Counter(c.decision for c in latest.values()), local.get(n.id, []))
        out.append(CombinedDiagram(d.id, d.name, evidence))
    return out
