"""Delta bundles (issue #20, item 2): a site sends only what changed since the last of its
bundles the coordinator confirmed; the manifest names that base; an importer that does
not hold the base refuses the delta, saying which bundle is missing and asking for a full
one, with the database unchanged.  Everything real: workspaces, keys, signed zips."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from nicdesk.bundle import keys
from nicdesk.bundle.delta import ACKNOWLEDGED, HISTORY
from nicdesk.bundle.export import export_bundle
from nicdesk.bundle.format import BASE_FIELD, ORDER, to_json
from nicdesk.bundle.importer import BundleError, import_bundle
from nicdesk.services.exchange import export, export_scope, preview_export_records
from nicdesk.store.schema import MODELS, Observation
from nicdesk.store.workspace import Workspace

from .exchange_helpers import one_line_refusal, read_records, resign, sql_dump
from .test_digest_privacy import build_network, measure_ids


def add_value(path: Path, period: str, value: float = 0.5) -> str:
    m = measure_ids(path)
    with Workspace.open(path) as ws:
        return ws.ops.create("observation", measure_id=m["On track"],
                             site_id=ws.meta()["local_site_id"], period=period,
                             value=value).id


def site_export(path: Path, out: Path, *, full: bool = False) -> Path:
    """What `nicdesk export` and Export for the Network do: a delta when it can be."""
    with Workspace.open(path) as ws:
        export(ws, out, full=full)
    return out


def digest_round(coord: Path, site: Path, out: Path) -> None:
    """The coordinator writes its digest and the site imports it (so it learns which of
    its bundles the coordinator holds)."""
    with Workspace.open(coord) as ws:
        export_bundle(ws, out, kind="digest")
    with Workspace.open(site) as ws:
        import_bundle(ws, out)


def owned(path: Path, site_name: str) -> dict[str, list[dict[str, Any]]]:
    """Every record `site_name` owns in a workspace, as canonical JSON."""
    with Workspace.open(path) as ws, ws.read() as s:
        from nicdesk.store.schema import Site

        site_id = s.query(Site).filter_by(name=site_name).one().id
        return {k: sorted((to_json(k, r) for r in s.query(MODELS[k])
                           if r.owner_site_id == site_id), key=lambda r: r["id"])
                for k in ORDER}


@pytest.fixture
def net(tmp_path: Path):
    """A coordinator and sites A and B; A's first (full) bundle imported by the
    coordinator and confirmed by a digest.  `before` is the coordinator as it was before
    it imported anything from A."""
    coord, sites = build_network(tmp_path)
    before = tmp_path / "coordinator-before.nicdesk"
    shutil.copyfile(coord, before)
    add_value(sites["A"], "2025-09-01", 0.5)
    doomed = add_value(sites["A"], "2025-10-01", 0.6)
    first = site_export(sites["A"], tmp_path / "a1.nicbundle")
    with Workspace.open(coord) as ws:
        import_bundle(ws, first)
    digest_round(coord, sites["A"], tmp_path / "d1.nicbundle")
    return coord, sites, tmp_path, before, doomed


def test_the_first_bundle_is_full_and_the_next_only_the_changes(net) -> None:
    coord, sites, tmp, _before, doomed = net
    first, _ = read_records(tmp / "a1.nicbundle")
    assert BASE_FIELD not in first and first["format_version"] == 1
    with Workspace.open(sites["A"]) as ws:  # the digest told A that bundle 1 arrived
        assert json.loads(ws.meta()[ACKNOWLEDGED]) == {ws.meta()["signing_key"]: 1}
        assert json.loads(ws.meta()[HISTORY])[-1]["sequence"] == 1
    new = add_value(sites["A"], "2025-11-01", 0.7)
    with Workspace.open(sites["A"]) as ws:
        ws.ops.delete("observation", doomed)
        scope = export_scope(ws)
        previewed = preview_export_records(ws)
    assert scope.base == 1 and "since bundle 1" in scope.why
    delta = site_export(sites["A"], tmp / "a2.nicbundle")
    manifest, records = read_records(delta)
    assert manifest[BASE_FIELD] == 1 and manifest["sequence"] == 2
    assert manifest["format_version"] == 2
    # only what changed: the new value and the deletion (its tombstone travels)
    assert {r["id"]: r["deleted"] for r in records["observation"]} == {new: False,
                                                                        doomed: True}
    assert set(records) == {"observation"}
    assert previewed == records  # the preview is exactly what went
    with zipfile.ZipFile(delta) as zf:
        assert "base=1" in zf.read("manifest.json.minisig").decode()
    with Workspace.open(coord) as ws:
        summary = import_bundle(ws, delta)
    assert (summary.new, summary.updated) == (1, 1)
    assert owned(coord, "A") == owned(sites["A"], "A")  # the coordinator has it all
    with Workspace.open(coord) as ws, ws.read() as s:
        assert s.get(Observation, doomed).deleted


def test_a_delta_on_a_base_this_workspace_lacks_is_refused(net) -> None:
    coord, sites, tmp, before, _doomed = net
    add_value(sites["A"], "2025-11-01", 0.7)
    delta = site_export(sites["A"], tmp / "a2.nicbundle")
    untouched = sql_dump(before)
    with Workspace.open(before) as ws, pytest.raises(BundleError) as caught:
        import_bundle(ws, delta)
    message = caught.value.message
    assert one_line_refusal(message)
    assert "since its bundle 1" in message and "has not imported bundle 1" in message
    assert "full bundle" in message and "Export everything" in message and "--full" in message
    assert "no bundle from that computer has been imported here" in message
    assert sql_dump(before) == untouched  # the database (its clock included) unchanged
    # the site sends everything: accepted where the base is missing
    full = site_export(sites["A"], tmp / "a3.nicbundle", full=True)
    manifest, records = read_records(full)
    assert BASE_FIELD not in manifest and len(records["observation"]) == 3
    with Workspace.open(before) as ws:
        import_bundle(ws, full)
    assert owned(before, "A") == owned(sites["A"], "A")


def test_a_lost_bundle_never_breaks_the_chain(net) -> None:
    """Bundle 2 is lost on the way; bundle 3 builds on bundle 1 (the last one the
    coordinator confirmed), so it carries bundle 2's changes too."""
    coord, sites, tmp, _before, _doomed = net
    lost = add_value(sites["A"], "2025-11-01", 0.7)
    site_export(sites["A"], tmp / "a2.nicbundle")  # never arrives
    later = add_value(sites["A"], "2025-12-01", 0.8)
    third = site_export(sites["A"], tmp / "a3.nicbundle")
    manifest, records = read_records(third)
    assert manifest["sequence"] == 3 and manifest[BASE_FIELD] == 1
    assert {r["id"] for r in records["observation"]} == {lost, later}
    with Workspace.open(coord) as ws:
        import_bundle(ws, third)
    assert owned(coord, "A") == owned(sites["A"], "A")
    # once a digest confirms bundle 3, the next delta builds on it
    digest_round(coord, sites["A"], tmp / "d2.nicbundle")
    add_value(sites["A"], "2026-01-01", 0.9)
    manifest, records = read_records(site_export(sites["A"], tmp / "a4.nicbundle"))
    assert manifest[BASE_FIELD] == 3 and len(records["observation"]) == 1


def test_a_replayed_delta_is_harmless_and_an_empty_one_imports(net) -> None:
    coord, sites, tmp, _before, _doomed = net
    empty = site_export(sites["A"], tmp / "a2.nicbundle")  # nothing changed since 1
    manifest, records = read_records(empty)
    assert manifest[BASE_FIELD] == 1 and records == {} and manifest["files"] == {}
    with Workspace.open(coord) as ws:
        assert import_bundle(ws, empty).new == 0
        assert import_bundle(ws, empty).already


def test_digests_and_asked_for_full_bundles_stay_full(net) -> None:
    coord, sites, tmp, _before, _doomed = net
    with Workspace.open(coord) as ws:
        result = export_bundle(ws, tmp / "d2.nicbundle", kind="digest", delta=True)
    manifest, records = read_records(result.path)
    assert result.base is None and BASE_FIELD not in manifest
    assert len(records["observation"]) == 2
    with Workspace.open(sites["A"]) as ws:
        assert ws.meta()["signing_key"] in manifest[ACKNOWLEDGED]
        assert export_scope(ws, full=True).full
        assert "Export everything" in export_scope(ws, full=True).why


def test_no_delta_before_a_digest_confirms_a_bundle(tmp_path: Path) -> None:
    coord, sites = build_network(tmp_path)
    add_value(sites["B"], "2025-09-01")
    site_export(sites["B"], tmp_path / "b1.nicbundle")
    add_value(sites["B"], "2025-10-01")
    with Workspace.open(sites["B"]) as ws:
        scope = export_scope(ws)
    assert scope.full and "not yet confirmed" in scope.why
    manifest, records = read_records(site_export(sites["B"], tmp_path / "b2.nicbundle"))
    assert BASE_FIELD not in manifest and len(records["observation"]) == 2


def test_a_new_key_starts_again_with_a_full_bundle(net) -> None:
    """A delta never builds on a bundle signed with another key (the importer checks the
    base per signer)."""
    coord, sites, tmp, _before, _doomed = net
    with Workspace.open(sites["A"]) as ws:
        ws.set_meta(signing_key=keys.generate(None).public.key_id_hex)
        assert export_scope(ws).full


def _site_key(path: Path) -> Any:
    with Workspace.open(path) as ws:
        return keys.load(ws.meta()["signing_key"]).private


@pytest.mark.parametrize(("change", "words"), [
    (lambda m: m.update(base_sequence=2), "is not an earlier sequence number"),
    (lambda m: m.update(base_sequence=0), "is not an earlier sequence number"),
    (lambda m: m.update(base_sequence="1"), "is not an earlier sequence number"),
    (lambda m: m.update(base_sequence=True), "is not an earlier sequence number"),
    (lambda m: m.update(format_version=1), "may build on an earlier one"),
    (lambda m: m.update(kind="digest"), "may build on an earlier one"),
])
def test_a_damaged_base_is_refused(net, change, words) -> None:
    coord, sites, tmp, _before, _doomed = net
    add_value(sites["A"], "2025-11-01", 0.7)
    delta = site_export(sites["A"], tmp / "a2.nicbundle")
    forged = resign(delta, tmp / "forged.nicbundle", _site_key(sites["A"]),
                    change=lambda m, _r: change(m))
    untouched = sql_dump(coord)
    with Workspace.open(coord) as ws, pytest.raises(BundleError) as caught:
        import_bundle(ws, forged)
    assert words in caught.value.message and one_line_refusal(caught.value.message)
    assert sql_dump(coord) == untouched


def test_every_rule_applies_to_a_delta(net) -> None:
    """A delta is checked like any bundle: here one re-signed with A's genuine key that
    edits B's record is refused by the authority check, nothing changed."""
    coord, sites, tmp, _before, _doomed = net
    b_value = add_value(sites["B"], "2025-09-01")
    with Workspace.open(coord) as ws:
        import_bundle(ws, site_export(sites["B"], tmp / "b1.nicbundle"))
    add_value(sites["A"], "2025-11-01", 0.7)
    delta = site_export(sites["A"], tmp / "a2.nicbundle")

    def steal(_m: dict[str, Any], records: dict[str, list[dict[str, Any]]]) -> None:
        row = dict(records["observation"][0])
        row["id"] = b_value
        records["observation"].append(row)
        records["observation"].sort(key=lambda r: r["id"])

    forged = resign(delta, tmp / "forged.nicbundle", _site_key(sites["A"]), change=steal)
    untouched = sql_dump(coord)
    with Workspace.open(coord) as ws, pytest.raises(BundleError) as caught:
        import_bundle(ws, forged)
    assert "which B owns" in caught.value.message, caught.value.message
    assert one_line_refusal(caught.value.message)
    assert sql_dump(coord) == untouched


@pytest.mark.skipif(not shutil.which("minisign"), reason="the stock minisign tool is absent")
def test_stock_minisign_verifies_a_delta(net) -> None:
    coord, sites, tmp, _before, _doomed = net
    add_value(sites["A"], "2025-11-01", 0.7)
    delta = site_export(sites["A"], tmp / "a2.nicbundle")
    with zipfile.ZipFile(delta) as zf:
        zf.extract("manifest.json", tmp / "x")
        zf.extract("manifest.json.minisig", tmp / "x")
    pub = tmp / "A.pub"  # written by the fixture's enrolment
    done = subprocess.run(["minisign", "-Vm", str(tmp / "x" / "manifest.json"), "-p",
                           str(pub)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "base=1" in done.stdout and "sequence=2" in done.stdout


def test_a_delta_refused_for_want_of_its_base_imports_once_the_base_does(net) -> None:
    """Bundles arriving out of order: the delta first (refused), then its base, then the
    delta again — the same records as the site's."""
    coord, sites, tmp, before, _doomed = net
    add_value(sites["A"], "2025-11-01", 0.7)
    delta = site_export(sites["A"], tmp / "a2.nicbundle")
    with Workspace.open(before) as ws:
        with pytest.raises(BundleError):
            import_bundle(ws, delta)
        import_bundle(ws, tmp / "a1.nicbundle")
        assert import_bundle(ws, delta).new == 1
    assert owned(before, "A") == owned(sites["A"], "A")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_deltas_through_lost_delayed_and_reordered_bundles(net, seed: int) -> None:
    """A's bundles are lost, delayed and delivered out of order, digests come back now
    and then; a delta is never refused (it builds only on a bundle the coordinator
    confirmed), and after one clean round the coordinator holds exactly A's records."""
    import random

    coord, sites, tmp, _before, _doomed = net
    rng = random.Random(seed)
    a = sites["A"]
    values: list[str] = []
    in_transit: list[Path] = []
    month = 0
    m = measure_ids(a)["On track"]
    deltas = 0
    for round_ in range(6):
        with Workspace.open(a) as ws:
            local = ws.meta()["local_site_id"]
            for _ in range(rng.randint(1, 3)):
                choice = rng.random()
                if values and choice < 0.3:
                    ws.ops.update("observation", rng.choice(values), value=rng.random())
                elif values and choice < 0.45:
                    ws.ops.delete("observation", values.pop(rng.randrange(len(values))))
                else:
                    month += 1
                    values.append(ws.ops.create(
                        "observation", measure_id=m, site_id=local,
                        period=f"{2026 + month // 12}-{month % 12 + 1:02d}-01",
                        value=rng.random()).id)
        bundle = site_export(a, tmp / f"r{seed}-{round_}.nicbundle")
        deltas += BASE_FIELD in read_records(bundle)[0]
        if rng.random() < 0.7:  # lost otherwise
            in_transit.append(bundle)
        rng.shuffle(in_transit)
        with Workspace.open(coord) as ws:
            while in_transit and rng.random() < 0.6:
                import_bundle(ws, in_transit.pop())  # never refused
        if rng.random() < 0.5:
            digest_round(coord, a, tmp / f"d{seed}-{round_}.nicbundle")
    with Workspace.open(coord) as ws:
        for bundle in in_transit:
            import_bundle(ws, bundle)
        import_bundle(ws, site_export(a, tmp / f"last{seed}.nicbundle"))
    assert owned(coord, "A") == owned(a, "A")
    assert deltas >= 2  # the digests made most bundles deltas


def test_private_fields_never_travel_in_a_delta(net) -> None:
    coord, sites, tmp, _before, _doomed = net
    with Workspace.open(sites["A"]) as ws:
        ws.ops.update("site", ws.meta()["local_site_id"], private_notes="only here",
                      name="A")
    manifest, records = read_records(site_export(sites["A"], tmp / "a2.nicbundle"))
    assert manifest[BASE_FIELD] == 1
    (site,) = records["site"]
    assert "private_notes" not in site and "only here" not in json.dumps(records)
    assert not any(k.removeprefix("~") == "private_notes" for k in site["field_clocks"])
