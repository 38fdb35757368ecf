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
                    start: dt.date | None = None,
                    end: dt.date | None = None) -> nv.SmallMultiples:
    """`views.network.small_multiples` in a read of its own."""
    with ws.read() as s:
        return nv.small_multiples(s, measure_id, context, start, end)


def funnel_view(ws: Workspace, measure_id: str, context: ContextFilter = ALL_SITES,
                start: dt.date | None = None, end: dt.date | None = None,
                multiples: nv.SmallMultiples | None = None) -> nv.FunnelView:
    """`views.network.funnel_view` in a read of its own."""
    with ws.read() as s:
        return nv.funnel_view(s, measure_id, context, start, end, multiples=multiples)


def bright_spots(ws: Workspace, network_id: str, context: ContextFilter = ALL_SITES,
                 multiples: dict[str, nv.SmallMultiples] | None = None,
                 ) -> list[nv.BrightSpot]:
    """`views.network.bright_spots` in a read of its own."""
    with ws.read() as s:
        return nv.bright_spots(s, network_id, context, multiples=multiples)


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
