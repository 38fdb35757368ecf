"""A network's student groups and its sites' enrolments as plain view models, for the
Student groups page, the grid's group choice, the CSV import and the CLI (read with
SQLAlchemy; the rows and their order are `group_rows`', which the first look shares)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.groups import Enrolment, GroupChoice
from ..schema import GroupDimension, Measure, Network, Site, SiteEnrolment, StudentGroup
from .group_rows import DimensionRow, EnrolmentRow, order_dimensions, order_enrolments

if TYPE_CHECKING:
    from ..workspace import Workspace


def dimensions(session: Session, network_id: str) -> list[DimensionRow]:
    """The network's dimensions and groups in display order (position, then name)."""
    dims = list(session.scalars(select(GroupDimension).where(
        GroupDimension.network_id == network_id, GroupDimension.deleted.is_(False))))
    groups = list(session.scalars(select(StudentGroup).where(
        StudentGroup.dimension_id.in_([d.id for d in dims]),
        StudentGroup.deleted.is_(False)))) if dims else []
    return order_dimensions(network_id, dims, groups)


def network_groups(session: Session, network_id: str) -> list[GroupChoice]:
    """Every group of the network, dimension by dimension, in display order."""
    return [g for d in dimensions(session, network_id) for g in d.groups]


def other_groups(session: Session, network_id: str) -> list[GroupChoice]:
    """Groups of the workspace's other networks (for "that group is another network's")."""
    rows = session.execute(
        select(StudentGroup.id, StudentGroup.name, GroupDimension.id, GroupDimension.name,
               GroupDimension.network_id)
        .join(GroupDimension, StudentGroup.dimension_id == GroupDimension.id)
        .where(GroupDimension.network_id != network_id, StudentGroup.deleted.is_(False),
               GroupDimension.deleted.is_(False)))
    return [GroupChoice(*r) for r in rows]


def measure_groups(session: Session, measure_id: str) -> list[GroupChoice]:
    """The groups a measure's values may be for: its network's."""
    measure = session.get(Measure, measure_id)
    return network_groups(session, measure.network_id) if measure is not None else []


def network_heading(ws: Workspace, network_id: str) -> tuple[str, str | None]:
    """The network's name and owner (whose workspace may edit its groups)."""
    with ws.read() as s:
        net = s.get(Network, network_id)
        return (net.name, net.owner_site_id) if net is not None else ("", None)


def read_dimensions(ws: Workspace, network_id: str) -> list[DimensionRow]:
    """`dimensions` in a read of its own."""
    with ws.read() as s:
        return dimensions(s, network_id)


def site_network(ws: Workspace, site_id: str) -> str | None:
    """The network a site belongs to (None: no such site)."""
    with ws.read() as s:
        site = s.get(Site, site_id)
        return site.network_id if site is not None else None


def read_measure_groups(ws: Workspace, measure_id: str) -> list[GroupChoice]:
    """`measure_groups` in a read of its own (the grid's group choice)."""
    with ws.read() as s:
        return measure_groups(s, measure_id)


def site_enrolments(session: Session, site_id: str) -> list[EnrolmentRow]:
    """A site's enrolment figures: newest school year first, the total before groups."""
    site = session.get(Site, site_id)
    groups = network_groups(session, site.network_id) if site else []
    return order_enrolments(groups, session.scalars(select(SiteEnrolment).where(
        SiteEnrolment.site_id == site_id, SiteEnrolment.deleted.is_(False))))


def network_enrolments(session: Session, network_id: str) -> list[Enrolment]:
    """Every site's enrolment figures, for `core.groups.group_shares`."""
    return [Enrolment(e.site_id, e.school_year, e.group_id, e.students)
            for e in session.scalars(select(SiteEnrolment).join(
                Site, SiteEnrolment.site_id == Site.id).where(
                Site.network_id == network_id, SiteEnrolment.deleted.is_(False)))]


def read_site_enrolments(ws: Workspace, site_id: str) -> list[EnrolmentRow]:
    """`site_enrolments` in a read of its own."""
    with ws.read() as s:
        return site_enrolments(s, site_id)
