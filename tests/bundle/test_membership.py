"""Joining a network without a command line: a school's join request, the coordinator's
enrolment, the invitation and the join that keeps the request's key — and every bad
request or forged invitation refused in one plain line, leaving nothing behind."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from nicdesk.bundle import keys, minisign
from nicdesk.bundle.export import export_bundle
from nicdesk.bundle.importer import BundleError, import_bundle
from nicdesk.cli.parser import main
from nicdesk.services.membership import (
    JoinRequestError,
    MembershipError,
    enrol_request,
    join,
    needs_passphrase,
    pending_request,
    read_join_request,
    write_join_request,
)
from nicdesk.store.schema import Measure, Network, Observation, Site
from nicdesk.store.workspace import Workspace


def on_computer(monkeypatch, tmp_path: Path, name: str) -> Path:
    """Switch to another computer: its own data folder, so its own keys."""
    folder = tmp_path / f"computer-{name}"
    folder.mkdir(exist_ok=True)
    monkeypatch.setenv("NICDESK_DATA_DIR", str(folder))
    return folder


def standalone_school(path: Path, name: str = "Lincoln High") -> Path:
    """A school's own workspace, as the welcome's "Create my school's workspace" makes it:
    a network of its own, its site, no key."""
    with Workspace.create(path) as ws:
        net = ws.ops.create("network", name="Lincoln improvement team").id
        site = ws.ops.create("site", network_id=net, name=name, kind="school").id
        ws.set_meta(local_site_id=site)
    return path


def coordinator(path: Path, name: str = "Valley NIC") -> Path:
    assert main(["network", "create", str(path), "--name", name,
                 "--coordinator-site", "State Office"]) == 0
    with Workspace.open(path) as ws, ws.read() as s:
        net = s.query(Network).one().id
    with Workspace.open(path) as ws:
        ws.ops.create("measure", network_id=net, name="On track", value_type="proportion")
    return path


def test_request_enrol_invite_join_export_import(tmp_path: Path, monkeypatch) -> None:
    # the school's laptop: its own workspace, no key, no invitation
    on_computer(monkeypatch, tmp_path, "school")
    school = standalone_school(tmp_path / "my-school.nicdesk")
    request_file = tmp_path / "lincoln.nicjoin"
    with Workspace.open(school) as ws:
        assert "signing_key" not in ws.meta()
        request = write_join_request(ws, request_file, None, "correct horse", "Ann Smith")
        meta = ws.meta()
    assert request.site_name == "Lincoln High" and request.contact == "Ann Smith"
    assert meta["signing_key"] == request.key.key_id_hex
    assert pending_request(meta) is not None and needs_passphrase(meta)
    on_disk = json.loads(request_file.read_text())
    assert on_disk["format"] == "nicdesk-join-request"
    assert on_disk["fingerprint"] == request.fingerprint

    # the coordinator's computer: a network, then the request enrolled as a new site
    on_computer(monkeypatch, tmp_path, "coordinator")
    coord = coordinator(tmp_path / "coordinator.nicdesk")
    seen = read_join_request(request_file)
    assert seen.fingerprint == request.fingerprint and seen.site_name == "Lincoln High"
    with Workspace.open(coord) as ws:
        done = enrol_request(ws, request_file, new=True)
        assert done.new_site and not done.already
        assert enrol_request(ws, request_file).already  # matched by name the second time
        with ws.read() as s:
            site = s.get(Site, done.site_id)
            assert site.public_keys == [request.key.line()] and site.kind == "school"
            coordinator_key = ws.meta()["trusted_coordinator_key"]
        invite = export_bundle(ws, tmp_path / "invite.nicbundle", kind="invitation",
                               invite_site=done.site_id).path

    # back on the school's laptop: join keeps the request's key (the enrolled one)
    on_computer(monkeypatch, tmp_path, "school")
    joined = join(invite, tmp_path / "lincoln.nicdesk")
    assert joined.enrolled and joined.site_key == request.key
    assert joined.site == "Lincoln High"
    with Workspace.open(joined.path) as ws:
        meta = ws.meta()
        assert meta["signing_key"] == request.key.key_id_hex
        assert meta["local_site_id"] == done.site_id
        assert meta["trusted_coordinator_key"] == coordinator_key
        assert pending_request(meta) is None
        with ws.read() as s:  # the site never wrote keys on its own record
            assert s.get(Site, done.site_id).public_keys == [request.key.line()]
            measure = s.query(Measure).one().id
        ws.ops.create("observation", measure_id=measure, site_id=done.site_id,
                      period="2025-09-01", value=0.7, numerator=14, denominator=20)
        with pytest.raises(keys.KeyError_):  # the key keeps its passphrase
            export_bundle(ws, tmp_path / "no.nicbundle")
        bundle = export_bundle(ws, tmp_path / "lincoln.nicbundle",
                               passphrase="correct horse").path

    # the coordinator imports it, and the digest goes back
    on_computer(monkeypatch, tmp_path, "coordinator")
    with Workspace.open(coord) as ws:
        summary = import_bundle(ws, bundle)
        assert summary.new == 1 and summary.site == "Lincoln High"
        with ws.read() as s:
            assert s.query(Observation).one().value == 0.7
        digest = export_bundle(ws, tmp_path / "digest.nicbundle", kind="digest").path
    on_computer(monkeypatch, tmp_path, "school")
    with Workspace.open(joined.path) as ws:
        assert not import_bundle(ws, digest).already


def test_command_line_request_enroll_and_join(tmp_path: Path, monkeypatch, capsys) -> None:
    on_computer(monkeypatch, tmp_path, "school")
    school = standalone_school(tmp_path / "school.nicdesk", "Maple Grove")
    request_file = tmp_path / "maple.nicjoin"
    assert main(["network", "request-join", str(school), "--out", str(request_file)]) == 0
    code = read_join_request(request_file).fingerprint
    assert code in capsys.readouterr().out
    on_computer(monkeypatch, tmp_path, "coordinator")
    coord = coordinator(tmp_path / "coord.nicdesk")
    with Workspace.open(coord) as ws, ws.read() as s:
        net = s.query(Network).one().id
    with Workspace.open(coord) as ws:
        ws.ops.create("site", network_id=net, name="Maple Grove", kind="school")
    # no such site without --new; then enrolled for the existing site of that name
    assert main(["network", "enroll", str(coord), str(request_file), "--site", "Elm"]) == 2
    assert "No site of this network is called 'Elm'" in capsys.readouterr().err
    assert main(["network", "enroll", str(coord), str(request_file)]) == 0
    assert "Enrolled key" in capsys.readouterr().out
    # a plain .pub is still accepted (it needs --site)
    pub = tmp_path / "other.pub"
    pub.write_text(keys.generate().public.file_text())
    assert main(["network", "enroll", str(coord), str(pub)]) == 2
    assert main(["network", "enroll", str(coord), str(pub), "--site", "Oak", "--new"]) == 0
    invite = tmp_path / "invite.nicbundle"
    assert main(["network", "invite", str(coord), "--site", "Maple Grove", "--out",
                 str(invite)]) == 0
    on_computer(monkeypatch, tmp_path, "school")
    capsys.readouterr()
    assert main(["join", str(invite), "--out", str(tmp_path / "maple.nicdesk"),
                 "--key-from", str(school)]) == 0
    assert "already enrolled" in capsys.readouterr().out
    with Workspace.open(tmp_path / "maple.nicdesk") as ws:
        assert ws.meta()["signing_key"] == read_join_request(request_file).key.key_id_hex


def test_join_with_a_given_key_and_without_one(tmp_path: Path, monkeypatch) -> None:
    on_computer(monkeypatch, tmp_path, "coordinator")
    coord = coordinator(tmp_path / "coord.nicdesk")
    with Workspace.open(coord) as ws, ws.read() as s:
        net = s.query(Network).one().id
    with Workspace.open(coord) as ws:
        site = ws.ops.create("site", network_id=net, name="Birch", kind="school").id
        invite = export_bundle(ws, tmp_path / "i.nicbundle", kind="invitation",
                               invite_site=site).path
    on_computer(monkeypatch, tmp_path, "school")
    pair = keys.generate()
    given = join(invite, tmp_path / "given.nicdesk", key=pair)
    assert given.site_key == pair.public and not given.enrolled
    fresh = join(invite, tmp_path / "fresh.nicdesk")  # nothing enrolled: a new key
    assert fresh.site_key not in (pair.public,) and not fresh.enrolled
    stranger = minisign.public_of(Ed25519PrivateKey.generate())  # no private half here
    with pytest.raises(MembershipError, match="not on this computer"):
        join(invite, tmp_path / "nokey.nicdesk", key=stranger)
    assert not (tmp_path / "nokey.nicdesk").exists()


# ------------------------------------------------------------------ bad join requests
def _request(tmp_path: Path, monkeypatch) -> Path:
    on_computer(monkeypatch, tmp_path, "school")
    school = standalone_school(tmp_path / "school.nicdesk")
    with Workspace.open(school) as ws:
        write_join_request(ws, tmp_path / "good.nicjoin")
    return tmp_path / "good.nicjoin"


def _edit(field: str, value: object):
    def change(data: dict) -> None:
        data[field] = value
    return change


def _other_key(data: dict) -> None:
    data["public_key"] = keys.generate().public.line()


def _other_key_consistent(data: dict) -> None:
    """A swapped key with its own id and fingerprint: only the signature gives it away."""
    other = keys.generate().public
    data.update(public_key=other.line(), key_id=other.key_id_hex,
                fingerprint=other.fingerprint())


def _resigned(**fields: str):
    """A request made by its key's holder, but with hidden characters in its name."""
    def change(data: dict) -> None:
        from nicdesk.services.membership import _canonical

        pair = keys.load(data["key_id"])
        data.update(fields)
        data.pop("signature")
        data["signature"] = minisign.sign(pair.private, _canonical(data), "test")
    return change


def _drop(field: str):
    return lambda data: data.pop(field)


@pytest.mark.parametrize(("change", "phrase"), [
    (_edit("fingerprint", "AAAA-BBBB-CCCC-DDDD"), "fingerprint does not match"),
    (_other_key, "key id does not match"),
    (_other_key_consistent, "signature does not match"),
    (_edit("site_name", "Someone Else High"), "signature does not match"),
    (_edit("contact", "mallory@example.com"), "signature does not match"),
    (_edit("signature", "untrusted comment: x\nAAAA\n"), "signature does not match"),
    (_drop("signature"), "signature is missing"),
    (_drop("public_key"), "public key is missing"),
    (_edit("public_key", "bm90IGEga2V5"), "public key is damaged"),
    (_edit("site_name", 42), "site name is missing"),
    (_edit("site_name", "   "), "site name is missing"),
    (_edit("format", "nicdesk-bundle"), "not a join request file"),
    (_edit("format_version", 99), "newer NICdesk"),
    (_edit("format_version", "1"), "no format version"),
    (_edit("created", None), "created is missing"),
    (_edit("extra", [1, 2]), "extra has the wrong type"),
    (_resigned(site_name="Evil\x1b[2J High"), "control characters"),
    (_resigned(contact="call \u202emoc.live"), "control characters"),
])
def test_tampered_join_request_is_refused_in_one_line(tmp_path: Path, monkeypatch, change,
                                                      phrase: str) -> None:
    good = _request(tmp_path, monkeypatch)
    data = json.loads(good.read_text())
    change(data)
    bad = tmp_path / "bad.nicjoin"
    bad.write_text(json.dumps(data))
    _refused(bad, phrase, tmp_path, monkeypatch)


@pytest.mark.parametrize(("content", "phrase"), [
    (b"", "not JSON"), (b"\xff\xfe\x00garbage", "not JSON"), (b"[1, 2]", "not a join request"),
    (b"{" + b" " * 70_000 + b"}", "far too large"), (None, "does not exist"),
])
def test_files_that_are_not_join_requests(tmp_path: Path, monkeypatch, content,
                                          phrase: str) -> None:
    bad = tmp_path / "bad.nicjoin"
    if content is not None:
        bad.write_bytes(content)
    _refused(bad, phrase, tmp_path, monkeypatch)


def _refused(bad: Path, phrase: str, tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(JoinRequestError) as err:
        read_join_request(bad)
    message = err.value.message
    assert phrase in message and "\n" not in message and "Nothing was changed" in message
    on_computer(monkeypatch, tmp_path, "coordinator")
    coord = coordinator(tmp_path / "coord.nicdesk")
    with Workspace.open(coord) as ws:
        with pytest.raises(JoinRequestError):
            enrol_request(ws, bad, new=True)
        with ws.read() as s:
            assert s.query(Site).count() == 1  # the coordinator's own site only
    assert main(["network", "enroll", str(coord), str(bad), "--new"]) == 2


# ------------------------------------------------------------------ forged invitations
def _stranger_invitation(tmp_path: Path) -> tuple[Path, minisign.PublicKey, keys.KeyPair]:
    """A stranger's own network and an invitation to it, signed with the stranger's key:
    self-consistent, so only the fingerprint people compare can tell."""
    coord = coordinator(tmp_path / "stranger.nicdesk", "Not Your NIC")
    with Workspace.open(coord) as ws, ws.read() as s:
        net = s.query(Network).one().id
    with Workspace.open(coord) as ws:
        site = ws.ops.create("site", network_id=net, name="Lincoln High").id
        pair = keys.load(ws.meta()["signing_key"])
        path = export_bundle(ws, tmp_path / "forged.nicbundle", kind="invitation",
                             invite_site=site).path
    return path, pair.public, pair


def _resign(src: Path, dst: Path, pair: keys.KeyPair, change) -> Path:
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    body = (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
    members["manifest.json"] = body
    members["manifest.json.minisig"] = minisign.sign(pair.private, body, "forged").encode()
    with zipfile.ZipFile(dst, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dst


def test_stranger_invitation_only_makes_a_workspace(tmp_path: Path, monkeypatch) -> None:
    on_computer(monkeypatch, tmp_path, "coordinator")
    real = coordinator(tmp_path / "real.nicdesk")
    with Workspace.open(real) as ws:
        real_code = keys.load(ws.meta()["signing_key"]).public.fingerprint()
        digest = export_bundle(ws, tmp_path / "real-digest.nicbundle", kind="digest").path
    on_computer(monkeypatch, tmp_path, "stranger")
    forged, stranger_key, _pair = _stranger_invitation(tmp_path)
    on_computer(monkeypatch, tmp_path, "school")
    joined = join(forged, tmp_path / "fooled.nicdesk")
    # it is a valid invitation to the stranger's network: the code people compare differs
    assert joined.coordinator_fingerprint == stranger_key.fingerprint() != real_code
    with Workspace.open(joined.path) as ws:
        assert ws.meta()["trusted_coordinator_key"] == stranger_key.line()
        with pytest.raises(BundleError, match="another network"):
            import_bundle(ws, digest)  # and the real network's bundles never merge into it


@pytest.mark.parametrize(("change", "phrase"), [
    (lambda m: m.pop("coordinator_key"), "not an invitation to join a network"),
    (lambda m: m.update(coordinator_key=42), "not an invitation to join a network"),
    (lambda m: m.update(coordinator_key="bm90IGEga2V5"), "not a minisign public key"),
    (lambda m: m.pop("invited_site_id"), "not an invitation to join a network"),
    (lambda m: m.update(invited_site_id=["x"]), "not an invitation to join a network"),
    (lambda m: m.pop("invited_site"), "not an invitation to join a network"),
    (lambda m: m.update(invited_site={"name": 1}), "not an invitation to join a network"),
    (lambda m: m.update(invited_site_id="no-such-site"), "does not hold the site it invites"),
    (lambda m: m.update(network_id="another-network"), "does not hold the site it invites"),
    (lambda m: m.update(kind="digest"), "not an invitation to join a network"),
])
def test_malformed_invitation_is_refused_cleanly(tmp_path: Path, monkeypatch, change,
                                                 phrase: str) -> None:
    on_computer(monkeypatch, tmp_path, "stranger")
    forged, _key, pair = _stranger_invitation(tmp_path)
    bad = _resign(forged, tmp_path / "bad.nicbundle", pair, change)
    target = tmp_path / "site.nicdesk"
    with pytest.raises(BundleError) as err:
        join(bad, target)
    assert phrase in err.value.message and "\n" not in err.value.message
    assert not target.exists()
    assert main(["join", str(bad), "--out", str(target)]) == 2
    assert not target.exists()


def test_invitation_signed_by_another_key_is_refused(tmp_path: Path, monkeypatch) -> None:
    on_computer(monkeypatch, tmp_path, "stranger")
    forged, _key, _pair = _stranger_invitation(tmp_path)
    other = keys.generate()  # claims the stranger's key inside, signs with another one
    bad = _resign(forged, tmp_path / "bad.nicbundle", other, lambda m: None)
    with pytest.raises(BundleError, match="different key"):
        join(bad, tmp_path / "site.nicdesk")
    assert not (tmp_path / "site.nicdesk").exists()
