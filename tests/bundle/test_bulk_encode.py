"""`store.bulk.encode_rows` (issue #20, the fresh import's row encoding a column at a
time) gives, for any rows, exactly what the one-row-at-a-time `row_encoder` gives for the
same rows with their missing columns filled by the column defaults — the rows a fresh
bundle import writes into SQLite."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nicdesk.store import bulk
from nicdesk.store.schema import Observation, column_default, table_of
from nicdesk.store.workspace import Workspace

TABLE = table_of(Observation)
KEYS = [c.key for c in TABLE.columns]
DEFAULTS = [(c.key, column_default(c)) for c in TABLE.columns]

_json = st.recursive(st.none() | st.booleans() | st.integers(-(2**70), 2**70) |
                     st.floats(allow_nan=False) | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=3) |
                     st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)
_value = st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | \
    st.text(max_size=6) | st.dates() | st.datetimes()


@st.composite
def _row(draw: st.DrawFn) -> dict[str, Any]:
    """A record's values: any column may be left out (it gets its default); JSON columns
    hold any JSON (integers beyond 64 bits too), the rest any plain value."""
    row: dict[str, Any] = {}
    for c in TABLE.columns:
        if c.key != "id" and draw(st.integers(0, 9)) == 0:
            continue  # left out
        row[c.key] = draw(_json if c.key == "field_clocks" else _value)
    return row


def _one_by_one(encode: Any, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What `insert_rows` bound before: each row encoded alone, defaults filled in."""
    return [encode({k: r[k] if k in r else d for k, d in DEFAULTS}) for r in rows]


def test_encode_rows_is_row_encoder_for_any_rows(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w.nicdesk") as ws, ws.read() as s:
        encode = bulk.row_encoder(s, TABLE)

        @settings(max_examples=300, deadline=None)
        @given(st.lists(_row(), max_size=6))
        def agree(rows: list[dict[str, Any]]) -> None:
            got = bulk.encode_rows(TABLE, rows, DEFAULTS)
            assert got == _one_by_one(encode, rows)
            # equal as Python values is not enough: a flag bound as True is not 1 to the
            # driver's adapters, a date is not its text
            assert [list(map(type, r)) for r in got] == \
                [list(map(type, r)) for r in _one_by_one(encode, rows)]

        agree()


def test_encode_rows_of_complete_rows_converts_json_dates_and_flags(tmp_path: Path
                                                                    ) -> None:
    row = {k: None for k in KEYS} | {"id": "x", "field_clocks": {"value": "s"},
                                     "period": dt.date(2025, 9, 1), "deleted": False,
                                     "excluded": True, "value": 3.5}
    (got,) = bulk.encode_rows(TABLE, [row], DEFAULTS)
    named = dict(zip(KEYS, got, strict=True))
    assert named["field_clocks"] == '{"value":"s"}'
    assert named["period"] == "2025-09-01"
    assert (named["deleted"], named["excluded"]) == (0, 1)
    assert named["value"] == 3.5 and named["id"] == "x"
    assert bulk.encode_rows(TABLE, [], DEFAULTS) == []


def test_encode_rows_from_columns_is_encode_rows_from_the_rows(tmp_path: Path) -> None:
    """The columns a caller hands over (the parser's) give exactly the rows read from the
    records themselves — a column no row carries gets its default."""

    @settings(max_examples=200, deadline=None)
    @given(st.lists(_row(), min_size=1, max_size=6), st.sets(st.sampled_from(KEYS)))
    def agree(rows: list[dict[str, Any]], left_out: set[str]) -> None:
        left_out.discard("id")
        rows = [{k: r.get(k) for k in KEYS if k not in left_out} for r in rows]

        def column(name: str) -> tuple[Any, ...] | None:
            return None if name in left_out else tuple(r[name] for r in rows)

        by_column = bulk.encode_rows(TABLE, rows, DEFAULTS, column)
        by_row = bulk.encode_rows(TABLE, rows, DEFAULTS)
        assert by_column == by_row
        assert [list(map(type, r)) for r in by_column] == \
            [list(map(type, r)) for r in by_row]

    agree()


def test_a_column_of_the_wrong_length_is_refused_not_written() -> None:
    rows = [{k: None for k in KEYS} | {"id": str(i), "field_clocks": {}} for i in range(3)]
    with pytest.raises(ValueError, match="2 values for 3 rows"):
        bulk.encode_rows(TABLE, rows, DEFAULTS, lambda name: ("a", "b"))
