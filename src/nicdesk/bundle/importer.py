"""Verifying, authorising and merging a bundle — all checks first, then one transaction.

Order (ARCHITECTURE.md, docs/exchange.md): `reader` checks the zip, the manifest, the
signature against the enrolled key of the bundle's site (or, for a digest, the
coordinator key this workspace trusts), every file's hash and size, and every record's
shape, types and clocks → replay check ((signer, sequence) seen before: the same content
is a harmless replay, other content a refusal) → authority (a site's bundle touches only
records its site owns, before and after; ownership never moves; no new sites; no key,
parent, network or kind changes on its own site record) → merge per field in one
transaction, losing concurrent values kept in `record_versions` → (signer, sequence,
manifest digest) recorded → and only then the local clock moves past the bundle's
stamps.  Any failure raises `BundleError` with what is wrong and what to do; the
database — its clock included — is exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from ..core.clock import ClockDriftError
from ..core.merge import merge_fields
from ..core.states import BundleKind
from ..store.operations import OpChanges
from ..store.schema import (
    MODELS,
    BundleImport,
    Network,
    RecordVersion,
    Site,
    WorkspaceMeta,
    column_default,
    table_of,
)
from ..store.workspace import Workspace, defer_references
from . import minisign
from .authority_checks import (
    _authorise,
    _check_links,
    _check_observations,
    _quote,
)
from .format import KINDS, ORDER, SUPPRESSED_FIELDS, table_file
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
    #: what the import changed, as an operation's change set (screens redraw from it)
    changes: OpChanges = field(default_factory=lambda: OpChanges("Import bundle"))
    changed_kinds: set[str] = field(default_factory=set)
    changed_ids: set[str] = field(default_factory=set)

    def text(self) -> str:
        if self.already:
            return (f"{self.site}: bundle {self.sequence} was already imported; nothing "
                    "changed.")
        return (f"{self.site}: bundle {self.sequence} imported — {self.new} new, {self.updated} "
                f"updated, {self.unchanged} unchanged, {self.conflicts} conflicts kept for "
                "review.")


def _public_keys(site: Site) -> list[minisign.PublicKey]:
    """The site's enrolled keys; anything that is not a key is ignored, never a crash."""
    out = []
    listed = site.public_keys if isinstance(site.public_keys, list) else []
    for line in listed:
        try:
            out.append(minisign.parse_public_key(line))
        except (minisign.SignatureError, TypeError, ValueError, AttributeError):
            continue
    return out


def _key_for(ws: Workspace, b: Bundle) -> tuple[minisign.PublicKey, str, str | None]:
    """The key that must have signed this bundle, the signer's name, and the signing
    site's id (None for a coordinator's digest)."""
    m = b.manifest
    try:
        signer = minisign.signature_key_id(b.signature)
    except minisign.SignatureError as exc:  # found by the fuzz campaign
        raise _fail(b.path, str(exc)) from exc
    network_id = m.get("network_id")
    with ws.read() as s:
        network = s.get(Network, network_id) if isinstance(network_id, str) else None
        if network is None:
            raise _fail(b.path, "it belongs to another network (or this workspace has not "
                        "joined that network yet).")
        if m.get("kind") == BundleKind.DIGEST:
            trusted = ws.meta().get("trusted_coordinator_key") or \
                network.coordinator_public_key
            if not trusted:
                raise _fail(b.path, "this workspace does not know the coordinator's key; "
                            "join the network with the coordinator's invitation first.")
            try:
                key = minisign.parse_public_key(trusted)
            except minisign.SignatureError as exc:
                raise _fail(b.path, "the coordinator key this workspace trusts is damaged; "
                            "join again with a new invitation from the coordinator.") from exc
            if key.key_id != signer:
                key = _follow_rotations(b, key, signer, network.id)
            if key.key_id != signer:
                raise _fail(b.path, "it was signed with a different key from the "
                            "coordinator key this workspace trusts. A coordinator changes "
                            "keys only with a rotation digest signed by the old key, or a new "
                            "invitation.")
            return key, "the network coordinator", None
        site_id = m.get("site_id")
        site = s.get(Site, site_id) if isinstance(site_id, str) else None
        if site is None or site.network_id != network.id:
            raise _fail(b.path, "it comes from a site this network does not have.")
        for key in _public_keys(site):
            if key.key_id == signer:
                return key, site.name, site.id
        others = [x for x in s.scalars(select(Site).where(Site.network_id == network.id))
                  if x.id != site.id and any(k.key_id == signer for k in _public_keys(x))]
        if others:
            raise _fail(b.path, f"it says it is from {_quote(site.name)} but was signed with "
                        f"the key of {_quote(others[0].name)}.")
        raise _fail(b.path, f"it was signed by a key that is not enrolled for "
                    f"{_quote(site.name)}. Enrol that computer's key first, after comparing "
                    "its fingerprint with the site (Network → Enrol a Site's Key… for a "
                    "public key file, or Enrol a school from a join request…).")


def _follow_rotations(b: Bundle, trusted: minisign.PublicKey, signer: bytes,
                      network_id: str) -> minisign.PublicKey:
    """A digest signed with a later coordinator key is trusted only through the chain of
    rotation statements it carries, each signed with the key it replaces, starting at the
    key this workspace trusts (a site that missed the rotating digest still follows)."""
    chain = b.manifest.get("rotations")
    key = trusted
    if not isinstance(chain, list) or len(chain) > 64:
        return key
    for link in chain:
        if key.key_id == signer:
            break
        if not isinstance(link, dict) or not isinstance(link.get("statement"), str) \
                or not isinstance(link.get("signature"), str):
            continue
        try:
            minisign.verify(key, link["statement"].encode(), link["signature"])
            statement = json.loads(link["statement"])
            if not isinstance(statement, dict) or statement.get("network_id") != network_id \
                    or statement.get("from") != key.key_id_hex:
                continue
            key = minisign.parse_public_key(statement.get("to"))  # type: ignore[arg-type]  # not text: fails inside, caught below
        except (minisign.SignatureError, ValueError, TypeError, RecursionError):
            continue
    return key


Progress = Callable[[int, int], bool]  # (records done, total) -> False to cancel


def _replay_check(ws: Workspace, b: Bundle, summary: ImportSummary, signer: str,
                  digest: str) -> bool:
    """True when this exact bundle was applied before (a harmless replay)."""
    with ws.read() as s:
        done = s.scalars(select(BundleImport).where(
            BundleImport.signer == signer, BundleImport.sequence == summary.sequence)).first()
        if done is None:
            return False
        if done.manifest_sha256 in (None, digest):
            return True
    who = _quote(summary.site)
    raise _fail(b.path, f"bundle {summary.sequence} from {who} was already imported with "
                f"different content — was {who}'s workspace restored from a backup? Send "
                f"{who} the latest network digest (it tells them which numbers the network "
                "has seen), then ask for a new bundle.")


def import_bundle(ws: Workspace, path: str | Path, progress: Progress | None = None
                  ) -> ImportSummary:
    """Verify, authorise and merge one bundle.  `progress` is told how far the merge is;
    returning False cancels it, and the transaction rolls back as if nothing happened."""
    b = read_bundle(path)
    m = b.manifest
    if m.get("kind") not in KINDS:
        if m.get("kind") == BundleKind.INVITATION:
            raise _fail(b.path, "it is an invitation, which cannot be imported here; a site "
                        "opens it with File → Join a Network.")
        raise _fail(b.path, f"its kind {_quote(m.get('kind'))!r} cannot be imported here.")
    key, site_name, signer_site = _key_for(ws, b)
    verify_bundle(b, key)
    records = parse_records(b)
    sequence = m.get("sequence")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        raise _fail(b.path, "its sequence number is not a positive whole number.")
    summary = ImportSummary(site_name, sequence, m["kind"])
    digest = hashlib.sha256(b.body).hexdigest()
    if _replay_check(ws, b, summary, key.key_id_hex, digest):
        summary.already = True
        return summary
    with ws.read() as s:
        _check_observations(s, b, records)
        _check_links(s, b, records)
        _authorise(s, b, records, signer_site, site_name)
    for_site = m.get("for_site")
    if for_site is not None and signer_site is None and for_site != ws.meta().get(
            "local_site_id"):
        with ws.read() as s:
            named = s.get(Site, for_site) if isinstance(for_site, str) else None
        raise _fail(b.path, f"it is a digest written for {_quote(named.name) if named else 'another site'} "
                    "alone (it holds that site's own small counts). Ask the coordinator for "
                    "the network digest, or one written for this site.")
    meta_after = _digest_meta(ws, b) if signer_site is None else {}
    suppressed = _suppressed(b, records) if signer_site is None else {}
    latest = max((v for _k, r in records for v in r["field_clocks"].values()), default="")
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
            _clear_suppressed(s, ws, suppressed, summary)
            s.add(BundleImport(signer=key.key_id_hex, sequence=summary.sequence,
                               site_id=str(m.get("site_id", "")), kind=m["kind"],
                               created=str(m.get("created", ""))[:40],
                               imported=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                               manifest_sha256=digest,
                               summary={"new": summary.new, "updated": summary.updated,
                                        "unchanged": summary.unchanged,
                                        "conflicts": summary.conflicts,
                                        "per_kind": summary.per_kind}))
            for name, value in meta_after.items():
                s.merge(WorkspaceMeta(key=name, value=value))
    except _Cancelled as exc:
        raise BundleError(f"Import of {b.path.name} cancelled. Nothing was changed.") from exc
    except IntegrityError as exc:
        if "unique" in str(exc.orig).lower():
            raise _fail(b.path, "it holds a second value for a measure, site and period that "
                        "already has one here (entered separately on two computers by an "
                        "older NICdesk). On the sending computer, import the latest network "
                        "digest, delete one of the two values, then export again.") from exc
        raise _fail(b.path, "its records refer to records this workspace does not have "
                    "(import the bundles of the sites and network it depends on first).") \
            from exc
    ws._meta.update(meta_after)  # noqa: SLF001 - committed above, with the records
    # only now, with the bundle applied, does this computer's clock move past its stamps
    if latest:
        try:
            ws.clock.observe(latest)
        except ClockDriftError:  # the reader refused real drift; never fail after commit
            pass
        ws.set_meta(clock_last=ws.clock.last.encode())
    summary.changes = OpChanges(f"Import bundle {summary.sequence} from {site_name}",
                                frozenset(summary.changed_kinds),
                                frozenset(summary.changed_ids))
    return summary


def _digest_meta(ws: Workspace, b: Bundle) -> dict[str, str]:
    """What a digest tells this site about itself: the last of its bundles the network
    imported (so a restored backup never reuses a number) and, in a rotation statement
    signed with the trusted key, the coordinator's next key."""
    m = b.manifest
    meta = ws.meta()
    out: dict[str, str] = {}
    acked = m.get("acknowledged")
    local = meta.get("local_site_id")
    if isinstance(acked, dict) and local:
        number = acked.get(local)
        if isinstance(number, int) and not isinstance(number, bool) and 0 < number < 2**53:
            current = meta.get("acknowledged_sequence", "0")
            out["acknowledged_sequence"] = str(max(number, int(current) if current.isdigit()
                                                   else 0))
    rotate = m.get("rotate_to")
    if rotate is not None:
        try:
            new_key = minisign.parse_public_key(rotate) if isinstance(rotate, str) else None
        except minisign.SignatureError:
            new_key = None
        if new_key is None:
            raise _fail(b.path, "its key rotation statement does not hold a valid public "
                        "key; ask the coordinator for a new digest.")
        out["trusted_coordinator_key"] = new_key.line()
    elif not meta.get("trusted_coordinator_key"):
        # a workspace from before keys were kept locally: remember the key it verified
        with ws.read() as s:
            network = s.get(Network, m.get("network_id"))
            if network is not None and network.coordinator_public_key:
                out["trusted_coordinator_key"] = network.coordinator_public_key
    return out


def _suppressed(b: Bundle, records: list[tuple[str, dict[str, Any]]]
                ) -> dict[str, list[str]]:
    """kind -> ids of the cells a digest carries as "suppressed" (below the network's
    small-count threshold): listed in the signed manifest, their numbers left out."""
    listed = b.manifest.get("suppressed", {})
    if not isinstance(listed, dict):
        raise _fail(b.path, "its list of suppressed cells is damaged.")
    by_table = {table_file(k).removeprefix("records/").removesuffix(".jsonl"): k
                for k in SUPPRESSED_FIELDS}
    present = {(k, v["id"]): v for k, v in records}
    out: dict[str, list[str]] = {}
    for table, ids in listed.items():
        kind = by_table.get(table)
        if kind is None or not isinstance(ids, list) or not all(isinstance(i, str)
                                                               for i in ids):
            raise _fail(b.path, "its list of suppressed cells is damaged.")
        for record_id in ids:
            values = present.get((kind, record_id))
            if values is None or any(f in values for f in SUPPRESSED_FIELDS[kind]):
                raise _fail(b.path, "its list of suppressed cells does not match its "
                            "records.")
        out[kind] = ids
    return out


def _clear_suppressed(s: Any, ws: Workspace, suppressed: dict[str, list[str]],
                      summary: ImportSummary) -> None:
    """Other sites' small cells hold no number here, not even one an older digest
    brought; this site's own cells keep their raw values."""
    local = ws.meta().get("local_site_id")
    for kind, ids in suppressed.items():
        model, names = MODELS[kind], SUPPRESSED_FIELDS[kind]
        for i in range(0, len(ids), 900):
            for row in s.scalars(select(model).where(model.id.in_(ids[i:i + 900]))):
                if row.owner_site_id == local:
                    continue
                clocks = {k: v for k, v in dict(row.field_clocks or {}).items()
                          if k.removeprefix("~") not in names}
                if clocks == dict(row.field_clocks or {}) and all(
                        getattr(row, n) is None for n in names):
                    continue
                for name in names:
                    setattr(row, name, None)
                row.field_clocks = clocks
                summary.changed_ids.add(row.id)
                summary.changed_kinds.add(kind)


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
            for row in s.scalars(select(model).where(model.id.in_(ids[i:i + 900]))):
                existing[row.id] = row
        fresh = []
        for values in batch:
            row = existing.get(values["id"])
            if row is None:
                fresh.append(_with_defaults(kind, values))
                summary.changed_ids.add(values["id"])
            elif _merge_one(s, kind, row, values, summary):
                summary.changed_ids.add(values["id"])
                summary.changed_kinds.add(kind)
        if fresh:
            summary.changed_kinds.add(kind)
        for i in range(0, len(fresh), 5000):
            s.execute(insert(model), fresh[i:i + 5000])
        summary.new += len(fresh)
        done += len(batch)
        if progress is not None and progress(done, total) is False:
            raise _Cancelled


def _with_defaults(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """Every column gets a value (a bulk insert does not apply Python-side defaults)."""
    out = dict(values)
    for column in table_of(MODELS[kind]).columns:
        if column.key not in out:
            out[column.key] = column_default(column)
    return out


def _merge_one(s: Any, kind: str, row: Any, values: dict[str, Any],
               summary: ImportSummary) -> bool:
    # a clock whose field is not in the record changes nothing (never a value to None)
    remote_clocks = {k: v for k, v in values["field_clocks"].items()
                     if k.removeprefix("~") in values}
    fields = [c for c in remote_clocks if c in values]
    local_values = {f: getattr(row, f) for f in fields}
    result = merge_fields(local_values, dict(row.field_clocks or {}),
                          {f: values[f] for f in fields}, remote_clocks,
                          remote_decides_ties=summary.kind == BundleKind.DIGEST)
    for conflict in result.conflicts:
        s.add(RecordVersion(kind=kind, record_id=row.id, field=conflict.field,
                            value=_plain(conflict.lost_value), hlc=conflict.lost_clock,
                            kept_hlc=conflict.kept_clock))
    summary.conflicts += len(result.conflicts)
    if result.changed or result.clocks != dict(row.field_clocks or {}):
        for name in result.changed:
            setattr(row, name, result.values[name])
        row.field_clocks = result.clocks
        row.hlc = result.hlc
    if result.changed:
        summary.updated += 1
        return True
    summary.unchanged += 1
    return False


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
