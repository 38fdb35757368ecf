"""The SQLAlchemy models and the entity descriptions of nicdesk.core.entities say the same
thing; and the store refuses, through every door (edit, CSV import), what the
descriptions refuse."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from sqlalchemy import JSON, Boolean, Date, Float, Integer, String, Text, select

from nicdesk.core.entities import ENTITIES, SYNC_FIELDS
from nicdesk.store.errors import InvalidChangeError
from nicdesk.store.ops.csv_import import CsvImportError, import_csv, preview_csv
from nicdesk.store.schema import MODELS, SYNC_COLUMNS, Measure, Observation, Site

COLUMN_TYPES = {"text": (String, Text), "ref": (String,), "int": (Integer,),
                "float": (Float,), "bool": (Boolean,), "date": (Date,),
                "json-list": (JSON,), "json-dict": (JSON,)}
TABLE_KIND = {cls.__tablename__: kind for kind, cls in MODELS.items()}  # type: ignore[attr-defined]
TODAY = dt.date(2026, 6, 30)


# ------------------------------------------------------------------ models = descriptions
def test_every_model_is_described_and_every_description_is_a_model() -> None:
    assert set(ENTITIES) == set(MODELS)
    assert SYNC_FIELDS == SYNC_COLUMNS


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_columns_match_the_description(kind: str) -> None:
    table = MODELS[kind].__table__  # type: ignore[attr-defined]
    columns = {c.key: c for c in table.columns if c.key not in SYNC_COLUMNS}
    described = ENTITIES[kind].fields
    assert list(described) == list(columns), "same fields, in the same order"
    for name, f in described.items():
        column = columns[name]
        where = f"{kind}.{name}"
        assert isinstance(column.type, COLUMN_TYPES[f.type]), where
        assert column.nullable == f.nullable, where
        length = getattr(column.type, "length", None)
        if length is not None:  # a bounded column never gets more than it holds
            assert f.max_length is not None and f.max_length <= length, where
        if f.choices:
            assert max(map(len, f.choices)) <= (length or math.inf), where
        targets = [TABLE_KIND[fk.column.table.name] for fk in column.foreign_keys]
        if f.type == "ref":
            assert f.ref in MODELS, where
            assert targets == ([f.ref] if f.foreign_key else []), where
        else:
            assert not targets, where
        # a new record gets every field: given (required) or from the column's default
        if not f.nullable and not f.required:
            assert column.default is not None, where
        if f.required and f.type != "text":
            assert column.default is None, where


# ------------------------------------------------------------------ edits
@pytest.fixture
def data(workspace, network):
    ops = workspace.ops
    site = ops.create("site", network_id=network, name="Lincoln").id
    prop = ops.create("measure", network_id=network, name="On track", value_type="proportion",
                      frequency="monthly").id
    rate = ops.create("measure", network_id=network, name="Absences per 100 days",
                      value_type="rate", frequency="monthly").id
    obs = ops.create("observation", measure_id=prop, site_id=site, period="2025-09-01",
                     numerator=20, denominator=25, value=0.8).id
    return workspace, site, prop, rate, obs


def observations(ws) -> list[tuple]:
    with ws.read() as s:
        return [(o.id, o.period, o.value, o.numerator, o.denominator, o.note, o.deleted, o.hlc)
                for o in s.scalars(select(Observation).order_by(Observation.id))]


@pytest.mark.parametrize(("values", "phrase"), [
    ({"value": math.nan}, "ordinary number"),
    ({"value": "nan"}, "ordinary number"),
    ({"value": math.inf}, "ordinary number"),
    ({"numerator": 3, "denominator": -4}, "between 0"),
    ({"numerator": 30, "denominator": 25}, "cannot be larger than the denominator"),
    ({"period": "9999-12-31"}, "between 1900 and 2100"),
    ({"note": "x" * 100_001}, "at most 100,000"),
])
def test_new_observations_out_of_range_are_refused(data, values, phrase) -> None:
    ws, site, prop, _rate, _obs = data
    before = observations(ws)
    record = {"period": "2025-10-01", **values}
    with pytest.raises(InvalidChangeError, match=phrase):
        ws.ops.create("observation", measure_id=prop, site_id=site, **record)
    assert observations(ws) == before


@pytest.mark.parametrize(("values", "phrase"), [
    ({"value": math.nan}, "ordinary number"),
    ({"denominator": -1}, "between 0"),
    ({"numerator": 26}, "26 out of 25"),  # the stored denominator is 25
    ({"denominator": 19}, "20 out of 19"),  # the stored numerator is 20
    ({"numerator": 40, "denominator": 30}, "40 out of 30"),
    ({"period": dt.date(9999, 12, 31)}, "between 1900 and 2100"),
])
def test_edits_of_an_observation_are_checked_with_what_is_stored(data, values,
                                                                 phrase) -> None:
    ws, _site, _prop, _rate, obs = data
    before = observations(ws)
    with pytest.raises(InvalidChangeError, match=phrase):
        ws.ops.update("observation", obs, **values)
    assert observations(ws) == before


def test_numerator_may_exceed_denominator_when_not_a_proportion(data) -> None:
    ws, site, _prop, rate, obs = data
    rid = ws.ops.create("observation", measure_id=rate, site_id=site, period="2025-09-01",
                        numerator=130, denominator=100, value=1.3).id
    ws.ops.update("observation", rid, numerator=150)
    ws.ops.update("observation", obs, numerator=25, denominator=30)  # within a proportion
    ws.ops.update("observation", obs, denominator=25)  # equal is fine
    with ws.read() as s:
        assert s.get(Observation, rid).numerator == 150
        assert (s.get(Observation, obs).numerator, s.get(Observation, obs).denominator) == \
            (25, 25)


def test_other_edits_out_of_range_are_refused(data) -> None:
    ws, site, prop, _rate, _obs = data
    network = ws.ops.create("network", name="Other").id
    with pytest.raises(InvalidChangeError, match="at most 500"):
        ws.ops.update("site", site, name="L" * 600)
    with pytest.raises(InvalidChangeError, match="at most 500"):
        ws.ops.create("site", network_id=network, name="L" * 600)
    with pytest.raises(InvalidChangeError, match="'banana' is not a value type"):
        ws.ops.update("measure", prop, value_type="banana")
    with pytest.raises(InvalidChangeError, match="'banana' is not a value type"):
        ws.ops.create("measure", network_id=network, name="M", value_type="banana")
    with pytest.raises(InvalidChangeError, match="between 1900 and 2100"):
        ws.ops.create("aim", network_id=network, statement="By June…", deadline="9999-12-31")
    with pytest.raises(InvalidChangeError, match="between 1 and 1,000"):
        ws.ops.update("network", network, suppression_threshold="0")
    with pytest.raises(InvalidChangeError, match="nested too deeply"):
        ws.ops.update("site", site, context_tags={"a": [[[[[[[[["deep"]]]]]]]]]})
    with pytest.raises(InvalidChangeError, match="needs a site"):
        ws.ops.create("member", name="Ann")
    with ws.read() as s:
        assert s.get(Site, site).name == "Lincoln"
        assert s.get(Measure, prop).value_type == "proportion"


# ------------------------------------------------------------------ CSV import
@pytest.mark.parametrize(("text", "phrase"), [
    ("date,numerator,denominator\n2025-01-01,3,4\n2025-02-01,nan,4\n", "line 3:"),
    ("date,numerator,denominator\n2025-01-01,3,4\n2025-02-01,inf,4\n", "line 3:"),
    ("date,numerator,denominator\n2025-01-01,3,4\n2025-02-01,3,-4\n", "line 3:"),
    ("date,numerator,denominator\n2025-01-01,5,4\n2025-02-01,3,4\n", "line 2:"),
    ("date,numerator,denominator\n2025-01-01,3,4\n9999-02-01,3,4\n", "line 3:"),
    ("date,value\n2025-01-01,50%\n2025-02-01,NaN\n", "line 3:"),
    ("date,value\n2025-01-01,50%\n2025-02-01,-inf\n", "line 3:"),
    # rows the CSV reader accepts but the description refuses
    ("date,numerator,denominator\n2025-01-01,3,4\n2025-02-01,3,4000000000000000\n",
     "line 3: the denominator must be between 0 and 1,000,000,000,000"),
    ("date,value,note\n2025-01-01,50%,ok\n2025-02-01,40%," + "x" * 100_001 + "\n",
     "line 3: the note is 100,001 characters long"),
])
def test_csv_rows_out_of_range_are_refused_by_line(data, tmp_path: Path, text: str,
                                                   phrase: str) -> None:
    ws, site, prop, _rate, _obs = data
    before = observations(ws)
    path = tmp_path / "bad.csv"
    path.write_text(text)
    assert not preview_csv(ws, prop, site, path, today=TODAY).parsed.ok
    with pytest.raises(CsvImportError) as err:
        import_csv(ws, prop, site, path, today=TODAY)
    assert phrase in err.value.message
    assert "nothing was changed" in err.value.message.lower()
    assert observations(ws) == before
