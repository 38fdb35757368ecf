"""A coordinator's digest goes to every site, so it carries other sites' small counts only
as a network view shows them: "suppressed", never as numbers — while the site that owns
them keeps its own raw values."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from nicdesk.bundle.export import cell_suppressed, export_bundle, preview_plan, preview_records
from nicdesk.bundle.format import SUPPRESSED_FIELDS
from nicdesk.bundle.importer import import_bundle
from nicdesk.cli.parser import main
from nicdesk.store.schema import Aim, Measure, Observation, Site
from nicdesk.store.workspace import Workspace

from .test_bundles import make_sites


def build_network(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    """A coordinator (Hub) with sites A and B, each site a copy that knows which site it is
    and has its own enrolled key — the `network` fixture of test_bundles, SQLite only."""
    return make_sites(tmp_path, measures=(("On track", "proportion"),
                                          ("Suspensions", "count")))


def measure_ids(path: Path) -> dict[str, str]:
    with Workspace.open(path) as ws, ws.read() as s:
        return {m.name: m.id for m in s.query(Measure)}


def site_bundle(path: Path, out: Path) -> Path:
    with Workspace.open(path) as ws:
        export_bundle(ws, out)
    return out


def records(bundle: Path) -> tuple[dict, dict[str, str]]:
    """(manifest, observation id -> its JSON line)."""
    with zipfile.ZipFile(bundle) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        lines = zf.read("records/observations.jsonl").decode().splitlines()
    return manifest, {json.loads(line)["id"]: line for line in lines}


@pytest.fixture
def small_cells(tmp_path: Path):
    """B records a proportion 2/3 and a count 4 (below the threshold of 10) and a
    proportion 12/20 and a count 15 (at or above it); the coordinator imports them."""
    coord, sites = build_network(tmp_path)
    m = measure_ids(sites["B"])
    with Workspace.open(sites["B"]) as ws:
        b = ws.meta()["local_site_id"]
        create = ws.ops.create
        cells = {
            "small proportion": create("observation", measure_id=m["On track"], site_id=b,
                                       period="2025-09-01", value=2 / 3, numerator=2,
                                       denominator=3).id,
            "small count": create("observation", measure_id=m["Suspensions"], site_id=b,
                                  period="2025-09-01", value=4).id,
            "proportion": create("observation", measure_id=m["On track"], site_id=b,
                                 period="2025-10-01", value=0.6, numerator=12,
                                 denominator=20).id,
            "count": create("observation", measure_id=m["Suspensions"], site_id=b,
                            period="2025-10-01", value=15).id,
            "zero": create("observation", measure_id=m["Suspensions"], site_id=b,
                           period="2025-11-01", value=0).id,
        }
    with Workspace.open(coord) as ws:
        import_bundle(ws, site_bundle(sites["B"], tmp_path / "b1.nicbundle"))
    digest = tmp_path / "digest.nicbundle"
    assert main(["export", str(coord), "--digest", "--out", str(digest)]) == 0
    return coord, sites, cells, digest


def test_small_cells_travel_as_suppressed(small_cells) -> None:
    coord, _sites, cells, digest = small_cells
    manifest, lines = records(digest)
    small = {cells["small proportion"], cells["small count"]}
    assert set(manifest["suppressed"]["observations"]) == small
    for record_id in small:
        line = lines[record_id]
        record = json.loads(line)
        for name in ("value", "numerator", "denominator"):
            assert name not in record and name not in record["field_clocks"]
            assert "~" + name not in record["field_clocks"]
        assert not any(x in line for x in (":2,", ":2.0", ":3.0", ":4.0", "0.666"))
        assert record["period"] == "2025-09-01" and "note" in record  # the rest travels
    raw = {k: json.loads(lines[v]) for k, v in cells.items() if v not in small}
    assert raw["proportion"]["numerator"] == 12 and raw["proportion"]["denominator"] == 20
    assert raw["count"]["value"] == 15 and raw["zero"]["value"] == 0
    # the coordinator's own database keeps every raw value
    with Workspace.open(coord) as ws, ws.read() as s:
        assert s.get(Observation, cells["small count"]).value == 4
        assert s.get(Observation, cells["small proportion"]).denominator == 3


def test_other_sites_get_no_raw_values_and_the_owner_keeps_its_own(small_cells) -> None:
    _coord, sites, cells, digest = small_cells
    with Workspace.open(sites["A"]) as ws:
        import_bundle(ws, digest)
        with ws.read() as s:
            for key in ("small proportion", "small count"):
                row = s.get(Observation, cells[key])
                assert row is not None  # the cell exists ("suppressed"), without numbers
                assert (row.value, row.numerator, row.denominator) == (None, None, None)
                assert not {"value", "numerator", "denominator"} & set(row.field_clocks)
            assert s.get(Observation, cells["proportion"]).value == 0.6
            assert s.get(Observation, cells["count"]).value == 15
    with Workspace.open(sites["B"]) as ws:
        import_bundle(ws, digest)
        with ws.read() as s:
            row = s.get(Observation, cells["small proportion"])
            assert (row.numerator, row.denominator) == (2, 3)
            assert row.value == pytest.approx(2 / 3)
            assert s.get(Observation, cells["small count"]).value == 4


def test_preview_shows_exactly_what_goes(small_cells) -> None:
    coord, _sites, cells, digest = small_cells
    manifest, lines = records(digest)
    with Workspace.open(coord) as ws:
        plan = preview_plan(ws, "digest")
        shown = preview_records(ws, "digest")
    assert plan.suppressed == manifest["suppressed"]
    by_id = {r["id"]: r for r in shown["observation"]}
    for record_id, line in lines.items():
        written = json.loads(line)
        assert {k: v for k, v in by_id[record_id].items() if k != "hlc"} == \
            {k: v for k, v in written.items() if k != "hlc"}
    assert "value" not in by_id[cells["small count"]]


def test_a_network_with_a_lower_threshold_shows_more(tmp_path: Path) -> None:
    coord, sites = build_network(tmp_path)
    m = measure_ids(sites["B"])
    with Workspace.open(sites["B"]) as ws:
        b = ws.meta()["local_site_id"]
        cell = ws.ops.create("observation", measure_id=m["Suspensions"], site_id=b,
                             period="2025-09-01", value=4).id
    with Workspace.open(coord) as ws:
        import_bundle(ws, site_bundle(sites["B"], tmp_path / "b.nicbundle"))
        with ws.read() as s:
            network = s.query(Site).first().network_id
        ws.ops.update("network", network, suppression_threshold=3)
        assert cell not in preview_plan(ws, "digest").suppressed.get("observations", [])
        ws.ops.update("network", network, suppression_threshold=5)
        assert preview_plan(ws, "digest").suppressed == {"observations": [cell]}


def test_aim_baselines_of_small_counts(tmp_path: Path) -> None:
    coord, _sites = build_network(tmp_path)
    m = measure_ids(coord)
    with Workspace.open(coord) as ws:
        with ws.read() as s:
            network = s.query(Site).first().network_id
        small = ws.ops.create("aim", network_id=network, statement="Fewer suspensions",
                              measure_id=m["Suspensions"], baseline_value=3,
                              target_value=1).id
        big = ws.ops.create("aim", network_id=network, statement="On track",
                            measure_id=m["On track"], baseline_value=0.4).id
        plan = preview_plan(ws, "digest")
    aims = {r["id"]: r for r in plan.records["aim"]}
    assert plan.suppressed["aims"] == [small]
    assert "baseline_value" not in aims[small] and aims[small]["target_value"] == 1
    assert aims[big]["baseline_value"] == 0.4
    assert SUPPRESSED_FIELDS["aim"] == ("baseline_value",)
    with Workspace.open(coord) as ws, ws.read() as s:
        assert s.get(Aim, small).baseline_value == 3  # only what travels is changed


def test_site_bundles_and_the_rule() -> None:
    assert cell_suppressed("proportion", 0.5, 4, 10) and not cell_suppressed("rate", 1, 10, 10)
    assert cell_suppressed("count", 9, None, 10) and not cell_suppressed("count", 0, None, 10)
    assert not cell_suppressed("proportion", 0.5, None, 10)  # no size: nothing to judge
    assert not cell_suppressed("continuous", 3, 3, 10)


def test_a_site_sends_its_own_small_counts_raw(tmp_path: Path) -> None:
    """The coordinator needs them; only the digest hides them from the other sites."""
    _coord, sites = build_network(tmp_path)
    m = measure_ids(sites["A"])
    with Workspace.open(sites["A"]) as ws:
        a = ws.meta()["local_site_id"]
        ws.ops.create("observation", measure_id=m["Suspensions"], site_id=a,
                      period="2025-09-01", value=4)
    manifest, lines = records(site_bundle(sites["A"], tmp_path / "a.nicbundle"))
    assert "suppressed" not in manifest
    assert [json.loads(x)["value"] for x in lines.values()] == [4]
