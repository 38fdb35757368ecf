"""What a meeting packet's Equity section shows (issue #21, item 6): for each gap-closing
aim in the meeting's scope, the gap for the network (sites pooled) and at each site, with
the aim's target gap and its progress in words.

Small cells never reach the packet: each site's cells go through the same suppression
as the screen (`views.equity.hidden_cells`), a hidden cell makes its gap point missing,
and the network's pooled gap sums, per period, only the sites whose focus *and*
reference cells are both shown — so no pooled total can be taken apart to recover a
hidden one (the network total minus the shown sites is never a number the packet
prints).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.formatting import is_percent
from ...core.gaps import DIFFERENCE, GapAim
from ...core.measures import pool_sites
from ...core.network import network_threshold
from ...core.signals import Point
from ..schema import Aim, Measure, Network, Site
from .equity import (
    GapView,
    gap_between,
    group_dimensions,
    group_name,
    hidden_cells,
    site_cells,
)


@dataclass(frozen=True)
class EquitySiteGap:
    site_id: str
    site: str
    gap: GapView


@dataclass(frozen=True)
class EquityAimGaps:
    """One gap-closing aim: its network gap and each site's."""

    statement: str
    measure: str
    network: GapView | None  # None: a site meeting (its own gap is in `sites`)
    sites: tuple[EquitySiteGap, ...]
    percent: bool


def read_equity(session: Session, network_id: str, scope: Collection[str],
                site_id: str | None, end: dt.date | None,
                measure_ids: Collection[str] | None = None) -> list[EquityAimGaps]:
    """The gaps the gap-closing aims in scope ask about, up to `end`: one block per gap
    (measure, focus group, reference group, kind), however many schools' aims name it —
    the network's gap (sites pooled; network meetings only) with the network's aim, and
    each site's gap with the site's own aim (or else the network's)."""
    net = session.get(Network, network_id)
    threshold = network_threshold(net.suppression_threshold if net else None)
    rule_set = net.rule_set if net else "IHI run-chart rules"
    dims = group_dimensions(session, network_id)
    dimension_of = {g.id: d.id for d in dims for g in d.groups}
    aims = [a for a in session.scalars(select(Aim).where(
        Aim.network_id == network_id, Aim.deleted.is_(False),
        Aim.focus_group_id.is_not(None), Aim.measure_id.is_not(None)))
        if a.site_id is None or a.site_id in scope]
    if measure_ids is not None:
        aims = [a for a in aims if a.measure_id in set(measure_ids)]
    gaps: dict[tuple[str, str, str | None, str], list[Aim]] = {}
    for a in sorted(aims, key=lambda a: (a.site_id is not None, a.statement.lower(), a.id)):
        key = (a.measure_id or "", a.focus_group_id or "", a.reference_group_id,
               a.gap_kind or DIFFERENCE)
        gaps.setdefault(key, []).append(a)
    names = dict(session.execute(select(Site.id, Site.name).where(
        Site.id.in_(list(scope)), Site.deleted.is_(False))).all())
    out: list[EquityAimGaps] = []
    for (measure_id, focus, reference, kind), named in gaps.items():
        measure = session.get(Measure, measure_id)
        if measure is None or measure.deleted:
            continue
        network_aim = next((a for a in named if a.site_id is None), None)
        own = {a.site_id: a for a in named if a.site_id is not None}

        site_gaps: list[EquitySiteGap] = []
        pooled_focus: list[list[Point]] = []
        pooled_reference: list[list[Point]] = []
        for sid in sorted(names, key=lambda x: names[x].lower()):
            cells = site_cells(session, measure.id, sid, end=end)
            if not any(focus in by for by in cells.values()):
                continue  # no data for the group here: nothing to chart
            hidden = hidden_cells(cells, dimension_of, threshold, measure.value_type)
            aim = own.get(sid) or network_aim
            site_gaps.append(EquitySiteGap(sid, names[sid], gap_between(
                cells, hidden, measure, focus, reference, kind, dims, rule_set,
                _numbers(aim, kind) if aim is not None else None)))
            shown = {d: by for d, by in cells.items() if focus in by and reference in by
                     and focus not in hidden.get(d, ()) and reference not in hidden.get(d, ())}
            pooled_focus.append([by[focus] for _, by in sorted(shown.items())])
            pooled_reference.append([by[reference] for _, by in sorted(shown.items())])
        network = None
        if site_id is None and len(pooled_focus) > 1:
            pooled: dict[dt.date, dict[str | None, Point]] = {}
            for p in pool_sites(pooled_focus):
                pooled.setdefault(p.period, {})[focus] = p
            for p in pool_sites(pooled_reference):
                pooled.setdefault(p.period, {})[reference] = p
            network = gap_between(pooled, {}, measure, focus, reference, kind, dims,
                                  rule_set, _numbers(network_aim, kind) if network_aim else None)
        first = network_aim or named[0]
        statement = first.statement if network_aim or len(named) == 1 else (
            f"The gap between {group_name(dims, focus)} and "
            f"{group_name(dims, reference).lower() if reference is None else group_name(dims, reference)}"
            f": {len(named)} schools' aims")
        out.append(EquityAimGaps(statement, measure.name, network, tuple(site_gaps),
                                 is_percent(measure.value_type, measure.unit)))
    return out


def _numbers(aim: Aim, kind: str) -> tuple[Aim, GapAim]:
    return aim, GapAim(kind, aim.baseline_gap, aim.target_gap, aim.deadline)
