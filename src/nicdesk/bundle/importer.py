"""Reading, verifying and merging a bundle — all checks first, then one transaction.

Order (ARCHITECTURE.md): zip safety → manifest → signature against the enrolled key of the
bundle's site (or the coordinator's key for a digest) → every file's hash and size →
every record parsed and validated (types, ownership) → replay check → merge per field in
one transaction, losing concurrent values kept in `record_versions` → (signer, sequence)
recorded.  Any failure raises `BundleError` with what is wrong and what to do; nothing has
been written by then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from ..core.clock import ClockDriftError, Hlc
from ..core.merge import merge_fields
from ..store.errors import WorkspaceError
from ..store.schema import MODELS, BundleImport, Network, RecordVersion, Site
from ..store.workspace import Workspace, defer_references
from . import minisign
from .format import (
    FORMAT,
    FORMAT_VERSION,
    KINDS,
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


@dataclass
class ImportSummary:
    site: str
    sequence: int
    kind: str
    already: bool = False
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    per_kind: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        if self.already:
            return (f"{self.site}: bundle {self.sequence} was already imported; nothing "
                    "changed.")
        return (f"{self.site}: bundle {self.sequence} imported — {self.new} new, {self.updated} "
                f"updated, {self.unchanged} unchanged, {self.conflicts} conflicts kept for "
                "review.")


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


def _key_for(ws: Workspace, b: Bundle) -> tuple[minisign.PublicKey, str]:
    """The enrolled key that must have signed this bundle, and the site's name."""
    m = b.manifest
    try:
        signer = minisign.signature_key_id(b.signature)
    except minisign.SignatureError as exc:  # found by the fuzz campaign
        raise _fail(b.path, str(exc)) from exc
    with ws.read() as s:
        network = s.get(Network, m.get("network_id") or "")
        if network is None:
            raise _fail(b.path, "it belongs to another network (or this workspace has not "
                        "joined that network yet).")
        if m.get("kind") == "digest":
            if not network.coordinator_public_key:
                raise _fail(b.path, "this workspace does not know the coordinator's key; "
                            "join the network with the coordinator's invitation first.")
            key = minisign.parse_public_key(network.coordinator_public_key)
            return key, "the network coordinator"
        site = s.get(Site, m.get("site_id") or "")
        if site is None or site.network_id != network.id:
            raise _fail(b.path, "it comes from a site this network does not have.")
        enrolled = [minisign.parse_public_key(k) for k in site.public_keys or []]
        for key in enrolled:
            if key.key_id == signer:
                return key, site.name
        others = [x for x in s.scalars(select(Site).where(Site.network_id == network.id))
                  if x.id != site.id and any(minisign.parse_public_key(k).key_id == signer
                                             for k in x.public_keys or [])]
        if others:
            raise _fail(b.path, f"it says it is from {site.name} but was signed with the key "
                        f"of {others[0].name}.")
        raise _fail(b.path, f"it was signed by a key that is not enrolled for {site.name} "
                    f"(key {signer[::-1].hex().upper()}). To enrol it, ask the site for its "
                    "public key file and run 'nicdesk network enroll'.")


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


Progress = Callable[[int, int], bool]  # (records done, total) -> False to cancel


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


def import_bundle(ws: Workspace, path: str | Path, progress: Progress | None = None
                  ) -> ImportSummary:
    """Verify and merge one bundle.  `progress` is told how far the merge is; returning
    False cancels it, and the transaction rolls back as if nothing had happened."""
    b = read_bundle(path)
    m = b.manifest
    if m.get("kind") not in KINDS:
        if m.get("kind") == "invitation":
            raise _fail(b.path, "it is an invitation, which cannot be imported here; a site "
                        "opens it with File → Join a Network (or 'nicdesk join').")
        raise _fail(b.path, f"its kind {m.get('kind')!r} cannot be imported here.")
    key, site_name = _key_for(ws, b)
    verify_bundle(b, key)
    records = parse_records(b)
    summary = ImportSummary(site_name, int(m.get("sequence", 0)), m["kind"])
    with ws.read() as s:
        done = s.scalars(select(BundleImport).where(
            BundleImport.signer == key.key_id_hex,
            BundleImport.sequence == summary.sequence)).first()
    if done is not None:
        summary.already = True
        return summary
    try:
        latest = max((v for _k, r in records for v in r["field_clocks"].values()), default="")
        if latest:
            ws.clock.observe(latest)
    except ClockDriftError as exc:
        raise _fail(b.path, str(exc) + ".") from exc
    try:
        with ws.sessions.begin() as s:
            defer_references(s)
            if s.get_bind().dialect.name != "sqlite":
                # a shared server: one import at a time (a second coordinator waits), and
                # a bundle that just landed from another process is not applied twice
                s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": IMPORT_LOCK})
                if s.scalars(select(BundleImport).where(
                        BundleImport.signer == key.key_id_hex,
                        BundleImport.sequence == summary.sequence)).first() is not None:
                    summary.already = True
                    return summary
            _apply(s, records, summary, progress)
            s.add(BundleImport(signer=key.key_id_hex, sequence=summary.sequence,
                               site_id=m.get("site_id", ""), kind=m["kind"],
                               created=str(m.get("created", "")),
                               imported=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                               summary={"new": summary.new, "updated": summary.updated,
                                        "unchanged": summary.unchanged,
                                        "conflicts": summary.conflicts,
                                        "per_kind": summary.per_kind}))
    except _Cancelled as exc:
        raise BundleError(f"Import of {b.path.name} cancelled. Nothing was changed.") from exc
    except IntegrityError as exc:
        raise _fail(b.path, "its records refer to records this workspace does not have "
                    "(import the bundles of the sites and network it depends on first).") \
            from exc
    return summary


class _Cancelled(Exception):
    pass


IMPORT_LOCK = 0x4E494344  # PostgreSQL advisory lock key for imports ("NICD")



def _apply(s: Any, records: list[tuple[str, dict[str, Any]]], summary: ImportSummary,
           progress: Progress | None = None) -> None:
    """New records go in as bulk inserts; records already here are merged one by one."""
    done, total = 0, len(records)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for kind, values in records:
        by_kind.setdefault(kind, []).append(values)
    for kind in ORDER:
        batch = by_kind.get(kind, [])
        if not batch:
            continue
        model = MODELS[kind]
        summary.per_kind[kind] = len(batch)
        existing: dict[str, Any] = {}
        ids = [v["id"] for v in batch]
        for i in range(0, len(ids), 900):  # SQLite's bound-parameter limit
            for row in s.scalars(select(model).where(model.id.in_(ids[i:i + 900]))):  # type: ignore[attr-defined]
                existing[row.id] = row
        fresh = []
        for values in batch:
            row = existing.get(values["id"])
            if row is None:
                fresh.append(_with_defaults(kind, values))
            else:
                _merge_one(s, kind, row, values, summary)
        for i in range(0, len(fresh), 5000):
            s.execute(insert(model), fresh[i:i + 5000])
        summary.new += len(fresh)
        done += len(batch)
        if progress is not None and progress(done, total) is False:
            raise _Cancelled


def _with_defaults(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """Every column gets a value (a bulk insert does not apply Python-side defaults)."""
    out = dict(values)
    for column in MODELS[kind].__table__.columns:  # type: ignore[attr-defined]
        if column.key not in out:
            default = column.default.arg if column.default is not None else None
            out[column.key] = default(None) if callable(default) else default
    return out


def _merge_one(s: Any, kind: str, row: Any, values: dict[str, Any],
               summary: ImportSummary) -> None:
    remote_clocks = values["field_clocks"]
    fields = [c for c in remote_clocks if c in values]
    local_values = {f: getattr(row, f) for f in fields}
    result = merge_fields(local_values, dict(row.field_clocks or {}),
                          {f: values[f] for f in fields}, remote_clocks)
    for conflict in result.conflicts:
        s.add(RecordVersion(kind=kind, record_id=row.id, field=conflict.field,
                            value=_plain(conflict.lost_value), hlc=conflict.lost_clock,
                            kept_hlc=conflict.kept_clock))
    summary.conflicts += len(result.conflicts)
    if result.changed:
        for name in result.changed:
            setattr(row, name, result.values[name])
        row.field_clocks = result.clocks
        row.hlc = result.hlc
        summary.updated += 1
    else:
        summary.unchanged += 1


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@dataclass(frozen=True)
class Joined:
    path: Path
    site: str
    coordinator_fingerprint: str
    site_key: minisign.PublicKey


def join(invitation: str | Path, workspace_path: str | Path,
         passphrase: str | None = None) -> Joined:
    """Start a site's workspace from the coordinator's invitation: verify it (the
    coordinator's key travels inside; compare its fingerprint with the coordinator's),
    copy the network's records, remember which site this is, and make this computer's key
    (its public half goes back to the coordinator for enrolment)."""
    from . import keys

    b = read_bundle(invitation)
    m = b.manifest
    if m.get("kind") != "invitation" or not m.get("coordinator_key"):
        raise _fail(b.path, "it is not an invitation to join a network.")
    try:
        key = minisign.parse_public_key(m["coordinator_key"])
    except minisign.SignatureError as exc:
        raise _fail(b.path, str(exc)) from exc
    verify_bundle(b, key)
    records = parse_records(b)
    target = Path(workspace_path)
    ws = Workspace.create(target)
    try:
        summary = ImportSummary(m.get("invited_site", ""), int(m.get("sequence", 0)), "invitation")
        with ws.sessions.begin() as s:
            defer_references(s)
            _apply(s, records, summary)
        latest = max((v for _k, r in records for v in r["field_clocks"].values()), default="")
        if latest:
            ws.clock.observe(latest)
        pair = keys.generate(passphrase)
        site_id = m["invited_site_id"]
        ws.set_meta(local_site_id=site_id, signing_key=pair.public.key_id_hex)
        with ws.read() as s:
            site = s.get(Site, site_id)
            enrolled = list(site.public_keys or [])
        ws.ops.update("site", site_id, public_keys=[*enrolled, pair.public.line()],
                      label="Enrol this computer's key")
    except BaseException:
        ws.close()
        target.unlink(missing_ok=True)
        raise
    ws.close()
    return Joined(target, summary.site, key.fingerprint(), pair.public)
