"""Reading an untrusted `.nicbundle`: zip safety, manifest, signature and file hashes,
and turning its record files into validated values.

Everything here treats the file as hostile: every failure is a `BundleError` whose message
says what is wrong and what to do; nothing here writes to a workspace.  `importer` decides
what the records may do (authority) and applies them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..core.clock import Hlc
from ..store.errors import WorkspaceError
from ..store.schema import MODELS
from . import minisign
from .format import (
    FORMAT,
    FORMAT_VERSION,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_UNCOMPRESSED,
    ORDER,
    TABLE_KIND,
    shared_columns,
)


class BundleError(WorkspaceError):
    title = "Bundle not imported"


@dataclass
class Bundle:
    path: Path
    manifest: dict[str, Any]
    body: bytes
    signature: str
    files: dict[str, bytes]


def _fail(path: Path, why: str) -> BundleError:
    return BundleError(f"{path.name} was not imported: {why} Nothing was changed.")


def read_bundle(path: str | Path) -> Bundle:
    """Open the zip defensively: hostile names, bombs and truncation are refused."""
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise _fail(path, "the file does not exist.") from exc
    except Exception as exc:  # noqa: BLE001 - BadZipFile, OSError, struct errors…
        raise _fail(path, "it is not a NICdesk bundle (not a zip file), or it was cut off "
                    "while copying — ask for the bundle again.") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _fail(path, f"it has {len(infos):,} files inside; a bundle never has more "
                        f"than {MAX_MEMBERS:,}.")
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise _fail(path, "it holds two files with the same name (a forged bundle).")
        total = 0
        for info in infos:
            p = PurePosixPath(info.filename)
            if info.filename.startswith(("/", "\\")) or ".." in p.parts or ":" in p.parts[0] \
                    or "\\" in info.filename:
                raise _fail(path, f"it contains an unsafe file name ({info.filename!r}).")
            total += info.file_size
            if info.file_size > 1_000_000 and info.compress_size and \
                    info.file_size / info.compress_size > MAX_RATIO:
                raise _fail(path, "it is compressed suspiciously well (a zip bomb?).")
        if total > MAX_UNCOMPRESSED:
            raise _fail(path, "it would unpack to more than 512 MB.")
        try:
            files = {name: zf.read(name) for name in names}
        except Exception as exc:  # noqa: BLE001 - untrusted input: any failure to unpack
            # (bad CRC, damaged deflate data, a flipped "encrypted" or compression-method
            # flag: BadZipFile, zlib.error, RuntimeError, NotImplementedError... — all
            # found by the fuzz campaign) is a refusal, never a crash
            raise _fail(path, "the zip is damaged (truncated or corrupted) — ask for the "
                        "bundle again.") from exc
    if "manifest.json" not in files or "manifest.json.minisig" not in files:
        raise _fail(path, "it has no signed manifest; it is not a NICdesk bundle.")
    body = files.pop("manifest.json")
    signature = files.pop("manifest.json.minisig").decode("utf-8", "replace")
    try:
        manifest = json.loads(body)
    except ValueError as exc:
        raise _fail(path, "its manifest is not valid JSON.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _fail(path, "it is not a NICdesk bundle.")
    if not isinstance(manifest.get("format_version"), int) or \
            manifest["format_version"] > FORMAT_VERSION:
        raise _fail(path, f"it was made by a newer NICdesk (bundle format "
                    f"{manifest.get('format_version')}; this NICdesk reads up to "
                    f"{FORMAT_VERSION}). Update NICdesk, then import it again.")
    return Bundle(path, manifest, body, signature, files)


def verify_bundle(b: Bundle, key: minisign.PublicKey) -> None:
    try:
        minisign.verify(key, b.body, b.signature)
    except minisign.SignatureError as exc:
        raise _fail(b.path, str(exc)) from exc
    listed = b.manifest.get("files")
    if not isinstance(listed, dict):
        raise _fail(b.path, "its manifest lists no files.")
    missing = sorted(set(listed) - set(b.files))
    extra = sorted(set(b.files) - set(listed))
    if missing:
        raise _fail(b.path, f"files named in the manifest are missing: {', '.join(missing)}.")
    if extra:
        raise _fail(b.path, f"it holds files the signature does not cover: {', '.join(extra)}.")
    for name, info in listed.items():
        data = b.files[name]
        if len(data) != info.get("bytes") or hashlib.sha256(data).hexdigest() != info.get(
                "sha256"):
            raise _fail(b.path, f"{name} was changed after the bundle was signed.")


def parse_records(b: Bundle) -> list[tuple[str, dict[str, Any]]]:
    """(kind, values) for every record, validated; site bundles carry only their site's."""
    out: list[tuple[str, dict[str, Any]]] = []
    site_id = b.manifest.get("site_id")
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for name, data in b.files.items():
        table = name.removeprefix("records/").removesuffix(".jsonl")
        kind = TABLE_KIND.get(table)
        if kind is None or not name.startswith("records/"):
            raise _fail(b.path, f"it contains an unknown file {name}.")
        allowed = set(shared_columns(kind))
        convert, texts = _converters(kind)
        for n, line in enumerate(data.decode("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except ValueError as exc:
                raise _fail(b.path, f"{name} line {n} is not valid JSON.") from exc
            if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
                raise _fail(b.path, f"{name} line {n} is not a record.")
            unknown = set(raw) - allowed - {"field_clocks"}
            if unknown:
                raise _fail(b.path, f"{name} line {n} has fields this NICdesk does not know "
                            f"({', '.join(sorted(unknown))}).")
            clocks = raw.get("field_clocks")
            if not isinstance(clocks, dict) or not all(
                    isinstance(v, str) for v in clocks.values()):
                raise _fail(b.path, f"{name} line {n} has no valid change clocks.")
            try:
                for stamp in clocks.values():
                    Hlc.decode(stamp)
                values = {k: (convert[k](v) if k in convert and v is not None else v)
                          for k, v in raw.items()}
                for k in texts:
                    if values.get(k) is not None and not isinstance(values[k], str):
                        raise ValueError(f"{k} must be text")
            except (ValueError, WorkspaceError) as exc:
                raise _fail(b.path, f"{name} line {n} has a value of the wrong type "
                            f"({getattr(exc, 'message', exc)}).") from exc
            if b.manifest.get("kind") == "site" and values.get("owner_site_id") != site_id:
                raise _fail(b.path, f"{name} line {n} is a record of another site; a site's "
                            "bundle may only carry its own records.")
            by_kind.setdefault(kind, []).append(values)
    for kind in ORDER:
        out += [(kind, v) for v in by_kind.get(kind, [])]
    return out


_CONVERTERS: dict[str, tuple[dict[str, Callable[[Any], Any]], tuple[str, ...]]] = {}


def _converters(kind: str) -> tuple[dict[str, Callable[[Any], Any]], tuple[str, ...]]:
    """Per column, how a JSON value becomes the stored type (dates, numbers, booleans);
    worked out once per kind, not once per value."""
    if kind not in _CONVERTERS:
        from sqlalchemy import Boolean, Date, Float, Integer, String, Text

        convert: dict[str, Callable[[Any], Any]] = {}
        texts = []
        for column in MODELS[kind].__table__.columns:  # type: ignore[attr-defined]
            t, name = column.type, column.key
            if name in ("id", "owner_site_id", "hlc", "field_clocks", "deleted"):
                continue
            if isinstance(t, Date):
                convert[name] = lambda v: dt.date.fromisoformat(v) if isinstance(v, str) \
                    else _bad(v)
            elif isinstance(t, Boolean):
                convert[name] = lambda v: v if isinstance(v, bool) else _bad(v)
            elif isinstance(t, Integer):
                convert[name] = lambda v: v if isinstance(v, int) and not isinstance(v, bool) \
                    else _bad(v)
            elif isinstance(t, Float):
                convert[name] = lambda v: float(v) if isinstance(v, int | float) and \
                    not isinstance(v, bool) else _bad(v)
            elif isinstance(t, String | Text) and not column.foreign_keys:
                texts.append(name)
        _CONVERTERS[kind] = (convert, tuple(texts))
    return _CONVERTERS[kind]


def _bad(value: Any) -> Any:
    raise ValueError(f"{value!r} has the wrong type")


