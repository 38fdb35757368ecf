"""IHI progress scores as plain view models: one series per site (and the network's
own), for the step chart, the small multiples, packets and the year-in-review report.

Which sites get a row: the sites the network views compare (`participating_sites`:
schools and other sites without sub-sites) plus any other site that has a score — a
district that scores itself is shown, an intermediate agency that never scores is not.
The network's own scores (no site) come first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.progress import LEVELS, ScorePoint, change, describe_change, latest, step_points
from ..schema import Network, ProgressScore, Site, stored
from .network import participating_sites

if TYPE_CHECKING:
    from ..workspace import Workspace

NETWORK_ROW = "Whole network"


@dataclass(frozen=True)
class ScoreEntry:
    """One stored score, with its record id for editing and deleting."""

    id: str
    site_id: str | None
    date: dt.date
    score: str
    note: str
    owner_site_id: str | None

    @property
    def point(self) -> ScorePoint:
        return ScorePoint(self.date, self.score, self.note)

    @property
    def level_name(self) -> str:
        lv = LEVELS.get(self.score)
        return lv.name if lv else ""


@dataclass
class SiteProgress:
    """One row of the board: a site's (or the network's) scores, oldest first."""

    site_id: str | None  # None: the network's own
    name: str
    entries: list[ScoreEntry] = field(default_factory=list)

    @property
    def points(self) -> list[ScorePoint]:
        return [e.point for e in self.entries]

    def steps(self, until: dt.date | None = None) -> tuple[list[dt.date], list[float]]:
        """The step chart's edges and values (`core.progress.step_points`)."""
        return step_points(self.points, until)

    @property
    def latest(self) -> ScorePoint | None:
        return latest(self.points)

    def change(self, start: dt.date, end: dt.date) -> str:
        """How far it came over [start, end], in words."""
        return describe_change(*change(self.points, start, end))


@dataclass
class ProgressBoard:
    network_id: str
    network_name: str
    rows: list[SiteProgress]  # the network's own first, then sites by name
    first: dt.date | None  # the span of every score: the common x range
    last: dt.date | None
    owner: str | None = None  # the network's owner (the coordinator's site)

    def owner_of(self, row: SiteProgress) -> str | None:
        """Whose workspace writes a row's scores: the site's, or the coordinator's for
        the network's own."""
        return row.site_id if row.site_id is not None else self.owner

    @property
    def sites(self) -> list[SiteProgress]:
        return [r for r in self.rows if r.site_id is not None]

    @property
    def network(self) -> SiteProgress:
        return self.rows[0]

    @property
    def scored(self) -> int:
        return sum(1 for r in self.rows if r.entries)


def progress_board(session: Session, network_id: str, start: dt.date | None = None,
                   end: dt.date | None = None) -> ProgressBoard:
    """Every score of the network, grouped by site; with `start`/`end`, only scores in
    that range plus the one standing at `start` (so a step chart starts at the level the
    site had, not at nothing)."""
    net = stored(session, Network, network_id)
    rows = list(session.scalars(select(ProgressScore).where(
        ProgressScore.network_id == network_id, ProgressScore.deleted.is_(False))))
    by_site: dict[str | None, list[ScoreEntry]] = {}
    for r in sorted(rows, key=lambda r: (r.date, r.hlc or "")):
        by_site.setdefault(r.site_id, []).append(ScoreEntry(
            r.id, r.site_id, r.date, r.score, r.note or "", r.owner_site_id))
    if start is not None or end is not None:
        by_site = {k: _window(v, start, end) for k, v in by_site.items()}
    sites = participating_sites(session, network_id)
    listed = {s.id for s in sites}
    extra = [s for s in session.scalars(select(Site).where(
        Site.network_id == network_id, Site.deleted.is_(False)))
        if s.id not in listed and by_site.get(s.id)]
    out = [SiteProgress(None, NETWORK_ROW, by_site.get(None, []))]
    for s in sorted([*sites, *extra], key=lambda s: (s.name.lower(), s.id)):
        out.append(SiteProgress(s.id, s.name, by_site.get(s.id, [])))
    days = [e.date for entries in by_site.values() for e in entries]
    return ProgressBoard(net.id, net.name, out, min(days, default=None),
                         max(days, default=None), net.owner_site_id)


def _window(entries: list[ScoreEntry], start: dt.date | None, end: dt.date | None
            ) -> list[ScoreEntry]:
    inside = [e for e in entries if (start is None or e.date >= start)
              and (end is None or e.date <= end)]
    if start is not None:
        before = [e for e in entries if e.date < start]
        if before:
            inside.insert(0, before[-1])
    return inside


def read_progress(ws: Workspace, network_id: str, start: dt.date | None = None,
                  end: dt.date | None = None) -> ProgressBoard:
    """`progress_board` in a read of its own (screens)."""
    with ws.read() as s:
        return progress_board(s, network_id, start, end)
