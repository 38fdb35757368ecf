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
database — its clock included — is exactly as it was.  In a site's full snapshot, the
lines that are byte for byte records already stored here (and that authority accepts
unchanged) are counted unchanged without being parsed (`unchanged`, which says why every
check still holds).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.clock import ClockDriftError, HybridClock
from ..core.states import BundleKind
from ..store.bulk import big_cache
from ..store.operations import OpChanges
from ..store.schema import (
    MODELS,
    BundleImport,
    Network,
    Site,
    WorkspaceMeta,
)
from ..store.workspace import Workspace, defer_references
from . import minisign
from .authority_checks import (
    _authorise,
    _check_links,
    _check_observations,
    _check_references,
    _quote,
)
from .consistency_checks import check_consistency
from .delta import check_base
from .delta import digest_meta as delta_digest_meta
from .format import KINDS, ORDER, SUPPRESSED_FIELDS, table_file
from .merging import ImportSummary as ImportSummary  # public here, as it always was
from .merging import (
    Progress,
    _apply_fast,
    _apply_per_record,
    _Cancelled,
    _Collided,
    _find_stored,
    _owners,
)
from .reader import (  # noqa: F401 - BundleError, read_bundle, verify_bundle are public here
    Bundle,
    BundleError,
    _fail,
    read_bundle,
    verify_bundle,
)
from .records import latest_clock, parse_by_kind
from .records import parse_records as parse_records  # public here, as it always was
from .unchanged import unchanged_lines


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


def _key_for(s: Session, meta: dict[str, str], b: Bundle
             ) -> tuple[minisign.PublicKey, str, str | None]:
    """The key that must have signed this bundle, the signer's name, and the signing
    site's id (None for a coordinator's digest)."""
    m = b.manifest
    try:
        signer = minisign.signature_key_id(b.signature)
    except minisign.SignatureError as exc:  # found by the fuzz campaign
        raise _fail(b.path, str(exc)) from exc
    network_id = m.get("network_id")
    network = s.get(Network, network_id) if isinstance(network_id, str) else None
    if network is None:
        raise _fail(b.path, "it belongs to another network (or this workspace has not "
                    "joined that network yet).")
    if m.get("kind") == BundleKind.DIGEST:
        trusted = meta.get("trusted_coordinator_key") or \
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




def _replay_check(s: Session, b: Bundle, summary: ImportSummary, signer: str,
                  digest: str) -> bool:
    """True when this exact bundle was applied before (a harmless replay)."""
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


#: how records are merged: "fast" (below) or "per-record", the reference path the tests
#: and benchmarks compare the fast one against
Method = Literal["fast", "per-record"]


def import_bundle(ws: Workspace, path: str | Path, progress: Progress | None = None,
                  *, method: Method = "fast") -> ImportSummary:
    """Verify, authorise and merge one bundle.  `progress` is told how far the merge is;
    returning False cancels it, and the transaction rolls back as if nothing happened."""
    return _import_together(ws, [Path(path)], progress, method)[0]


def import_together(ws: Workspace, paths: Sequence[str | Path],
                    progress: Progress | None = None) -> list[ImportSummary]:
    """Import several bundles, in this order, in one transaction (one write to disk):
    each is checked exactly as `import_bundle` checks it, and sees what the ones before
    it changed.  All or nothing: the first refusal (or a cancel) raises its
    `BundleError` and nothing of any of them is kept — the caller may then import them
    one by one (`services.exchange.import_many` does)."""
    return _import_together(ws, [Path(p) for p in paths], progress, "fast")


@dataclass
class _Applied:
    summary: ImportSummary
    meta_after: dict[str, str]
    latest: str


def _import_together(ws: Workspace, paths: list[Path], progress: Progress | None,
                     method: Method) -> list[ImportSummary]:
    """Every bundle of `paths` checked and applied in turn inside one transaction; any
    refusal raises, and nothing is kept."""
    gc_was = gc.isenabled()
    gc.disable()  # tens of thousands of new dicts: no collections meanwhile
    try:
        return _import_in_one(ws, paths, progress, method)
    finally:
        if gc_was:
            gc.enable()


def _import_in_one(ws: Workspace, paths: list[Path], progress: Progress | None,
                   method: Method) -> list[ImportSummary]:
    pending: dict[str, str] = {}  # meta the bundles before this one will set
    applied: list[_Applied] = []
    try:
        with ws.sessions.begin() as s:
            defer_references(s)
            if s.get_bind().dialect.name != "sqlite":
                # a shared server: one import at a time (a second coordinator waits), and
                # a bundle that just landed from another process is not applied twice
                s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": IMPORT_LOCK})
            with big_cache(s):
                for path in paths:
                    done = _apply_bundle(ws, s, {**ws.meta(), **pending}, path, progress,
                                         method)
                    pending.update(done.meta_after)
                    applied.append(done)
                moved = _clock_after(ws, max((a.latest for a in applied), default=""))
                if moved:  # written with the records: a refusal leaves the clock as it was
                    s.merge(WorkspaceMeta(key="clock_last", value=moved))
                    pending["clock_last"] = moved
    except _Cancelled as exc:
        what = paths[0].name if len(paths) == 1 else f"{len(paths)} bundles"
        raise BundleError(f"Import of {what} cancelled. Nothing was changed.") from exc
    except IntegrityError as exc:
        where = paths[0] if len(paths) == 1 else paths[-1]
        if "unique" in str(exc.orig).lower():
            if "enrolment" in str(exc.orig).lower():
                raise _fail(where, "it holds a second enrolment figure for a site, school "
                            "year and student group (or all students) that already has one "
                            "here. On the sending computer, import the latest network "
                            "digest, delete one of the two figures, then export again.") \
                    from exc
            raise _fail(where, "it holds a second value for a measure, site, period and "
                        "student group (or all students) that already has one here "
                        "(entered separately on two computers by an older NICdesk). On the "
                        "sending computer, import the latest network digest, delete one of "
                        "the two values, then export again.") from exc
        raise _fail(where, "its records refer to records this workspace does not have "
                    "(import the bundles of the sites and network it depends on first).") \
            from exc
    # only now, with the bundles applied, does this computer's clock move past their stamps
    latest = max((a.latest for a in applied), default="")
    if latest:
        try:
            ws.clock.observe(latest)
        except ClockDriftError:  # the reader refused real drift; never fail after commit
            pass
    ws._meta.update(pending)  # noqa: SLF001 - committed above, with the records
    for a in applied:
        summary = a.summary
        summary.changes = OpChanges(f"Import bundle {summary.sequence} from {summary.site}",
                                    frozenset(summary.changed_kinds),
                                    frozenset(summary.changed_ids))
    return [a.summary for a in applied]


def _clock_after(ws: Workspace, latest: str) -> str:
    """The encoded clock this computer will have once it has seen `latest` ("" when
    there is nothing to move past), computed without moving it yet."""
    if not latest:
        return ""
    probe = HybridClock(ws.clock.device, last=ws.clock.last)
    try:
        probe.observe(latest)
    except ClockDriftError:  # the reader refused real drift
        return ""
    return probe.last.encode()


def _apply_bundle(ws: Workspace, s: Session, meta: dict[str, str], path: Path,
                  progress: Progress | None, method: Method) -> _Applied:
    """One bundle, inside the import's transaction: every check in the order of
    docs/exchange.md, then the merge."""
    b = read_bundle(path)
    m = b.manifest
    if m.get("kind") not in KINDS:
        if m.get("kind") == BundleKind.INVITATION:
            raise _fail(b.path, "it is an invitation, which cannot be imported here; a site "
                        "opens it with File → Join a Network.")
        raise _fail(b.path, f"its kind {_quote(m.get('kind'))!r} cannot be imported here.")
    key, site_name, signer_site = _key_for(s, meta, b)
    verify_bundle(b, key)
    if method == "fast" and signer_site is not None:
        # a site's first bundle of a kind: its records taken as new, unlooked-up, inside
        # a savepoint; should one be stored here after all, or anything be refused while
        # some kind was taken as new, the bundle starts again without that assumption
        # and decides as ever (a refusal with nothing assumed stands as it is)
        assumed: set[str] = set()
        try:
            with s.begin_nested():
                return _apply_verified(ws, s, meta, b, key, site_name, signer_site,
                                       progress, method, assumed=assumed)
        except _Collided:
            pass
        except (BundleError, IntegrityError):
            if not assumed:
                raise
    return _apply_verified(ws, s, meta, b, key, site_name, signer_site, progress, method)


def _apply_verified(ws: Workspace, s: Session, meta: dict[str, str], b: Bundle,
                    key: minisign.PublicKey, site_name: str, signer_site: str | None,
                    progress: Progress | None, method: Method, *,
                    assumed: set[str] | None = None) -> _Applied:
    """One verified bundle checked and applied.  With `assumed` (a set to fill), a kind
    the signing site owns nothing of yet is taken as new without looking its ids up
    (`merging._find_stored`), and its name goes into `assumed`."""
    m = b.manifest
    unchanged: dict[str, list[str]] = {}  # kind -> ids of lines that are stored records

    def stored(kind: str, data: bytes) -> tuple[list[str], dict[int, str]] | None:
        return unchanged_lines(s, kind, str(signer_site), data)
    # a site's bundle (a full snapshot, mostly): its lines that are, byte for byte, the
    # records stored here are counted unchanged without being parsed (`unchanged`)
    known = stored if method == "fast" and signer_site is not None else None
    by_kind = parse_by_kind(b, known, unchanged)
    records: list[tuple[str, dict[str, Any]]] = []  # the checks read `by_kind`
    sequence = m.get("sequence")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        raise _fail(b.path, "its sequence number is not a positive whole number.")
    summary = ImportSummary(site_name, sequence, m["kind"])
    digest = hashlib.sha256(b.body).hexdigest()
    if _replay_check(s, b, summary, key.key_id_hex, digest):
        summary.already = True
        return _Applied(summary, {}, "")
    check_base(s, b, key.key_id_hex, site_name)  # a delta only on top of its base
    found, taken_new = _find_stored(s, by_kind, signer_site, assumed is not None) \
        if method == "fast" else (None, frozenset())
    if assumed is not None:
        assumed.update(taken_new)
    _check_references(s, b, records, by_kind)
    _check_observations(s, b, records, by_kind)
    _check_links(s, b, records, by_kind)
    check_consistency(s, b, by_kind, signer_site)
    _authorise(s, b, records, signer_site, site_name,
               owners=None if found is None else _owners(found), by_kind=by_kind)
    for_site = m.get("for_site")
    if for_site is not None and signer_site is None and for_site != meta.get(
            "local_site_id"):
        named = s.get(Site, for_site) if isinstance(for_site, str) else None
        raise _fail(b.path, f"it is a digest written for {_quote(named.name) if named else 'another site'} "
                    "alone (it holds that site's own small counts). Ask the coordinator for "
                    "the network digest, or one written for this site.")
    meta_after = _digest_meta(s, meta, b) if signer_site is None else {}
    if signer_site is None or found is None:  # these read the records in bundle order
        records = [(kind, v) for kind, batch in by_kind.items() for v in batch]
    suppressed = _suppressed(b, records) if signer_site is None else {}
    # the latest stamp any record carries: this computer's clock moves past it
    latest = max(map(latest_clock, by_kind.values()), default="")
    if found is None:
        _apply_per_record(s, records, summary, progress)
    else:
        _apply_fast(s, by_kind, found, summary, progress, taken_new)
        if unchanged:  # the lines that are stored records exactly: nothing to merge
            summary.unchanged += sum(map(len, unchanged.values()))
            summary.per_kind = {k: summary.per_kind.get(k, 0) + len(unchanged.get(k, ()))
                                for k in ORDER if k in summary.per_kind or k in unchanged}
    _clear_suppressed(s, meta.get("local_site_id"), suppressed, summary)
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
    s.flush()  # the next bundle of the batch sees this one (its replay check, too)
    return _Applied(summary, meta_after, latest)


def _digest_meta(s: Session, meta: dict[str, str], b: Bundle) -> dict[str, str]:
    """What a digest tells this site about itself: the last of its bundles the network
    imported (so a restored backup never reuses a number) and, in a rotation statement
    signed with the trusted key, the coordinator's next key."""
    m = b.manifest
    out: dict[str, str] = {}
    acked = m.get("acknowledged")
    local = meta.get("local_site_id")
    if isinstance(acked, dict) and local:
        number = acked.get(local)
        if isinstance(number, int) and not isinstance(number, bool) and 0 < number < 2**53:
            current = meta.get("acknowledged_sequence", "0")
            out["acknowledged_sequence"] = str(max(number, int(current) if current.isdigit()
                                                   else 0))
    out.update(delta_digest_meta(meta, m))  # this computer's own key: its last bundle in
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


def _clear_suppressed(s: Any, local: str | None, suppressed: dict[str, list[str]],
                      summary: ImportSummary) -> None:
    """Other sites' small cells hold no number here, not even one an older digest
    brought; this site's own cells keep their raw values."""
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


IMPORT_LOCK = 0x4E494344  # PostgreSQL advisory lock key for imports ("NICD")


