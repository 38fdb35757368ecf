"""The network timeline's rules: the usual formation milestones and how a milestone
stands on a given day (no Qt, no SQL).

The usual milestones follow the order the NIC literature describes a network forming
in (Bryk, Gomez, Grunow & LeMahieu, "Learning to Improve", 2015, ch. 6; the Carnegie
Foundation's NIC charter work): a charter agreed, its members named, a first convening,
first PDSA cycles, a mid-year review of the network's data, then a plan to sustain what
worked.  Planned dates are offsets from the day a coordinator asks for them, so the
defaults are a proposal to edit, never facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .entities import MILESTONE_KINDS

#: (kind, title, weeks after the start) of "Add the usual milestones"
USUAL: tuple[tuple[str, str, int], ...] = (
    ("charter agreed", "Charter agreed", 2),
    ("members named", "Members of every site team named", 4),
    ("first convening", "First network convening", 6),
    ("first cycles", "First PDSA cycles at every site", 10),
    ("mid-year review", "Mid-year review of the network's data", 22),
    ("sustainability plan", "Sustainability plan agreed", 40),
)
assert all(k in MILESTONE_KINDS for k, _, _ in USUAL)


class Standing(StrEnum):
    DONE = "done"
    LATE = "late"  # planned before today, not done
    PLANNED = "planned"
    UNDATED = "no date"


@dataclass(frozen=True)
class MilestoneFacts:
    """What the rules need of a milestone."""

    kind: str
    title: str
    planned: dt.date | None
    done: dt.date | None


def standing(m: MilestoneFacts, today: dt.date) -> Standing:
    """Done (a done date), late (planned before today, not done), planned, or undated."""
    if m.done is not None:
        return Standing.DONE
    if m.planned is None:
        return Standing.UNDATED
    return Standing.LATE if m.planned < today else Standing.PLANNED


def when(m: MilestoneFacts) -> dt.date | None:
    """The day a timeline places it: done if done, else planned."""
    return m.done or m.planned


def timeline_order(items: Iterable[MilestoneFacts]) -> list[MilestoneFacts]:
    """By their day (undated last), then by the usual order of kinds, then title."""
    rank = {k: i for i, k in enumerate(MILESTONE_KINDS)}
    return sorted(items, key=lambda m: (when(m) is None, when(m) or dt.date.min,
                                        rank.get(m.kind, len(rank)), m.title.lower()))


def usual_milestones(start: dt.date, existing_kinds: Iterable[str] = ()
                     ) -> list[tuple[str, str, dt.date]]:
    """The usual formation milestones (kind, title, planned date) a network does not yet
    have: one of each kind, planned `weeks` after `start`.  A kind the network already
    has is left out, so asking twice adds nothing twice."""
    have = set(existing_kinds)
    return [(kind, title, start + dt.timedelta(weeks=weeks))
            for kind, title, weeks in USUAL if kind not in have]


def in_range(m: MilestoneFacts, start: dt.date, end: dt.date) -> bool:
    """Whether a milestone belongs to a report of [start, end]: done or planned in it."""
    return any(d is not None and start <= d <= end for d in (m.done, m.planned))
