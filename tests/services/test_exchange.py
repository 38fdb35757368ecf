"""`services.exchange`: export, verify, import (one bundle at a time, refusals as
outcomes), CSV import and the dump, on real workspaces and real signed bundles."""

from __future__ import annotations

from pathlib import Path

import pytest

from nicdesk.bundle.reader import BundleError
from nicdesk.services import exchange
from nicdesk.services.membership import workspace_key
from nicdesk.services.workspaces import find_named
from nicdesk.store.workspace import Workspace

from .conftest import Net


def test_export_kind_and_parties(net: Net) -> None:
    with Workspace.open(net.coordinator) as ws:
        assert exchange.export_kind(ws) == "digest"
        parties = exchange.export_parties(ws)
        assert parties.site_name == "State Office"
        assert parties.others == [("Lincoln High School", net.school_id)]
    with Workspace.open(net.school) as ws:
        assert exchange.export_kind(ws) == "site"
        assert exchange.export_parties(ws).site_name == "Lincoln High School"


def test_export_verify_import_round_trip(net: Net, tmp_path: Path) -> None:
    bundle = tmp_path / "lincoln.nicbundle"
    with Workspace.open(net.school) as ws:
        ws.ops.create("aim", network_id=find_named(ws, "network", "Valley", "network").id,
                      site_id=net.school_id, statement="Every 9th grader on track")
        counts = exchange.preview_export(ws, "site")
        assert counts.get("aim") == 1
        assert len(exchange.preview_export_records(ws, "site")["aim"]) == 1
        result = exchange.export(ws, bundle, kind="site")
        pub = tmp_path / "lincoln.pub"
        pub.write_text(workspace_key(ws).file_text())
    assert result.sequence == 1 and result.counts["aim"] == 1

    unchecked = exchange.verify(bundle)
    assert not unchecked.checked and unchecked.manifest["kind"] == "site"
    assert exchange.verify(bundle, pub).checked
    bad_key = tmp_path / "bad.pub"
    bad_key.write_bytes(b"\xff\xfe not text")
    with pytest.raises(exchange.ExchangeError, match="is not a minisign public key"):
        exchange.verify(bundle, bad_key)
    with pytest.raises(exchange.ExchangeError, match="cannot be read"):
        exchange.verify(bundle, tmp_path / "missing.pub")

    with Workspace.open(net.coordinator) as ws:
        first = exchange.import_one(ws, bundle)
        assert not first.refused and first.summary is not None
        assert first.summary.new >= 1 and "imported" in first.message
        again = exchange.import_one(ws, bundle)
        assert again.summary is not None and again.summary.already
        junk = tmp_path / "junk.nicbundle"
        junk.write_bytes(b"no zip")
        refused = exchange.import_one(ws, junk)
        assert refused.refused and refused.summary is None and "junk.nicbundle" in \
            refused.message
        dump = exchange.dump_records(ws)
    statements = [r["statement"] for r in dump["aim"]]
    assert "Every 9th grader on track" in statements
    assert all([r["id"] for r in rows] == sorted(r["id"] for r in rows) for rows in dump.values())
    assert '"aim": [' in exchange.dumps(dump)


def test_verify_refuses_what_is_no_bundle(tmp_path: Path) -> None:
    junk = tmp_path / "junk.nicbundle"
    junk.write_bytes(b"no zip")
    with pytest.raises(BundleError):
        exchange.verify(junk)


def test_csv_preview_then_import(net: Net, tmp_path: Path) -> None:
    csv = tmp_path / "counts.csv"
    csv.write_text("date,value\n2025-09-01,40\n2025-10-01,45\n")
    with Workspace.open(net.school) as ws:
        network = find_named(ws, "network", "Valley", "network").id
        measure = ws.ops.create("measure", network_id=network, site_id=net.school_id,
                                name="Referrals", value_type="count").id
        preview = exchange.preview_measure_csv(ws, measure, net.school_id, csv)
        assert len(preview.parsed.good) == 2 and not preview.duplicates()
        done = exchange.import_measure_csv(ws, measure, net.school_id, csv)
        assert (done.added, done.replaced) == (2, 0)
        csv.write_text("date,value\n2025-09-01,41\n")
        kept = exchange.import_measure_csv(ws, measure, net.school_id, csv)
        assert (kept.added, kept.skipped_duplicates) == (0, 1)
        replaced = exchange.import_measure_csv(ws, measure, net.school_id, csv,
                                               replace=True)
        assert replaced.replaced == 1
