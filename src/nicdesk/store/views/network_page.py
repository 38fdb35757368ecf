"""Reads for the coordinator's Network view, each in a read of its own: the page's
heading facts (the network, its measures, the context tags sites have, the span of the
data) and workspace-taking forms of the session-based builders in `views.network` and
`views.evidence`.  Everything returned is plain data, never ORM rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from ..schema import Network, Observation, stored
from . import evidence as ev
from . import network as nv
from . import network_groups as ng
from .network import ALL_SITES, ContextFilter

if TYPE_CHECKING:
    from ..workspace import Workspace


@dataclass(frozen=True)
class NetworkMeasure:
    """One of the network's own measures, as the measure chooser lists it."""

    id: str
    name: str
    kind: str


@dataclass(frozen=True)
class NetworkPage:
    """What the Network view binds to: the network and the choices its filters offer."""

    network_id: str
    name: str
    suppression_threshold: int | None  # as stored; `core.network.network_threshold` reads it
    measures: tuple[NetworkMeasure, ...]  # outcome first (`views.network.network_measures`)
    tag_choices: dict[str, list[str]]
    first: dt.date | None  # the span of the network measures' data
    last: dt.date | None


def network_page(ws: Workspace, network_id: str) -> NetworkPage:
    with ws.read() as s:
        net = stored(s, Network, network_id)
        measures = tuple(NetworkMeasure(m.id, m.name, m.kind)
                         for m in nv.network_measures(s, network_id))
        choices = nv.tag_choices(s, network_id)
        first: dt.date | None = None
        last: dt.date | None = None
        if measures:
            row = s.execute(select(func.min(Observation.period), func.max(Observation.period))
                            .where(Observation.measure_id.in_([m.id for m in measures]))).one()
            first, last = row[0], row[1]
        return NetworkPage(net.id, net.name, net.suppression_threshold, measures, choices,
                           first, last)


def network_measure_ids(ws: Workspace, network_id: str) -> list[str]:
    """The ids of the network's own measures, outcome first."""
    with ws.read() as s:
        return [m.id for m in nv.network_measures(s, network_id)]


def small_multiples(ws: Workspace, measure_id: str, context: ContextFilter = ALL_SITES,
                    start: dt.date | None = None, end: dt.date | None = None,
                    group_id: str | None = None) -> nv.SmallMultiples:
    """`views.network.small_multiples` in a read of its own; for one student group
    (`group_id`) with complementary suppression (`views.network_groups`)."""
    with ws.read() as s:
        if group_id is not None:
            return ng.group_multiples(s, measure_id, group_id, context, start, end)
        return nv.small_multiples(s, measure_id, context, start, end)


def funnel_view(ws: Workspace, measure_id: str, context: ContextFilter = ALL_SITES,
                start: dt.date | None = None, end: dt.date | None = None,
                multiples: nv.SmallMultiples | None = None) -> nv.FunnelView:
    """`views.network.funnel_view` in a read of its own (one student group's when
    `multiples` are a group's: `views.network_groups.group_funnel`)."""
    with ws.read() as s:
        if multiples is not None and multiples.group_id is not None:
            return ng.group_funnel(s, measure_id, multiples, context, start, end)
        return nv.funnel_view(s, measure_id, context, start, end, multiples=multiples)


def bright_spots(ws: Workspace, network_id: str, context: ContextFilter = ALL_SITES,
                 multiples: dict[str, nv.SmallMultiples] | None = None,
                 group_id: str | None = None) -> list[nv.BrightSpot]:
    """`views.network.bright_spots` in a read of its own (`group_id`: one student
    group's series; pass `multiples` built for that group)."""
    with ws.read() as s:
        return nv.bright_spots(s, network_id, context, multiples=multiples,
                               group_id=group_id)


def change_matrix(ws: Workspace, network_id: str, context: ContextFilter = ALL_SITES,
                  multiples: dict[str, nv.SmallMultiples] | None = None) -> ev.ChangeMatrix:
    """`views.evidence.change_matrix` in a read of its own."""
    with ws.read() as s:
        return ev.change_matrix(s, network_id, context, multiples=multiples)


def combined_diagrams(ws: Workspace, network_id: str,
                      context: ContextFilter = ALL_SITES) -> list[ev.CombinedDiagram]:
    """`views.evidence.combined_diagrams` in a read of its own."""
    with ws.read() as s:
        return ev.combined_diagrams(s, network_id, context)


@dataclass(frozen=True)
class EquityChoices:
    """What the Network view's student-group and "schools like" choices offer."""

    groups: tuple[tuple[str, str], ...]  # (group id, "Dimension: group")
    sites: tuple[tuple[str, str], ...]  # (site id, name) of sites with enrolment
    school_years: tuple[str, ...]  # latest first


def equity_choices(ws: Workspace, network_id: str) -> EquityChoices:
    """The groups with values (by "Dimension: group"), the sites with enrolment for the
    latest school year, and the school years."""
    from .equity import group_dimensions, group_label

    with ws.read() as s:
        used = set(s.scalars(select(Observation.group_id).where(  # groups with values
            Observation.group_id.is_not(None), Observation.deleted.is_(False)).distinct()))
        groups = tuple((g.id, group_label(d, g)) for d in group_dimensions(s, network_id)
                       for g in d.groups if g.id in used)
        years = tuple(ng.school_years(s, network_id))
        sites = tuple(sorted(((p.site_id, p.name) for p in ng.profiles(s, network_id, years[0])
                              if p.students), key=lambda x: x[1].lower())) if years else ()
        return EquityChoices(groups, sites, years)


def schools_like(ws: Workspace, network_id: str, site_id: str,
                 school_year: str | None = None) -> ng.SchoolsLike | None:
    """`views.network_groups.schools_like` in a read of its own."""
    with ws.read() as s:
        return ng.schools_like(s, network_id, site_id, school_year)
