"""Reading an untrusted `.nicbundle`: zip safety, manifest, signature and file hashes,
and turning its record files into validated values.

Everything here treats the file as hostile: every failure is a `BundleError` whose message
says what is wrong and what to do; nothing here writes to a workspace.  `importer` decides
what the records may do (authority) and applies them.

Order, so that a forged or hostile file costs little: `read_bundle` checks the zip's list
of contents (names, count, declared sizes, compression) and reads only the manifest and
its signature, each capped; `verify_bundle` checks the signature, refuses members the
manifest does not list, and only then decompresses the listed members — streaming, hashing
as it goes and stopping as soon as more bytes arrive than the manifest lists.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import re
import stat
import struct
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter, setitem
from pathlib import Path
from typing import Any, TypeGuard

from ..core.clock import _STAMP as _STAMP_FORMAT
from ..core.clock import EARLIEST_MS, MAX_DRIFT_MS, check_stamp, now_ms
from ..core.entities import (
    BOOL,
    DATE,
    EARLIEST,
    ENTITIES,
    FLOAT,
    INT,
    LATEST,
    REF,
    TEXT,
    Field,
    check,
    decode_record,
    problems,
)
from ..core.states import BundleKind
from ..store.errors import WorkspaceError
from . import minisign
from .format import (
    BASE_FIELD,
    DELTA_FORMAT_VERSION,
    FORMAT,
    FORMAT_VERSION,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_UNCOMPRESSED,
    ORDER,
    TABLE_KIND,
    shared_columns,
)

try:  # a fast JSON parser for record lines (`parse_by_kind`); `json` when it is missing
    import orjson as _orjson
except ImportError:  # pragma: no cover - a dependency; an old environment may lack it
    _orjson = None  # type: ignore[assignment]

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.minisig"
RECORD_FILES = frozenset(f"records/{table}.jsonl" for table in TABLE_KIND)
ALLOWED_NAMES = RECORD_FILES | {MANIFEST, SIGNATURE}
MAX_FILES = min(MAX_MEMBERS, len(ALLOWED_NAMES))  # each allowed name at most once
MAX_MANIFEST = 4 * 1024 * 1024
MAX_SIGNATURE = 4 * 1024
MAX_DIRECTORY = 256 * 1024  # the zip's list of contents; a real bundle's is a few KB
MAX_DEPTH = 32  # nesting of JSON arrays and objects, in the manifest and in each record
MAX_MANIFEST_CONTAINERS = 10_000  # a real manifest has a few hundred arrays and objects
MAX_ID_CHARS = 36  # the width of the id columns (a UUID)
MAX_SEQUENCE = 2**31 - 1  # bundle_imports.sequence is an INTEGER column (32-bit on PostgreSQL)
CHUNK = 64 * 1024
SYNC_ONLY = frozenset({"id", "owner_site_id", "hlc", "field_clocks"})  # no clock of their own


class BundleError(WorkspaceError):
    title = "Bundle not imported"


@dataclass
class Bundle:
    path: Path
    manifest: dict[str, Any]
    body: bytes
    signature: str
    #: the listed record files, filled in by `verify_bundle` once they check out
    files: dict[str, bytes] = field(default_factory=dict)
    verified: bool = False


def _fail(path: Path, why: str) -> BundleError:
    return BundleError(f"{path.name} was not imported: {why} Nothing was changed.")


def _shown(value: Any, limit: int = 40) -> str:
    """A hostile value, short and on one line, for a message."""
    try:
        text = json.dumps(value, ensure_ascii=True)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


AGAIN = "Ask the sender to export the bundle again."


# ------------------------------------------------------------------ the zip itself
def read_bundle(path: str | Path) -> Bundle:
    """Open the zip defensively and read only its signed manifest: hostile names, bombs
    and truncation are refused before anything is decompressed."""
    path = Path(path)
    with _zip(path) as zf:
        infos = _members(path, zf)
        body = _read_limited(path, zf, infos[MANIFEST], MAX_MANIFEST)
        sig = _read_limited(path, zf, infos[SIGNATURE], MAX_SIGNATURE)
    if body is None or sig is None:
        raise _fail(path, "its manifest or signature is far larger than any bundle's; it is "
                    f"not a NICdesk bundle. {AGAIN}")
    manifest = _manifest(path, body)
    return Bundle(path, manifest, body, sig.decode("utf-8", "replace"))


def verify_bundle(b: Bundle, key: minisign.PublicKey) -> None:
    """Signature first; then every listed member, streamed and hashed.  After this,
    `b.files` holds the verified record files."""
    try:
        minisign.verify(key, b.body, b.signature)
    except minisign.SignatureError as exc:
        raise _fail(b.path, str(exc)) from exc
    listed: dict[str, dict[str, Any]] = b.manifest["files"]
    files: dict[str, bytes] = {}
    with _zip(b.path) as zf:  # opened again: nothing but the manifest was kept
        infos = _members(b.path, zf)
        present = {name for name in infos if name in RECORD_FILES}
        missing = sorted(set(listed) - present)
        extra = sorted(present - set(listed))
        if missing:
            raise _fail(b.path, f"files named in the manifest are missing: "
                        f"{', '.join(missing)}. {AGAIN}")
        if extra:
            raise _fail(b.path, f"it holds files the signature does not cover: "
                        f"{', '.join(extra)} (a forged or damaged bundle). {AGAIN}")
        for name, spec in listed.items():  # the zip's own claim, before decompressing
            if infos[name].file_size != spec["bytes"]:
                raise _fail(b.path, f"{name} was changed after the bundle was signed. {AGAIN}")
        for name, spec in listed.items():
            data = _read_limited(b.path, zf, infos[name], spec["bytes"], spec["sha256"])
            if data is None:
                raise _fail(b.path, f"{name} was changed after the bundle was signed. {AGAIN}")
            files[name] = data
    b.files = files
    b.verified = True


@contextlib.contextmanager
def _zip(path: Path) -> Iterator[zipfile.ZipFile]:
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise _fail(path, "it is a folder, not a bundle file. Choose the .nicbundle "
                        "file itself.")
        if not stat.S_ISREG(mode):  # checked before opening: a pipe would block open()
            raise _fail(path, "it is not a file (a device or pipe); choose the .nicbundle "
                        "file itself.")
        fp = path.open("rb")
    except FileNotFoundError as exc:
        raise _fail(path, "the file does not exist.") from exc
    except PermissionError as exc:
        raise _fail(path, "this computer's account may not read it (permission denied). "
                    "Copy it somewhere you can read, then try again.") from exc
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        raise _fail(path, f"it cannot be read ({getattr(exc, 'strerror', None) or exc}).") \
            from exc
    with fp:
        try:
            _check_directory(path, fp)
            zf = zipfile.ZipFile(fp)
        except BundleError:
            raise
        except Exception as exc:  # noqa: BLE001 - BadZipFile, OSError, struct errors…
            raise _fail(path, "it is not a NICdesk bundle (not a zip file), or it was cut "
                        "off while copying — ask for the bundle again.") from exc
        with zf:
            yield zf


_EOCD = struct.Struct("<4s4H2LH")  # end of central directory
_LOCATOR64 = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")


def _check_directory(path: Path, fp: Any) -> None:
    """Refuse a zip whose list of contents is huge *before* `zipfile` turns every entry
    into an object (millions of entries fit in a small file).  Reads the end records the
    way `zipfile` does, and takes the largest size any of them claims."""
    fp.seek(0, os.SEEK_END)
    size = fp.tell()
    tail_len = min(size, _EOCD.size + 65535)
    fp.seek(size - tail_len)
    tail = fp.read(tail_len)
    if len(tail) >= _EOCD.size and tail[-_EOCD.size:-_EOCD.size + 4] == b"PK\x05\x06" \
            and tail[-2:] == b"\0\0":
        at = len(tail) - _EOCD.size
    else:
        at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        return  # not a zip: zipfile says so
    fields = _EOCD.unpack_from(tail, at)
    entries, directory = [fields[4]], [fields[5]]
    eocd = size - tail_len + at
    locator = eocd - _LOCATOR64.size
    if locator >= 0:
        fp.seek(locator)
        loc = fp.read(_LOCATOR64.size)
        if len(loc) == _LOCATOR64.size and loc[:4] == b"PK\x06\x07":
            offset = _LOCATOR64.unpack(loc)[2]
            for where in {locator - _EOCD64.size, offset}:  # zipfile versions differ
                if 0 <= where < size:
                    fp.seek(where)
                    rec = fp.read(_EOCD64.size)
                    if len(rec) == _EOCD64.size and rec[:4] == b"PK\x06\x06":
                        rec64 = _EOCD64.unpack(rec)
                        entries.append(rec64[7])
                        directory.append(rec64[8])
    if max(entries) > MAX_FILES:
        raise _fail(path, f"it lists {max(entries):,} files inside; a bundle never has more "
                    f"than {MAX_FILES}. It is not a NICdesk bundle.")
    if max(directory) > MAX_DIRECTORY:
        raise _fail(path, f"its list of contents takes {max(directory):,} bytes, far more "
                    "than any bundle's. It is not a NICdesk bundle.")


def _safe_name(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or "\\" in name or ":" in name:
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def _members(path: Path, zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The zip's list of contents, checked without decompressing anything."""
    infos = zf.infolist()
    if len(infos) > MAX_FILES:
        raise _fail(path, f"it has {len(infos):,} files inside; a bundle never has more "
                    f"than {MAX_FILES}.")
    out: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if not _safe_name(name):
            raise _fail(path, f"it contains an unsafe file name ({_shown(name)}).")
        if name in out:
            raise _fail(path, "it holds two files with the same name (a forged bundle).")
        out[name] = info
        if name not in ALLOWED_NAMES:
            raise _fail(path, f"it holds a file no NICdesk bundle has, which its signature "
                        f"does not cover ({_shown(name)}).")
        if info.flag_bits & 0x1:
            raise _fail(path, f"{name} is encrypted; NICdesk bundles never are.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _fail(path, f"{name} is compressed in a way NICdesk does not use. {AGAIN}")
        cap = {MANIFEST: MAX_MANIFEST, SIGNATURE: MAX_SIGNATURE}.get(name, MAX_UNCOMPRESSED)
        if info.file_size > cap:
            raise _fail(path, f"{name} would unpack to {info.file_size:,} bytes, more than "
                        f"any bundle's ({cap:,}).")
        total += info.file_size
        if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(
                info.compress_size, 1):
            raise _fail(path, "it is compressed suspiciously well (a zip bomb?).")
    if total > MAX_UNCOMPRESSED:
        raise _fail(path, "it would unpack to more than 512 MB.")
    if MANIFEST not in out or SIGNATURE not in out:
        raise _fail(path, "it has no signed manifest; it is not a NICdesk bundle.")
    return out


def _read_limited(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int,
                  sha256: str | None = None) -> bytes | None:
    """The member's bytes, read in chunks: None as soon as more than `limit` arrive (or,
    with `sha256`, if the content is not exactly that many bytes with that hash)."""
    chunks: list[bytes] = []
    got = 0
    digest = hashlib.sha256()
    try:
        with zf.open(info) as member:
            while True:
                chunk = member.read(min(CHUNK, limit + 1 - got))
                if not chunk:
                    break
                got += len(chunk)
                if got > limit:
                    return None
                digest.update(chunk)
                chunks.append(chunk)
    except Exception as exc:  # noqa: BLE001 - untrusted input: any failure to unpack
        # (bad CRC, damaged deflate data, a flipped "encrypted" or compression-method
        # flag: BadZipFile, zlib.error, RuntimeError, NotImplementedError... — all
        # found by the fuzz campaign) is a refusal, never a crash
        raise _fail(path, "the zip is damaged (truncated or corrupted) — ask for the "
                    "bundle again.") from exc
    if sha256 is not None and (got != limit or digest.hexdigest() != sha256):
        return None
    return b"".join(chunks)


# ------------------------------------------------------------------ manifest
def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value


def _loads(text: str) -> Any:
    """json.loads without NaN/Infinity; nesting too deep for the parser raises
    RecursionError (the caller refuses it)."""
    return json.loads(text, parse_constant=_no_constant, parse_float=_finite)


def _too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects nest more than `limit` levels (without recursion)."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        for child in (item.values() if isinstance(item, dict) else item):
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return False


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_text(value: Any, longest: int) -> TypeGuard[str]:
    return isinstance(value, str) and 0 < len(value) <= longest and value.isprintable()


def _manifest(path: Path, body: bytes) -> dict[str, Any]:
    if body.count(b"{") + body.count(b"[") > MAX_MANIFEST_CONTAINERS:
        # millions of tiny objects would cost far more memory than the bytes they come
        # from (and very deep nesting, more stack than Python has): refused unparsed
        raise _fail(path, f"its manifest is far more complex than any bundle's; it is not a "
                    f"NICdesk bundle. {AGAIN}")
    try:
        m = _loads(body.decode("utf-8"))
    except RecursionError as exc:
        raise _fail(path, f"its manifest is nested far too deeply; it is not a NICdesk "
                    f"bundle. {AGAIN}") from exc
    except ValueError as exc:  # UnicodeDecodeError included
        raise _fail(path, "its manifest is not valid JSON.") from exc
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        raise _fail(path, "it is not a NICdesk bundle.")
    if _too_deep(m):
        raise _fail(path, f"its manifest is nested more than {MAX_DEPTH} levels deep; it is "
                    f"not a NICdesk bundle. {AGAIN}")
    version = m.get("format_version")
    if not _is_int(version) or version < 1:
        raise _fail(path, f"its manifest has no valid format version ({_shown(version)}). "
                    f"{AGAIN}")
    if version > FORMAT_VERSION:
        raise _fail(path, f"it was made by a newer NICdesk (bundle format {version}; this "
                    f"NICdesk reads up to {FORMAT_VERSION}). Update NICdesk, then import it "
                    "again.")

    def damaged(what: str) -> BundleError:
        return _fail(path, f"its manifest is damaged: {what}. {AGAIN}")

    for key, longest in (("kind", 16), ("network_id", MAX_ID_CHARS),
                         ("site_id", MAX_ID_CHARS), ("signer", 32), ("created", 40)):
        if not _is_text(m.get(key), longest):
            raise damaged(f"its {key} ({_shown(m.get(key))}) is not text of 1 to {longest} "
                          "characters")
    sequence = m.get("sequence")
    if not _is_int(sequence) or not 1 <= sequence <= MAX_SEQUENCE:
        raise _fail(path, f"its sequence number ({_shown(sequence)}) is not a positive whole "
                    f"number (1 to {MAX_SEQUENCE:,}). {AGAIN}")
    if BASE_FIELD in m:  # a delta: only a site's bundle, after the base it names
        base = m[BASE_FIELD]
        if m["kind"] != BundleKind.SITE or version < DELTA_FORMAT_VERSION:
            raise damaged("only a site's bundle (format 2) may build on an earlier one")
        if not _is_int(base) or not 1 <= base < sequence:
            raise damaged(f"the bundle it builds on ({_shown(base)}) is not an earlier "
                          "sequence number")
    files = m.get("files")
    if not isinstance(files, dict):
        raise damaged("it has no list of files")
    total = 0
    for name, spec in files.items():
        if name not in RECORD_FILES:
            raise damaged(f"it lists a file no bundle has ({_shown(name)})")
        if not isinstance(spec, dict) or not isinstance(spec.get("sha256"), str) or \
                not re.fullmatch(r"[0-9a-f]{64}", spec["sha256"]):
            raise damaged(f"{name} has no valid SHA-256")
        size, records = spec.get("bytes"), spec.get("records")
        if not _is_int(size) or not 0 <= size <= MAX_UNCOMPRESSED:
            raise damaged(f"the size of {name} ({_shown(size)}) is not a whole number of bytes")
        if not _is_int(records) or records < 0:
            raise damaged(f"the record count of {name} ({_shown(records)}) is not a whole "
                          "number")
        total += size
    if total > MAX_UNCOMPRESSED:
        raise _fail(path, "it would unpack to more than 512 MB.")
    return m


def invitation_fields(b: Bundle) -> tuple[str, str, str]:
    """(coordinator's public key line, invited site id, invited site name) of an
    invitation, checked; anything else is refused as not an invitation."""
    m = b.manifest
    key, site_id, site = m.get("coordinator_key"), m.get("invited_site_id"), m.get(
        "invited_site")
    if m.get("kind") != BundleKind.INVITATION or not _is_text(key, 1024) or not _is_text(
            site_id, MAX_ID_CHARS) or not _is_text(site, 500) or not site.strip():
        raise _fail(b.path, "it is not an invitation to join a network.")
    try:
        minisign.parse_public_key(key)
    except minisign.SignatureError as exc:
        raise _fail(b.path, "it is not an invitation to join a network (its coordinator "
                    "key is not a minisign public key).") from exc
    return key, site_id, site


# ------------------------------------------------------------------ records
def _lines(text: str) -> Iterator[str]:
    """Split on "\n" only: U+2028, U+0085 and friends are text inside a record."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start)
        if stop < 0:
            stop = end
        yield text[start:stop]
        start = stop + 1


def _record_problem(raw: Any, allowed: set[str], clock_keys: frozenset[str],
                    stamp_ok: set[str], now: int) -> str | None:
    """What is wrong with the sync fields of one decoded line (a phrase that follows
    "<file> line <n>", saying what to do), or None."""
    if not isinstance(raw, dict):
        return f"is not a record. {AGAIN}"
    if not _is_text(raw.get("id"), MAX_ID_CHARS):
        return f"has no valid record id (text of 1 to {MAX_ID_CHARS} characters). {AGAIN}"
    unknown = set(raw) - allowed - {"field_clocks"}
    if unknown:
        return (f"has fields this NICdesk does not know "
                f"({_shown(', '.join(sorted(unknown)), 80)}); it may come from a newer "
                "NICdesk — update NICdesk, then import it again.")
    for name in ("owner_site_id", "hlc", "deleted", "field_clocks"):
        if name not in raw:
            return f"lacks its {name} field. {AGAIN}"
    owner = raw["owner_site_id"]
    if owner is not None and not _is_text(owner, MAX_ID_CHARS):
        return f"names an owner that is not a site id. {AGAIN}"
    if not isinstance(raw["deleted"], bool):
        return f"has a deletion flag that is not true or false. {AGAIN}"
    clocks = raw["field_clocks"]
    if not isinstance(clocks, dict):
        return f"has no valid change clocks. {AGAIN}"
    for key, stamp in [("hlc", raw["hlc"]), *clocks.items()]:
        if key != "hlc" and key not in clock_keys:
            return (f"has a change clock for a field this NICdesk does not know "
                    f"({_shown(key)}). {AGAIN}")
        if isinstance(stamp, str) and (stamp in stamp_ok or (key == "hlc" and not stamp)):
            continue  # each distinct stamp is checked once; a record's "hlc" may be empty
        problem = check_stamp(stamp, now)
        if problem is not None:  # the dates say what to check; a malformed one does not
            action = "" if problem.endswith("date and time") else f" {AGAIN}"
            return f"({key}): {problem}.{action}"
        stamp_ok.add(stamp)
    return None


def parse_records(b: Bundle) -> list[tuple[str, dict[str, Any]]]:
    """(kind, values) for every record, validated; site bundles carry only their site's."""
    by_kind = parse_by_kind(b)
    return [(kind, v) for kind in ORDER for v in by_kind.get(kind, [])]


def parse_by_kind(b: Bundle) -> dict[str, list[dict[str, Any]]]:
    """Every record's values, validated, by kind in bundle order (`ORDER`).

    One pass per file, with the checks of each kind built once (`_Kind`).  A line is
    first read with orjson (several times faster than `json.loads`, which calls a hook
    for every number to refuse NaN and infinity) and put through fast checks that accept
    only what the full checks certainly accept, with the same result: plain texts,
    numbers, dates, flags, well-formed stamps.  Anything else — a line orjson refuses,
    a JSON field, a value out of range, a stamp that is not plainly fine — is read again
    with `json` and put through the full checks of `_record_problem` and
    `decode_record`, which word the refusal.  (orjson differs from `json` only on what
    the fast checks never accept: integers beyond 64 bits, which it reads as floats,
    lone surrogates, NaN and infinity, deep nesting; so the values and every refusal
    are those of the full checks.)"""
    if not b.verified:
        raise _fail(b.path, "its files were not checked against its signature.")
    site_id = b.manifest.get("site_id")
    only_site = b.manifest.get("kind") == BundleKind.SITE
    by_kind: dict[str, list[dict[str, Any]]] = {}
    now = now_ms()
    stamp_ok: set[str] = set()
    stamps = _Stamps(now)
    for name, data in b.files.items():
        table = name.removeprefix("records/").removesuffix(".jsonl")
        kind = TABLE_KIND.get(table)
        if kind is None or name not in RECORD_FILES:
            raise _fail(b.path, f"it contains an unknown file {name}.")
        spec = _kind_checks(kind)
        out = by_kind.setdefault(kind, [])
        fast = spec.fast(data, site_id if only_site else None, stamp_ok, stamps)
        if fast is not None:
            out += fast
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _fail(b.path, f"{name} is not UTF-8 text (byte {exc.start + 1:,}). "
                        f"{AGAIN}") from exc
        seen: dict[str, int] = {}
        for n, line in enumerate(text.split("\n"), start=1):  # "\n" only, as `_lines`
            if not line or line.isspace():
                continue
            values = _full_checks(b, name, n, line, spec, seen, stamp_ok, now)
            if only_site and values.get("owner_site_id") != site_id:
                raise _fail(b.path, f"{name} line {n} is a record of another site; a site's "
                            "bundle may only carry its own records.")
            out.append(values)
    return {kind: by_kind[kind] for kind in ORDER if kind in by_kind}


def _full_checks(b: Bundle, name: str, n: int, line: str, spec: _Kind,
                 seen: dict[str, int], stamp_ok: set[str], now: int) -> dict[str, Any]:
    """One line read by `json` and checked in full, every refusal worded for a person."""
    try:
        raw = _loads(line)
    except RecursionError as exc:
        raise _fail(b.path, f"{name} line {n} is nested far too deeply.") from exc
    except ValueError as exc:
        raise _fail(b.path, f"{name} line {n} is not valid JSON.") from exc
    if (line.count("[") + line.count("{") > MAX_DEPTH) and _too_deep(raw):
        raise _fail(b.path, f"{name} line {n} is nested more than {MAX_DEPTH} "
                    "levels deep.")
    problem = _record_problem(raw, spec.allowed, spec.clock_keys, stamp_ok, now)
    if problem is not None:
        raise _fail(b.path, f"{name} line {n} {problem}")
    if raw["id"] in seen:
        raise _fail(b.path, f"{name} line {n} repeats record {raw['id']} of line "
                    f"{seen[raw['id']]}.")
    seen[raw["id"]] = n
    return _decode_fully(b, name, n, spec.kind, spec.required, raw)


class _Stamps:
    """A quick yes for a stamp `check_stamp` accepts: the exact format, dated from 2020
    to a day ahead of this computer's clock (fixed-width digits compare as text)."""

    def __init__(self, now: int) -> None:
        self.match = _STAMP_FORMAT.fullmatch
        self.low = f"{EARLIEST_MS:015d}"
        self.high = f"{now + MAX_DRIFT_MS:015d}"

    def fine(self, stamp: str) -> bool:
        return self.match(stamp) is not None and self.low <= stamp[:15] <= self.high


def _decode_fully(b: Bundle, name: str, n: int, kind: str, required: tuple[str, ...],
                  raw: dict[str, Any]) -> dict[str, Any]:
    """The full checks of one record, each refusal worded for a person."""
    try:  # the one entity description decides types, ranges and choices
        values = decode_record(kind, raw)
    except ValueError as exc:
        raise _fail(b.path, f"{name} line {n} has a value that is not allowed "
                    f"({_clip(str(exc))}).") from exc
    # decode checked every value; what is left is a required text left blank
    blank = {k: values[k] for k in required if isinstance(values.get(k), str)
             and not values[k].strip()}
    wrong = problems(kind, blank, partial=True) if blank else []
    if wrong:
        raise _fail(b.path, f"{name} line {n} has a value that is not allowed "
                    f"({_clip(wrong[0].message)}).")
    return values


_SLOW: Any = object()  # a fast check's "not sure": the full check decides
_SYNC_REQUIRED = frozenset({"id", "owner_site_id", "hlc", "deleted", "field_clocks"})


def _fast_check(kind: str, f: Field) -> Callable[[Any], Any]:
    """A check of one field that accepts only values `decode` certainly accepts
    unchanged (or, for numbers and dates, converts exactly as it does); anything else
    is `_SLOW`.  Values come from orjson: no lone surrogates."""
    nullable = f.nullable
    if f.type in (TEXT, REF) and f.pattern is None:
        longest = f.max_length if f.max_length is not None else 1 << 62
        if f.choices is not None:
            good = frozenset(c for c in f.choices if check(f, c) is None)

            def choice(v: Any) -> Any:
                if v is None:
                    return None if nullable else _SLOW
                return v if v.__class__ is str and v in good else _SLOW
            return choice
        strict = f.required or f.type == REF

        def text_(v: Any) -> Any:
            if v.__class__ is str:
                if len(v) <= longest and "\x00" not in v and (not strict or
                                                              not v.isspace() and v):
                    return v
                return _SLOW
            if v is None and nullable:
                return None
            return _SLOW
        return text_
    if f.type == INT:
        low_i, high_i = f.minimum, f.maximum

        def int_(v: Any) -> Any:
            if v.__class__ is int and (low_i is None or v >= low_i) and (
                    high_i is None or v <= high_i):
                return v
            return None if v is None and nullable else _SLOW
        return int_
    if f.type == FLOAT:
        low_f, high_f = f.minimum, f.maximum

        def float_(v: Any) -> Any:
            cls = v.__class__
            if cls is int and -(1 << 53) < v < (1 << 53):
                v = float(v)
            elif cls is not float or not math.isfinite(v):
                return None if v is None and nullable else _SLOW
            if (low_f is None or v >= low_f) and (high_f is None or v <= high_f):
                return v
            return _SLOW
        return float_
    if f.type == BOOL:
        def bool_(v: Any) -> Any:
            if v.__class__ is bool:
                return v
            return None if v is None and nullable else _SLOW
        return bool_
    if f.type == DATE:
        seen: dict[str, Any] = {}

        def date_(v: Any) -> Any:
            if v.__class__ is str:
                got = seen.get(v)
                if got is None:
                    # plainly 2026-09-01 (ASCII digits), a real date in the range; else
                    # the full check (also for a date it would accept, such as none)
                    if len(v) != 10 or not v.isascii() or v[4] != "-" or v[7] != "-" or \
                            not (v[:4] + v[5:7] + v[8:]).isdigit():
                        return _SLOW
                    try:
                        got = dt.date.fromisoformat(v)
                    except ValueError:
                        return _SLOW
                    if not EARLIEST <= got <= LATEST:
                        return _SLOW
                    seen[v] = got
                return got
            return None if v is None and nullable else _SLOW
        return date_
    return lambda v: _SLOW  # JSON lists and objects, patterned texts: the full check


_NONE = type(None)
#: the classes of JSON value each kind of field takes without doubt (the fast checks)
_CLASSES: dict[str, set[type]] = {TEXT: {str, _NONE}, REF: {str, _NONE}, DATE: {str, _NONE},
            INT: {int, _NONE}, FLOAT: {int, float, _NONE}, BOOL: {bool, _NONE}}


class _Kind:
    """The checks of one kind of record, built once."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.allowed = set(shared_columns(kind))
        self.required = tuple(f.name for f in ENTITIES[kind].fields.values() if f.required)
        clocked = self.allowed - SYNC_ONLY
        self.clock_keys = frozenset(clocked | {"~" + c for c in clocked})
        self._keys = frozenset(self.allowed | {"field_clocks"})
        fields = [f for f in ENTITIES[kind].fields.values() if f.name in self.allowed]
        #: None: a field no fast check covers (JSON, patterned text): the full checks
        self._fields: list[tuple[str, str, set[type], Callable[[Any], Any]]] | None = [
            (f.name, f.type, _CLASSES[f.type], _fast_check(kind, f)) for f in fields
            if f.type in _CLASSES and f.pattern is None]
        if len(self._fields) != len(fields):
            self._fields = None

    def fast(self, data: bytes, owner: str | None, stamp_ok: set[str], stamps: _Stamps
             ) -> list[dict[str, Any]] | None:
        """Every record of one file, read by orjson and checked column by column (each
        distinct value once), when all of them certainly pass the full checks — with
        the values those give; None at the least doubt (the full checks then decide,
        line by line, and word the first refusal).  `owner`: the only owner a site's
        bundle may carry (None: any)."""
        if self._fields is None or _orjson is None:
            return None
        loads = _orjson.loads
        try:
            # bytes split on "\n" (never inside a UTF-8 character); orjson checks the
            # UTF-8 of each line; a line blank only by Unicode spaces fails: full checks
            raws: list[Any] = [loads(line) for line in data.split(b"\n")
                               if line and not line.isspace()]
        except ValueError:  # orjson.JSONDecodeError
            return None
        if not raws:
            return raws
        try:
            if set(map(type, raws)) != {dict}:
                return None
            keys = set().union(*raws)
            if not keys <= self._keys or not _SYNC_REQUIRED <= keys:
                return None
            if set(map(len, raws)) == {len(keys)}:  # every record has every key
                def column(name: str) -> list[Any]:
                    return list(map(itemgetter(name), raws))
            else:
                def column(name: str) -> list[Any]:
                    return [r.get(name, _MISSING) for r in raws]
            if not self._sync_ok(raws, column, owner, stamp_ok, stamps):
                return None
            for name, type_, classes, check_ in self._fields:
                if name not in keys:
                    continue
                values = column(name)
                distinct = set(values)
                everywhere = _MISSING not in distinct
                distinct.discard(_MISSING)
                if not set(map(type, distinct)) <= classes:
                    return None
                converted = {v: check_(v) for v in distinct}
                if _SLOW in converted.values():
                    return None
                if type_ == DATE and everywhere:
                    deque(map(setitem, raws, repeat(name), map(converted.__getitem__, values)),
                          maxlen=0)
                elif type_ == DATE:
                    for r, v in zip(raws, values, strict=True):
                        if v is not _MISSING:
                            r[name] = converted[v]
                elif type_ == FLOAT and int in set(map(type, distinct)):
                    for r, v in zip(raws, values, strict=True):
                        if v.__class__ is int:
                            r[name] = float(v)
        except TypeError:  # an unhashable value where a plain one belongs
            return None
        return raws

    def _sync_ok(self, raws: list[dict[str, Any]], column: Callable[[str], list[Any]],
                 owner: str | None, stamp_ok: set[str], stamps: _Stamps) -> bool:
        """True when `_record_problem` certainly finds nothing in any record (each stamp
        found fine joins `stamp_ok`, as there), no id repeats and, for a site's bundle,
        every record is its site's."""
        ids = column("id")
        if set(map(type, ids)) != {str} or len(set(ids)) != len(ids) or \
                not 0 < min(map(len, ids)) <= max(map(len, ids)) <= MAX_ID_CHARS or \
                not all(map(str.isprintable, ids)):
            return False
        owners = set(column("owner_site_id"))
        if owner is not None and owners != {owner}:
            return False
        if not all(o is None or (o.__class__ is str and 0 < len(o) <= MAX_ID_CHARS
                                 and o.isprintable()) for o in owners):
            return False
        if set(map(type, column("deleted"))) != {bool}:
            return False
        clocks = column("field_clocks")
        if set(map(type, clocks)) != {dict} or \
                not set().union(*clocks) <= self.clock_keys:
            return False
        used = set(column("hlc"))
        used.discard("")  # a record's "hlc" may be empty
        used.update(*map(dict.values, clocks))
        for stamp in used - stamp_ok:
            if stamp.__class__ is not str or not stamps.fine(stamp):
                return False
            stamp_ok.add(stamp)
        return True


_MISSING: Any = object()


_KINDS: dict[str, _Kind] = {}


def _kind_checks(kind: str) -> _Kind:
    spec = _KINDS.get(kind)
    if spec is None:
        spec = _KINDS[kind] = _Kind(kind)
    return spec


def _clip(text: str, limit: int = 200) -> str:
    """A message from a checker, kept to one short line."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
