"""A person's astronomical-point mark is stored (migration 0007), travels in bundles and
reaches every output's analysis (the measure page's series and the network views that
feed packets)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import create_engine

from nicdesk.bundle.export import export_bundle
from nicdesk.bundle.importer import import_bundle
from nicdesk.core.states import SignalKind
from nicdesk.store import migrate
from nicdesk.store.schema import Measure, Observation, Site
from nicdesk.store.views.network import small_multiples
from nicdesk.store.views.series import measure_series
from nicdesk.store.workspace import HEAD_REVISION, SCHEMA_VERSION, Workspace, inspect_file
from tests.bundle.test_bundles import make_sites

REASON = "fire drill: the whole school left at 10 am"


def test_a_0006_file_gains_the_mark_unmarked(tmp_path: Path) -> None:
    path = tmp_path / "v6.nicdesk"
    with Workspace.create(path) as ws:
        net = ws.ops.create("network", name="NIC").id
        site = ws.ops.create("site", network_id=net, name="A", kind="school").id
        measure = ws.ops.create("measure", network_id=net, name="Attendance").id
        obs = ws.ops.create("observation", measure_id=measure, site_id=site,
                            period="2025-09-01", value=0.9, note="before 0007").id
    engine = create_engine(f"sqlite:///{path}")
    migrate.downgrade(engine, "0006")
    engine.dispose()
    con = sqlite3.connect(path)
    columns = [r[1] for r in con.execute("PRAGMA table_info(observations)")]
    con.close()
    assert "astronomical" not in columns
    assert inspect_file(path).schema_version == 6
    with Workspace.open(path) as ws, ws.read() as s:
        row = s.get(Observation, obs)
        assert row.astronomical is False and row.note == "before 0007"
    assert inspect_file(path).revision == HEAD_REVISION
    assert inspect_file(path).schema_version == SCHEMA_VERSION
    assert inspect_file(tmp_path / "v6.nicdesk.bak-0006").schema_version == 6


def test_the_mark_round_trips_through_a_bundle_and_reaches_every_view(
        tmp_path: Path, capsys) -> None:
    coord, sites = make_sites(tmp_path)
    with Workspace.open(sites["A"]) as ws:
        with ws.read() as s:
            site_id = s.get(Site, ws.meta()["local_site_id"]).id
            measure_id = s.query(Measure).first().id
        ids = [ws.ops.create("observation", measure_id=measure_id, site_id=site_id,
                             period=f"2025-{m:02d}-01", numerator=40.0 + m % 3,
                             denominator=60.0).id for m in range(1, 13)]
        ws.ops.update("observation", ids[4], astronomical=True, note=REASON,
                      label="Mark astronomical point")
        export_bundle(ws, tmp_path / "a.nicbundle")
    capsys.readouterr()
    with Workspace.open(coord) as ws:
        assert import_bundle(ws, tmp_path / "a.nicbundle").new >= 12
        with ws.read() as s:
            row = s.get(Observation, ids[4])
            assert row.astronomical is True and row.note == REASON
            assert s.get(Observation, ids[3]).astronomical is False
        series = measure_series(ws, measure_id, site_id)
        assert series.observations[4].astronomical and series.points[4].astronomical
        assert series.analysis is not None
        texts = [s.text for s in series.analysis.signals if s.kind == SignalKind.ASTRONOMICAL]
        assert texts == [f"Astronomical point (marked by a person): May 2025 — {REASON}"]
        with ws.read() as s:  # what the network view and the packet judge
            panel = next(p for p in small_multiples(s, measure_id).panels
                         if p.site_id == site_id)
        assert panel.analysis is not None
        assert texts[0] in [s.text for s in panel.analysis.signals]
        assert [p.astronomical for p in panel.points].count(True) == 1
