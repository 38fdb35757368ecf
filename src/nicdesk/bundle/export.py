"""Writing a signed bundle: a site's own records ("site"), or everything ("digest", by the
coordinator).  `preview` says exactly what would go before anything is written."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from ..store.errors import WorkspaceError
from ..store.schema import MODELS, Network, Site
from ..store.workspace import SCHEMA_VERSION, Workspace
from . import keys, minisign
from .format import FORMAT, FORMAT_VERSION, ORDER, dumps_line, table_file, to_json


class ExportError(WorkspaceError):
    title = "Bundle not written"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sequence: int
    counts: dict[str, int]


def identity(ws: Workspace) -> tuple[str, str]:
    """(network id, site id) this workspace exports as."""
    meta = ws.meta()
    site_id = meta.get("local_site_id")
    with ws.read() as s:
        site = s.get(Site, site_id) if site_id else None
        if site is None:
            raise ExportError("This workspace does not know which site it belongs to. Join a "
                              "network first (nicdesk keys init WORKSPACE --site NAME).")
        return site.network_id, site.id


def _records(ws: Workspace, kind: str, site_id: str | None) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    with ws.read() as s:
        for k in ORDER:
            model = MODELS[k]
            q = select(model)
            if site_id is not None:  # a site sends only what it owns
                q = q.where(model.owner_site_id == site_id)  # type: ignore[attr-defined]
            rows = sorted((to_json(k, r) for r in s.scalars(q)), key=lambda r: r["id"])
            if rows:
                out[k] = rows
    return out


def preview(ws: Workspace, kind: str = "site") -> dict[str, int]:
    """How many records of each kind an export would carry."""
    return {k: len(v) for k, v in preview_records(ws, kind).items()}


def preview_records(ws: Workspace, kind: str = "site") -> dict[str, list[dict]]:
    """Exactly the records an export would carry, as they would be written."""
    _network_id, site_id = identity(ws)
    return _records(ws, kind, site_id if kind == "site" else None)


def export_bundle(ws: Workspace, out: str | Path, *, kind: str = "site",
                  passphrase: str | None = None, invite_site: str | None = None) -> ExportResult:
    """`kind` "site": this site's own records; "digest": every record (coordinator);
    "invitation": every record plus the coordinator's public key, for `invite_site` to
    join with (see `importer.join`)."""
    out = Path(out)
    meta = ws.meta()
    if "signing_key" not in meta:
        raise ExportError("This workspace has no signing key yet. Create one with "
                          "'nicdesk keys init WORKSPACE --site NAME'.")
    pair = keys.load(meta["signing_key"], passphrase)
    network_id, site_id = identity(ws)
    records = _records(ws, kind, site_id if kind == "site" else None)
    extra: dict[str, str] = {}
    if kind == "invitation":
        with ws.read() as s:
            invited = s.get(Site, invite_site or "")
            if invited is None or invited.network_id != network_id:
                raise ExportError("Choose a site of this network to invite.")
        extra = {"invited_site_id": invited.id, "invited_site": invited.name,
                 "coordinator_key": pair.public.line()}
    files: dict[str, bytes] = {}
    listing = {}
    for k, rows in records.items():
        data = ("\n".join(dumps_line(r) for r in rows) + "\n").encode()
        name = table_file(k)
        files[name] = data
        listing[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                         "records": len(rows)}
    sequence = int(meta.get("bundle_sequence", "0")) + 1
    with ws.read() as s:
        rules = s.get(Network, network_id).rule_set
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "kind": kind,
        "network_id": network_id, "site_id": site_id, "signer": pair.public.key_id_hex,
        "sequence": sequence, "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "schema_version": SCHEMA_VERSION, "rules": {"run_chart": rules}, "files": listing,
        **extra,
    }
    body = (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
    signature = minisign.sign(pair.private, body,
                              f"network={network_id} site={site_id} sequence={sequence} "
                              f"kind={kind}", "NICdesk bundle manifest signature")
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", body)
        zf.writestr("manifest.json.minisig", signature)
        for name, data in files.items():
            zf.writestr(name, data)
    tmp.replace(out)  # never a half-written bundle under the real name
    ws.set_meta(bundle_sequence=str(sequence),
                last_export=dt.datetime.now().strftime("%Y-%m-%d %H:%M"))
    return ExportResult(out, sequence, {k: len(v) for k, v in records.items()})
