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
import hashlib
import json
import math
import os
import re
import stat
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

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
    TABLE_KIND,
)

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
