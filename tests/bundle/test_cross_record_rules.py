"""Rules that span records hold after deltas and batches (found by an attack with genuine
keys): a delta carries one record, so the rules are checked against what is stored too;
bundles imported together end as if imported in turn; a delta's base may be imported in
the same batch.  A site's own workspace refuses the edits that would lead there."""

from __future__ import annotations

from pathlib import Path

import pytest

from nicdesk.bundle.importer import BundleError, import_bundle, import_together
from nicdesk.store.errors import InvalidChangeError
from nicdesk.store.operations import Transaction
from nicdesk.store.schema import Measure, Observation
from nicdesk.store.workspace import Workspace

from .exchange_helpers import one_line_refusal, read_records, resign, sql_dump
from .test_delta import _site_key, add_value, digest_round, net, site_export  # noqa: F401

assert net  # the fixture, imported for these tests


def _own_measure(site: Path, value_type: str = "continuous") -> str:
    """A measure of A's own with one value of 50 over 20 (fine while it is continuous)."""
    with Workspace.open(site) as ws:
        me = ws.meta()["local_site_id"]
        with ws.read() as s:
            network = s.query(Measure).first().network_id
        m = ws.ops.create("measure", network_id=network, site_id=me, name="Minutes read",
                          value_type=value_type).id
        ws.ops.create("observation", measure_id=m, site_id=me, period="2025-09-01",
                      value=2.5, numerator=50.0, denominator=20.0)
        return m


def _round(coord: Path, site: Path, tmp: Path, name: str) -> None:
    """The site exports, the coordinator imports, and its digest confirms it."""
    out = site_export(site, tmp / f"{name}.nicbundle")
    with Workspace.open(coord) as ws:
        import_bundle(ws, out)
    digest_round(coord, site, tmp / f"{name}-digest.nicbundle")


def test_a_site_cannot_make_impossible_values_into_a_proportion(net) -> None:
    _coord, sites, _tmp, _before, _doomed = net
    m = _own_measure(sites["A"])
    with Workspace.open(sites["A"]) as ws, pytest.raises(InvalidChangeError,
                                                          match="50 out of 20"):
        ws.ops.update("measure", m, value_type="proportion")


def test_a_delta_is_checked_against_the_values_stored_under_its_measure(net, monkeypatch
                                                                         ) -> None:
    """An older NICdesk let A retype its measure; its delta carries the measure alone —
    refused, as the full bundle is, rather than stored and then refused by every site in
    every digest."""
    coord, sites, tmp, _before, _doomed = net
    m = _own_measure(sites["A"])
    _round(coord, sites["A"], tmp, "a2")
    monkeypatch.setattr(Transaction, "_check_becoming_proportion", lambda *_a: None)
    with Workspace.open(sites["A"]) as ws:
        ws.ops.update("measure", m, value_type="proportion")
    delta = site_export(sites["A"], tmp / "a3.nicbundle")
    manifest, records = read_records(delta)
    assert manifest.get("base_sequence") and set(records) == {"measure"}
    before = sql_dump(coord)
    with Workspace.open(coord) as ws, pytest.raises(BundleError) as refused:
        import_bundle(ws, delta)
    assert "makes a measure a proportion" in refused.value.message
    assert one_line_refusal(refused.value.message)
    assert sql_dump(coord) == before
    with Workspace.open(coord) as ws, ws.read() as s:  # the coordinator keeps it valid
        assert s.get(Measure, m).value_type == "continuous"


def test_a_delta_may_not_leave_a_moved_nodes_links_behind(net, monkeypatch) -> None:
    coord, sites, tmp, _before, _doomed = net
    with Workspace.open(sites["A"]) as ws:
        me = ws.meta()["local_site_id"]
        with ws.read() as s:
            network = s.query(Measure).first().network_id
        one = ws.ops.create("driver_diagram", network_id=network, site_id=me, name="One").id
        two = ws.ops.create("driver_diagram", network_id=network, site_id=me, name="Two").id
        aim = ws.ops.create("driver_node", diagram_id=one, level="aim", text="Aim").id
        node = ws.ops.create("driver_node", diagram_id=one, level="primary", text="P").id
        ws.ops.create("driver_link", diagram_id=one, parent_node_id=aim, child_node_id=node)
    _round(coord, sites["A"], tmp, "a2")
    with Workspace.open(sites["A"]) as ws, pytest.raises(InvalidChangeError,
                                                          match="remove its links"):
        ws.ops.update("driver_node", node, diagram_id=two)
    monkeypatch.setattr(Transaction, "_check_link", lambda *_a: None)
    with Workspace.open(sites["A"]) as ws:
        ws.ops.update("driver_node", node, diagram_id=two)
    delta = site_export(sites["A"], tmp / "a3.nicbundle")
    assert set(read_records(delta)[1]) == {"driver_node"}
    before = sql_dump(coord)
    with Workspace.open(coord) as ws, pytest.raises(BundleError, match="leaves its links"):
        import_bundle(ws, delta)
    assert sql_dump(coord) == before


def test_bundles_together_end_as_bundles_in_turn(net) -> None:
    """A bundle whose records refer to what only a later bundle of the batch brings is
    refused together as it is alone (one transaction must not lend it the later one)."""
    coord, sites, tmp, _before, _doomed = net
    _own_measure(sites["A"])
    genuine = site_export(sites["A"], tmp / "a2.nicbundle")
    private = _site_key(sites["A"])

    def values_only(manifest, records) -> None:  # the observation without its measure
        records.pop("measure", None)

    def measure_only(manifest, records) -> None:
        manifest["sequence"] += 1
        manifest.pop("base_sequence", None)
        manifest["format_version"] = 1
        records.pop("observation", None)

    first = resign(genuine, tmp / "x.nicbundle", private, change=values_only)
    second = resign(genuine, tmp / "y.nicbundle", private, change=measure_only)
    before = sql_dump(coord)
    with Workspace.open(coord) as ws, pytest.raises(BundleError, match="refer to records"):
        import_bundle(ws, first)
    with Workspace.open(coord) as ws, pytest.raises(BundleError, match="refer to records"):
        import_together(ws, [first, second])
    assert sql_dump(coord) == before


def test_a_delta_and_its_base_can_be_imported_together(net) -> None:
    coord, sites, tmp, before, _doomed = net
    add_value(sites["A"], "2025-11-01", 0.7)
    delta = site_export(sites["A"], tmp / "a2.nicbundle")
    assert read_records(delta)[0]["base_sequence"] == 1
    with Workspace.open(before) as ws:  # a coordinator that has neither yet
        done = import_together(ws, [tmp / "a1.nicbundle", delta])
    assert [s.sequence for s in done] == [1, 2]
    with Workspace.open(before) as ws, ws.read() as s:
        assert s.query(Observation).filter_by(period="2025-11-01").count() == 1
