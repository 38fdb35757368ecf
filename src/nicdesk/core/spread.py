"""Spread of change ideas: where each site stands with an idea, and since when (issue #22).

A site's status for a change idea — testing, adapting, adopted or abandoned — is not
typed in by hand every month: it follows from what the site's PDSA cycles on the idea
decided.  Each cycle makes one or two dated *events*:

- a cycle starts a test: "testing", dated by its start date (an undecided cycle with no
  start date: by its end date);
- a decided cycle also says what the site did next, dated by its end date (its start
  date when it has no end): adopt → adopted, adapt → adapting, abandon → abandoned, spread →
  adopted (an idea is spread once it works, so the site has adopted it), expand →
  testing (the test goes on at a larger scale).

A site may also say it outright: a ``change_adoption`` record (status, since, note) written
by the site itself — a practice taken up without a cycle, or one quietly dropped.  Such a
record is one more event, dated by its ``since``.

The rule, one for every screen, packet and report (`fold`):

    Events are taken in date order; the latest dated event wins.  On one day, a test
    starting comes before a decision, and both before the site's own record (the record
    is the site's last word that day); only a day's last word counts.  A test starting
    (a new cycle) changes nothing once the site is already adapting or has adopted the
    idea — it is a further test of a practice the site has taken up — and starts
    "testing" again only for an idea the site had not taken up yet or had abandoned.

So an explicit record overrides the derived status *from its date*: before it, the
cycles say what they say; from it, the record holds until a later decided cycle (or a
later record) says otherwise.  The order in which cycles are read never matters: events
are sorted by a total order (date, kind of event, cycle number, status, id).

A cycle with no dates at all cannot be placed in time: its event counts for the site's
current status (taken as the earliest event) but never for the status on a given day, so
a chart over time shows only what is dated.

Pure Python: no Qt, no SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from .states import PdsaDecision


class Adoption(StrEnum):
    """Where a site stands with a change idea (`entities.ADOPTION_STATUSES`)."""

    TESTING = "testing"
    ADAPTING = "adapting"
    ADOPTED = "adopted"
    ABANDONED = "abandoned"


#: the statuses in the order charts, legends and counts list them
ADOPTION_ORDER: tuple[Adoption, ...] = (Adoption.TESTING, Adoption.ADAPTING,
                                         Adoption.ADOPTED, Adoption.ABANDONED)

#: one colour per status for every chart (screen and PDF), from Okabe and Ito's palette
#: for colour-blind readers; a chart also writes the status (or its initial) on the bar
ADOPTION_COLOURS: dict[Adoption, str] = {
    Adoption.TESTING: "#56B4E9", Adoption.ADAPTING: "#E69F00",
    Adoption.ADOPTED: "#009E73", Adoption.ABANDONED: "#BBBBBB",
}

#: what a decided cycle makes of the idea at its site
DECISION_STATUS: dict[str, Adoption] = {
    PdsaDecision.ADOPT: Adoption.ADOPTED,
    PdsaDecision.ADAPT: Adoption.ADAPTING,
    PdsaDecision.ABANDON: Adoption.ABANDONED,
    PdsaDecision.SPREAD: Adoption.ADOPTED,
    PdsaDecision.EXPAND: Adoption.TESTING,
}


class Source(IntEnum):
    """What an event comes from; on one day, a lower value comes first."""

    TEST_STARTED = 0  # an undecided cycle
    DECISION = 1  # a decided cycle
    RECORD = 2  # the site's own change_adoption record


@dataclass(frozen=True)
class CycleFact:
    """What the rules need of one PDSA cycle on a change idea at a site."""

    id: str
    site_id: str
    change_idea_id: str
    decision: str  # "" while undecided (`PdsaDecision`)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    cycle_number: int = 0
    title: str = ""


@dataclass(frozen=True)
class AdoptionRecord:
    """A site's own word on where it stands with an idea (a ``change_adoption`` record)."""

    id: str
    site_id: str
    change_idea_id: str
    status: str
    since: dt.date
    note: str = ""


@dataclass(frozen=True)
class SpreadEvent:
    """One dated change of status of one idea at one site, and what it comes from."""

    site_id: str
    change_idea_id: str
    status: Adoption
    since: dt.date | None  # None: a cycle with no dates (never placed in time)
    source: Source
    ref_id: str  # the cycle's or the record's id
    number: int = 0  # the cycle number, to order two cycles of one day
    label: str = ""  # the cycle's title or the record's note, for people

    @property
    def explicit(self) -> bool:
        """Does it come from the site's own record (not derived from a cycle)?"""
        return self.source == Source.RECORD


def events_of_cycle(cycle: CycleFact) -> tuple[SpreadEvent, ...]:
    """The events a cycle makes (the module's docstring says which and when): the test
    starting, and — once decided — the decision; a cycle with no dates makes one undated
    event."""
    decided = DECISION_STATUS.get(cycle.decision)
    begun = cycle.start_date or (cycle.end_date if decided is None else None)
    out = []
    if begun is not None or decided is None:
        out.append(SpreadEvent(cycle.site_id, cycle.change_idea_id, Adoption.TESTING, begun,
                               Source.TEST_STARTED, cycle.id, cycle.cycle_number,
                               cycle.title))
    if decided is not None:  # a word the rules do not know counts as undecided
        out.append(SpreadEvent(cycle.site_id, cycle.change_idea_id, decided,
                               cycle.end_date or cycle.start_date, Source.DECISION,
                               cycle.id, cycle.cycle_number, cycle.title))
    return tuple(out)


def event_of_record(record: AdoptionRecord) -> SpreadEvent:
    """The event a site's own record makes; ValueError for a status the rules do not
    know (the record's vocabulary is checked on every write, so only a damaged file)."""
    try:
        status = Adoption(record.status)
    except ValueError:
        raise ValueError(f"{record.status!r} is not a spread status: use one of "
                         f"{', '.join(ADOPTION_ORDER)}.") from None
    return SpreadEvent(record.site_id, record.change_idea_id, status, record.since,
                       Source.RECORD, record.id, 0, record.note)


def _order(event: SpreadEvent) -> tuple[dt.date, int, int, int, int, str]:
    """The total order events are taken in: undated first, then by date; on one day the
    source (`Source`), the cycle number, the status and the id break ties, so the result
    never depends on the order rows were read in."""
    return (event.since or dt.date.min, 0 if event.since is None else 1, int(event.source),
            event.number, ADOPTION_ORDER.index(event.status), event.ref_id)


def _takes_effect(event: SpreadEvent, current: SpreadEvent | None) -> bool:
    if current is None:
        return True
    if event.source == Source.TEST_STARTED:
        # a new test of an idea the site is adapting or has adopted is part of that work
        return current.status == Adoption.ABANDONED
    return event.status != current.status


def fold(events: Iterable[SpreadEvent]) -> tuple[SpreadEvent, ...]:
    """The changes of status of one idea at one site, oldest first: each event that
    took effect (`_takes_effect`), with the date the status began.  Only a day's last
    word counts (two events of one day are one change), and a status that goes on is
    not a change, so "since" is when the status first began."""
    changes: list[SpreadEvent] = []
    state: SpreadEvent | None = None
    for event in sorted(events, key=_order):
        if not _takes_effect(event, state):
            continue
        state = event
        if changes and changes[-1].since == event.since:
            changes.pop()  # the same day said something else first
        if not changes or changes[-1].status != event.status:
            changes.append(event)
    return tuple(changes)


def current_status(events: Iterable[SpreadEvent]) -> SpreadEvent | None:
    """Where the site stands now with the idea (None: no cycle and no record)."""
    changes = fold(events)
    return changes[-1] if changes else None


def status_on(events: Iterable[SpreadEvent], day: dt.date) -> SpreadEvent | None:
    """Where the site stood on `day`: the fold of the events dated on or before it (an
    undated cycle never counts for a day)."""
    return current_status(e for e in events if e.since is not None and e.since <= day)


@dataclass(frozen=True)
class Segment:
    """One stretch of one status on a site's row of the adoption chart."""

    status: Adoption
    start: dt.date
    end: dt.date  # the last day drawn (the window's end for the stretch still running)
    ref_id: str  # the event that began it


def segments(events: Iterable[SpreadEvent], start: dt.date, end: dt.date
             ) -> tuple[Segment, ...]:
    """The stretches of status between `start` and `end` (both included), for a chart:
    a status already in force on `start` begins there; each dated change after it begins
    a new stretch; days before the first event are left blank."""
    if end < start:
        raise ValueError(f"The chart's end ({end}) is before its start ({start}): "
                         "choose an end on or after the start.")
    dated = [e for e in events if e.since is not None and e.since <= end]
    changes = fold(dated)
    out: list[Segment] = []
    for i, event in enumerate(changes):
        assert event.since is not None
        until = changes[i + 1].since if i + 1 < len(changes) else None
        last = (until - dt.timedelta(days=1)) if until is not None else end
        first = max(event.since, start)
        if last < start or first > last:
            continue
        out.append(Segment(event.status, first, last, event.ref_id))
    return tuple(out)


@dataclass(frozen=True)
class SpreadCount:
    """How many sites stood where with an idea on one day."""

    day: dt.date
    counts: Mapping[Adoption, int]  # every status, zero included
    sites: int  # the sites compared (the denominator of "3 of 5")

    def of(self, status: Adoption | str) -> int:
        return self.counts[Adoption(status)]


def counts_over_time(events_by_site: Mapping[str, Sequence[SpreadEvent]],
                     days: Iterable[dt.date], sites: int) -> tuple[SpreadCount, ...]:
    """For each day, how many of the sites stood at each status (`status_on`).  `sites`
    is the number of sites compared; sites with no events count in it, not in a status."""
    if sites < len(events_by_site):
        raise ValueError(f"{len(events_by_site)} sites have events but only {sites} are "
                         "compared: count every site with events among the compared.")
    out = []
    for day in days:
        counts = dict.fromkeys(ADOPTION_ORDER, 0)
        for events in events_by_site.values():
            now = status_on(events, day)
            if now is not None:
                counts[now.status] += 1
        out.append(SpreadCount(day, counts, sites))
    return tuple(out)


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of each month from `start` to `end` (a chart's ticks; the month
    `start` falls in only when it starts on its first day)."""
    out, day = [], start.replace(day=1)
    while day <= end:
        if day >= start:
            out.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return out


def month_ends(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """The last day of each month from `start`'s month to `end`'s, the last one cut at
    `end` (so a count "by February" is the count on the last day of February)."""
    if end < start:
        raise ValueError(f"The end ({end}) is before the start ({start}): choose an end on "
                         "or after the start.")
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        nxt = dt.date(year + month // 12, month % 12 + 1, 1)
        out.append(min(nxt - dt.timedelta(days=1), end))
        year, month = nxt.year, nxt.month
    return tuple(out)


def first_reached(counts: Sequence[SpreadCount], status: Adoption, number: int
                  ) -> SpreadCount | None:
    """The first count at which at least `number` sites stood at `status`."""
    return next((c for c in counts if c.of(status) >= number), None)


def spread_sentence(counts: Sequence[SpreadCount], noun: str = "sites") -> str:
    """One line saying how far an idea spread, for a chart's caption and packets:
    "adopted by 3 of 5 schools by February 2026", naming the month the highest number of
    adopting sites was first reached; else how many are testing, or that none is."""
    if not counts:
        return "no sites compared"
    total = counts[-1].sites
    peak = max(c.of(Adoption.ADOPTED) for c in counts)
    last = counts[-1]
    if peak:
        first = first_reached(counts, Adoption.ADOPTED, peak)
        assert first is not None
        text = f"adopted by {peak} of {total} {noun} by {first.day:%B %Y}"
        if last.of(Adoption.ADOPTED) < peak:
            text += f" ({last.of(Adoption.ADOPTED)} at {last.day:%B %Y})"
        return text
    trying = last.of(Adoption.TESTING) + last.of(Adoption.ADAPTING)
    if trying:
        return f"being tested at {trying} of {total} {noun}, adopted by none yet"
    if last.of(Adoption.ABANDONED):
        return f"abandoned at {last.of(Adoption.ABANDONED)} of {total} {noun}"
    return f"not tested at any of the {total} {noun} yet"
