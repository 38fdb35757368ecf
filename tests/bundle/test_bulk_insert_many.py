"""New records reach SQLite by multi-row INSERT statements (`store.bulk._insert_many`,
issue #20: a third faster than one executemany): whatever the number of rows and however
many go in one statement, the stored rows are exactly those a plain executemany of
single-row INSERTs stores, a refused row fails the import as any statement's failure
does, and a workspace whose driver allows few parameters gets smaller statements."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from nicdesk.bundle import keys
from nicdesk.bundle.importer import BundleError, import_bundle
from nicdesk.store import bulk
from nicdesk.store.schema import Measure, Observation, Site, table_of
from nicdesk.store.workspace import Workspace

from .exchange_helpers import resign
from .test_bulk_copy import dump, weekly_values
from .test_bundles import export, make_sites

TABLE = table_of(Observation)
KEYS = [c.key for c in TABLE.columns]


def _rows(ws: Workspace, count: int) -> list[dict[str, Any]]:
    with ws.read() as s:
        site = s.query(Site).filter_by(name="A").one().id
        measure = s.query(Measure).first().id
    start = dt.date(2025, 9, 1)
    return [{"id": f"obs-{i}", "owner_site_id": site, "hlc": f"00175{i:010d}-000000-t",
             "field_clocks": {"value": f"00175{i:010d}-000000-t"}, "deleted": i % 5 == 0,
             "measure_id": measure, "site_id": site, "period": start + dt.timedelta(days=i),
             "value": [None, 0.1, 3.0, -2.5e-7, 1e300][i % 5], "numerator": None,
             "denominator": None, "note": ["", "it's", "x\u2028y", "'); DROP TABLE x; --",
                                           "é"][i % 5],
             "excluded": i % 3 == 0, "exclusion_reason": "", "astronomical": False,
             "group_id": None}
            for i in range(count)]


def _stored(path: Path) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:  # the stored values with their SQLite types, row order as inserted
        cols = ", ".join(f'"{k}", typeof("{k}")' for k in KEYS)
        return con.execute(f"SELECT {cols} FROM observations ORDER BY rowid").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize(("count", "per"), [(1, 1000), (7, 3), (20, 7), (21, 7),
                                            (2500, 1000)])
def test_multi_row_inserts_store_exactly_what_executemany_stores(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, per: int) -> None:
    coord, _sites = make_sites(tmp_path)
    reference = tmp_path / "reference.nicdesk"
    reference.write_bytes(coord.read_bytes())
    monkeypatch.setattr(bulk, "ROWS_PER_INSERT", per)
    with Workspace.open(coord) as ws:
        rows = _rows(ws, count)
        with ws.sessions.begin() as s:
            bulk.insert_rows(s, TABLE, rows)
    with Workspace.open(reference) as ws, ws.sessions.begin() as s:
        encode = bulk.row_encoder(s, TABLE)
        names = ", ".join(f'"{k}"' for k in KEYS)
        s.connection().exec_driver_sql(
            f"INSERT INTO observations ({names}) VALUES ({', '.join('?' * len(KEYS))})",
            [encode(r) for r in rows])
    assert _stored(coord) == _stored(reference)
    assert len(_stored(coord)) == count


def test_few_parameters_allowed_means_fewer_rows_per_statement(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A driver built to allow 999 parameters (older SQLite) still takes every row:
    statements of 999 // 16 rows, never more parameters than allowed."""
    coord, _sites = make_sites(tmp_path)
    seen: list[int] = []
    with Workspace.open(coord) as ws:
        rows = _rows(ws, 300)
        with ws.sessions.begin() as s:
            dbapi = s.connection().connection.dbapi_connection
            assert isinstance(dbapi, sqlite3.Connection)
            dbapi.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
            real = s.connection().exec_driver_sql

            def counted(sql: str, params: Any = None) -> Any:
                if sql.startswith('INSERT INTO "observations"'):
                    seen.append(len(params))
                return real(sql, params)
            monkeypatch.setattr(type(s.connection()), "exec_driver_sql",
                                lambda self, sql, params=None: counted(sql, params))
            bulk.insert_rows(s, TABLE, rows)
            monkeypatch.undo()
    assert seen and max(seen) <= 999 and sum(seen) == 300 * len(KEYS)
    assert len(_stored(coord)) == 300


def test_a_refused_row_fails_the_whole_insert_and_keeps_nothing(tmp_path: Path) -> None:
    coord, _sites = make_sites(tmp_path)
    with Workspace.open(coord) as ws:
        rows = _rows(ws, 1500)
        rows[1234]["note"] = None  # a required column: the database refuses the row
        with pytest.raises(IntegrityError), ws.sessions.begin() as s:
            bulk.insert_rows(s, TABLE, rows)
    assert _stored(coord) == []


def test_a_bundle_whose_values_collide_in_one_statement_is_refused_in_words(
        tmp_path: Path) -> None:
    """Two of a bundle's new values for the same measure, site and period (possible only
    in a re-signed bundle: every record passes alone) fail the multi-row INSERT on the
    unique index; the import says so and the coordinator keeps nothing."""
    coord, sites = make_sites(tmp_path)
    weekly_values(sites["A"], 40)
    bundle = export(sites["A"], tmp_path / "a1.nicbundle")
    before = dump(coord)
    with Workspace.open(sites["A"]) as ws:  # the site's own, genuinely enrolled key
        private = keys.load(ws.meta()["signing_key"]).private

    def same_period(_manifest: dict[str, Any], records: dict[str, list[Any]]) -> None:
        records["observation"][30]["period"] = records["observation"][2]["period"]

    forged = resign(bundle, tmp_path / "forged.nicbundle", private, change=same_period)
    with Workspace.open(coord) as ws, pytest.raises(BundleError, match="second value"):
        import_bundle(ws, forged)
    assert dump(coord) == before
