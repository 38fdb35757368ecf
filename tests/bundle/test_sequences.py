"""Bundle numbers a site never reuses (the coordinator's digest acknowledges what it has
seen), and the coordinator's key rotation, announced by a digest signed with the old key."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from nicdesk.bundle import keys, minisign
from nicdesk.bundle.export import ExportError, export_bundle, next_sequence, rotate_key
from nicdesk.bundle.importer import import_bundle
from nicdesk.cli.parser import main
from nicdesk.store.schema import Network, Site
from nicdesk.store.workspace import Workspace

from .test_digest_privacy import build_network, measure_ids


def manifest(bundle: Path) -> dict:
    with zipfile.ZipFile(bundle) as zf:
        return json.loads(zf.read("manifest.json"))


def signature(bundle: Path) -> tuple[bytes, str]:
    with zipfile.ZipFile(bundle) as zf:
        return zf.read("manifest.json"), zf.read("manifest.json.minisig").decode()


def add_value(path: Path, period: str, value: float = 0.5) -> None:
    m = measure_ids(path)
    with Workspace.open(path) as ws:
        ws.ops.create("observation", measure_id=m["On track"],
                      site_id=ws.meta()["local_site_id"], period=period, value=value)


def export(path: Path, out: Path, kind: str = "site") -> Path:
    with Workspace.open(path) as ws:
        export_bundle(ws, out, kind=kind)
    return out


@pytest.fixture
def net(tmp_path: Path):
    coord, sites = build_network(tmp_path)
    return coord, sites, tmp_path


# ---------------------------------------------------------------- sequences
def test_next_sequence_after_own_and_acknowledged() -> None:
    assert next_sequence({}) == 1
    assert next_sequence({"bundle_sequence": "", "acknowledged_sequence": "x"}) == 1
    assert next_sequence({"bundle_sequence": "4", "acknowledged_sequence": "2"}) == 5
    assert next_sequence({"bundle_sequence": "4", "acknowledged_sequence": "9"}) == 10


def test_acknowledged_sequence_moves_the_next_number(net) -> None:
    _coord, sites, tmp = net
    add_value(sites["A"], "2025-09-01")
    with Workspace.open(sites["A"]) as ws:
        ws.set_meta(bundle_sequence="2", acknowledged_sequence="7")
    assert manifest(export(sites["A"], tmp / "a.nicbundle"))["sequence"] == 8
    with Workspace.open(sites["A"]) as ws:
        assert ws.meta()["bundle_sequence"] == "8"
        ws.set_meta(acknowledged_sequence="3")  # an older acknowledgement changes nothing
    assert manifest(export(sites["A"], tmp / "a2.nicbundle"))["sequence"] == 9


def test_digest_acknowledges_what_the_coordinator_imported(net) -> None:
    coord, sites, tmp = net
    add_value(sites["A"], "2025-09-01")
    a1 = export(sites["A"], tmp / "a1.nicbundle")
    add_value(sites["A"], "2025-10-01")
    a2 = export(sites["A"], tmp / "a2.nicbundle")
    add_value(sites["B"], "2025-09-01")
    b1 = export(sites["B"], tmp / "b1.nicbundle")
    assert manifest(export(coord, tmp / "d0.nicbundle", "digest"))["acknowledged"] == {}
    with Workspace.open(coord) as ws:
        for bundle in (a2, a1, b1):  # in any order: the highest counts
            import_bundle(ws, bundle)
        with ws.read() as s:
            a, b = (s.query(Site).filter_by(name=n).one().id for n in ("A", "B"))
    m = manifest(export(coord, tmp / "d1.nicbundle", "digest"))
    assert m["acknowledged"] == {a: 2, b: 1}
    assert "acknowledged" not in manifest(a1)  # only digests acknowledge


def test_a_restored_backup_never_reuses_a_number(net) -> None:
    """Scenario: A exports 1 and 2, then restores a backup taken after 1; the digest tells
    it the network has seen 2, so its next bundle is 3 and is imported, not mistaken for
    a replay."""
    coord, sites, tmp = net
    add_value(sites["A"], "2025-09-01")
    a1 = export(sites["A"], tmp / "a1.nicbundle")
    backup = tmp / "A-backup.nicdesk"
    shutil.copyfile(sites["A"], backup)
    add_value(sites["A"], "2025-10-01")
    a2 = export(sites["A"], tmp / "a2.nicbundle")
    with Workspace.open(coord) as ws:
        import_bundle(ws, a1)
        import_bundle(ws, a2)
    digest = export(coord, tmp / "d.nicbundle", "digest")
    shutil.copyfile(backup, sites["A"])
    with Workspace.open(sites["A"]) as ws:
        import_bundle(ws, digest)
        assert ws.meta()["acknowledged_sequence"] == "2"
    add_value(sites["A"], "2025-11-01")
    a3 = export(sites["A"], tmp / "a3.nicbundle")
    assert manifest(a3)["sequence"] == 3
    with Workspace.open(coord) as ws:
        summary = import_bundle(ws, a3)
    assert not summary.already and summary.new == 1


# ---------------------------------------------------------------- key rotation
def coordinator_key(path: Path) -> minisign.PublicKey:
    with Workspace.open(path) as ws:
        return keys.workspace_public_key(ws.meta())


def test_rotation_is_announced_by_a_digest_signed_with_the_old_key(net, capsys) -> None:
    coord, sites, tmp = net
    old = coordinator_key(coord)
    with Workspace.open(sites["A"]) as ws:  # A has the old key (it joined before)
        import_bundle(ws, export(coord, tmp / "d0.nicbundle", "digest"))
    assert main(["network", "rotate-key", str(coord)]) == 0
    assert "New coordinator key" in capsys.readouterr().out
    with Workspace.open(coord) as ws:
        pending = ws.meta()["rotation_pending"]
        assert ws.meta()["signing_key"] == old.key_id_hex  # until the digest is written
        with ws.read() as s:
            network = s.query(Network).one()
            hub = s.get(Site, ws.meta()["local_site_id"])
            assert network.coordinator_public_key == pending
            assert pending in hub.public_keys and old.line() not in hub.public_keys
    new = minisign.parse_public_key(pending)

    # the rotating digest: signed with the old key, names the new one
    assert main(["export", str(coord), "--digest", "--out", str(tmp / "d1.nicbundle")]) == 0
    assert "announces the new coordinator key" in capsys.readouterr().out
    body, sig = signature(tmp / "d1.nicbundle")
    minisign.verify(old, body, sig)
    m = json.loads(body)
    assert m["rotate_to"] == new.line() and m["signer"] == old.key_id_hex
    assert "rotated_from" not in m
    with Workspace.open(coord) as ws:
        assert ws.meta()["signing_key"] == new.key_id_hex
        assert not ws.meta()["rotation_pending"]
        assert ws.meta()["rotated_from"] == old.key_id_hex

    # later digests: signed with the new key, saying which key they follow
    later = export(coord, tmp / "d2.nicbundle", "digest")
    body, sig = signature(later)
    minisign.verify(new, body, sig)
    with pytest.raises(minisign.SignatureError):
        minisign.verify(old, body, sig)
    m = json.loads(body)
    assert m["rotated_from"] == old.key_id_hex and "rotate_to" not in m

    # every rotation statement travels on, each signed with the key it replaces
    [statement] = m["rotations"]
    minisign.verify(old, statement["statement"].encode(), statement["signature"])
    said = json.loads(statement["statement"])
    assert (said["from"], said["to"]) == (old.key_id_hex, new.line())
    assert said["network_id"] == m["network_id"] and said["format"] == "nicdesk-key-rotation"

    # a site that trusted the old key follows the rotation, then accepts the new digests
    with Workspace.open(sites["A"]) as ws:
        import_bundle(ws, tmp / "d1.nicbundle")
        assert ws.meta()["trusted_coordinator_key"] == new.line()
        import_bundle(ws, later)


def test_rotation_needs_the_coordinator_and_its_current_key(net) -> None:
    coord, sites, _tmp = net
    with Workspace.open(sites["A"]) as ws, pytest.raises(ExportError, match="coordinator"):
        rotate_key(ws)
    with Workspace.open(coord) as ws:
        (keys.keys_dir() / f"{ws.meta()['signing_key']}.key").rename(
            keys.keys_dir() / "moved-away.key")
        with pytest.raises(ExportError, match="not on this computer"):
            rotate_key(ws)
        assert "rotation_pending" not in ws.meta()


def test_rotating_twice_before_a_digest_keeps_the_last_key(net) -> None:
    coord, _sites, tmp = net
    old = coordinator_key(coord)
    with Workspace.open(coord) as ws:
        first = rotate_key(ws)
        second = rotate_key(ws, "a passphrase")
        with ws.read() as s:
            hub = s.get(Site, ws.meta()["local_site_id"])
            assert first.line() not in hub.public_keys and second.line() in hub.public_keys
    m = manifest(export(coord, tmp / "d.nicbundle", "digest"))
    assert m["rotate_to"] == second.line() and m["signer"] == old.key_id_hex
    with Workspace.open(coord) as ws:
        with pytest.raises(keys.KeyError_, match="passphrase"):
            export_bundle(ws, tmp / "d2.nicbundle", kind="digest")
        export_bundle(ws, tmp / "d2.nicbundle", kind="digest", passphrase="a passphrase")
    assert manifest(tmp / "d2.nicbundle")["signer"] == second.key_id_hex


def test_no_key_message_names_no_command_to_type(tmp_path: Path) -> None:
    path = tmp_path / "w.nicdesk"
    with Workspace.create(path) as ws:
        ws.ops.create("network", name="NIC")
        with pytest.raises(ExportError) as err:
            export_bundle(ws, tmp_path / "x.nicbundle")
    assert "Request to join" in err.value.message and "keys init" not in err.value.message
