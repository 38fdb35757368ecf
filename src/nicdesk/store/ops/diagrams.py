"""Driver-diagram operations and reads: add, link, move, delete, snapshot, adopt.

Each function is one operation (one transaction, one undo step) built on the generic
`Transaction`; rules a person can break (empty text, a link that skips levels or closes a
loop) are refused with `InvalidChangeError` before anything is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.entities import NAME_MAX
from ...core.layout import LEVELS, Layout, LayoutNode, creates_cycle, layout_driver, link_problem
from ...core.states import DriverLevel
from ..errors import InvalidChangeError
from ..operations import OpChanges, Transaction
from ..schema import (
    ChangeIdea,
    DiagramSnapshot,
    DriverDiagram,
    DriverLink,
    DriverNode,
    PdsaCycle,
    stored,
)
from ..workspace import Workspace


@dataclass
class DiagramData:
    diagram: DriverDiagram
    nodes: dict[str, DriverNode]
    links: list[DriverLink]
    layout: Layout
    cycles: dict[str, int]  # node id -> PDSA cycles run for its change idea

    def parents(self, node_id: str) -> list[str]:
        return [lk.parent_node_id for lk in self.links if lk.child_node_id == node_id]

    def children(self, node_id: str) -> list[str]:
        return [lk.child_node_id for lk in self.links if lk.parent_node_id == node_id]

    def version(self) -> dict[str, Any]:
        return version_of(self.nodes.values(), self.links)


def version_of(nodes: Any, links: Any) -> dict[str, Any]:
    return {
        "nodes": sorted(({"id": n.id, "level": n.level, "text": n.text, "status": n.status,
                          "description": n.description, "position": n.position}
                         for n in nodes), key=lambda n: n["id"]),
        "links": sorted([lk.parent_node_id, lk.child_node_id] for lk in links),
    }


def load_diagram(session: Session, diagram_id: str) -> DiagramData:
    diagram = stored(session, DriverDiagram, diagram_id)
    nodes = {n.id: n for n in session.scalars(select(DriverNode).where(
        DriverNode.diagram_id == diagram_id, DriverNode.deleted.is_(False)))}
    links = [lk for lk in session.scalars(select(DriverLink).where(
        DriverLink.diagram_id == diagram_id, DriverLink.deleted.is_(False)))
        if lk.parent_node_id in nodes and lk.child_node_id in nodes]
    layout = layout_driver(
        [LayoutNode(n.id, n.level, n.text, n.position) for n in nodes.values()],
        [(lk.parent_node_id, lk.child_node_id) for lk in links],
        pinned=diagram.order_pinned)
    cycles: dict[str, int] = {}
    ideas = {c.id: c.node_id for c in session.scalars(select(ChangeIdea).where(
        ChangeIdea.node_id.in_(list(nodes)), ChangeIdea.deleted.is_(False)))}
    if ideas:
        for cycle in session.scalars(select(PdsaCycle).where(
                PdsaCycle.change_idea_id.in_(list(ideas)), PdsaCycle.deleted.is_(False))):
            node = ideas[cycle.change_idea_id or ""]  # in `ideas`: selected by it
            if node is not None:  # an idea on no box counts for none
                cycles[node] = cycles.get(node, 0) + 1
    return DiagramData(diagram, nodes, links, layout, cycles)


def _text(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise InvalidChangeError("A node needs some text, e.g. “Regular one-to-one advisory "
                                 "contact”.")
    return text


def _check_link(t: Transaction, diagram_id: str, parent: str, child: str) -> None:
    p, c = t.get("driver_node", parent), t.get("driver_node", child)
    problem = link_problem(p.level, c.level)
    if problem:
        raise InvalidChangeError(problem)
    links = [(lk.parent_node_id, lk.child_node_id) for lk in t.session.scalars(
        select(DriverLink).where(DriverLink.diagram_id == diagram_id,
                                 DriverLink.deleted.is_(False)))]
    if (parent, child) in links:
        raise InvalidChangeError("Those two are already linked.")
    if creates_cycle(links, parent, child):
        raise InvalidChangeError("That link would make a loop in the theory.")


def add_node(ws: Workspace, diagram_id: str, level: str, text: str,
             parent_id: str | None = None, *, after_id: str | None = None) -> OpChanges:
    """A new node at `level`, linked from `parent_id`; placed after `after_id` if given."""
    if level not in LEVELS:
        raise InvalidChangeError(f"Unknown level {level!r}.")
    text = _text(text)

    def op(t: Transaction) -> None:
        siblings = list(t.session.scalars(select(DriverNode).where(
            DriverNode.diagram_id == diagram_id, DriverNode.level == level,
            DriverNode.deleted.is_(False))))
        position = max((n.position for n in siblings), default=-1) + 1
        if after_id is not None:
            after = t.get("driver_node", after_id)
            position = after.position + 1
            for n in siblings:  # make room: later siblings move one down
                if n.position >= position:
                    t.update("driver_node", n.id, position=n.position + 1)
        node = t.create("driver_node", diagram_id=diagram_id, level=level, text=text,
                        position=position)
        if parent_id is not None:
            _check_link(t, diagram_id, parent_id, node)
            t.create("driver_link", diagram_id=diagram_id, parent_node_id=parent_id,
                     child_node_id=node)
        if level == DriverLevel.CHANGE_IDEA:
            diagram = t.get("driver_diagram", diagram_id)
            t.create("change_idea", network_id=diagram.network_id, node_id=node, title=text)

    return ws.ops.run(f"Add {level}", op)


def link(ws: Workspace, diagram_id: str, parent_id: str, child_id: str) -> OpChanges:
    def op(t: Transaction) -> None:
        _check_link(t, diagram_id, parent_id, child_id)
        t.create("driver_link", diagram_id=diagram_id, parent_node_id=parent_id,
                 child_node_id=child_id)

    return ws.ops.run("Link nodes", op)


def unlink(ws: Workspace, diagram_id: str, parent_id: str, child_id: str) -> OpChanges:
    def op(t: Transaction) -> None:
        rows = t.session.scalars(select(DriverLink).where(
            DriverLink.diagram_id == diagram_id, DriverLink.parent_node_id == parent_id,
            DriverLink.child_node_id == child_id, DriverLink.deleted.is_(False))).all()
        if not rows:
            raise InvalidChangeError("Those two are not linked.")
        for row in rows:
            t.delete("driver_link", row.id)

    return ws.ops.run("Remove link", op)


def delete_node(ws: Workspace, diagram_id: str, node_id: str) -> OpChanges:
    """Delete a node, its links, and children left without any parent."""

    def op(t: Transaction) -> None:
        def remove(nid: str) -> None:
            links = t.session.scalars(select(DriverLink).where(
                DriverLink.diagram_id == diagram_id, DriverLink.deleted.is_(False),
                (DriverLink.parent_node_id == nid) | (DriverLink.child_node_id == nid))).all()
            children = [lk.child_node_id for lk in links if lk.parent_node_id == nid]
            for lk in links:
                t.delete("driver_link", lk.id)
            for idea in t.session.scalars(select(ChangeIdea).where(
                    ChangeIdea.node_id == nid, ChangeIdea.deleted.is_(False))):
                t.update("change_idea", idea.id, node_id=None)  # the idea and its cycles stay
            t.delete("driver_node", nid)
            for child in children:
                still = t.session.scalars(select(DriverLink).where(
                    DriverLink.child_node_id == child, DriverLink.deleted.is_(False))).first()
                if still is None:
                    remove(child)

        remove(node_id)

    return ws.ops.run("Delete node", op)


def impact(session: Session, data: DiagramData, node_id: str) -> tuple[int, int]:
    """(nodes that would go with it, PDSA cycles linked to its change ideas)."""
    gone = {node_id}
    todo = [node_id]
    while todo:
        nid = todo.pop()
        for child in data.children(nid):
            if all(p in gone for p in data.parents(child)) and child not in gone:
                gone.add(child)
                todo.append(child)
    return len(gone) - 1, sum(data.cycles.get(n, 0) for n in gone)


def move(ws: Workspace, data: DiagramData, node_id: str, delta: int) -> OpChanges | None:
    """Move a node up (−1) or down (+1) in its column; pins the diagram's order."""
    column = data.layout.column(data.layout.boxes[node_id].column)
    order = [b.id for b in column]
    i = order.index(node_id)
    j = i + delta
    if not 0 <= j < len(order):
        return None
    order[i], order[j] = order[j], order[i]

    def op(t: Transaction) -> None:
        if not data.diagram.order_pinned:  # freeze every column as it is drawn now
            t.update("driver_diagram", data.diagram.id, order_pinned=True)
            for c in range(len(LEVELS)):
                for k, box in enumerate(data.layout.column(c)):
                    if box.id not in order:
                        t.update("driver_node", box.id, position=k)
        for k, nid in enumerate(order):
            t.update("driver_node", nid, position=k)

    return ws.ops.run("Move node " + ("up" if delta < 0 else "down"), op)


def save_snapshot(ws: Workspace, diagram_id: str, name: str,
                  taken: dt.date | None = None) -> OpChanges:
    if not name.strip():
        raise InvalidChangeError("Give the snapshot a name, e.g. “Winter convening theory”.")
    with ws.read() as s:
        content = load_diagram(s, diagram_id).version()
    return ws.ops.create("diagram_snapshot", diagram_id=diagram_id, name=name.strip(),
                         taken=taken or dt.date.today(), content=content,
                         label=f"Save snapshot {name.strip()}")


def snapshots(session: Session, diagram_id: str) -> list[DiagramSnapshot]:
    return sorted(session.scalars(select(DiagramSnapshot).where(
        DiagramSnapshot.diagram_id == diagram_id, DiagramSnapshot.deleted.is_(False))),
        key=lambda x: (x.taken or dt.date.min, x.name))


def adopt(ws: Workspace, source_id: str, site_id: str) -> OpChanges:
    """A site's copy of the network diagram: same nodes and links, each node remembering
    the network node it came from; the site then adds its own nodes."""

    def op(t: Transaction) -> None:
        data = load_diagram(t.session, source_id)
        diagram = t.create("driver_diagram", network_id=data.diagram.network_id,
                           site_id=site_id, name=data.diagram.name, aim_id=data.diagram.aim_id,
                           adopted_from_id=source_id)
        mapping = {}
        for node in data.nodes.values():
            mapping[node.id] = t.create(
                "driver_node", diagram_id=diagram, level=node.level, text=node.text,
                description=node.description, status=node.status, position=node.position,
                source_node_id=node.id)
        for lk in data.links:
            t.create("driver_link", diagram_id=diagram, parent_node_id=mapping[lk.parent_node_id],
                     child_node_id=mapping[lk.child_node_id])

    return ws.ops.run("Adopt the network diagram", op)


def all_diagrams(session: Session) -> list[tuple[str, str, str, int, str]]:
    """(kind, site name, diagram name, node count, id) for every diagram, driver and
    fishbone alike."""
    from ..schema import Cause, Fishbone, Site

    sites = {s.id: s.name for s in session.scalars(select(Site))}
    out = []
    for d in session.scalars(select(DriverDiagram).where(DriverDiagram.deleted.is_(False))):
        count = session.query(DriverNode).filter_by(diagram_id=d.id, deleted=False).count()
        out.append(("driver", sites.get(d.site_id or "", "network"), d.name, count, d.id))
    for f in session.scalars(select(Fishbone).where(Fishbone.deleted.is_(False))):
        count = session.query(Cause).filter_by(fishbone_id=f.id, deleted=False).count()
        out.append(("fishbone", sites.get(f.site_id or "", "network"), f.title or f.problem, count,
                    f.id))
    return sorted(out, key=lambda r: (r[0], r[1], r[2]))


def new_diagram(ws: Workspace, network_id: str, site_id: str | None, name: str,
                aim_text: str) -> OpChanges:
    """A diagram with its aim node: the start every theory needs."""
    aim_text = _text(aim_text)

    def op(t: Transaction) -> None:
        diagram = t.create("driver_diagram", network_id=network_id, site_id=site_id,
                           name=name.strip() or "Driver diagram")
        t.create("driver_node", diagram_id=diagram, level="aim", text=aim_text)

    return ws.ops.run("New driver diagram", op)


def _rename_both(t: Transaction, node_id: str, text: str) -> None:
    """A change-idea node and its change idea records are one name: both change."""
    node = t.get("driver_node", node_id)
    if node.level == DriverLevel.CHANGE_IDEA and len(text) > NAME_MAX:
        raise InvalidChangeError(f"A change idea's name fits in {NAME_MAX} characters; put "
                                 "the rest in its description.")
    t.update("driver_node", node_id, text=text)
    for idea in t.session.scalars(select(ChangeIdea).where(
            ChangeIdea.node_id == node_id, ChangeIdea.deleted.is_(False))).all():
        if idea.title != text:
            t.update("change_idea", idea.id, title=text)


def rename_node(ws: Workspace, node_id: str, text: str) -> OpChanges:
    """Rename a node in place; a change idea's record (PDSA pickers, lists, the network's
    matrix) takes the same name in the same operation, so one Undo restores both."""
    text = _text(text)
    with ws.read() as s:
        level = stored(s, DriverNode, node_id).level
    return ws.ops.run(f"Rename {level}", lambda t: _rename_both(t, node_id, text))


def rename_change_idea(ws: Workspace, idea_id: str, title: str) -> OpChanges:
    """Rename a change idea; the driver-diagram node it hangs on takes the same name."""
    title = _text(title)

    def op(t: Transaction) -> None:
        idea = t.get("change_idea", idea_id)
        if idea.node_id is not None:
            _rename_both(t, idea.node_id, title)
        else:
            t.update("change_idea", idea_id, title=title)

    return ws.ops.run("Rename change idea", op)
