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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from ..core.clock import ClockDriftError
from ..core.merge import merge_fields
from ..store.schema import MODELS, BundleImport, Network, RecordVersion, Site
from ..store.workspace import Workspace, defer_references
from . import minisign
from .format import KINDS, ORDER
from .reader import (  # noqa: F401 - BundleError, read_bundle, verify_bundle are public here
    Bundle,
    BundleError,
    _fail,
    parse_records,
    read_bundle,
    verify_bundle,
)


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


Progress = Callable[[int, int], bool]  # (records done, total) -> False to cancel


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
