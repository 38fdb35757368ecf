"""Fuzz campaign: 1,000 mutated bundles from a fixed seed (hypothesis, derandomized) —
bit flips, truncations, member renames, JSON edits re-signed by an unenrolled key,
oversize members.  Each is refused with a one-line reason and leaves the workspace's
dump exactly as it was.  The only mutations not refused are flips outside what is signed
— zip bookkeeping such as a timestamp, or minisign's "untrusted comment" line: the
content is then the authentic bundle, which this workspace already holds, and it says
so."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nicdesk.bundle import minisign
from nicdesk.bundle.format import ORDER, to_json
from nicdesk.bundle.importer import BundleError, import_bundle
from nicdesk.store.errors import WorkspaceError
from nicdesk.store.schema import MODELS
from nicdesk.store.workspace import Workspace

BOMB = b"\0" * (4 * 1024 * 1024)  # squeezes ~1000:1, over the bomb ratio


def _members(raw: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        return [(i.filename, zf.read(i.filename)) for i in zf.infolist()]


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    """Re-zip with fixed timestamps, so the same seed gives the same bytes every run."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data,
                        compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _resigned(members: list[tuple[str, bytes]], record_edit: tuple[int, str, str]) -> bytes:
    """Change one field of one record, fix the manifest's hashes, and sign it with a key
    nobody enrolled (what a forger would have to do)."""
    files = dict(members)
    names = sorted(n for n in files if n.startswith("records/"))
    index, field, value = record_edit
    name = names[index % len(names)]
    lines = files[name].decode().splitlines()
    record = json.loads(lines[0])
    record[field if field in record else "hlc"] = value
    lines[0] = json.dumps(record, sort_keys=True)
    files[name] = ("\n".join(lines) + "\n").encode()
    manifest = json.loads(files["manifest.json"])
    manifest["files"][name] = {"bytes": len(files[name]),
                               "sha256": hashlib.sha256(files[name]).hexdigest()}
    body = (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
    files["manifest.json"] = body
    forger = Ed25519PrivateKey.from_private_bytes(  # a key nobody enrolled, same every run
        hashlib.sha256(f"forger {index} {field} {value}".encode()).digest())
    files["manifest.json.minisig"] = minisign.sign(forger, body, "forged").encode()
    return _zip(list(files.items()))


def mutations(raw: bytes) -> st.SearchStrategy[tuple[str, bytes]]:
    members = _members(raw)
    n = len(raw)
    names = [name for name, _ in members]
    flip = st.tuples(st.integers(0, n - 1), st.integers(0, 7)).map(
        lambda t: ("raw bit flip", raw[:t[0]] + bytes([raw[t[0]] ^ (1 << t[1])]) + raw[t[0] + 1:]))
    member_flip = st.tuples(st.integers(0, len(members) - 1), st.integers(0, 10**6),
                            st.integers(0, 7)).map(
        lambda t: ("member bit flip", _zip([
            (name, (data[:t[1] % len(data)] + bytes([data[t[1] % len(data)] ^ (1 << t[2])])
                    + data[t[1] % len(data) + 1:]) if i == t[0] and data else data)
            for i, (name, data) in enumerate(members)])))
    truncate = st.integers(0, n - 1).map(lambda k: ("truncation", raw[:k]))
    rename = st.tuples(st.sampled_from(names), st.sampled_from(
        ["../escape.jsonl", "/etc/passwd", "records/unknown.jsonl", "C:\\x", "manifest.json",
         "records/observations.jsonl", "evil/../../x", "records/sites.jsonl.bak"])).map(
        lambda t: ("member rename", _zip([(t[1] if name == t[0] else name, data)
                                          for name, data in members])))
    forged = st.tuples(st.integers(0, 50), st.sampled_from(["name", "value", "deleted", "hlc"]),
                       st.text(max_size=12)).map(lambda e: ("re-signed edit", _resigned(
                           members, e)))
    oversize = st.sampled_from(["bomb", "many"]).map(lambda how: ("oversize member", _zip(
        members + ([("records/observations2.jsonl", BOMB)] if how == "bomb" else
                   [(f"records/x{i}.jsonl", b"") for i in range(10_001)]))))
    return st.one_of(flip, member_flip, truncate, rename, forged, oversize)


def _dump(ws: Workspace) -> str:
    with ws.read() as s:
        data = {k: sorted((to_json(k, r) for r in s.query(MODELS[k])), key=lambda r: r["id"])
                for k in ORDER}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@pytest.fixture(scope="module")
def target(small_pair, tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("fuzz") / "coord.nicdesk"
    shutil.copyfile(small_pair.coordinator, work)
    ws = Workspace.open(work)
    import_bundle(ws, small_pair.bundle)  # the authentic bundle is already here
    yield ws, small_pair.bundle.read_bytes(), work.parent
    ws.close()


seen: dict[str, int] = {}


@pytest.mark.filterwarnings("ignore:Duplicate name")  # the rename mutation makes them
def test_one_thousand_mutated_bundles_are_refused(target) -> None:
    ws, raw, folder = target
    before = _dump(ws)
    path = folder / "mutant.nicbundle"

    @settings(max_examples=1000, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(mutations(raw))
    def one(case: tuple[str, bytes]) -> None:
        how, data = case
        path.write_bytes(data)
        try:
            summary = import_bundle(ws, path)
        except (BundleError, WorkspaceError) as exc:
            message = str(exc)
            assert "\n" not in message and "not imported" in message, (how, message)
            seen[how] = seen.get(how, 0) + 1
        else:
            # only a change outside what is signed can pass (zip bookkeeping, or the
            # minisign "untrusted comment" line): the content is the authentic bundle
            assert summary.already, how
            signed = {n: d for n, d in _members(data) if n != "manifest.json.minisig"}
            assert signed == {n: d for n, d in _members(raw) if n != "manifest.json.minisig"}
            seen["harmless"] = seen.get("harmless", 0) + 1
        assert _dump(ws) == before, how

    one()
    print("fuzz outcomes:", dict(sorted(seen.items())))
    assert sum(seen.values()) >= 1000
    assert {"raw bit flip", "member bit flip", "truncation", "member rename",
            "re-signed edit", "oversize member"} <= set(seen), seen
