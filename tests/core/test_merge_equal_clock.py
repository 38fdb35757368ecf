"""Equal clocks, different values (red-team finding "equivocation", /tmp/redteam/
repro_equivocation.py): a sender stamps two different values with ONE clock and hands
one to each of two receivers.  An equal clock used to be "the same edit seen twice", a
no-op, so the two receivers kept different values for good.  Now every workspace keeps
the same one of the two, whichever side holds it, and reports the other as a conflict.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.clock import Hlc
from nicdesk.core.merge import Conflict, merge_fields

STAMP = Hlc(1_795_687_329_304, 0, "sitelincoln").encode()
OTHER = Hlc(1_782_820_800_187, 0, "demo2015").encode()  # an older edit of another field

#: what a shared field can hold once decoded from a bundle: JSON values
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def merge_one(local: Any, remote: Any, *, clock: str = STAMP):
    """Merge field "value" (same `clock` on both sides) plus an untouched field "note"."""
    return merge_fields({"value": local, "note": "kept"},
                        {"value": clock, "note": OTHER, "~value": OTHER},
                        {"value": remote}, {"value": clock})


@given(json_values, json_values)
def test_equal_clocks_pick_one_winner_whichever_side_is_local(a: Any, b: Any) -> None:
    if a == b:  # equal values are the other test
        return
    here = merge_one(a, b)  # a is local, b arrives
    there = merge_one(b, a)  # b is local, a arrives
    winner = here.values["value"]
    assert winner == there.values["value"], "two workspaces keep different values"
    assert winner in (a, b)
    loser = b if winner == a else a
    # the clock stays the one stamp; nothing else moves
    for result in (here, there):
        assert result.clocks == {"value": STAMP, "note": OTHER, "~value": OTHER}
        assert result.values["note"] == "kept"
        # the losing value is kept for a person to look at, on both sides
        assert result.conflicts == [Conflict("value", winner, STAMP, loser, STAMP)]
    # "changed" says whether this side's value moved
    assert here.changed == ({"value"} if winner == b else set())
    assert there.changed == ({"value"} if winner == a else set())


@given(st.lists(json_values, min_size=2, max_size=4, unique_by=repr))
def test_equal_clocks_converge_in_any_order(values: list[Any]) -> None:
    """Several receivers, each given another value under the same stamp, exchanging in
    any order: all end with the same value."""
    if any(x == y for x, y in itertools.combinations(values, 2)):
        return
    finals = set()
    for order in itertools.permutations(values):
        current = {"value": order[0]}
        clocks = {"value": STAMP}
        for incoming in order[1:]:
            result = merge_fields(current, clocks, {"value": incoming}, {"value": STAMP})
            current, clocks = result.values, result.clocks
            assert clocks == {"value": STAMP}
        finals.add(repr(current["value"]))
    assert len(finals) == 1, finals


@given(json_values)
def test_equal_clocks_equal_values_change_nothing(a: Any) -> None:
    result = merge_one(a, a)
    assert result.changed == set() and result.conflicts == []
    assert result.values == {"value": a, "note": "kept"}
    assert result.clocks == {"value": STAMP, "note": OTHER, "~value": OTHER}


def test_equal_clocks_examples() -> None:
    """The red team's case: 0.9 and 0.1 under one stamp, in both directions."""
    for local, remote in ((0.9, 0.1), (0.1, 0.9)):
        result = merge_one(local, remote)
        assert result.values["value"] == 0.9
        assert result.conflicts == [Conflict("value", 0.9, STAMP, 0.1, STAMP)]
