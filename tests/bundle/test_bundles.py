"""Signed bundles end to end: export, stock-minisign verification, import and merge in any
order, replay, conflicts, and every refusal leaving the database exactly as it was."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from nicdesk.bundle import keys, minisign
from nicdesk.bundle.export import export_bundle
from nicdesk.bundle.importer import BundleError, import_bundle
from nicdesk.cli.parser import main
from nicdesk.store.errors import InvalidChangeError
from nicdesk.store.schema import Measure, RecordVersion, Site
from nicdesk.store.workspace import Workspace


def dump(path: Path, capsys) -> str:
    capsys.readouterr()
    assert main(["dump", str(path), "--json"]) == 0
    return capsys.readouterr().out


def make_sites(tmp_path: Path, *, measures: tuple[tuple[str, str], ...] = (
        ("On track", "proportion"),)) -> tuple[Path, dict[str, Path]]:
    """A coordinator (site Hub, with its key) and sites A and B, each a copy of its file
    that knows which site it is and has its own key, enrolled with the coordinator."""
    coord = tmp_path / "coordinator.nicdesk"
    with Workspace.create(coord) as ws:
        net = ws.ops.create("network", name="NIC").id
        hub = ws.ops.create("site", network_id=net, name="Hub", kind="state agency").id
        for name in ("A", "B"):
            ws.ops.create("site", network_id=net, name=name, kind="school", parent_id=hub)
        for name, value_type in measures:
            ws.ops.create("measure", network_id=net, name=name, value_type=value_type)
    assert main(["keys", "init", str(coord), "--site", "Hub", "--coordinator"]) == 0
    assert main(["keys", "export-public", str(coord), "--out", str(tmp_path / "coord.pub")]) == 0
    sites = {}
    for name in ("A", "B"):
        path = tmp_path / f"{name}.nicdesk"
        shutil.copyfile(coord, path)
        with Workspace.open(path) as ws:
            # a copy of the coordinator's file must stop being the coordinator
            ws.set_meta(device_id=f"laptop{name}", bundle_sequence="0", signing_key="",
                        role="site")
        assert main(["keys", "init", str(path), "--site", name]) == 0
        pub = tmp_path / f"{name}.pub"
        assert main(["keys", "export-public", str(path), "--out", str(pub)]) == 0
        assert main(["network", "enroll", str(coord), str(pub), "--site", name]) == 0
        sites[name] = path
    return coord, sites


def second_laptop(coord: Path | str, site_a: Path, tmp: Path, name: str) -> Path:
    """A second computer of site A: a copy of its file with its own device and key,
    enrolled for A at the coordinator."""
    laptop = tmp / name
    shutil.copyfile(site_a, laptop)
    with Workspace.open(laptop) as ws:
        ws.set_meta(device_id="laptopA2", signing_key="", bundle_sequence="0")
    assert main(["keys", "init", str(laptop), "--site", "A"]) == 0
    pub = laptop.with_suffix(".pub")
    assert main(["keys", "export-public", str(laptop), "--out", str(pub)]) == 0
    assert main(["network", "enroll", str(coord), str(pub), "--site", "A"]) == 0
    return laptop


@pytest.fixture(params=["sqlite", "postgresql"])
def network(tmp_path: Path, capsys, request):
    """A coordinator workspace with sites A and B, and one workspace per site (each a copy
    that knows which site it is and has its own key, enrolled with the coordinator).  In
    the "postgresql" variant the coordinator then moves to a server database (`nicdesk
    copy`), and `coord` is its URL: every bundle test runs on both engines."""
    coord, sites = make_sites(tmp_path)
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
        assert main(["copy", str(coord), url]) == 0
        coord = url
    capsys.readouterr()
    return coord, sites, tmp_path


def add_values(path: Path, values: dict[str, float]) -> None:
    with Workspace.open(path) as ws, ws.read() as s:
        site = s.get(Site, ws.meta()["local_site_id"])
        measure = s.query(Measure).first()
        site_id, measure_id = site.id, measure.id
    with Workspace.open(path) as ws:
        for period, value in values.items():
            ws.ops.create("observation", measure_id=measure_id, site_id=site_id,
                          period=period, value=value)


def export(path: Path, out: Path) -> Path:
    with Workspace.open(path) as ws:
        export_bundle(ws, out)
    return out


def test_round_trip_replay_and_stock_minisign(network, capsys) -> None:
    coord, sites, tmp = network
    add_values(sites["A"], {"2025-09-01": 0.5, "2025-10-01": 0.6})
    bundle = export(sites["A"], tmp / "a1.nicbundle")
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read("manifest.json"))
        zf.extract("manifest.json", tmp / "x")
        zf.extract("manifest.json.minisig", tmp / "x")
    assert "records/observations.jsonl" in names and manifest["sequence"] == 1
    if shutil.which("minisign"):
        done = subprocess.run(["minisign", "-Vm", str(tmp / "x" / "manifest.json"), "-p",
                               str(tmp / "A.pub")], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert main(["verify", str(bundle), "--key", str(tmp / "A.pub")]) == 0
    assert main(["verify", str(bundle), "--key", str(tmp / "B.pub")]) == 1
    with Workspace.open(coord) as ws:
        first = import_bundle(ws, bundle)
        again = import_bundle(ws, bundle)
    assert first.new == 2 and again.already
    assert '"value":0.6' in dump(coord, capsys).replace(" ", "")


def test_private_fields_never_leave(network) -> None:
    coord, sites, tmp = network
    with Workspace.open(sites["A"]) as ws:
        site = ws.meta()["local_site_id"]
        ws.ops.create("member", site_id=site, name="Ann", email="ann@school.example")
        ws.ops.update("site", site, private_notes="Only for us")
    bundle = export(sites["A"], tmp / "a.nicbundle")
    with zipfile.ZipFile(bundle) as zf:
        everything = b"".join(zf.read(n) for n in zf.namelist())
    assert b"ann@school.example" not in everything and b"Only for us" not in everything
    assert b'"email"' not in everything


def test_any_order_gives_the_same_database(network, capsys) -> None:
    coord, sites, tmp = network
    bundles = []
    for name in ("A", "B"):
        add_values(sites[name], {"2025-09-01": 0.4})
        bundles.append(export(sites[name], tmp / f"{name}1.nicbundle"))
        with Workspace.open(sites[name]) as ws, ws.read() as s:
            from nicdesk.store.schema import Observation

            obs = s.query(Observation).one().id
        with Workspace.open(sites[name]) as ws:
            ws.ops.update("observation", obs, value=0.45, note="corrected")
        add_values(sites[name], {"2025-10-01": 0.5})
        bundles.append(export(sites[name], tmp / f"{name}2.nicbundle"))
    one, two = tmp / "c1.nicdesk", tmp / "c2.nicdesk"
    for copy in (one, two):  # from a file or from the server alike
        assert main(["copy", str(coord), str(copy)]) == 0
    with Workspace.open(one) as ws:
        for b in bundles:
            import_bundle(ws, b)
    with Workspace.open(two) as ws:
        for b in reversed(bundles):
            import_bundle(ws, b)
        for b in bundles:  # re-importing changes nothing
            assert import_bundle(ws, b).already
    assert dump(one, capsys) == dump(two, capsys)
    assert '"note":"corrected"' in dump(one, capsys).replace(" ", "")


def test_concurrent_edits_keep_both_versions(network) -> None:
    coord, sites, tmp = network
    add_values(sites["A"], {"2025-09-01": 0.4})
    laptop2 = second_laptop(coord, sites["A"], tmp, "A-laptop2.nicdesk")
    from nicdesk.store.schema import Observation

    for path, note in ((sites["A"], "from laptop 1"), (laptop2, "from laptop 2")):
        with Workspace.open(path) as ws:
            with ws.read() as s:
                obs = s.query(Observation).one().id
            ws.ops.update("observation", obs, note=note)
    b1 = export(sites["A"], tmp / "l1.nicbundle")
    b2 = export(laptop2, tmp / "l2.nicbundle")
    with Workspace.open(coord) as ws:
        import_bundle(ws, b1)
        summary = import_bundle(ws, b2)
        with ws.read() as s:
            kept = s.query(Observation).one().note
            lost = [v.value for v in s.query(RecordVersion).filter_by(field="note")]
    assert summary.conflicts >= 1
    assert {kept, *lost} >= {"from laptop 1", "from laptop 2"}


# ---------------------------------------------------------------- refusals
def rebuild(src: Path, dst: Path, *, manifest=None, files=None, sign_with=None,
            raw_members=None) -> Path:
    """A changed copy of a bundle, re-signed when `sign_with` is given."""
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    m = json.loads(members["manifest.json"])
    body_files = {n: d for n, d in members.items() if n.startswith("records/")}
    if files:
        files(body_files)
    if manifest:
        manifest(m)
    if sign_with is not None:
        import hashlib

        m["files"] = {n: {"sha256": hashlib.sha256(d).hexdigest(), "bytes": len(d),
                          "records": d.count(b"\n")} for n, d in body_files.items()}
        body = (json.dumps(m, sort_keys=True, indent=2) + "\n").encode()
        members["manifest.json"] = body
        members["manifest.json.minisig"] = minisign.sign(sign_with, body, "test").encode()
    elif manifest:
        members["manifest.json"] = (json.dumps(m, sort_keys=True, indent=2) + "\n").encode()
    members = {**{n: d for n, d in members.items() if not n.startswith("records/")},
               **body_files}
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in (raw_members or list(members.items())):
            zf.writestr(n, d)
    return dst


def a_key(tmp: Path):
    with Workspace.open(tmp / "A.nicdesk") as ws:
        return keys.load(ws.meta()["signing_key"]).private


def other_site_record(files) -> None:
    name = "records/observations.jsonl"
    line = json.loads(files[name].splitlines()[0])
    line["owner_site_id"] = "someone-else"
    files[name] = (json.dumps(line) + "\n").encode()


def bad_date(files) -> None:
    name = "records/observations.jsonl"
    line = json.loads(files[name].splitlines()[0])
    line["period"] = "next Tuesday"
    files[name] = (json.dumps(line) + "\n").encode()


CASES = {
    "bad signature": (dict(manifest=lambda m: m.update(sequence=99)), "signature does not match"),
    "tampered member": (dict(files=lambda f: f.update({"records/observations.jsonl":
                                                       b'{"x":1}\n'})), "changed after"),
    "missing member": (dict(files=lambda f: f.pop("records/observations.jsonl")), "missing"),
    "extra member": (dict(files=lambda f: f.update({"records/evil.jsonl": b"{}\n"})),
                     "does not cover"),
    "wrong network": (dict(manifest=lambda m: m.update(network_id="elsewhere"), sign=True),
                      "another network"),
    "key of another site": ("B-site", "signed with the key of"),
    "malformed JSON": (dict(files=lambda f: f.update({"records/observations.jsonl":
                                                      b"{not json\n"}), sign=True),
                       "not valid JSON"),
    "failing validation": (dict(files=bad_date, sign=True), "must be a date"),
    "owned by another site": (dict(files=other_site_record, sign=True), "another site"),
    "newer format": (dict(manifest=lambda m: m.update(format_version=99), sign=True),
                     "newer NICdesk"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refusals_leave_the_database_unchanged(network, capsys, case: str) -> None:
    coord, sites, tmp = network
    add_values(sites["A"], {"2025-09-01": 0.5})
    good = export(sites["A"], tmp / "good.nicbundle")
    before = dump(coord, capsys)
    spec, phrase = CASES[case]
    bad = tmp / "bad.nicbundle"
    if spec == "B-site":  # A's key, but the manifest claims site B
        with Workspace.open(coord) as ws, ws.read() as s:
            b_id = s.query(Site).filter_by(name="B").one().id
        rebuild(good, bad, manifest=lambda m: m.update(site_id=b_id), sign_with=a_key(tmp),
                files=lambda f: f.clear())
    else:
        spec = dict(spec)
        sign = spec.pop("sign", False)
        rebuild(good, bad, sign_with=a_key(tmp) if sign else None, **spec)
    with Workspace.open(coord) as ws, pytest.raises(BundleError) as err:
        import_bundle(ws, bad)
    assert phrase in err.value.message and "Nothing was changed" in err.value.message
    assert dump(coord, capsys) == before


def test_unenrolled_key_is_refused_with_how_to(network, capsys) -> None:
    coord, sites, tmp = network
    add_values(sites["A"], {"2025-09-01": 0.5})
    with Workspace.open(sites["A"]) as ws:
        ws.set_meta(signing_key="")
    assert main(["keys", "init", str(sites["A"])]) == 0  # a new laptop key, never enrolled
    bundle = export(sites["A"], tmp / "new-laptop.nicbundle")
    before = dump(coord, capsys)
    with Workspace.open(coord) as ws, pytest.raises(BundleError, match="not enrolled"):
        import_bundle(ws, bundle)
    assert dump(coord, capsys) == before
    assert main(["import", str(coord), str(bundle)]) == 1


@pytest.mark.parametrize("kind", ["zip slip", "absolute", "duplicate", "too many", "bomb",
                                  "truncated", "not a zip"])
def test_hostile_files(network, capsys, kind: str) -> None:
    coord, sites, tmp = network
    good = export(sites["A"], tmp / "good.nicbundle")
    bad = tmp / "hostile.nicbundle"
    with zipfile.ZipFile(good) as zf:
        members = [(n, zf.read(n)) for n in zf.namelist()]
    if kind == "zip slip":
        rebuild(good, bad, raw_members=[*members, ("../../evil.txt", b"x")])
    elif kind == "absolute":
        rebuild(good, bad, raw_members=[*members, ("/etc/evil", b"x")])
    elif kind == "duplicate":
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rebuild(good, bad, raw_members=[*members, members[0]])
    elif kind == "too many":
        rebuild(good, bad, raw_members=[*members, *((f"records/x{i}", b"") for i in
                                                    range(10_001))])
    elif kind == "bomb":
        rebuild(good, bad, raw_members=[*members, ("records/zeros.jsonl", b"\0" * 5_000_000)])
    elif kind == "truncated":
        data = good.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
    else:
        bad.write_bytes(b"this is a text file, not a bundle")
    before = dump(coord, capsys)
    with Workspace.open(coord) as ws, pytest.raises(BundleError) as err:
        import_bundle(ws, bad)
    assert "Nothing was changed" in err.value.message
    assert dump(coord, capsys) == before


def test_digest_back_to_another_site(network, capsys) -> None:
    coord, sites, tmp = network
    add_values(sites["A"], {"2025-09-01": 0.5})
    with Workspace.open(coord) as ws:
        import_bundle(ws, export(sites["A"], tmp / "a.nicbundle"))
    assert main(["export", str(coord), "--digest", "--out", str(tmp / "digest.nicbundle")]) == 0
    with Workspace.open(sites["B"]) as ws:
        summary = import_bundle(ws, tmp / "digest.nicbundle")
        assert summary.kind == "digest" and summary.site == "the network coordinator"
        from nicdesk.store.schema import Observation

        with ws.read() as s:
            assert s.query(Observation).count() == 1  # A's value, now visible at B
    # a site cannot pass its own bundle off as a digest
    bad = rebuild(tmp / "a.nicbundle", tmp / "fake-digest.nicbundle",
                  manifest=lambda m: m.update(kind="digest"), sign_with=a_key(tmp))
    with Workspace.open(sites["B"]) as ws, pytest.raises(BundleError, match="different key"):
        import_bundle(ws, bad)


def test_conflicts_listed_and_resolved(network) -> None:
    from nicdesk.store.ops.conflicts import bundle_history, open_conflicts, resolve

    test_concurrent_edits_keep_both_versions(network)
    coord, _sites, _tmp = network
    with Workspace.open(coord) as ws:
        with ws.read() as s:
            rows = open_conflicts(s)
            history = bundle_history(s)
        # laptop 2 enrolled its key after seeing laptop 1's: superseded, not a conflict
        assert [r.field for r in rows] == ["note"]
        assert len(history) == 2
        note = next(r for r in rows if r.field == "note")
        # the observation is A's: the coordinator sees the conflict but only A settles it
        with pytest.raises(InvalidChangeError, match="owned by A"):
            resolve(ws, note.id, take_other=True)
        with ws.read() as s:
            assert [r.field for r in open_conflicts(s)] == ["note"]
    digest = _tmp / "conflict-digest.nicbundle"
    assert main(["export", str(coord), "--digest", "--out", str(digest)]) == 0
    from nicdesk.store.schema import Observation

    settled = 0
    for laptop in (_sites["A"], _tmp / "A-laptop2.nicdesk"):
        with Workspace.open(laptop) as ws:
            import_bundle(ws, digest)
            with ws.read() as s:
                rows = open_conflicts(s)
            if rows:  # the laptop whose note lost keeps it as a conflict, and settles it
                current, other = rows[0].current, rows[0].other
                resolve(ws, rows[0].id, take_other=True)
                with ws.read() as s:
                    assert s.query(Observation).one().note == other != current
                    assert open_conflicts(s) == []
                settled += 1
    assert settled == 1


def test_invitation_join_enrol_export_import_digest(tmp_path: Path, capsys) -> None:
    """Scenario 1 and 2 of SCENARIOS.md on the command line."""
    coord = tmp_path / "coord.nicdesk"
    with Workspace.create(coord) as ws:
        net = ws.ops.create("network", name="NIC").id
        hub = ws.ops.create("site", network_id=net, name="Hub", kind="state agency").id
        ws.ops.create("site", network_id=net, name="Lincoln", kind="school", parent_id=hub)
        ws.ops.create("charter", network_id=net, norms="We share our data")
        ws.ops.create("measure", network_id=net, name="On track", value_type="proportion")
    assert main(["keys", "init", str(coord), "--site", "Hub", "--coordinator"]) == 0
    invite = tmp_path / "invite.nicbundle"
    assert main(["network", "invite", str(coord), "--site", "Lincoln", "--out", str(invite)]) == 0
    with pytest.raises(BundleError, match="Join a Network"), Workspace.open(coord) as ws:
        import_bundle(ws, invite)
    site = tmp_path / "lincoln.nicdesk"
    assert main(["join", str(invite), "--out", str(site)]) == 0
    out = capsys.readouterr().out
    assert "Joined as Lincoln" in out and "fingerprint" in out
    with Workspace.open(site) as ws, ws.read() as s:
        from nicdesk.store.schema import Charter

        assert s.query(Charter).one().norms == "We share our data"
    assert main(["network", "enroll", str(coord), str(site.with_suffix(".pub")),
                 "--site", "Lincoln"]) == 0
    add_values(site, {"2025-09-01": 0.7})
    bundle = tmp_path / "lincoln.nicbundle"
    assert main(["export", str(site), "--out", str(bundle)]) == 0
    assert main(["import", str(coord), str(bundle)]) == 0
    assert main(["export", str(coord), "--digest", "--out", str(tmp_path / "d.nicbundle")]) == 0
    assert main(["import", str(site), str(tmp_path / "d.nicbundle")]) == 0
    assert '"value":0.7' in dump(coord, capsys).replace(" ", "")


def test_sites_see_other_sites_read_only(network) -> None:
    from nicdesk.store.errors import InvalidChangeError
    from nicdesk.store.schema import Charter, Observation

    coord, sites, tmp = network
    add_values(sites["A"], {"2025-09-01": 0.5})
    with Workspace.open(coord) as ws:
        import_bundle(ws, export(sites["A"], tmp / "a.nicbundle"))
        with ws.read() as s:
            network_id = s.query(Site).first().network_id
        ws.ops.create("charter", network_id=network_id, norms="Share data")
    assert main(["export", str(coord), "--digest", "--out", str(tmp / "d.nicbundle")]) == 0
    with Workspace.open(sites["B"]) as ws:
        import_bundle(ws, tmp / "d.nicbundle")
        with ws.read() as s:
            a_value = s.query(Observation).one().id
            charter = s.query(Charter).one().id
            own_site = ws.meta()["local_site_id"]
        with pytest.raises(InvalidChangeError, match="owned by A"):
            ws.ops.update("observation", a_value, value=0.9)
        with pytest.raises(InvalidChangeError, match="owned by Hub"):
            ws.ops.update("charter", charter, norms="changed by B")
        ws.ops.update("site", own_site, context_tags={"locale": "rural"})  # its own: fine


def test_network_demo_flow(tmp_path: Path, capsys) -> None:
    """`nicdesk demo DIR --network`: coordinator + per-site files; the whole flow works and an
    old copy arriving late is not mistaken for a conflict."""
    assert main(["demo", str(tmp_path / "demo"), "--network"]) == 0
    home = tmp_path / "demo" / "great-lakes-focus-schools-nic"
    coord = home / "coordinator.nicdesk"
    lincoln = home / "sites" / "lincoln-high-school.nicdesk"
    eastside = home / "sites" / "eastside-high-school.nicdesk"
    with Workspace.open(lincoln) as ws, ws.read() as s:
        from nicdesk.store.schema import Observation

        sites_with_data = {o.site_id for o in s.query(Observation)}
        assert sites_with_data == {ws.meta()["local_site_id"]}  # only its own records
    bundles = []
    for site in (lincoln, eastside):
        out = site.with_suffix(".nicbundle")
        assert main(["export", str(site), "--out", str(out)]) == 0
        bundles.append(str(out))
    capsys.readouterr()
    assert main(["import", str(coord), *bundles]) == 0
    assert "0 conflicts" in capsys.readouterr().out
    assert main(["export", str(coord), "--digest", "--out", str(home / "d.nicbundle")]) == 0
    assert main(["import", str(lincoln), str(home / "d.nicbundle")]) == 0
    with Workspace.open(lincoln) as ws, ws.read() as s:
        assert len({o.site_id for o in s.query(Observation)}) == 2  # Eastside's too, now


def test_key_files_private_and_passphrase_sealed(tmp_path: Path) -> None:
    import os as _os
    import stat

    pair = keys.generate("correct horse")
    path = keys.keys_dir() / f"{pair.public.key_id_hex}.key"
    assert stat.S_IMODE(_os.stat(path).st_mode) == 0o600
    assert path.read_bytes().startswith(keys.SEALED) and b"PRIVATE KEY" not in path.read_bytes()
    assert keys.load(pair.public.key_id_hex, "correct horse").public == pair.public
    with pytest.raises(keys.KeyError_, match="passphrase"):
        keys.load(pair.public.key_id_hex, "wrong")
    with pytest.raises(keys.KeyError_, match="passphrase"):
        keys.load(pair.public.key_id_hex)


def test_cancel_rolls_back(network, capsys) -> None:
    coord, sites, tmp = network
    add_values(sites["A"], {"2025-09-01": 0.5, "2025-10-01": 0.6})
    bundle = export(sites["A"], tmp / "a.nicbundle")
    before = dump(coord, capsys)
    seen = []
    with Workspace.open(coord) as ws:
        with pytest.raises(BundleError, match="cancelled"):
            import_bundle(ws, bundle, lambda done, total: seen.append(done) or False)
        assert seen
        assert import_bundle(ws, bundle).new == 2  # not recorded as imported either
    assert dump(coord, capsys) != before
