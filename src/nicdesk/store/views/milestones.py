"""The network timeline as plain view models: milestones with where they stand
(`core.milestones.standing`), for the network page's list and drawing, packets and the
year-in-review report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.milestones import MilestoneFacts, Standing, in_range, standing, timeline_order
from ..schema import Milestone, Network, Site

if TYPE_CHECKING:
    from ..workspace import Workspace


@dataclass(frozen=True)
class MilestoneRow(MilestoneFacts):
    id: str
    site_id: str | None
    site_name: str  # "" for the network's own
    responsible: str
    note: str
    standing: Standing
    owner_site_id: str | None


def milestones(session: Session, network_id: str, today: dt.date,
               start: dt.date | None = None, end: dt.date | None = None
               ) -> list[MilestoneRow]:
    """The network's milestones in timeline order; with a range, only those planned or
    done in it."""
    names = {s.id: s.name for s in session.scalars(select(Site).where(
        Site.network_id == network_id))}
    rows = []
    for m in session.scalars(select(Milestone).where(Milestone.network_id == network_id,
                                                     Milestone.deleted.is_(False))):
        facts = MilestoneFacts(m.kind or "other", m.title or "", m.planned, m.done)
        if start is not None and end is not None and not in_range(facts, start, end):
            continue
        rows.append(MilestoneRow(facts.kind, facts.title, m.planned, m.done, m.id, m.site_id,
                                 names.get(m.site_id, "") if m.site_id else "",
                                 m.responsible or "", m.note or "", standing(facts, today),
                                 m.owner_site_id))
    return timeline_order(rows)  # type: ignore[return-value]  # rows in, rows out


def read_milestones(ws: Workspace, network_id: str, today: dt.date | None = None
                    ) -> list[MilestoneRow]:
    """`milestones` in a read of its own (screens); `today` defaults to the clock's."""
    with ws.read() as s:
        return milestones(s, network_id, today or dt.date.today())


def milestone_kinds(ws: Workspace, network_id: str) -> set[str]:
    """The kinds the network already has (for "Add the usual milestones")."""
    with ws.read() as s:
        return set(s.scalars(select(Milestone.kind).where(
            Milestone.network_id == network_id, Milestone.deleted.is_(False))))


def network_owner(ws: Workspace, network_id: str) -> str | None:
    """The site whose workspace writes the network's own milestones (the coordinator's)."""
    with ws.read() as s:
        net = s.get(Network, network_id)
        return net.owner_site_id if net is not None else None
