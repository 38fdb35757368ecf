"""Fishbone operations and reads: categories, nested causes, votes, evidence, 5 whys,
links from root causes to drivers.  Each function is one operation (one undo step)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.fishbone import children
from ...core.layout import FishCategory, FishCause, Layout, layout_fishbone
from ...core.model import DEFAULT_FISHBONE_CATEGORIES
from ...core.states import DRIVERS
from ..errors import InvalidChangeError
from ..operations import OpChanges, Transaction
from ..schema import (
    Aim,
    Cause,
    CauseDriverLink,
    DriverNode,
    Fishbone,
    FishboneCategory,
    stored,
)
from ..workspace import Workspace


@dataclass
class FishboneData:
    fishbone: Fishbone
    categories: list[FishboneCategory]
    causes: dict[str, Cause]
    layout: Layout
    driver_links: dict[str, list[str]]  # cause id -> driver node texts

    def children(self, cause_or_category: str) -> list[str]:
        return children(self.causes, cause_or_category)


EVIDENCE_MARKS = {"data": "D", "empathy interview": "I", "observation": "O", "research": "R",
                  "hunch": "?"}


def label(cause: Cause) -> str:
    """A cause as drawn: its text, then votes (●n), evidence kind letter and ROOT, so the
    layout makes room for the marks and print shows them without colour."""
    marks = []
    if cause.votes:
        marks.append(f"●{cause.votes}")
    if cause.evidence_kind in EVIDENCE_MARKS:
        marks.append(f"[{EVIDENCE_MARKS[cause.evidence_kind]}]")
    if cause.is_root:
        marks.append("ROOT")
    return cause.text + ("  " + " ".join(marks) if marks else "")


def load_fishbone(session: Session, fishbone_id: str) -> FishboneData:
    fishbone = stored(session, Fishbone, fishbone_id)
    categories = sorted(session.scalars(select(FishboneCategory).where(
        FishboneCategory.fishbone_id == fishbone_id, FishboneCategory.deleted.is_(False))),
        key=lambda c: (c.position, c.id))
    causes = {c.id: c for c in session.scalars(select(Cause).where(
        Cause.fishbone_id == fishbone_id, Cause.deleted.is_(False)))}
    cats = [FishCategory(cat.id, cat.name, tuple(
        FishCause(c.id, label(c), c.parent_id if c.parent_id in causes else None, c.position)
        for c in causes.values() if c.category_id == cat.id)) for cat in categories]
    layout = layout_fishbone(fishbone.problem or fishbone.title, cats, head_id=fishbone.id)
    links: dict[str, list[str]] = {}
    if causes:
        rows = session.execute(select(CauseDriverLink.cause_id, DriverNode.text).join(
            DriverNode, DriverNode.id == CauseDriverLink.node_id).where(
            CauseDriverLink.cause_id.in_(list(causes)), CauseDriverLink.deleted.is_(False),
            DriverNode.deleted.is_(False)))
        for cause_id, text in rows:
            links.setdefault(cause_id, []).append(text)
    return FishboneData(fishbone, categories, causes, layout, links)


def _text(text: str, what: str = "cause") -> str:
    text = " ".join((text or "").split())
    if not text:
        raise InvalidChangeError(f"A {what} needs some words, e.g. “Students do not ask for "
                                 "help when they fall behind”.")
    return text


def new_fishbone(ws: Workspace, network_id: str, site_id: str | None, problem: str,
                 categories: tuple[str, ...] = DEFAULT_FISHBONE_CATEGORIES) -> OpChanges:
    problem = _text(problem, "problem statement")

    def op(t: Transaction) -> None:
        fb = t.create("fishbone", network_id=network_id, site_id=site_id, problem=problem,
                      title=problem[:80])
        for i, name in enumerate(categories):
            t.create("fishbone_category", fishbone_id=fb, name=name, position=i)

    return ws.ops.run("New fishbone", op)


def _siblings(t: Transaction, fishbone_id: str, category_id: str,
              parent_id: str | None) -> list[Cause]:
    return list(t.session.scalars(select(Cause).where(
        Cause.fishbone_id == fishbone_id, Cause.category_id == category_id,
        Cause.parent_id.is_(None) if parent_id is None else Cause.parent_id == parent_id,
        Cause.deleted.is_(False))))


def add_cause(ws: Workspace, fishbone_id: str, category_id: str, text: str,
              parent_id: str | None = None, *, after_id: str | None = None) -> OpChanges:
    text = _text(text)

    def op(t: Transaction) -> None:
        siblings = _siblings(t, fishbone_id, category_id, parent_id)
        position = max((c.position for c in siblings), default=-1) + 1
        if after_id is not None:
            position = t.get("cause", after_id).position + 1
            for c in siblings:
                if c.position >= position:
                    t.update("cause", c.id, position=c.position + 1)
        t.create("cause", fishbone_id=fishbone_id, category_id=category_id,
                 parent_id=parent_id, text=text, position=position)

    return ws.ops.run("Add cause", op)


def add_category(ws: Workspace, fishbone_id: str, name: str) -> OpChanges:
    name = _text(name, "category")

    def op(t: Transaction) -> None:
        existing = t.session.scalars(select(FishboneCategory).where(
            FishboneCategory.fishbone_id == fishbone_id,
            FishboneCategory.deleted.is_(False))).all()
        t.create("fishbone_category", fishbone_id=fishbone_id, name=name,
                 position=max((c.position for c in existing), default=-1) + 1)

    return ws.ops.run("Add category", op)


def rename(ws: Workspace, kind: str, record_id: str, text: str) -> OpChanges:
    field = {"cause": "text", "fishbone_category": "name", "fishbone": "problem"}[kind]
    what = {"cause": "cause", "fishbone_category": "category",
            "fishbone": "problem statement"}[kind]
    return ws.ops.update(kind, record_id, **{field: _text(text, what)}, label=f"Rename {what}")


def move_cause(ws: Workspace, cause_id: str, category_id: str) -> OpChanges:
    """Move a cause (with its sub-causes) onto another category's bone."""

    def op(t: Transaction) -> None:
        cause = t.get("cause", cause_id)
        todo, subtree = [cause_id], []
        while todo:
            cid = todo.pop()
            subtree.append(cid)
            todo += [c.id for c in t.session.scalars(select(Cause).where(
                Cause.parent_id == cid, Cause.deleted.is_(False)))]
        siblings = _siblings(t, cause.fishbone_id, category_id, None)
        t.update("cause", cause_id, parent_id=None,
                 position=max((c.position for c in siblings), default=-1) + 1)
        for cid in subtree:
            t.update("cause", cid, category_id=category_id)

    return ws.ops.run("Move cause", op)


def set_whys(ws: Workspace, cause_id: str, whys: list[str]) -> OpChanges:
    """The 5-whys chain of a cause; the deepest answer is its candidate root cause."""
    chain = [" ".join(w.split()) for w in whys if w and w.strip()]
    return ws.ops.update("cause", cause_id, whys=chain, label="Edit 5 whys")


def link_driver(ws: Workspace, cause_id: str, node_id: str) -> OpChanges:
    def op(t: Transaction) -> None:
        node = t.get("driver_node", node_id)
        if node.level not in DRIVERS:
            raise InvalidChangeError("Root causes inform primary or secondary drivers.")
        exists = t.session.scalars(select(CauseDriverLink).where(
            CauseDriverLink.cause_id == cause_id, CauseDriverLink.node_id == node_id,
            CauseDriverLink.deleted.is_(False))).first()
        if exists is not None:
            raise InvalidChangeError("That cause is already linked to that driver.")
        t.create("cause_driver_link", cause_id=cause_id, node_id=node_id)

    return ws.ops.run("Link cause to driver", op)


def driver_choices(session: Session, network_id: str) -> list[tuple[str, str]]:
    """(node id, "diagram › driver") for every primary and secondary driver of a network."""
    from ..schema import DriverDiagram

    diagrams = {d.id: d.name for d in session.scalars(select(DriverDiagram).where(
        DriverDiagram.network_id == network_id, DriverDiagram.deleted.is_(False)))}
    nodes = session.scalars(select(DriverNode).where(
        DriverNode.diagram_id.in_(list(diagrams)), DriverNode.deleted.is_(False),
        DriverNode.level.in_(["primary", "secondary"])))
    return sorted(((n.id, f"{diagrams[n.diagram_id]} › {n.text}") for n in nodes),
                  key=lambda x: x[1])


def causes_for_node(session: Session, node_id: str) -> list[Any]:
    """Root causes that inform a driver (shown in the driver diagram's details)."""
    return list(session.scalars(select(Cause).join(
        CauseDriverLink, CauseDriverLink.cause_id == Cause.id).where(
        CauseDriverLink.node_id == node_id, CauseDriverLink.deleted.is_(False),
        Cause.deleted.is_(False))))


def written_aim(session: Session, fishbone: Fishbone) -> Aim | None:
    """The aim already written where the fishbone lives: the site's own (a site fishbone),
    else the network's; the most recently changed one when there are several.  A statement
    still ending in "…" (the "By June 2027, …" a new aim starts with) is not written yet."""
    aims = [a for a in session.scalars(select(Aim).where(
        Aim.network_id == fishbone.network_id, Aim.deleted.is_(False)))
        if a.statement.strip() and not a.statement.strip().endswith("…")]
    for site in dict.fromkeys([fishbone.site_id, None]):
        here = [a for a in aims if a.site_id == site]
        if here:
            return max(here, key=lambda a: a.hlc)
    return None


def draft_driver_diagram(ws: Workspace, fishbone_id: str) -> OpChanges:
    """A first theory from a fishbone, for the team to edit: the aim already written at its
    site or network (`written_aim`), else the problem turned into an aim; one primary
    driver per category that holds flagged root causes, one secondary driver per root
    cause (linked back to it)."""

    def op(t: Transaction) -> None:
        data = load_fishbone(t.session, fishbone_id)
        roots = [c for c in data.causes.values() if c.is_root]
        if not roots:
            raise InvalidChangeError("Flag at least one root cause first: the draft is built "
                                     "from the root causes.")
        fishbone = data.fishbone
        written = written_aim(t.session, fishbone)  # the theory serves the aim written
        diagram = t.create("driver_diagram", network_id=fishbone.network_id,
                           site_id=fishbone.site_id,
                           name=f"Draft theory: {fishbone.title or fishbone.problem}"[:120],
                           aim_id=written.id if written is not None else None)
        aim = t.create("driver_node", diagram_id=diagram, level="aim",
                       text=" ".join(written.statement.split()) if written is not None else
                       f"Aim (to be made measurable): fewer cases of “{fishbone.problem}”")
        for pos, category in enumerate(data.categories):
            in_category = sorted((c for c in roots if c.category_id == category.id),
                                 key=lambda c: (-c.votes, c.position))
            if not in_category:
                continue
            primary = t.create("driver_node", diagram_id=diagram, level="primary",
                               text=category.name, position=pos)
            t.create("driver_link", diagram_id=diagram, parent_node_id=aim,
                     child_node_id=primary)
            for k, cause in enumerate(in_category):
                secondary = t.create("driver_node", diagram_id=diagram, level="secondary",
                                     text=cause.text, description=cause.evidence, position=k)
                t.create("driver_link", diagram_id=diagram, parent_node_id=primary,
                         child_node_id=secondary)
                t.create("cause_driver_link", cause_id=cause.id, node_id=secondary)

    return ws.ops.run("Draft a driver diagram from the fishbone", op)
