"""Properties of the Pareto ranking of a fishbone's votes (`core.fishbone.pareto_rows`):
most votes first, a cumulative share that only grows to 100 %, no unvoted cause, and the
same chart whatever order the causes are read in."""

from __future__ import annotations

import math
import random

from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.fishbone import pareto_rows

causes = st.lists(st.tuples(st.text(alphabet="abc ", max_size=4),
                            st.one_of(st.none(), st.integers(0, 20))), max_size=15)


@given(causes)
def test_most_votes_first_and_the_share_grows_to_all(cs: list[tuple[str, int | None]]) -> None:
    rows = pareto_rows(cs)
    votes = [r.votes for r in rows]
    assert votes == sorted(votes, reverse=True)
    assert all(v > 0 for v in votes)
    shares = [r.share for r in rows]
    assert shares == sorted(shares)
    if rows:
        assert math.isclose(shares[-1], 1.0)
        assert math.isclose(rows[0].share, rows[0].votes / sum(votes))


@given(causes)
def test_every_voted_cause_and_only_those(cs: list[tuple[str, int | None]]) -> None:
    rows = pareto_rows(cs)
    assert sorted((r.text, r.votes) for r in rows) == sorted((t, v) for t, v in cs if v)


@given(causes, st.randoms())
def test_read_order_does_not_change_the_chart(cs: list[tuple[str, int | None]],
                                              rnd: random.Random) -> None:
    shuffled = list(cs)
    rnd.shuffle(shuffled)
    assert pareto_rows(shuffled) == pareto_rows(cs)


def test_rows_are_plain_tuples() -> None:
    rows = pareto_rows([("Bus schedule", 3), ("Attendance", 1), ("Unvoted", 0)])
    assert rows == [("Bus schedule", 3, 0.75), ("Attendance", 1, 1.0)]
