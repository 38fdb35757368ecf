"""New records reach a PostgreSQL coordinator by `COPY ... FROM STDIN` (`store.bulk`,
issue #20: the 300-site import within twice SQLite's time): the stored result is the
SQLite coordinator's, and a violation during the COPY fails as any statement's does
(nothing kept).  The test names say "postgresql": quick runs leave them out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from nicdesk.bundle.importer import import_bundle
from nicdesk.cli.parser import main
from nicdesk.services.exchange import dump_records, dumps
from nicdesk.store import bulk
from nicdesk.store.schema import Measure, Observation, Site
from nicdesk.store.workspace import Workspace

from .test_bundles import export, make_sites

WEEKS = 30


def weekly_values(path: Path, weeks: int = WEEKS) -> None:
    with Workspace.open(path) as ws, ws.read() as s:
        site = s.get(Site, ws.meta()["local_site_id"]).id
        measure = s.query(Measure).first().id
    with Workspace.open(path) as ws, ws.ops.batch("values") as t:
        for w in range(weeks):
            t.create("observation", measure_id=measure, site_id=site,
                     period=dt.date(2025, 9, 1) + dt.timedelta(weeks=w),
                     numerator=w % 20, denominator=20, note=f"week {w}", excluded=w == 3)


def dump(target: Any) -> str:
    with Workspace.open(target) as ws:
        return dumps(dump_records(ws))


@pytest.fixture
def copied(tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
           ) -> tuple[Path, str, dict[str, Path]]:
    """The coordinator as a file and as a server database, and the sites; every new
    row goes by COPY however few."""
    monkeypatch.setattr(bulk, "COPY_MIN", 1)
    coord, sites = make_sites(tmp_path)
    assert main(["copy", str(coord), pg_url]) == 0
    capsys.readouterr()
    return coord, pg_url, sites


def test_postgresql_copied_rows_are_stored_as_the_file_stores_them(
        copied: tuple[Path, str, dict[str, Path]], tmp_path: Path) -> None:
    coord, url, sites = copied
    weekly_values(sites["A"])
    bundle = export(sites["A"], tmp_path / "a1.nicbundle")
    with Workspace.open(coord) as ws:
        on_file = import_bundle(ws, bundle)
    with Workspace.open(url) as ws:
        on_server = import_bundle(ws, bundle)
    assert (on_server.new, on_server.updated) == (on_file.new, on_file.updated) == (WEEKS, 0)
    assert dump(url) == dump(coord)
    with Workspace.open(url) as ws, ws.read() as s:  # JSON, dates and flags typed back
        row = s.query(Observation).filter_by(note="week 3").one()
        assert row.excluded is True and row.period == dt.date(2025, 9, 22)
        assert isinstance(row.field_clocks, dict) and row.field_clocks["note"]


def test_postgresql_a_violation_during_the_copy_is_raised_as_any_statement_s(
        copied: tuple[Path, str, dict[str, Path]]) -> None:
    """A row the database refuses (here a required note left out) fails the COPY as an
    INSERT would fail — SQLAlchemy's `IntegrityError`, which the importer words — and
    the transaction keeps nothing."""
    _coord, url, _sites = copied
    with Workspace.open(url) as ws, ws.read() as s:
        site = s.query(Site).filter_by(name="A").one().id
        measure = s.query(Measure).first().id
        before = s.query(Observation).count()
    row = {"id": "not-stored", "owner_site_id": site, "hlc": "", "field_clocks": {},
           "deleted": False, "measure_id": measure, "site_id": site,
           "period": dt.date(2025, 9, 1), "note": None, "excluded": False,
           "exclusion_reason": "", "astronomical": False}
    with Workspace.open(url) as ws:
        with pytest.raises(IntegrityError), ws.sessions.begin() as s:
            bulk.insert_rows(s, Observation.__table__, [row])
        with ws.read() as s:
            assert s.query(Observation).count() == before
