"""Writing a signed bundle: a site's own records ("site"), or everything ("digest", by the
coordinator).  `preview` says exactly what would go before anything is written.

**Small cells.**  One digest goes to every site, so it carries other sites' data only as a
network view would show them: an observation of a proportion or rate whose denominator
is below the network's suppression threshold T, or of a count between 1 and T − 1
(`cell_suppressed`, the rule of `store.network_views`), travels without its value,
numerator and denominator (nor their clocks), and its id is listed in the signed manifest
under ``"suppressed": {"observations": [ids]}``; so does the baseline of an aim on a count
measure (``"aims"``).  The per-field merge of the receiving site leaves what it has: the
owning site keeps its raw values, the others get none.  Invitations follow the same
rule; a site's own bundle goes to the coordinator raw.

**Sequences.**  Each export takes the next number after the higher of this workspace's
last export (`bundle_sequence`) and the last number the coordinator acknowledged
(`acknowledged_sequence`, stored by the importer from a digest's ``"acknowledged"``), so a
workspace restored from an older backup never reuses a number the coordinator has seen.

**Deltas.**  Asked for a delta (`delta=True`: what `services.exchange.export`, hence the
CLI and the GUI, ask for unless told "Export everything"), a site's bundle carries only
what changed since the last of its bundles the coordinator confirmed (its manifest names
that ``"base_sequence"``), or everything when no bundle was confirmed yet; see `delta`.
Digests and invitations are always full.

**Coordinator key rotation.**  `rotate_key` makes a new key and puts it in the network
record; the next digest is still signed with the old key and its manifest says
``"rotate_to": <new public key line>`` — the signed manifest is the statement a site
trusts.  From then on digests are signed with the new key and carry ``"rotated_from"``
(the previous key id) and ``"rotations"``: every rotation statement so far, each signed
with the key it replaces, so a site that missed the rotating digest can still follow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ..core.network import DEFAULT_SUPPRESSION_THRESHOLD, network_threshold
from ..core.signals import RULE_SETS
from ..core.states import SUPPRESSED_BUNDLE_KINDS, WITH_DENOMINATOR, BundleKind, Role, ValueType
from ..core.suppression import ALL_STUDENTS, GroupCell, suppress_groups
from ..core.variation import is_suppressed
from ..store.errors import WorkspaceError
from ..store.schema import MODELS, BundleImport, Measure, Network, Site, StudentGroup, stored
from ..store.workspace import SCHEMA_VERSION, Workspace
from . import delta as deltas
from . import keys, minisign
from .format import (
    BASE_FIELD,
    DELTA_FORMAT_VERSION,
    FORMAT,
    FULL_FORMAT_VERSION,
    ORDER,
    SUPPRESSED_FIELDS,
    dumps_line,
    table_file,
    to_json,
    without_fields,
)

ROTATION_FORMAT = "nicdesk-key-rotation"
NO_SITE = ("This workspace does not belong to a site of a network yet: it joins one with "
           "Network → Request to join… or, with an invitation file, File → Join a Network… "
           "(on the command line `nicdesk network request-join` or `nicdesk join`).")
NO_KEY = ("This workspace has no signing key yet: make one with Network → Request to join… "
          "(or `nicdesk network request-join` on the command line).")


class ExportError(WorkspaceError):
    title = "Bundle not written"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sequence: int
    counts: dict[str, int]
    suppressed: dict[str, list[str]] = field(default_factory=dict)  # as in the manifest
    rotated_to: str = ""  # the new coordinator key id this digest announced
    base: int | None = None  # a delta: the sequence it builds on (None: everything)


@dataclass(frozen=True)
class Plan:
    """What a bundle carries: records as written, and the ids whose small counts were
    left out (table name -> sorted ids, as in the manifest's "suppressed")."""

    records: dict[str, list[dict[str, Any]]]
    suppressed: dict[str, list[str]]
    #: a site's bundle: everything, or only what changed since a base (digests: full)
    scope: deltas.Scope = field(default_factory=deltas.Scope)


def identity(ws: Workspace) -> tuple[str, str]:
    """(network id, site id) this workspace exports as."""
    meta = ws.meta()
    site_id = meta.get("local_site_id")
    with ws.read() as s:
        site = s.get(Site, site_id) if site_id else None
        if site is None:
            raise ExportError(NO_SITE)
        return site.network_id, site.id


def cell_suppressed(value_type: str, value: float | None, denominator: float | None,
                    threshold: int) -> bool:
    """Would a network view hide this value?  Proportions and rates by their denominator,
    counts by themselves; other values are never small counts of people."""
    if value_type in WITH_DENOMINATOR:
        return is_suppressed(denominator, threshold)
    if value_type == ValueType.COUNT:
        return is_suppressed(value, threshold)
    return False


def _records(ws: Workspace, kind: str, site_id: str | None, since: str = ""
             ) -> dict[str, list[dict[str, Any]]]:
    """The records a bundle carries; with `since` (a delta), only those changed after
    that clock — tombstones included, a deletion being a change like any other."""
    out: dict[str, list[dict[str, Any]]] = {}
    with ws.read() as s:
        for k in ORDER:
            model = MODELS[k]
            q = select(model)
            if site_id is not None:  # a site sends only what it owns
                q = q.where(model.owner_site_id == site_id)
            if since:
                q = q.where(model.hlc >= deltas.since_clause(since))
            rows = sorted((to_json(k, r) for r in s.scalars(q)
                           if not since or deltas.is_newer(r.hlc, since)),
                          key=lambda r: r["id"])
            if rows:
                out[k] = rows
    return out


def _suppress(ws: Workspace, records: dict[str, list[dict[str, Any]]], for_site: str | None = None
              ) -> dict[str, list[str]]:
    """Strip the small counts out of `records` (in place); the ids, by table name.  A
    digest written for one site keeps that site's own cells (its other computers need
    them)."""
    with ws.read() as s:
        thresholds = {n: network_threshold(t) for n, t in s.execute(
            select(Network.id, Network.suppression_threshold))}
        measures = {m: (v, thresholds.get(n, DEFAULT_SUPPRESSION_THRESHOLD))
                    for m, v, n in s.execute(
                        select(Measure.id, Measure.value_type, Measure.network_id))}
        dimensions = dict(s.execute(select(StudentGroup.id, StudentGroup.dimension_id)).all())

    def small(kind: str, r: dict[str, Any]) -> bool:
        value_type, threshold = measures.get(r.get("measure_id") or "",
                                             ("", DEFAULT_SUPPRESSION_THRESHOLD))
        if kind == "observation":
            return cell_suppressed(value_type, r.get("value"), r.get("denominator"), threshold)
        # an aim's baseline is an observed value of its measure; a proportion's baseline
        # has no denominator with it, so only a count's can be judged (and hidden)
        return value_type == ValueType.COUNT and is_suppressed(r.get("baseline_value"), threshold)

    out: dict[str, list[str]] = {}
    for kind, names in SUPPRESSED_FIELDS.items():
        rows = records.get(kind, [])
        ids = []
        # a group's value that could be recovered by subtraction from all students and
        # the other groups goes too (core.suppression: complementary suppression)
        recoverable = _recoverable(rows, measures, dimensions) if kind == "observation" \
            else set()
        for i, r in enumerate(rows):
            if (for_site is None or r.get("owner_site_id") != for_site) and (
                    small(kind, r) or r["id"] in recoverable):
                rows[i] = without_fields(r, names)
                ids.append(r["id"])
        if ids:
            out[MODELS[kind].__tablename__] = ids
    return out


def _recoverable(rows: list[dict[str, Any]], measures: dict[str, tuple[str, int]],
                 dimensions: dict[str, str]) -> set[str]:
    """Ids of the observations `suppress_groups` hides in their site × period (small
    group cells and the cells that would give them away), for measures with group values."""
    cells: dict[tuple[Any, Any, Any], list[dict[str, Any]]] = {}
    for r in rows:
        if not r.get("deleted"):
            cells.setdefault((r.get("measure_id"), r.get("site_id"), r.get("period")),
                             []).append(r)
    out: set[str] = set()
    for (measure_id, _site, _period), found in cells.items():
        if not any(r.get("group_id") for r in found):
            continue
        value_type, threshold = measures.get(measure_id or "",
                                             ("", DEFAULT_SUPPRESSION_THRESHOLD))
        keys = {(dimensions.get(r["group_id"], ""), r["group_id"]): r
                for r in found if r.get("group_id")}
        total = next((r for r in found if not r.get("group_id")), None)
        result = suppress_groups(
            {k: GroupCell(r.get("value"), r.get("denominator")) for k, r in keys.items()},
            GroupCell(total.get("value"), total.get("denominator")) if total else None,
            threshold, value_type)
        out.update(r["id"] for k, r in keys.items() if not result.shows(k))
        if total is not None and not result.shows(ALL_STUDENTS):
            out.add(total["id"])
    return out


def _scope(ws: Workspace, kind: str, want_delta: bool) -> deltas.Scope:
    """A site's bundle: a delta when asked for and possible (`deltas.choose`), else
    everything; any other kind: everything."""
    if kind != BundleKind.SITE:
        return deltas.Scope()
    network_id, site_id = identity(ws)
    meta = ws.meta()
    return deltas.choose(meta, meta.get("signing_key") or "", site_id, network_id,
                        full=not want_delta)


def scope(ws: Workspace, kind: str = "site", *, delta: bool = False) -> deltas.Scope:
    """Whether an export of `kind` would be everything or a delta, and why (no record is
    read)."""
    return _scope(ws, kind, delta)


def _plan(ws: Workspace, kind: str, site_id: str, for_site: str | None = None,
          want_delta: bool = False) -> Plan:
    chosen = _scope(ws, kind, want_delta)
    records = _records(ws, kind, site_id if kind == BundleKind.SITE else None, chosen.since)
    suppressed = _suppress(ws, records, for_site) if kind in SUPPRESSED_BUNDLE_KINDS else {}
    return Plan(records, suppressed, chosen)


def preview(ws: Workspace, kind: str = "site", *, delta: bool = False) -> dict[str, int]:
    """How many records of each kind an export would carry."""
    return {k: len(v) for k, v in preview_records(ws, kind, delta=delta).items()}


def preview_records(ws: Workspace, kind: str = "site", for_site: str | None = None, *,
                    delta: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Exactly the records an export would carry, as they would be written (in a digest,
    suppressed small counts are absent, as they will be; in a delta, only what
    changed)."""
    return preview_plan(ws, kind, for_site, delta=delta).records


def preview_plan(ws: Workspace, kind: str = "site", for_site: str | None = None, *,
                 delta: bool = False) -> Plan:
    """The records an export would carry, which of them travel as "suppressed", and
    (a site's bundle) whether it is everything or a delta, and why."""
    _network_id, site_id = identity(ws)
    return _plan(ws, kind, site_id, for_site if kind == BundleKind.DIGEST else None, delta)


def _number(meta: dict[str, str], key: str) -> int:
    try:
        return int(meta.get(key) or 0)
    except ValueError:
        return 0


def next_sequence(meta: dict[str, str]) -> int:
    """The number of this workspace's next bundle: after its own last one and after the
    last one the coordinator acknowledged (a restored backup never reuses a number)."""
    return max(_number(meta, "bundle_sequence"), _number(meta, "acknowledged_sequence")) + 1


def acknowledged(ws: Workspace, network_id: str) -> dict[str, int]:
    """Site id -> the highest sequence of that site's bundles this workspace imported."""
    with ws.read() as s:
        sites = set(s.scalars(select(Site.id).where(Site.network_id == network_id)))
        rows = s.execute(select(BundleImport.site_id, func.max(BundleImport.sequence))
                         .where(BundleImport.kind == BundleKind.SITE.value)
                         .group_by(BundleImport.site_id)).all()
    return {site: int(n) for site, n in rows if site in sites}


def rotate_key(ws: Workspace, passphrase: str | None = None) -> minisign.PublicKey:
    """Coordinator: make a new key pair and announce it.  The network record (and the
    coordinator's site) name the new key at once; the next digest is signed with the
    current key and carries ``"rotate_to"``, and only after it is written does this
    workspace sign with the new key.  Rotating again before that replaces the pending
    key."""
    meta = ws.meta()
    old = meta.get("signing_key")
    if meta.get("role") != Role.COORDINATOR or not old:
        raise ExportError("Only the coordinator's workspace signs digests, so only it has "
                          "a coordinator key to rotate.")
    if not (keys.keys_dir() / f"{old}.key").exists():
        raise ExportError(f"The current coordinator key {old} is not on this computer; the "
                          "digest that announces a new key must be signed with it.")
    network_id, site_id = identity(ws)
    pair = keys.generate(passphrase)
    line = pair.public.line()
    with ws.read() as s:
        previous = stored(s, Network, network_id).coordinator_public_key
        enrolled = list(stored(s, Site, site_id).public_keys or [])

    def change(t: Any) -> None:
        t.update("network", network_id, coordinator_public_key=line)
        t.update("site", site_id,
                 public_keys=[k for k in enrolled if k not in (previous, line)] + [line])

    ws.ops.run("Rotate the coordinator key", change)
    ws.set_meta(rotation_pending=line)
    return pair.public


def _rotation_statement(pair: keys.KeyPair, network_id: str, new: minisign.PublicKey
                        ) -> dict[str, str]:
    """"The key after `pair` is `new`", signed with `pair`: carried by later digests."""
    text = json.dumps({"format": ROTATION_FORMAT, "network_id": network_id,
                       "from": pair.public.key_id_hex, "to": new.line(),
                       "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    signature = minisign.sign(pair.private, text.encode(),
                              f"network={network_id} rotate={pair.public.key_id_hex}"
                              f"->{new.key_id_hex}", "NICdesk coordinator key rotation")
    return {"statement": text, "signature": signature}


def export_bundle(ws: Workspace, out: str | Path, *, kind: str = "site",
                  passphrase: str | None = None, invite_site: str | None = None,
                  for_site: str | None = None, delta: bool = False) -> ExportResult:
    """`kind` "site": this site's own records — all of them, or with `delta` only what
    changed since the last of its bundles the coordinator confirmed (`deltas.choose`;
    everything when there is none; the user's flows in `services.exchange` ask for a
    delta by default); "digest": every record (coordinator),
    other sites' small counts suppressed — with `for_site`, a digest for that site alone
    that keeps its own small counts (for its other computers); "invitation": every
    record plus the coordinator's public key, for `invite_site` to join with (see
    `membership.join`)."""
    out = Path(out)
    meta = ws.meta()
    if not meta.get("signing_key"):
        raise ExportError(NO_KEY)
    pair = keys.load(meta["signing_key"], passphrase)
    network_id, site_id = identity(ws)
    if kind == BundleKind.INVITATION:
        for_site = invite_site
    if for_site is not None:
        with ws.read() as s:
            target = s.get(Site, for_site)
            if target is None or target.network_id != network_id:
                raise ExportError("Choose a site of this network to write the digest for.")
    sequence = next_sequence(meta)
    # this computer's clock before the records are read: the next delta on this bundle
    # carries every record stamped after it
    history = (deltas.remembered(meta, ws, sequence, pair.public.key_id_hex, site_id,
                                network_id) if kind == BundleKind.SITE else {})
    plan = _plan(ws, kind, site_id, for_site if kind in SUPPRESSED_BUNDLE_KINDS else None,
                 delta)
    records = plan.records
    extra: dict[str, Any] = {}
    if kind == BundleKind.INVITATION:
        with ws.read() as s:
            invited = s.get(Site, invite_site or "")
            if invited is None or invited.network_id != network_id:
                raise ExportError("Choose a site of this network to invite.")
        extra = {"invited_site_id": invited.id, "invited_site": invited.name,
                 "coordinator_key": pair.public.line()}
    rotating: minisign.PublicKey | None = None
    statements: list[dict[str, str]] = json.loads(meta.get("rotation_statements") or "[]")
    if kind in SUPPRESSED_BUNDLE_KINDS:
        extra["suppressed"] = plan.suppressed
        if for_site is not None:
            extra["for_site"] = for_site
    if kind == BundleKind.DIGEST:
        extra["acknowledged"] = acknowledged(ws, network_id)
        extra[deltas.ACKNOWLEDGED] = deltas.acknowledged_keys(ws, network_id)
        if meta.get("rotation_pending"):
            rotating = minisign.parse_public_key(meta["rotation_pending"])
            statements = [*statements, _rotation_statement(pair, network_id, rotating)]
            extra.update(rotate_to=rotating.line(), rotations=statements)
        elif meta.get("rotated_from"):
            extra.update(rotated_from=meta["rotated_from"], rotations=statements)
    if plan.scope.base is not None:
        extra[BASE_FIELD] = plan.scope.base
    files: dict[str, bytes] = {}
    listing = {}
    for k, rows in records.items():
        data = ("\n".join(dumps_line(r) for r in rows) + "\n").encode()
        name = table_file(k)
        files[name] = data
        listing[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                         "records": len(rows)}
    with ws.read() as s:
        rules = stored(s, Network, network_id).rule_set
    # the preset with its version ("Making Data Count v2"): which rules judged the charts
    preset = RULE_SETS[rules].label if rules in RULE_SETS else rules
    manifest = {
        "format": FORMAT, "kind": kind,
        "format_version": FULL_FORMAT_VERSION if plan.scope.full else DELTA_FORMAT_VERSION,
        "network_id": network_id, "site_id": site_id, "signer": pair.public.key_id_hex,
        "sequence": sequence, "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "schema_version": SCHEMA_VERSION, "rules": {"run_chart": rules, "preset": preset}, "files": listing,
        **extra,
    }
    body = (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
    based = "" if plan.scope.full else f" base={plan.scope.base}"
    signature = minisign.sign(pair.private, body,
                              f"network={network_id} site={site_id} sequence={sequence} "
                              f"kind={kind}{based}", "NICdesk bundle manifest signature")
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", body)
        zf.writestr("manifest.json.minisig", signature)
        for name, data in files.items():
            zf.writestr(name, data)
    tmp.replace(out)  # never a half-written bundle under the real name
    done = {"bundle_sequence": str(sequence),
            "last_export": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), **history}
    if history:  # the mark moved the clock: kept, so no later edit is stamped below it
        done["clock_last"] = ws.clock.last.encode()
    if rotating is not None:  # announced: from now on this workspace signs with the new key
        done.update(signing_key=rotating.key_id_hex, rotation_pending="",
                    rotated_from=pair.public.key_id_hex,
                    rotation_statements=json.dumps(statements, sort_keys=True))
    ws.set_meta(**done)
    return ExportResult(out, sequence, {k: len(v) for k, v in records.items()},
                        plan.suppressed, rotating.key_id_hex if rotating else "",
                        plan.scope.base)
