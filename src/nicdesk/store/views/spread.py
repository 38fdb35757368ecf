"""Read model of change-idea spread (issue #22 item 4): for each change idea of a network,
where each site stands with it (testing, adapting, adopted, abandoned) and since when,
as stretches over time for the site × time adoption chart and as counts per month
("adopted by 3 of 5 schools by February 2026").

The statuses are derived from the sites' PDSA cycles on the idea and their own
``change_adoption`` records by the one rule of `nicdesk.core.spread` (docs/spread.md says
it in words); this module only reads the rows and hands them over.  Everything returned
is plain frozen data: the Network view's Spread panel, the site's "Spread of change
ideas" dialog, meeting packets and the year-in-review report all render the same
`NetworkSpread`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.network import ALL_SITES, ContextFilter
from ...core.spread import (
    Adoption,
    AdoptionRecord,
    CycleFact,
    Segment,
    SpreadCount,
    SpreadEvent,
    counts_over_time,
    current_status,
    event_of_record,
    events_of_cycle,
    fold,
    month_ends,
    segments,
    spread_sentence,
    status_on,
)
from ..schema import ChangeAdoption, ChangeIdea, Network, PdsaCycle, Site, stored
from .network import participating_sites

if TYPE_CHECKING:
    from ..workspace import Workspace


@dataclass(frozen=True)
class SiteSpread:
    """One site's row for one idea: its status at the end of the window and its history."""

    site_id: str
    site_name: str
    status: Adoption | None  # None: the site has no cycle and no record on the idea
    since: dt.date | None  # when that status began (None: not dated, or no status)
    explicit: bool  # the status in force comes from the site's own record
    note: str  # the record's note, or the title of the cycle that set the status
    segments: tuple[Segment, ...]  # the stretches drawn between the window's start and end
    changes: tuple[SpreadEvent, ...]  # every change of status up to the window's end
    cycles: int  # the site's live cycles on the idea (up to the window's end)
    record_ids: tuple[str, ...]  # the site's own records on the idea, oldest first


@dataclass(frozen=True)
class IdeaSpread:
    """One change idea across the network's sites."""

    id: str
    title: str
    rows: tuple[SiteSpread, ...]  # one per compared site, by name
    counts: tuple[SpreadCount, ...]  # on the last day of each month of the window
    sentence: str  # "adopted by 3 of 5 schools by February 2026"

    @property
    def tested(self) -> bool:
        """Has any site a status for it (a cycle or its own record)?"""
        return any(r.status is not None for r in self.rows)

    def now(self, status: Adoption | str) -> int:
        """How many sites stand at `status` at the window's end."""
        return sum(1 for r in self.rows if r.status == status)


@dataclass(frozen=True)
class NetworkSpread:
    """Every change idea of a network, its spread between `start` and `end`."""

    network_id: str
    network_name: str
    start: dt.date
    end: dt.date
    days: tuple[dt.date, ...]  # the counts' days: the last of each month, the last one `end`
    sites: tuple[tuple[str, str], ...]  # (id, name) of the compared sites, by name
    noun: str  # the compared sites' kind when they share one ("schools"), else "sites"
    ideas: tuple[IdeaSpread, ...]  # most adopting sites first, then by title

    def idea(self, idea_id: str) -> IdeaSpread:
        """One idea's spread; KeyError naming it when the network has no such idea."""
        for idea in self.ideas:
            if idea.id == idea_id:
                return idea
        raise KeyError(f"The network has no change idea {idea_id!r}.")


def network_spread(source: Session | Workspace, network_id: str, *,
                   start: dt.date | None = None, end: dt.date | None = None,
                   context: ContextFilter = ALL_SITES,
                   site_ids: Collection[str] | None = None) -> NetworkSpread:
    """The spread of every change idea of a network as it stood on `end` (default: today),
    drawn from `start` (default: the first day of the month of the earliest dated cycle
    or record, else `end`'s month).  Events after `end` are left out, so a report for a
    past year says what was known then.  `context` narrows the compared sites as the
    Network view's filter does; `site_ids` keeps only those sites (a site meeting's
    packet: the sites in its scope).  Takes an open session or a workspace (read on its own).

    Refuses (ValueError) an `end` before `start`; NotFoundError for a network that is
    not in the workspace."""
    if isinstance(source, Session):
        return _network_spread(source, network_id, start, end, context, site_ids)
    with source.read() as session:
        return _network_spread(session, network_id, start, end, context, site_ids)


def _network_spread(s: Session, network_id: str, start: dt.date | None,
                    end: dt.date | None, context: ContextFilter,
                    site_ids: Collection[str] | None) -> NetworkSpread:
    net = stored(s, Network, network_id)
    end = end or dt.date.today()
    if start is not None and end < start:
        raise ValueError(f"The spread's end ({end}) is before its start ({start}): choose "
                         "an end on or after the start.")
    ideas = sorted(s.scalars(select(ChangeIdea).where(
        ChangeIdea.network_id == network_id, ChangeIdea.deleted.is_(False))),
        key=lambda i: (i.title.lower(), i.id))
    idea_ids = [i.id for i in ideas]
    events: dict[str, dict[str, list[SpreadEvent]]] = defaultdict(lambda: defaultdict(list))
    cycles: dict[tuple[str, str], int] = defaultdict(int)
    records: dict[tuple[str, str], list[SpreadEvent]] = defaultdict(list)
    if idea_ids:
        for c in s.scalars(select(PdsaCycle).where(
                PdsaCycle.change_idea_id.in_(idea_ids), PdsaCycle.deleted.is_(False))):
            idea_id = c.change_idea_id or ""  # never empty: selected by idea above
            made = events_of_cycle(CycleFact(c.id, c.site_id, idea_id, c.decision,
                                             c.start_date, c.end_date, c.cycle_number,
                                             c.title))
            until_end = [e for e in made if e.since is None or e.since <= end]
            events[idea_id][c.site_id].extend(until_end)
            cycles[idea_id, c.site_id] += 1 if until_end else 0
        for r in s.scalars(select(ChangeAdoption).where(
                ChangeAdoption.change_idea_id.in_(idea_ids),
                ChangeAdoption.deleted.is_(False))):
            try:
                event = event_of_record(AdoptionRecord(r.id, r.site_id, r.change_idea_id,
                                                       r.status, r.since, r.note))
            except ValueError:  # a damaged file's word: left out rather than guessed at
                continue
            records[r.change_idea_id, r.site_id].append(event)
            if event.since is not None and event.since <= end:
                events[r.change_idea_id][r.site_id].append(event)
    with_events = {site for per_site in events.values() for site in per_site}
    sites = participating_sites(s, network_id, context, with_data=with_events)
    if site_ids is not None:
        wanted = set(site_ids)
        sites = [x for x in sites if x.id in wanted]
    compared = {x.id for x in sites}
    if start is None:
        dated = [e.since for per_site in events.values() for evs in per_site.values()
                 for e in evs if e.since is not None and e.since <= end]
        first = min(dated) if dated else end
        start = first.replace(day=1)
    days = month_ends(start, end)
    noun = _plural(sites)
    out = []
    for idea in ideas:
        per_site = {sid: evs for sid, evs in events[idea.id].items() if sid in compared}
        rows = tuple(_row(site, per_site.get(site.id, []), start, end,
                          cycles[idea.id, site.id], records[idea.id, site.id])
                     for site in sites)
        counts = counts_over_time(per_site, days, len(sites))
        out.append(IdeaSpread(idea.id, idea.title, rows, counts,
                              spread_sentence(counts, noun)))
    out.sort(key=lambda i: (-i.now(Adoption.ADOPTED), not i.tested, i.title.lower(), i.id))
    return NetworkSpread(net.id, net.name, start, end, days,
                         tuple((x.id, x.name) for x in sites), noun, tuple(out))


def _plural(sites: list[Site]) -> str:
    """What the compared sites are called together: their kind when they share one
    ("schools", "regional centres"), else "sites"."""
    kinds = {x.kind for x in sites}
    if len(kinds) != 1 or not next(iter(kinds)):
        return "sites"
    kind = next(iter(kinds))
    return kind[:-1] + "ies" if kind.endswith("y") else kind + "s"


def _row(site: Site, events: list[SpreadEvent], start: dt.date, end: dt.date, cycles: int,
         records: list[SpreadEvent]) -> SiteSpread:
    # the status at the end: `status_on` for what is dated; with nothing dated yet, an
    # undated cycle still says the site is testing
    now = status_on(events, end) or current_status(events)
    changes = fold(e for e in events if e.since is not None)
    ordered = sorted(records, key=lambda e: (e.since or dt.date.min, e.ref_id))
    return SiteSpread(site.id, site.name, now.status if now else None,
                      now.since if now else None, bool(now and now.explicit),
                      now.label if now else "", segments(events, start, end), changes,
                      cycles, tuple(e.ref_id for e in ordered))


def idea_choices(source: Session | Workspace, network_id: str) -> list[tuple[str, str]]:
    """(title, id) of a network's live change ideas, by title: what the site's dialog
    offers to set a status for."""
    def read(s: Session) -> list[tuple[str, str]]:
        return sorted((i.title, i.id) for i in s.scalars(select(ChangeIdea).where(
            ChangeIdea.network_id == network_id, ChangeIdea.deleted.is_(False))))

    if isinstance(source, Session):
        return read(source)
    with source.read() as s:
        return read(s)
