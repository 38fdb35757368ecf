"""Hostile bundles: every one is refused with one line that ends "Nothing was changed.",
never a traceback; the workspace's dump is byte-identical afterwards; refusing a zip built
to exhaust memory stays far below 100 MB (measured in a child process); and the signature
is checked before anything but the manifest is decompressed.

Cases that need a validly signed manifest are re-signed with site A's genuinely enrolled
key, so it is the reader's own checks that refuse them, not the signature."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nicdesk.bundle import keys, minisign
from nicdesk.bundle.importer import BundleError, import_bundle
from nicdesk.bundle.reader import invitation_fields, read_bundle, verify_bundle
from nicdesk.cli.parser import main
from nicdesk.core.clock import Hlc
from nicdesk.store.schema import Observation
from nicdesk.store.workspace import Workspace

from .test_bundles import add_values, dump, export, network  # noqa: F401 - a fixture

pytestmark = pytest.mark.parametrize("network", ["sqlite"], indirect=True)

OBS = "records/observations.jsonl"
DAY_MS = 24 * 3600 * 1000


# ------------------------------------------------------------------ building bundles
def members_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def write_zip(dst: Path, items: list[tuple[str, bytes]]) -> Path:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names, on purpose
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in items:
                zf.writestr(name, data)
    return dst


def site_key(tmp: Path) -> Any:
    """Site A's own signing key, as enrolled with the coordinator."""
    with Workspace.open(tmp / "A.nicdesk") as ws:
        return keys.load(ws.meta()["signing_key"]).private


def signed(good: Path, dst: Path, key: Any, *, records: Callable[[dict], None] | None = None,
           manifest: Callable[[dict], None] | None = None,
           extra: list[tuple[str, bytes]] = ()) -> Path:  # type: ignore[assignment]
    """A copy of `good` with its record files and/or manifest changed, the listing
    recomputed and the manifest signed again with `key`; `extra` members are added
    unlisted."""
    members = members_of(good)
    files = {n: d for n, d in members.items() if n.startswith("records/")}
    if records:
        records(files)
    m = json.loads(members["manifest.json"])
    m["files"] = {n: {"sha256": hashlib.sha256(d).hexdigest(), "bytes": len(d),
                      "records": d.count(b"\n")} for n, d in files.items()}
    if manifest:
        manifest(m)
    body = (json.dumps(m, sort_keys=True, indent=2) + "\n").encode()
    sig = minisign.sign(key, body, "test").encode()
    return write_zip(dst, [("manifest.json", body), ("manifest.json.minisig", sig),
                           *files.items(), *extra])


def first_record(change: Callable[[dict], None]) -> Callable[[dict], None]:
    def edit(files: dict) -> None:
        lines = files[OBS].split(b"\n")
        record = json.loads(lines[0])
        change(record)
        lines[0] = json.dumps(record, ensure_ascii=False).encode()
        files[OBS] = b"\n".join(lines)
    return edit


def first_line(raw: bytes) -> Callable[[dict], None]:
    def edit(files: dict) -> None:
        lines = files[OBS].split(b"\n")
        lines[0] = raw
        files[OBS] = b"\n".join(lines)
    return edit


def nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


def set_field(name: str, value: Any) -> Callable[[dict], None]:
    return first_record(lambda r: r.update({name: value}))


def set_clock(name: str, value: Any) -> Callable[[dict], None]:
    return first_record(lambda r: r["field_clocks"].update({name: value}))


def now_ms() -> int:
    return int(dt.datetime.now(dt.UTC).timestamp() * 1000)


def raw_zip(dst: Path, entries: list[tuple[str, bytes, int, int, int]],
            claim: int | None = None) -> Path:
    """A zip written by hand: (name, stored payload, method, crc, declared size) — so a
    member can claim a size its data does not have (and the zip, `claim` entries)."""
    local, central = bytearray(), bytearray()
    for name, payload, method, crc, size in entries:
        offset = len(local)
        raw = name.encode()
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc,
                             len(payload), size, len(raw), 0) + raw + payload
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc,
                               len(payload), size, len(raw), 0, 0, 0, 0, 0, offset) + raw
    count = len(entries) if claim is None else claim
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central),
                      len(local), 0)
    dst.write_bytes(bytes(local + central + end))
    return dst


def stored(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    return name, data, zipfile.ZIP_STORED, zlib.crc32(data), len(data)


@pytest.fixture(scope="module")
def gigabyte_of_zeros() -> bytes:
    """1 GiB of zero bytes as a raw deflate stream (about 1 MB)."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(1 << 20)
    return b"".join([*(squeeze.compress(block) for _ in range(1024)), squeeze.flush()])


# ------------------------------------------------------------------ the checks
def refused(coord: Path, bad: Path, capsys: pytest.CaptureFixture[str], phrase: str) -> str:
    """Import `bad`: one-line refusal containing `phrase`, dump byte-identical."""
    before = dump(coord, capsys)
    with Workspace.open(coord) as ws, pytest.raises(BundleError) as err:
        import_bundle(ws, bad)
    message = err.value.message
    assert "\n" not in message and "\r" not in message, message
    assert message.startswith(f"{bad.name} was not imported: "), message
    assert message.endswith("Nothing was changed."), message
    assert phrase in message, message
    assert dump(coord, capsys) == before
    return message


@pytest.fixture
def setup(network, tmp_path: Path):  # noqa: F811
    coord, sites, tmp = network
    add_values(sites["A"], {"2025-09-01": 0.5, "2025-10-01": 0.6})
    good = export(sites["A"], tmp / "good.nicbundle")
    return coord, good, tmp


UNSIGNED: dict[str, tuple[Callable[[Path, Path], Any], str]] = {
    "member named '.'": (lambda g, b: write_zip(b, [*members_of(g).items(), (".", b"x")]),
                         "unsafe file name"),
    "directory member": (lambda g, b: write_zip(b, [*members_of(g).items(), ("records/", b"")]),
                         "unsafe file name"),
    "backslash name": (lambda g, b: write_zip(b, [*members_of(g).items(),
                                                  ("records\\sites.jsonl", b"")]),
                       "unsafe file name"),
    "empty name": (lambda g, b: raw_zip(b, [stored(n, d) for n, d in members_of(g).items()]
                                        + [stored("", b"x")]), "unsafe file name"),
    "manifest of 200,000 '['": (
        lambda g, b: write_zip(b, [("manifest.json", b"[" * 200_000), *(
            (n, d) for n, d in members_of(g).items() if n != "manifest.json")]),
        "far more complex"),
    "manifest of 5,000 '['": (
        lambda g, b: write_zip(b, [("manifest.json", b"[" * 5_000), *(
            (n, d) for n, d in members_of(g).items() if n != "manifest.json")]),
        "nested far too deeply"),
    "manifest nested 40 levels": (
        lambda g, b: write_zip(b, [("manifest.json", json.dumps(
            {**json.loads(members_of(g)["manifest.json"]), "x": nested(40)}).encode()), *(
            (n, d) for n, d in members_of(g).items() if n != "manifest.json")]),
        "more than 32 levels"),
    "manifest not UTF-8": (
        lambda g, b: write_zip(b, [("manifest.json", b'{"format": "\xff"}'), *(
            (n, d) for n, d in members_of(g).items() if n != "manifest.json")]),
        "not valid JSON"),
    "unknown member": (lambda g, b: write_zip(b, [*members_of(g).items(),
                                                  ("records/evil.jsonl", b"{}\n")]),
                       "does not cover"),
    "stored with bzip2": (lambda g, b: _bzip2(g, b), "compressed in a way"),
    "huge signature": (lambda g, b: write_zip(b, [*(
        (n, d) for n, d in members_of(g).items() if n != "manifest.json.minisig"),
        ("manifest.json.minisig", b"x" * 5000)]), "more than any bundle's"),
}


def _bzip2(good: Path, bad: Path) -> None:
    with zipfile.ZipFile(bad, "w") as zf:
        for name, data in members_of(good).items():
            zf.writestr(name, data, compress_type=zipfile.ZIP_BZIP2)


@pytest.mark.parametrize("case", sorted(UNSIGNED))
def test_hostile_zips_are_refused_in_one_line(setup, capsys, case: str) -> None:
    coord, good, tmp = setup
    build, phrase = UNSIGNED[case]
    bad = tmp / "hostile.nicbundle"
    build(good, bad)
    refused(coord, bad, capsys, phrase)


BAD_SEQUENCES = ["7x", None, [1], 2**70, 1.9, -5, 0, True]


@pytest.mark.parametrize("sequence", BAD_SEQUENCES, ids=repr)
def test_every_bad_sequence_is_refused(setup, capsys, sequence: Any) -> None:
    coord, good, tmp = setup
    bad = signed(good, tmp / "seq.nicbundle", site_key(tmp),
                 manifest=lambda m: m.update(sequence=sequence))
    message = refused(coord, bad, capsys, "is not a positive whole number")
    assert "sequence number" in message


SIGNED: dict[str, tuple[dict[str, Any], str]] = {
    # manifest
    "kind not text": (dict(manifest=lambda m: m.update(kind=["site"])), "manifest is damaged"),
    "site id too long": (dict(manifest=lambda m: m.update(site_id="s" * 200)),
                         "manifest is damaged"),
    "size not a number": (dict(manifest=lambda m: m["files"][OBS].update(bytes="12")),
                          "manifest is damaged"),
    "bad sha256": (dict(manifest=lambda m: m["files"][OBS].update(sha256="AB" * 32)),
                   "no valid SHA-256"),
    "lists an unknown file": (dict(manifest=lambda m: m["files"].update(
        {"../x": {"sha256": "0" * 64, "bytes": 0, "records": 0}})), "lists a file no bundle"),
    "size claim differs": (dict(manifest=lambda m: m["files"][OBS].update(
        bytes=m["files"][OBS]["bytes"] + 1)), "changed after"),
    # record files
    "non-UTF-8 record file": (dict(records=first_line(b'{"note": "\xff\xfe"}')),
                              f"{OBS} is not UTF-8 text"),
    "record of 100,000 '['": (dict(records=first_line(b"[" * 100_000)),
                              "nested far too deeply"),
    "record nested 40 levels": (dict(records=set_field("note", nested(40))),
                                "more than 32 levels"),
    "NaN": (dict(records=first_line(b'{"id": "x", "value": NaN}')), "not valid JSON"),
    "1e999": (dict(records=first_line(b'{"id": "x", "value": 1e999}')), "not valid JSON"),
    "not a record": (dict(records=first_line(b"[1, 2]")), "is not a record"),
    "id a number": (dict(records=set_field("id", 5)), "no valid record id"),
    "id empty": (dict(records=set_field("id", "")), "no valid record id"),
    "id too long": (dict(records=set_field("id", "x" * 100)), "no valid record id"),
    "id with a newline": (dict(records=set_field("id", "a\nb")), "no valid record id"),
    "owner a number": (dict(records=set_field("owner_site_id", 5)), "owner"),
    "no tombstone": (dict(records=first_record(lambda r: r.pop("deleted"))),
                     "lacks its deleted field"),
    "tombstone a string": (dict(records=set_field("deleted", "no")), "deletion flag"),
    "tombstone a number": (dict(records=set_field("deleted", 0)), "deletion flag"),
    "hlc a number": (dict(records=set_field("hlc", 5)), "(hlc): a change clock is not text"),
    "hlc 9-0-x": (dict(records=set_field("hlc", "9-0-x")), "not in NICdesk's format"),
    "clocks a list": (dict(records=set_field("field_clocks", [])), "no valid change clocks"),
    "clock a number": (dict(records=set_clock("note", 5)), "(note): a change clock is not text"),
    "clock a list": (dict(records=set_clock("note", ["x"])), "(note): a change clock is not text"),
    "unknown field": (dict(records=set_field("colour\n", "red")), "does not know"),
    "clock 9-0-x": (dict(records=set_clock("note", "9-0-x")), "not in NICdesk's format"),
    "clock with an extra '-'": (dict(records=set_clock(
        "note", "001790000000000-000000-dev-x")), "not in NICdesk's format"),
    "clock from 1970": (dict(records=set_clock("note", Hlc(0, 0, "laptopA").encode())),
                        "before 2020"),
    "clock for an unknown field": (dict(records=set_clock("__class__", Hlc(
        now_ms(), 0, "laptopA").encode())), "does not know"),
    "repeated record": (dict(records=lambda f: f.update({OBS: f[OBS].split(b"\n")[0] + b"\n"
                                                        + f[OBS]})), "repeats record"),
}


@pytest.mark.parametrize("case", sorted(SIGNED))
def test_signed_but_hostile_content_is_refused(setup, capsys, case: str) -> None:
    coord, good, tmp = setup
    spec, phrase = SIGNED[case]
    bad = signed(good, tmp / "content.nicbundle", site_key(tmp), **spec)
    refused(coord, bad, capsys, phrase)


def test_clock_two_days_ahead_names_file_line_and_what_to_check(setup, capsys) -> None:
    coord, good, tmp = setup
    ahead = now_ms() + 2 * DAY_MS
    bad = signed(good, tmp / "ahead.nicbundle", site_key(tmp),
                 records=set_clock("note", Hlc(ahead, 0, "laptopA").encode()))
    day = dt.datetime.fromtimestamp(ahead / 1000, dt.UTC).date().isoformat()
    message = refused(coord, bad, capsys, f"{OBS} line 1 (note): a change clock is dated {day}, "
                      "more than a day ahead of this computer's clock — check the sending "
                      "computer's date and time.")
    assert message.endswith("date and time. Nothing was changed.")


# ------------------------------------------------------------------ order and memory
@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of every zip member decompressed from now on."""
    names: list[str] = []
    real = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        names.append(getattr(name, "filename", name))
        return real(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    return names


def test_signature_is_checked_before_any_record_is_decompressed(setup, capsys,
                                                                  opened) -> None:
    coord, good, tmp = setup
    members = members_of(good)
    m = json.loads(members["manifest.json"])
    m["sequence"] = 99  # not signed again
    members["manifest.json"] = json.dumps(m).encode()
    bad = write_zip(tmp / "forged.nicbundle", list(members.items()))
    opened.clear()  # building it read the genuine bundle
    refused(coord, bad, capsys, "signature does not match")
    assert set(opened) == {"manifest.json", "manifest.json.minisig"}


def test_unlisted_member_refused_before_decompression(setup, capsys, opened) -> None:
    coord, good, tmp = setup
    present = set(members_of(good))
    unlisted = next(f"records/{t}.jsonl" for t in ("sites", "measures", "charters", "aims")
                    if f"records/{t}.jsonl" not in present)
    bad = signed(good, tmp / "extra.nicbundle", site_key(tmp),
                 extra=[(unlisted, b'{"id": "x"}\n' * 1000)])
    opened.clear()
    refused(coord, bad, capsys, f"does not cover: {unlisted}")
    assert not any(name.startswith("records/") for name in opened), opened


CHILD = """
import json, resource, sys, tracemalloc
from pathlib import Path
from nicdesk.bundle.importer import BundleError, import_bundle
from nicdesk.store.workspace import Workspace


def peak_kb():
    try:  # the peak since clear_refs (Linux): this import alone
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


with Workspace.open(sys.argv[1]) as ws:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak to what is in use
    except OSError:
        pass
    start = peak_kb()
    tracemalloc.start()
    try:
        import_bundle(ws, sys.argv[2])
        message = None
    except BundleError as exc:
        message = exc.message
    python_peak = tracemalloc.get_traced_memory()[1]
    grew = peak_kb() - start
print(json.dumps({"message": message, "grew_mb": grew / 1024,
                  "python_mb": python_peak / 2**20}))
"""


def refused_in_child(coord: Path, bad: Path, capsys: pytest.CaptureFixture[str],
                     phrase: str) -> float:
    """Refused in a fresh process, with a peak memory growth far below 100 MB."""
    before = dump(coord, capsys)
    done = subprocess.run([sys.executable, "-c", CHILD, str(coord), str(bad)],
                          capture_output=True, text=True, env=dict(os.environ), timeout=300)
    assert done.returncode == 0 and not done.stderr, done.stderr
    result = json.loads(done.stdout)
    message = result["message"]
    assert message and "\n" not in message and message.endswith("Nothing was changed.")
    assert phrase in message, message
    assert result["grew_mb"] < 40 and result["python_mb"] < 40, result
    assert dump(coord, capsys) == before
    print(f"{bad.name}: refused, peak memory grew {result['grew_mb']:.1f} MB "
          f"(Python objects {result['python_mb']:.1f} MB)")
    return result["grew_mb"]


def test_300_one_megabyte_members(setup, capsys) -> None:
    coord, good, tmp = setup
    bad = write_zip(tmp / "wide.nicbundle", [*members_of(good).items(), *(
        (f"records/x{i}.jsonl", bytes(1 << 20)) for i in range(300))])
    assert bad.stat().st_size < 1_000_000
    refused_in_child(coord, bad, capsys, "files inside")


def test_300_one_megabyte_members_with_known_names(setup, capsys) -> None:
    coord, good, tmp = setup
    bad = write_zip(tmp / "dup.nicbundle", [*members_of(good).items(), *(
        (OBS, bytes(1 << 20)) for _ in range(300))])
    refused_in_child(coord, bad, capsys, "files inside")


def test_zip_bomb_claiming_a_tiny_size(setup, capsys, gigabyte_of_zeros) -> None:
    """A signed manifest lists the genuine file; the zip's member claims that size, but
    its data inflates to 1 GiB.  Reading stops at the claimed size."""
    coord, good, tmp = setup
    members = members_of(good)
    genuine = members[OBS]
    items = [stored(n, d) for n, d in members.items() if n != OBS]
    items.append((OBS, gigabyte_of_zeros, zipfile.ZIP_DEFLATED, zlib.crc32(genuine),
                  len(genuine)))
    bad = raw_zip(tmp / "bomb.nicbundle", items)
    assert bad.stat().st_size < 2_000_000
    refused_in_child(coord, bad, capsys, "damaged")


def test_zip_bomb_claiming_its_real_size(setup, capsys, gigabyte_of_zeros) -> None:
    coord, good, tmp = setup
    members = members_of(good)
    items = [stored(n, d) for n, d in members.items() if n != OBS]
    items.append((OBS, gigabyte_of_zeros, zipfile.ZIP_DEFLATED, 0, 1 << 30))
    refused_in_child(coord, raw_zip(tmp / "bomb2.nicbundle", items), capsys,
                     "would unpack to")


def test_member_inflating_past_its_size_is_read_only_to_that_size(setup, capsys) -> None:
    """Signed manifest and zip agree on the size; the data (with a CRC that matches what
    is read) would inflate to 200 MiB: reading stops at the size, the hash refuses it."""
    coord, good, tmp = setup
    members = members_of(good)
    genuine = members[OBS]
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = squeeze.compress(b"\n" * (200 << 20)) + squeeze.flush()
    items = [stored(n, d) for n, d in members.items() if n != OBS]
    items.append((OBS, payload, zipfile.ZIP_DEFLATED, zlib.crc32(b"\n" * len(genuine)),
                  len(genuine)))
    refused_in_child(coord, raw_zip(tmp / "long.nicbundle", items), capsys,
                     f"{OBS} was changed after the bundle was signed")


def test_a_list_of_contents_too_long_is_refused_before_parsing(setup, capsys) -> None:
    coord, good, tmp = setup
    items = [stored(n, d) for n, d in members_of(good).items()]
    items += [stored(f"r/{i}", b"") for i in range(20_000)]
    refused_in_child(coord, raw_zip(tmp / "many.nicbundle", items), capsys, "files inside")
    # the end record claims 3 entries; zipfile would still read every one of them
    refused_in_child(coord, raw_zip(tmp / "many2.nicbundle", items, claim=3), capsys,
                     "its list of contents takes")


# ------------------------------------------------------------------ text round trip
def test_line_separators_inside_a_note_round_trip(setup, capsys) -> None:
    coord, _good, tmp = setup
    note = "first\u2028second\u0085third\u2029fourth\x1cfifth\r\nsixth"
    with Workspace.open(tmp / "A.nicdesk") as ws:
        with ws.read() as s:
            obs = s.query(Observation).order_by(Observation.period).first().id
        ws.ops.update("observation", obs, note=note)
    bundle = export(tmp / "A.nicdesk", tmp / "notes.nicbundle")
    with Workspace.open(coord) as ws:
        assert import_bundle(ws, bundle).new >= 2
        with ws.read() as s:
            assert s.get(Observation, obs).note == note


# ------------------------------------------------------------------ invitation fields
def test_invitation_fields(tmp_path: Path, network) -> None:  # noqa: F811
    coord, _sites, tmp = network
    invite = tmp / "invite.nicbundle"
    assert main(["network", "invite", str(coord), "--site", "B", "--out", str(invite)]) == 0
    b = read_bundle(invite)
    key, site_id, name = invitation_fields(b)
    assert name == "B" and minisign.parse_public_key(key).line() == key
    verify_bundle(b, minisign.parse_public_key(key))
    for change in ({"coordinator_key": None}, {"coordinator_key": "not a key"},
                   {"invited_site_id": 5}, {"invited_site": ""}, {"kind": "site"},
                   {"invited_site": ["B"]}):
        b.manifest = {**read_bundle(invite).manifest, **change}
        with pytest.raises(BundleError, match="it is not an invitation to join a network"):
            invitation_fields(b)
    b.manifest = {k: v for k, v in read_bundle(invite).manifest.items()
                  if k != "invited_site_id"}
    with pytest.raises(BundleError, match="not an invitation"):
        invitation_fields(b)


# ------------------------------------------------------------------ nicdesk verify
def one_line_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(argv) == 1
    out = capsys.readouterr()
    assert out.out == "" and out.err.count("\n") == 1, out
    return out.err


def test_verify_without_key_lists_and_says_so(setup, capsys) -> None:
    coord, good, tmp = setup
    capsys.readouterr()
    assert main(["verify", str(good)]) == 0
    out = capsys.readouterr().out
    assert "signature NOT checked" in out and OBS in out and "2 records" in out
    assert main(["verify", str(good), "--key", str(tmp / "A.pub")]) == 0
    assert "signature and files verified" in capsys.readouterr().out


def test_verify_refuses_in_one_line(setup, capsys) -> None:
    coord, good, tmp = setup
    assert "is a folder" in one_line_error(["verify", str(tmp)], capsys)
    assert "does not exist" in one_line_error(["verify", str(tmp / "nope.nicbundle")], capsys)
    assert "not a file" in one_line_error(["verify", os.devnull], capsys)
    os.mkfifo(tmp / "pipe.nicbundle")  # opening it would wait for a writer forever
    assert "not a file" in one_line_error(["verify", str(tmp / "pipe.nicbundle")], capsys)
    assert "cannot be read" in one_line_error(["verify", str(good), "--key", str(tmp)], capsys)
    assert "cannot be read" in one_line_error(
        ["verify", str(good), "--key", str(tmp / "missing.pub")], capsys)
    (tmp / "binary.pub").write_bytes(b"\xff\xfe\x00garbage")
    assert "not a minisign public key" in one_line_error(
        ["verify", str(good), "--key", str(tmp / "binary.pub")], capsys)
    bad = tmp / "hostile.nicbundle"
    for build, phrase in UNSIGNED.values():
        build(good, bad)
        assert phrase in one_line_error(["verify", str(bad)], capsys)
    for sequence in BAD_SEQUENCES:
        signed(good, bad, site_key(tmp), manifest=lambda m, s=sequence: m.update(sequence=s))
        assert "positive whole number" in one_line_error(["verify", str(bad)], capsys)
    signed(good, bad, site_key(tmp), extra=[("records/sites.jsonl", b"x")]
           if "records/sites.jsonl" not in members_of(good) else [("records/charters.jsonl",
                                                                  b"x")])
    assert "does not cover" in one_line_error(
        ["verify", str(bad), "--key", str(tmp / "A.pub")], capsys)
