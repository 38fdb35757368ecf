"""Rules of the fishbone (cause-and-effect) diagram that do not need a screen.

Multi-voting picks the causes a team believes matter most; the Pareto view ranks them
so "the vital few" (the causes carrying 80 % of the votes) stand out.  The ranking is a
rule shared by the dialog and anything that prints it, so it lives here, over plain
(text, votes) pairs rather than database rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple, Protocol


class ParetoRow(NamedTuple):
    """One bar of the Pareto chart: the cause, its votes, the cumulative share so far."""

    text: str
    votes: int
    share: float


def pareto_rows(causes: Iterable[tuple[str, int | None]]) -> list[ParetoRow]:
    """(cause text, votes, cumulative share) for causes with votes, most votes first and
    alphabetically among equals, so the same votes always give the same chart."""
    voted = sorted(((text, votes) for text, votes in causes if votes),
                   key=lambda c: (-c[1], c[0]))
    total = sum(votes for _text, votes in voted) or 1
    out: list[ParetoRow] = []
    running = 0
    for text, votes in voted:
        running += votes
        out.append(ParetoRow(text, votes, running / total))
    return out


class Placed(Protocol):
    """What ordering a fishbone's causes needs: where each sits and its place there."""

    @property
    def id(self) -> str: ...
    @property
    def parent_id(self) -> str | None: ...
    @property
    def category_id(self) -> str: ...
    @property
    def position(self) -> int: ...


def children(causes: Mapping[str, Placed], cause_or_category: str) -> list[str]:
    """The ids directly under a cause (its sub-causes) or a category (its top causes), in
    their stored order (ties by id), so the drawing, the outline and the packet agree."""
    if cause_or_category in causes:
        kids = [c for c in causes.values() if c.parent_id == cause_or_category]
    else:
        kids = [c for c in causes.values()
                if c.category_id == cause_or_category and c.parent_id is None]
    return [c.id for c in sorted(kids, key=lambda c: (c.position, c.id))]
