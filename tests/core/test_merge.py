"""Merge properties: idempotent, commutative, associative; losing edits are reported."""

from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.clock import Hlc
from nicdesk.core.merge import merge_fields

FIELDS = ["title", "objective", "notes"]


@st.composite
def versions(draw):
    values, clocks = {}, {}
    for name in draw(st.lists(st.sampled_from(FIELDS), unique=True)):
        clocks[name] = Hlc(draw(st.integers(0, 5)), draw(st.integers(0, 2)),
                           draw(st.sampled_from(["dev1", "dev2", "dev3"]))).encode()
    # a clock identifies one edit: the same stamp always carries the same value
    values = {k: f"{k}@{c}" for k, c in clocks.items()}
    return values, clocks


def merged(a, b):
    r = merge_fields(a[0], a[1], b[0], b[1])
    return r.values, r.clocks


@given(versions())
def test_idempotent(a) -> None:
    assert merged(a, a) == a
    once = merged(a, a)
    assert merged(once, a) == once


@given(versions(), versions())
def test_commutative(a, b) -> None:
    assert merged(a, b) == merged(b, a)


@given(versions(), versions(), versions())
def test_associative(a, b, c) -> None:
    assert merged(merged(a, b), c) == merged(a, merged(b, c))


def test_different_fields_both_kept() -> None:
    local = ({"title": "A", "notes": "n1"}, {"title": Hlc(1, 0, "x").encode(),
                                              "notes": Hlc(1, 0, "x").encode()})
    remote = ({"title": "A", "notes": "n2"}, {"title": Hlc(1, 0, "x").encode(),
                                               "notes": Hlc(2, 0, "y").encode()})
    r = merge_fields(*local, *remote)
    assert r.values == {"title": "A", "notes": "n2"}
    assert r.changed == {"notes"}


def test_same_field_concurrent_edit_reports_the_loser() -> None:
    local = ({"notes": "mine"}, {"notes": Hlc(5, 0, "x").encode()})
    remote = ({"notes": "theirs"}, {"notes": Hlc(4, 0, "y").encode()})
    r = merge_fields(*local, *remote)
    assert r.values["notes"] == "mine"
    assert [(c.kept_value, c.lost_value) for c in r.conflicts] == [("mine", "theirs")]


def test_a_late_old_copy_is_superseded_not_a_conflict() -> None:
    old = Hlc(1, 0, "laptop").encode()
    new = Hlc(2, 0, "office").encode()
    # the office edited the value it had received from the laptop (base = laptop's clock)
    local = ({"notes": "edited"}, {"notes": new, "~notes": old})
    remote = ({"notes": "original"}, {"notes": old})
    r = merge_fields(*local, *remote)
    assert r.values["notes"] == "edited" and r.conflicts == []
    # and the other way round: the newer edit arriving at the old copy
    r = merge_fields(*remote, *local)
    assert r.values["notes"] == "edited" and r.conflicts == []
    assert r.clocks["~notes"] == old


def test_edits_that_did_not_see_each_other_conflict_both_ways() -> None:
    start = Hlc(1, 0, "laptop").encode()
    a = ({"notes": "A's text"}, {"notes": Hlc(2, 0, "a").encode(), "~notes": start})
    b = ({"notes": "B's text"}, {"notes": Hlc(3, 0, "b").encode(), "~notes": start})
    one, two = merge_fields(*a, *b), merge_fields(*b, *a)
    assert one.values == two.values == {"notes": "B's text"}
    assert [c.lost_value for c in one.conflicts] == [c.lost_value for c in two.conflicts] == [
        "A's text"]
