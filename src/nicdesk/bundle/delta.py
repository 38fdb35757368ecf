"""Delta bundles: a site sends only what changed since a bundle the coordinator holds.

**What changed.**  Every local write stamps the record's `hlc` with this computer's
hybrid logical clock, and the clock never goes back: so when a site writes bundle n it
remembers its clock then (`delta_bases` in the workspace's meta: sequence, clock, signer,
site, network and schema of its last few bundles), and a later delta on n carries every
record it owns whose `hlc` is newer than that clock — edits, new records and deletions
(a tombstone is a write like any other).  A record that changed here *by an import* can
keep an older stamp; it came from the coordinator's digest, so the coordinator has it
already (a site's other computers reach this one only through the coordinator).

**Which base.**  A delta builds on the latest bundle of this computer's key that the
coordinator has confirmed it imported: every digest lists, per signing key, the last
sequence it imported (``"acknowledged_keys"``, next to the per-site ``"acknowledged"``),
and the site keeps that number (`acknowledged_keys` in its meta).  So a bundle lost on
the way never breaks the chain — the next delta simply reaches back to the last one that
arrived — and the first bundle, or any bundle before a digest has confirmed one, is
full.  "Export everything" (`full=True`, `nicdesk export --full`) always writes a full
snapshot.

**The importer's check.**  A delta's signed manifest names its base (``"base_sequence"``,
format 2); it is accepted only where that (signer, base) is recorded in
`bundle_imports` — otherwise it is refused, database unchanged, with a message that
names the missing bundle and asks for a full one.  Everything else (signature, hashes,
validation, clocks, sequence and replay, authority) is checked exactly as for a full
bundle: a delta is an ordinary bundle that carries fewer records.

Digests stay full: see docs/exchange.md ("Delta bundles").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.clock import Hlc
from ..core.states import BundleKind
from ..store.schema import BundleImport, Site
from ..store.workspace import SCHEMA_VERSION, Workspace
from .authority_checks import _quote
from .format import BASE_FIELD
from .reader import Bundle, _fail

HISTORY = "delta_bases"  # meta: the last few bundles this workspace wrote, as JSON
ACKNOWLEDGED = "acknowledged_keys"  # meta and digest manifest: signer -> last imported
KEEP = 16  # bundles remembered (one per week: four months without a digest)
FULL_HINT = ("Export for the Network → Export everything; on the command line "
             "`nicdesk export WORKSPACE --out FILE --full`")


@dataclass(frozen=True)
class Scope:
    """What a site's export carries: everything (`base` None) or what changed since
    bundle `base` (every record whose `hlc` is newer than `since`); `why` says which, in
    words a person reads in the preview."""

    base: int | None = None
    since: str = ""
    why: str = ""

    @property
    def full(self) -> bool:
        return self.base is None


def _history(meta: dict[str, str]) -> list[dict[str, Any]]:
    try:
        listed = json.loads(meta.get(HISTORY) or "[]")
    except ValueError:
        return []
    return [e for e in listed if isinstance(e, dict)] if isinstance(listed, list) else []


def _acknowledged(meta: dict[str, str], signer: str) -> int:
    try:
        acked = json.loads(meta.get(ACKNOWLEDGED) or "{}")
    except ValueError:
        return 0
    number = acked.get(signer) if isinstance(acked, dict) else None
    return number if isinstance(number, int) and not isinstance(number, bool) else 0


def choose(meta: dict[str, str], signer: str, site_id: str, network_id: str, *,
           full: bool = False) -> Scope:
    """Full or delta, and on which base: the latest of this workspace's own bundles,
    signed with the key it signs with now, for the same site, network and schema, that
    the coordinator's digests confirm it imported."""
    if full:
        return Scope(why="Everything this site has (Export everything).")
    history = _history(meta)
    if not history:
        return Scope(why="Everything this site has: it is the first bundle from this "
                     "computer.")
    acked = _acknowledged(meta, signer)
    usable = [e for e in history
              if e.get("signer") == signer and e.get("site") == site_id
              and e.get("network") == network_id and e.get("schema") == SCHEMA_VERSION
              and isinstance(e.get("sequence"), int) and 0 < e["sequence"] <= acked
              and isinstance(e.get("clock"), str) and stamp_ok(e["clock"])]
    if not usable:
        return Scope(why="Everything this site has: the coordinator has not yet confirmed "
                     "an earlier bundle from this computer (its network digest does — "
                     "import the latest one to send only changes next time).")
    base = max(usable, key=lambda e: int(e["sequence"]))
    return Scope(int(base["sequence"]), str(base["clock"]),
                 f"Only what changed since bundle {base['sequence']}, which the "
                 "coordinator's digest confirmed it has.")


def since_clause(since: str) -> str:
    """A lower bound for `hlc` that compares the same under any SQL collation (digits
    only: the wall milliseconds); `is_newer` then decides exactly."""
    return since[:15]


def is_newer(hlc: str | None, since: str) -> bool:
    """Whether a record stamped `hlc` changed after the clock `since` (encoded stamps
    compare as strings exactly as the clocks compare)."""
    return bool(hlc) and str(hlc) > since


def remembered(meta: dict[str, str], ws: Workspace, sequence: int, signer: str,
               site_id: str, network_id: str) -> dict[str, str]:
    """The meta to store once bundle `sequence` is written: its number and a fresh
    stamp of this computer's clock, at the end of the list of recent bundles.  Call it
    *before* reading the records (nothing writes between the two in one process): every
    later edit here is stamped after it, whatever the wall clock does, and what arrived
    by import with an older stamp came from the coordinator."""
    mark = ws.clock.now_str()  # never given to a record; the caller keeps the clock
    entry = {"sequence": sequence, "clock": mark, "signer": signer,
             "site": site_id, "network": network_id, "schema": SCHEMA_VERSION}
    history = [e for e in _history(meta) if e.get("sequence") != sequence]
    return {HISTORY: json.dumps([*history, entry][-KEEP:], sort_keys=True)}


# ------------------------------------------------------------------ the coordinator's side
def acknowledged_keys(ws: Workspace, network_id: str) -> dict[str, int]:
    """Signing key id -> the highest sequence of that key's site bundles this workspace
    imported (for the digest: each site computer finds its own)."""
    with ws.read() as s:
        sites = set(s.scalars(select(Site.id).where(Site.network_id == network_id)))
        rows = s.execute(select(BundleImport.signer, BundleImport.site_id,
                                func.max(BundleImport.sequence))
                         .where(BundleImport.kind == BundleKind.SITE.value)
                         .group_by(BundleImport.signer, BundleImport.site_id)).all()
    out: dict[str, int] = {}
    for signer, site, n in rows:
        if site in sites:
            out[signer] = max(int(n), out.get(signer, 0))
    return out


def digest_meta(meta: dict[str, str], manifest: dict[str, Any]) -> dict[str, str]:
    """What a digest tells this computer about its own key: the last of its bundles the
    coordinator imported (only ever raised; a damaged entry is ignored)."""
    listed = manifest.get(ACKNOWLEDGED)
    signer = meta.get("signing_key") or ""
    number = listed.get(signer) if isinstance(listed, dict) and signer else None
    if not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 2**31:
        return {}
    if number <= _acknowledged(meta, signer):
        return {}
    return {ACKNOWLEDGED: json.dumps({signer: number})}


def check_base(s: Session, b: Bundle, signer: str, site_name: str) -> None:
    """A delta is applied only on top of its base: the bundle of the same signer it
    names, imported here before — or earlier in the same import (`s` is the import's own
    session).  Otherwise it is refused, saying which bundle is missing and asking for a
    full one."""
    base = b.manifest.get(BASE_FIELD)
    if base is None:
        return
    s.flush()
    if s.scalar(select(BundleImport.id).where(BundleImport.signer == signer,
                                              BundleImport.sequence == base)) is not None:
        return
    last = s.scalar(select(func.max(BundleImport.sequence))
                    .where(BundleImport.signer == signer))
    who = _quote(site_name)
    here = (f"the last one here from that computer is bundle {last}" if last else
            "no bundle from that computer has been imported here")
    raise _fail(b.path, f"it holds only what {who} changed since its bundle {base}, and "
                f"this workspace has not imported bundle {base} ({here}). Import "
                f"bundle {base} first if you have it; otherwise ask {who} for a full "
                f"bundle ({FULL_HINT}).")


def stamp_ok(text: str) -> bool:
    """Whether a remembered clock is a stamp (a damaged meta entry is never a base)."""
    try:
        Hlc.decode(text)
    except ValueError:
        return False
    return True
