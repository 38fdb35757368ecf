"""Properties of the Pareto ranking of a fishbone's votes (`core.fishbone.pareto_rows`):
most votes first, a cumulative share that only grows to 100 %, no unvoted cause, and the
same chart whatever order the causes are read in."""

from __future__ import annotations

import dataclasses
import math
import random

from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.fishbone import children, pareto_rows

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


@dataclasses.dataclass(frozen=True)
class _Cause:
    id: str
    parent_id: str | None
    category_id: str
    position: int


@st.composite
def _fishbones(draw: st.DrawFn) -> dict[str, _Cause]:
    causes: dict[str, _Cause] = {}
    for i in range(draw(st.integers(0, 25))):
        parent = draw(st.sampled_from([None, *causes])) if causes else None
        category = causes[parent].category_id if parent else draw(st.sampled_from("ABC"))
        causes[f"c{i}"] = _Cause(f"c{i}", parent, category, draw(st.integers(0, 3)))
    return causes


@given(_fishbones())
def test_every_cause_sits_exactly_once_under_its_parent_or_category(causes) -> None:
    placed = [kid for key in [*"ABC", *causes] for kid in children(causes, key)]
    assert sorted(placed) == sorted(causes)
    for key in [*"ABC", *causes]:
        kids = [causes[k] for k in children(causes, key)]
        assert [(c.position, c.id) for c in kids] == sorted((c.position, c.id) for c in kids)
