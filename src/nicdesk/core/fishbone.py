"""Rules of the fishbone (cause-and-effect) diagram that do not need a screen.

Multi-voting picks the causes a team believes matter most; the Pareto view ranks them
so "the vital few" (the causes carrying 80 % of the votes) stand out.  The ranking is a
rule shared by the dialog and anything that prints it, so it lives here, over plain
(text, votes) pairs rather than database rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


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
