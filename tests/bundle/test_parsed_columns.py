"""The parser hands its columns on (issue #20: the checks and the insert after parsing read
a field of every record from them, instead of walking every record again).  Whatever a
file holds, each column is exactly the parsed records' values (`dict.get`), the latest
clock is the plain maximum of every stamp (a record's "hlc" and its field clocks), and a
column built before more records arrive is never served stale."""

from __future__ import annotations

import datetime as dt
import json
from itertools import chain
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nicdesk.bundle.reader import Bundle
from nicdesk.bundle.records import Records, field_values, latest_clock, parse_by_kind
from nicdesk.store.bulk import encode_rows
from nicdesk.store.schema import Observation, column_default, table_of

SITE = "5c1e0000-0000-4000-8000-000000000001"
MEASURE = "5c1e0000-0000-4000-8000-0000000000aa"
FIELDS = ("astronomical", "deleted", "denominator", "excluded", "exclusion_reason",
          "group_id", "measure_id", "note", "numerator", "period", "site_id", "value")


def _stamp(n: int) -> str:
    return f"00175{n:010d}-000000-test"


@st.composite
def _line(draw: st.DrawFn, n: int) -> dict[str, Any]:
    """One observation as a site exports it: numbers as JSON floats or whole numbers,
    any field but the sync ones sometimes left out."""
    clock = _stamp(draw(st.integers(0, 10**6)))
    number = st.none() | st.integers(0, 40) | st.floats(0, 40, allow_nan=False)
    values: dict[str, Any] = {
        "id": f"obs-{n}", "owner_site_id": SITE, "hlc": clock, "deleted": draw(st.booleans()),
        "field_clocks": {"value": clock, "period": _stamp(draw(st.integers(0, 10**6)))},
        "measure_id": MEASURE, "site_id": SITE,
        "period": (dt.date(2024, 1, 1) + dt.timedelta(days=draw(st.integers(0, 30)))
                   ).isoformat(),
        "value": draw(number), "numerator": draw(number), "denominator": draw(number),
        "note": draw(st.sampled_from(["", "late", "week 3"])), "excluded": False,
        "exclusion_reason": "", "astronomical": False, "group_id": None}
    for name in ("note", "value", "exclusion_reason", "astronomical"):
        if draw(st.integers(0, 5)) == 0:
            del values[name]
    return values


def _bundle(lines: list[dict[str, Any]]) -> Bundle:
    data = "\n".join(json.dumps(v) for v in lines).encode()
    return Bundle(Path("a.nicbundle"), {"kind": "site", "site_id": SITE}, data, "",
                  {"records/observations.jsonl": data}, verified=True)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 8).flatmap(lambda k: st.tuples(*(_line(n) for n in range(k)))))
def test_columns_are_the_records_values_and_latest_is_the_max(lines: tuple[Any, ...]
                                                              ) -> None:
    (batch,) = parse_by_kind(_bundle(list(lines))).values()
    assert isinstance(batch, Records)
    for name in ("id", "owner_site_id", "hlc", "field_clocks", *FIELDS):
        assert list(batch.column(name)) == [v.get(name) for v in batch], name
        # the same objects' classes too: a whole number read for a float field is a float
        assert [type(x) for x in batch.column(name)] == [type(v.get(name)) for v in batch]
    assert latest_clock(batch) == max(chain.from_iterable(
        [v["hlc"], *v["field_clocks"].values()] for v in batch))
    if batch.fields is not None:  # every record carries the same fields
        assert all(set(v) == batch.fields for v in batch)


def test_a_whole_number_for_a_float_field_arrives_as_a_float_in_its_column() -> None:
    line = {"id": "o1", "owner_site_id": SITE, "hlc": _stamp(1), "deleted": False,
            "field_clocks": {"numerator": _stamp(1)}, "measure_id": MEASURE,
            "site_id": SITE, "period": "2024-01-08", "numerator": 3, "denominator": 30.0}
    (batch,) = parse_by_kind(_bundle([line])).values()
    assert batch.column("numerator") == (3.0,)
    assert type(batch.column("numerator")[0]) is float
    assert batch.column("period") == (dt.date(2024, 1, 8),)


def test_the_columns_a_parser_leaves_are_the_rows_the_insert_writes() -> None:
    lines = [{"id": f"o{i}", "owner_site_id": SITE, "hlc": _stamp(i), "deleted": False,
              "field_clocks": {"value": _stamp(i)}, "measure_id": MEASURE, "site_id": SITE,
              "period": f"2024-01-{i + 1:02d}", "value": i, "numerator": None,
              "denominator": None, "note": "", "excluded": i == 2, "exclusion_reason": "",
              "astronomical": False, "group_id": None} for i in range(4)]
    (batch,) = parse_by_kind(_bundle(lines)).values()
    table = table_of(Observation)
    defaults = [(c.key, column_default(c)) for c in table.columns]
    fields = batch.fields
    assert fields is not None
    by_column = encode_rows(table, batch, defaults,
                            lambda k: batch.column(k) if k in fields else None)
    assert by_column == encode_rows(table, batch, defaults)


def test_more_records_never_leave_a_stale_column() -> None:
    batch = Records([{"id": "a", "x": 1}], {"id": ("a",), "x": (1,)}, frozenset({"id", "x"}),
                    "s1")
    batch.extend([{"id": "b"}])
    assert batch.column("x") == (1, None)
    assert batch.fields is None and batch.latest is None
    assert field_values([{"id": "c"}], "id") == ("c",)
    assert latest_clock([{"hlc": "s1", "field_clocks": {"a": "s2", "b": "s3"}}]) == "s3"
    assert latest_clock([{"hlc": "s4", "field_clocks": {"a": "s2"}}]) == "s4"
    assert latest_clock([]) == ""


def _full_checks_only(lines: list[dict[str, Any]], monkeypatch: Any) -> str | None:
    """The refusal the line-by-line checks give (orjson off), or None."""
    import nicdesk.bundle.records as records_module
    from nicdesk.bundle.reader import BundleError

    monkeypatch.setattr(records_module, "_orjson", None)
    try:
        parse_by_kind(_bundle(lines))
    except BundleError as exc:
        return str(exc)
    finally:
        monkeypatch.undo()
    return None


@pytest.mark.parametrize(("name", "first", "second"), [
    ("excluded", False, 0), ("astronomical", True, 1), ("value", 1.0, True),
    ("numerator", 0.0, False), ("value", 1, 1.0)])
def test_equal_values_of_other_types_are_judged_each_by_its_own_type(
        monkeypatch: Any, name: str, first: Any, second: Any) -> None:
    """0 == False and 1 == 1.0 == True: the fast column check must not let a value pass
    because an equal value of another type came first (found by the attack helper: a 0
    in a yes/no field, a true in a number field).  Whatever the fast check does, the
    outcome is the full checks' — the same refusal, or the same values."""
    base = {"owner_site_id": SITE, "hlc": _stamp(1), "deleted": False,
            "field_clocks": {"value": _stamp(1)}, "measure_id": MEASURE, "site_id": SITE,
            "note": "", "excluded": False, "exclusion_reason": "", "astronomical": False,
            "value": 2.0, "numerator": None, "denominator": None, "group_id": None}
    lines = [base | {"id": "o1", "period": "2024-01-01", name: first},
             base | {"id": "o2", "period": "2024-01-02", name: second}]
    expected = _full_checks_only(lines, monkeypatch)
    from nicdesk.bundle.reader import BundleError

    try:
        (batch,) = parse_by_kind(_bundle(lines)).values()
    except BundleError as exc:
        assert str(exc) == expected
        return
    assert expected is None
    assert [type(v[name]) for v in batch] == [type(x) for x in batch.column(name)]
    if name == "value":  # a whole number for a float field is a float, both ways
        assert all(type(v[name]) is float for v in batch)
