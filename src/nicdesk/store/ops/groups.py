"""Writes of student groups and site enrolments: each one operation (one undo step, all
or nothing), with the checks a plain create would not make — names distinct within their
network or dimension, a group kept while values are recorded for it, an enrolment's
group from the site's own network."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ...core.groups import missing_usual
from ...core.safe_text import name_key
from ..errors import InvalidChangeError, NotFoundError
from ..schema import GroupDimension, Observation, Site, SiteEnrolment, StudentGroup

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..operations import OpChanges, Transaction
    from ..workspace import Workspace


def _dimension(s: Session, dimension_id: str) -> GroupDimension:
    d = s.get(GroupDimension, dimension_id)
    if d is None or d.deleted:
        raise NotFoundError("That group dimension no longer exists.")
    return d


def _next_position(rows: list[int]) -> int:
    return max(rows, default=-1) + 1


def _check_dimension_name(s: Session, network_id: str, name: str,
                          keep: str | None = None) -> None:
    for other_id, other in s.execute(select(GroupDimension.id, GroupDimension.name).where(
            GroupDimension.network_id == network_id, GroupDimension.deleted.is_(False))):
        if other_id != keep and name_key(other) == name_key(name):
            raise InvalidChangeError(f"The network already has a dimension called “{other}”; "
                                     "give this one another name.")


def _check_group_name(s: Session, dimension_id: str, name: str, keep: str | None = None) -> None:
    for other_id, other in s.execute(select(StudentGroup.id, StudentGroup.name).where(
            StudentGroup.dimension_id == dimension_id, StudentGroup.deleted.is_(False))):
        if other_id != keep and name_key(other) == name_key(name):
            raise InvalidChangeError(f"This dimension already has a group called “{other}”; "
                                     "give this one another name.")


def add_usual_groups(ws: Workspace, network_id: str) -> OpChanges | None:
    """Add the usual dimensions and groups (`core.groups.USUAL_GROUPS`) the network lacks,
    after its own; None when it has them all."""
    with ws.read() as s:
        have = list(s.execute(select(GroupDimension.name, GroupDimension.position).where(
            GroupDimension.network_id == network_id, GroupDimension.deleted.is_(False))))
    todo = missing_usual(n for n, _p in have)
    if not todo:
        return None
    start = _next_position([p for _n, p in have])

    def add(t: Transaction) -> None:
        for i, (name, description, groups) in enumerate(todo):
            dim = t.create("group_dimension", network_id=network_id, name=name,
                           description=description, position=start + i)
            for k, group in enumerate(groups):
                t.create("student_group", dimension_id=dim, name=group, position=k)

    return ws.ops.run("Add the usual student groups", add)


def add_dimension(ws: Workspace, network_id: str, name: str, description: str = ""
                  ) -> OpChanges:
    """A new dimension at the end of the network's list (`.id` of the answer is its id)."""
    name = name.strip()

    def add(t: Transaction) -> None:
        _check_dimension_name(t.session, network_id, name)
        positions = list(t.session.scalars(select(GroupDimension.position).where(
            GroupDimension.network_id == network_id, GroupDimension.deleted.is_(False))))
        t.create("group_dimension", network_id=network_id, name=name,
                 description=description, position=_next_position(positions))

    return ws.ops.run(f"Add group dimension {name}", add)


def add_group(ws: Workspace, dimension_id: str, name: str) -> OpChanges:
    """A new group at the end of its dimension (`.id` of the answer is its id)."""
    name = name.strip()

    def add(t: Transaction) -> None:
        _dimension(t.session, dimension_id)
        _check_group_name(t.session, dimension_id, name)
        positions = list(t.session.scalars(select(StudentGroup.position).where(
            StudentGroup.dimension_id == dimension_id, StudentGroup.deleted.is_(False))))
        t.create("student_group", dimension_id=dimension_id, name=name,
                 position=_next_position(positions))

    return ws.ops.run(f"Add student group {name}", add)


def rename(ws: Workspace, kind: str, record_id: str, name: str) -> OpChanges:
    """Rename a dimension or a group (names stay distinct where they must)."""
    name = name.strip()

    def change(t: Transaction) -> None:
        if kind == "group_dimension":
            d = _dimension(t.session, record_id)
            _check_dimension_name(t.session, d.network_id, name, keep=record_id)
        else:
            g = t.get("student_group", record_id)
            _check_group_name(t.session, g.dimension_id, name, keep=record_id)
        t.update(kind, record_id, name=name)

    return ws.ops.run(f"Rename to {name}", change)


def move(ws: Workspace, kind: str, record_id: str, step: int) -> OpChanges | None:
    """Move a dimension (within its network) or a group (within its dimension) one place
    up (step -1) or down (+1); the list is renumbered 0, 1, 2 … so ties never stick.
    None at either end."""
    model: Any = GroupDimension if kind == "group_dimension" else StudentGroup
    parent = "network_id" if kind == "group_dimension" else "dimension_id"
    with ws.read() as s:
        me = s.get(model, record_id)
        if me is None or me.deleted:
            raise NotFoundError("That record no longer exists.")
        siblings = sorted(s.scalars(select(model).where(
            getattr(model, parent) == getattr(me, parent), model.deleted.is_(False))),
            key=lambda r: (r.position, r.name.casefold(), r.id))
        order = [r.id for r in siblings]
        now = {r.id: r.position for r in siblings}
    i = order.index(record_id)
    j = i + step
    if not 0 <= j < len(order):
        return None
    order[i], order[j] = order[j], order[i]

    def renumber(t: Transaction) -> None:
        for position, rid in enumerate(order):
            if now[rid] != position:
                t.update(kind, rid, position=position)

    return ws.ops.run("Move " + ("dimension" if kind == "group_dimension" else "group")
                      + (" up" if step < 0 else " down"), renumber)


def delete_group(ws: Workspace, kind: str, record_id: str) -> OpChanges:
    """Delete a group (or a dimension with its groups) unless values are recorded for it:
    those values would lose their group and read as all students'."""
    def remove(t: Transaction) -> None:
        ids = [record_id] if kind == "student_group" else list(t.session.scalars(
            select(StudentGroup.id).where(StudentGroup.dimension_id == record_id,
                                          StudentGroup.deleted.is_(False))))
        used = t.session.scalar(select(func.count()).select_from(Observation).where(
            Observation.group_id.in_(ids), Observation.deleted.is_(False))) if ids else 0
        if used:
            raise InvalidChangeError(
                f"{used} value{'s are' if used != 1 else ' is'} recorded for "
                f"{'this group' if kind == 'student_group' else 'groups of this dimension'}; "
                "delete or move those values first (a value without its group would read "
                "as all students').")
        t.delete(kind, record_id)

    label = "Delete student group" if kind == "student_group" else "Delete group dimension"
    return ws.ops.run(label, remove)


def set_enrolment(ws: Workspace, site_id: str, school_year: str, group_id: str | None,
                  students: int | None) -> OpChanges | None:
    """Record a site's students for a school year (all of them when `group_id` is None,
    else one group); `students` None removes the figure.  None when nothing changes."""
    def write(t: Transaction) -> None:
        site = t.session.get(Site, site_id)
        if site is None or site.deleted:
            raise NotFoundError("That site no longer exists.")
        if group_id is not None:
            g = t.session.get(StudentGroup, group_id)
            d = t.session.get(GroupDimension, g.dimension_id) if g is not None else None
            if g is None or g.deleted or d is None or d.network_id != site.network_id:
                raise InvalidChangeError("That student group is not one of this site's "
                                         "network's; choose one of its groups.")
        old = t.session.scalars(select(SiteEnrolment).where(
            SiteEnrolment.site_id == site_id, SiteEnrolment.school_year == school_year,
            SiteEnrolment.group_id.is_(None) if group_id is None
            else SiteEnrolment.group_id == group_id,
            SiteEnrolment.deleted.is_(False))).first()
        if students is None:
            if old is not None:
                t.delete("site_enrolment", old.id)
        elif old is None:
            t.create("site_enrolment", site_id=site_id, school_year=school_year,
                     group_id=group_id, students=students)
        elif old.students != students:
            t.update("site_enrolment", old.id, students=students)

    changes = ws.ops.run(f"Enrolment {school_year}", write)
    return changes if changes.ids else None
