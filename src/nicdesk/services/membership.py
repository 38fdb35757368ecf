"""Who belongs to a network and with which key: keys made for a workspace, the school's
join request, the coordinator's enrolment, and joining from an invitation.

The flow (README "Bundles"):

1. A school without an invitation writes a **join request** (`write_join_request`): this
   computer's new key (optionally sealed with a passphrase), the school's name and the
   key's fingerprint, signed with that key.  The key id is remembered in the workspace
   meta (`signing_key`), and the request in `join_request`.
2. The coordinator reads it (`read_join_request`), compares the fingerprint the school
   reads out, and **enrols** the key for an existing site or a new one (`enrol_request`),
   then sends an invitation (`export.export_bundle(kind="invitation")`).
3. The school **joins** (`join`): the invitation is verified with the coordinator key
   inside it, a new workspace is made from its records, and the coordinator key is kept
   locally (`trusted_coordinator_key`).  The site's key is the one the coordinator already
   enrolled when its private half is on this computer (so a request's key is found
   without anyone choosing it), else the key given, else a new one whose public half
   goes to the coordinator.  A site never edits the keys on its own site record: only
   the coordinator enrols keys.
4. When the school made its work in a workspace of its own before joining (the one that
   wrote the request, or any standalone school workspace), that work **comes along**
   (`join(..., bring=old)`, `bring_along`): the school's records move into the new
   workspace as the invited site's own, with fresh clocks, so they travel in its next
   bundle.  The old file keeps everything and only notes where its work went
   (`joined_into` in its meta).

Join request file (`*.nicjoin`), UTF-8 JSON::

    {"format": "nicdesk-join-request", "format_version": 1,
     "site_name": "Lincoln High School", "site_kind": "school", "contact": "",
     "public_key": "<minisign public key line>", "key_id": "<16 hex>",
     "fingerprint": "ABCD-EFGH-IJKL-MNOP", "created": "2026-03-06T09:15:00+00:00",
     "signature": "<minisign signature text>"}

The signature is a minisign signature, by the requested key, of the canonical JSON of
every other field (sorted keys, no spaces, UTF-8): whoever wrote the request holds the
private key, and nothing in it was changed on the way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..bundle import keys, minisign
from ..core import authority, entities
from ..core.clock import ClockDriftError
from ..core.model import KIND_LABELS, SITE_KINDS
from ..core.safe_text import BIDI_CONTROLS
from ..store.errors import WorkspaceError
from ..store.operations import _natural_id
from ..store.schema import KIND_ORDER, MODELS, Network, Site, editable_fields
from ..store.workspace import Workspace, defer_references

REQUEST_FORMAT = "nicdesk-join-request"
REQUEST_VERSION = 1
REQUEST_SUFFIX = ".nicjoin"
MAX_REQUEST_BYTES = 64 * 1024
MAX_NAME = 200


class JoinRequestError(WorkspaceError):
    title = "Join request refused"


class MembershipError(WorkspaceError):
    title = "Not done"


# --------------------------------------------------------------------------- keys


def key_file(key_id: str) -> Path:
    return keys.keys_dir() / f"{key_id}.key"


def key_on_this_computer(key_id: str) -> bool:
    return bool(key_id) and key_file(key_id).exists()


def needs_passphrase(meta: dict[str, str]) -> bool:
    """Whether the workspace's signing key is sealed with a passphrase."""
    key_id = meta.get("signing_key") or ""
    if not key_on_this_computer(key_id):
        return False
    with key_file(key_id).open("rb") as fh:
        return fh.read(len(keys.SEALED)) == keys.SEALED


def _load(key_id: str, passphrase: str | None) -> keys.KeyPair:
    try:
        return keys.load(key_id, passphrase)
    except keys.KeyError_ as exc:
        raise MembershipError(str(exc)) from exc


def init_key(ws: Workspace, site_id: str | None = None, *, coordinator: bool = False,
             passphrase: str | None = None) -> keys.KeyPair:
    """A new signing key for this workspace (and which site it speaks for).  The
    coordinator's key is enrolled on its own site, named as the coordinator key of the
    network and trusted locally; a site's key is only remembered here: the coordinator
    enrols it (a site's bundle may not change the keys on its own record)."""
    pair = keys.generate(passphrase)
    values = {"signing_key": pair.public.key_id_hex}
    if site_id is not None:
        values["local_site_id"] = site_id
    if coordinator:
        # the coordinator's role first (it may write keys), the key on its site and the
        # network next, and only then the signing key, whose arrival gives unowned
        # network records to the site holding the coordinator key
        ws.set_meta(role="coordinator")
        values["trusted_coordinator_key"] = pair.public.line()
        with ws.read() as s:
            site = s.get(Site, site_id) if site_id else None
            nets = [n.id for n in s.scalars(select(Network))
                    if site is None or n.id == site.network_id]
            current = list(site.public_keys or []) if site is not None else []
        with ws.ops.batch("Make this workspace the network's coordinator",
                          undoable=False) as t:
            if site_id is not None and pair.public.line() not in current:
                t.update("site", site_id, public_keys=[*current, pair.public.line()])
            for net in nets:
                t.update("network", net, coordinator_public_key=pair.public.line())
    ws.set_meta(**values)
    return pair


def create_network(path: str | Path, name: str, coordinator_site: str = "Network hub",
                   passphrase: str | None = None) -> keys.KeyPair:
    """Coordinator: a new workspace with the network, its coordinating site, a charter and
    the coordinator's key."""
    with Workspace.create(path) as ws:
        with ws.ops.batch("Create the network") as t:
            net = t.create("network", name=name)
            site = t.create("site", network_id=net, name=coordinator_site,
                            kind="state agency")
            t.create("charter", network_id=net)
        return init_key(ws, site, coordinator=True, passphrase=passphrase)


def trust_coordinator(ws: Workspace, key: minisign.PublicKey) -> None:
    """Accept the coordinator's key (kept locally; the network record is the
    coordinator's to write)."""
    ws.set_meta(trusted_coordinator_key=key.line())


# --------------------------------------------------------------------------- join request


@dataclass(frozen=True)
class JoinRequest:
    site_name: str
    site_kind: str
    contact: str
    key: minisign.PublicKey
    created: str
    path: Path | None = None

    @property
    def fingerprint(self) -> str:
        return self.key.fingerprint()


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def _clean_name(name: str | None) -> str:
    return " ".join((name or "").split())


def _hidden_characters(text: str) -> bool:
    """Control or bidi-override characters: nothing a school's name needs, everything a
    forged one could use to disguise itself on a screen or a terminal."""
    return any(unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS for c in text)


def write_join_request(ws: Workspace, out: str | Path, site_name: str | None = None,
                       passphrase: str | None = None, contact: str = "") -> JoinRequest:
    """Write a signed join request for this workspace's school.  Makes this computer's key
    when the workspace has none (sealed with `passphrase` when given), or signs with the
    key it has (whose passphrase is then needed)."""
    out = Path(out)
    meta = ws.meta()
    local = meta.get("local_site_id")
    with ws.read() as s:
        site = s.get(Site, local) if local else None
        default_name, kind = (site.name, site.kind) if site is not None else ("", "school")
    name = _clean_name(site_name) or _clean_name(default_name)
    if not name:
        raise MembershipError("Say the name of your school (or district, or agency) for the "
                              "join request.")
    if len(name) > MAX_NAME:
        raise MembershipError(f"The name is too long (more than {MAX_NAME} characters).")
    if _hidden_characters(name) or _hidden_characters(contact):
        raise MembershipError("The name or contact holds control characters; type them "
                              "again as plain text.")
    existing = meta.get("signing_key") or ""
    pair = _load(existing, passphrase) if key_on_this_computer(existing) \
        else keys.generate(passphrase or None)
    fields = {
        "format": REQUEST_FORMAT, "format_version": REQUEST_VERSION,
        "site_name": name, "site_kind": kind if kind in SITE_KINDS else "school",
        "contact": " ".join(contact.split()), "public_key": pair.public.line(),
        "key_id": pair.public.key_id_hex, "fingerprint": pair.public.fingerprint(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    signature = minisign.sign(pair.private, _canonical(fields),
                              f"nicdesk join request {pair.public.fingerprint()}",
                              "NICdesk join request signature")
    text = json.dumps({**fields, "signature": signature}, indent=2, ensure_ascii=False) + "\n"
    tmp = out.with_name(out.name + ".part")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise MembershipError(f"The join request could not be written to {out} "
                              f"({exc.strerror or exc}). Choose another place.") from exc
    ws.set_meta(signing_key=pair.public.key_id_hex, join_request=json.dumps(
        {"created": fields["created"], "site_name": name, "file": str(out)}))
    return JoinRequest(name, fields["site_kind"], fields["contact"], pair.public,
                       fields["created"], out)


def pending_request(meta: dict[str, str]) -> dict[str, str] | None:
    """The join request this workspace sent, while it has not joined a network yet.  Once
    its work was brought into the network's workspace (`joined_into`), the answer says
    so under "joined_into" (also for a school that joined without a request), so the old
    workspace points there instead of waiting for an invitation."""
    if meta.get("trusted_coordinator_key"):
        return None
    value: Any = None
    if meta.get("join_request"):
        try:
            value = json.loads(meta["join_request"])
        except ValueError:
            value = None
    value = dict(value) if isinstance(value, dict) else None
    if meta.get("joined_into"):
        return {**(value or {}), "joined_into": meta["joined_into"],
                "joined_on": meta.get("joined_on", "")}
    return value


def is_join_request(path: str | Path) -> bool:
    """A quick look (for choosing between a request and a .pub): does it say it is one?"""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return REQUEST_FORMAT.encode() in head


def read_join_request(path: str | Path) -> JoinRequest:
    """A join request checked from end to end; anything wrong is one plain sentence."""
    path = Path(path)

    def refuse(why: str) -> JoinRequestError:
        return JoinRequestError(f"{path.name} is not a join request NICdesk can use: {why} "
                                "Nothing was changed.")

    try:
        if path.stat().st_size > MAX_REQUEST_BYTES:
            raise refuse("it is far too large for one.")
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise refuse("the file does not exist.") from exc
    except OSError as exc:
        raise refuse(f"it cannot be read ({exc.strerror or exc}).") from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise refuse("it is not a join request file (not JSON text).") from exc
    if not isinstance(data, dict) or data.get("format") != REQUEST_FORMAT:
        raise refuse("it is not a join request file.")
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise refuse("it has no format version.")
    if version > REQUEST_VERSION:
        raise refuse(f"it was made by a newer NICdesk (format {version}); update NICdesk "
                     "and open it again.")
    for name in ("site_name", "site_kind", "public_key", "fingerprint", "created",
                 "signature"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise refuse(f"its {name.replace('_', ' ')} is missing.")
    for name, value in data.items():
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise refuse(f"its {name.replace('_', ' ')} has the wrong type.")
    contact = data.get("contact", "")
    site_name = _clean_name(data["site_name"])
    if not site_name or len(site_name) > MAX_NAME:
        raise refuse("its school name is empty or too long.")
    if _hidden_characters(data["site_name"]) or _hidden_characters(str(contact)):
        raise refuse("its school name or contact holds control characters.")
    try:
        key = minisign.parse_public_key(data["public_key"])
    except minisign.SignatureError as exc:
        raise refuse("its public key is damaged.") from exc
    if "key_id" in data and data["key_id"] != key.key_id_hex:
        raise refuse("its key id does not match its key — the file was changed after it "
                     "was written; ask the school to send it again.")
    if data["fingerprint"].strip().upper() != key.fingerprint():
        raise refuse("its fingerprint does not match its key — the file was changed after "
                     "it was written; ask the school to send it again.")
    body = {k: v for k, v in data.items() if k != "signature"}
    try:
        minisign.verify(key, _canonical(body), data["signature"])
    except minisign.SignatureError as exc:
        raise refuse("its signature does not match its key — the file was changed after "
                     "it was written; ask the school to send it again.") from exc
    kind = data["site_kind"] if data["site_kind"] in SITE_KINDS else "school"
    return JoinRequest(site_name, kind, " ".join(str(contact).split()), key,
                       data["created"], path)


# --------------------------------------------------------------------------- enrolment


@dataclass(frozen=True)
class Enrolment:
    site_id: str
    site_name: str
    key: minisign.PublicKey
    new_site: bool = False
    already: bool = False

    def text(self) -> str:
        if self.already:
            return (f"Key {self.key.key_id_hex} was already enrolled for {self.site_name}; "
                    "nothing changed.")
        added = " (added as a new site)" if self.new_site else ""
        return (f"Enrolled key {self.key.key_id_hex} for {self.site_name}{added}. "
                f"Fingerprint {self.key.fingerprint()}.")


def coordinator_network(ws: Workspace) -> str:
    """The network this workspace coordinates: its own site's, else its only one."""
    meta = ws.meta()
    with ws.read() as s:
        local = s.get(Site, meta.get("local_site_id") or "")
        if local is not None:
            return local.network_id
        nets = list(s.scalars(select(Network).where(Network.deleted.is_(False))))
    if len(nets) != 1:
        raise MembershipError("This workspace holds " + ("no network" if not nets else
                              "several networks") + "; open the coordinator's workspace of "
                              "the network to enrol sites in.")
    return nets[0].id


def network_sites(ws: Workspace, network_id: str | None = None) -> list[tuple[str, str]]:
    """(name, id) of the network's sites, by name."""
    network_id = network_id or coordinator_network(ws)
    with ws.read() as s:
        return sorted((x.name, x.id) for x in s.scalars(select(Site).where(
            Site.network_id == network_id, Site.deleted.is_(False))))


def find_site(ws: Workspace, site: str, network_id: str | None = None) -> str | None:
    """A site of the network by id or by its exact name (case and spacing ignored)."""
    wanted = _clean_name(site).lower()
    for name, site_id in network_sites(ws, network_id):
        if site_id == site or _clean_name(name).lower() == wanted:
            return site_id
    return None


def enrol_key(ws: Workspace, key: minisign.PublicKey, site: str, *, new: bool = False,
              kind: str = "school", parent_id: str | None = None) -> Enrolment:
    """Coordinator: enrol `key` for the site named (or with the id) `site`, or, with
    `new`, add a site of that name and enrol it there — one operation, one undo step."""
    meta = ws.meta()
    if meta.get("role") != "coordinator" and meta.get("signing_key") and \
            meta.get("local_site_id"):
        raise MembershipError("Keys are enrolled by the network coordinator, in the "
                              "coordinator's workspace; this is a site's workspace.")
    network_id = coordinator_network(ws)
    name = _clean_name(site)
    site_id = find_site(ws, site, network_id)
    if new and site_id is not None:
        raise MembershipError(f"The network already has a site called {name}; enrol the key "
                              "for that site, or give the new site another name.")
    if not new and site_id is None:
        names = ", ".join(n for n, _ in network_sites(ws, network_id))[:300]
        raise MembershipError(f"No site of this network is called {name!r}. Choose one of: "
                              f"{names} — or add it as a new site.")
    if new and not name:
        raise MembershipError("Give the new site a name.")
    with ws.read() as s:
        for other in s.scalars(select(Site).where(Site.network_id == network_id)):
            if other.id != site_id and key.line() in (other.public_keys or []):
                raise MembershipError(f"This key is already enrolled for {other.name}; a key "
                                      "speaks for one site only.")
            # a key id is the signer's name in every bundle: two keys with one id (made up
            # on purpose) would let one site speak in the other's numbering
            clash = [line for line in (other.public_keys if isinstance(
                other.public_keys, list) else []) if line != key.line()
                and _key_id(line) == key.key_id]
            if clash:
                raise MembershipError(f"Another key with the same id ({key.key_id_hex}) is "
                                      f"already enrolled for {other.name}. Ask the school "
                                      "to make a new key and send a new join request.")
        network = s.get(Network, network_id)
        if network is not None and network.coordinator_public_key and \
                _key_id(network.coordinator_public_key) == key.key_id:
            raise MembershipError(f"This key has the same id ({key.key_id_hex}) as the "
                                  "coordinator's key. Ask the school to make a new key and "
                                  "send a new join request.")
        current = list(s.get(Site, site_id).public_keys or []) if site_id else []
        if site_id:
            name = s.get(Site, site_id).name
    if site_id is not None and key.line() in current:
        return Enrolment(site_id, name, key, already=True)
    with ws.ops.batch(f"Enrol key for {name}") as t:
        if site_id is None:
            site_id = t.create("site", network_id=network_id, name=name,
                               kind=kind if kind in SITE_KINDS else "school",
                               parent_id=parent_id)
        t.update("site", site_id, public_keys=[*current, key.line()])
    return Enrolment(site_id, name, key, new_site=new)


def enrol_request(ws: Workspace, request: JoinRequest | str | Path, site: str | None = None,
                  *, new: bool = False, parent_id: str | None = None) -> Enrolment:
    """Coordinator: enrol the key of a join request for the site `site` (id or name;
    default: the name in the request), or for a new site (`new`) named `site` or as the
    request says."""
    if not isinstance(request, JoinRequest):
        request = read_join_request(request)
    return enrol_key(ws, request.key, site or request.site_name, new=new,
                     kind=request.site_kind, parent_id=parent_id)


# --------------------------------------------------------------------------- join


@dataclass(frozen=True)
class Joined:
    path: Path
    site: str
    coordinator_fingerprint: str
    site_key: minisign.PublicKey
    enrolled: bool = False  # the coordinator already enrolled this key for the site
    brought: BroughtAlong | None = None  # the school's own work, when it came along


def _invitation(b: Any) -> tuple[minisign.PublicKey, str, str]:
    """(coordinator key, invited site id, invited site name) of a bundle that must be an
    invitation; anything missing or of the wrong type is a plain refusal."""
    from ..bundle.reader import _fail, invitation_fields

    line, site_id, site_name = invitation_fields(b)
    if not isinstance(b.manifest.get("network_id"), str):
        raise _fail(b.path, "it is not an invitation to join a network (it names no "
                    "network).")
    return minisign.parse_public_key(line), site_id, site_name


def _as_public(key: keys.KeyPair | minisign.PublicKey) -> minisign.PublicKey:
    return key.public if isinstance(key, keys.KeyPair) else key


def _key_id(line: object) -> bytes | None:
    try:
        return minisign.parse_public_key(line).key_id  # type: ignore[arg-type]
    except (minisign.SignatureError, TypeError, ValueError, AttributeError):
        return None


def _fill(ws: Workspace, records: list[tuple[str, dict[str, Any]]]) -> None:
    """Every record of the invitation into the new, empty workspace, in one transaction."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for kind, values in records:
        row = dict(values)
        for column in MODELS[kind].__table__.columns:  # type: ignore[attr-defined]
            if column.key not in row:
                default = column.default.arg if column.default is not None else None
                row[column.key] = default(None) if callable(default) else default
        by_kind.setdefault(kind, []).append(row)
    with ws.sessions.begin() as s:
        defer_references(s)
        for kind, rows in by_kind.items():
            for i in range(0, len(rows), 5000):
                s.execute(insert(MODELS[kind]), rows[i:i + 5000])
    latest = max((v for _k, r in records for v in r["field_clocks"].values()), default="")
    if latest:
        ws.clock.observe(latest)


# --------------------------------------------------------------------------- bring along


#: how many reasons for records left behind a result keeps to show
MAX_REASONS = 5


@dataclass(frozen=True)
class BroughtAlong:
    """What came along from the school's own workspace when it joined."""

    source: Path
    counts: dict[str, int] = field(default_factory=dict)  # kind -> records brought
    left_behind: int = 0  # records that could not come along (they stay in the old file)
    reasons: tuple[str, ...] = ()  # why, for the first few, in plain words
    cleared: int = 0  # links to records that stayed behind, left empty

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def text(self) -> str:
        """In plain words, for the message after joining (GUI and command line)."""
        name = self.source.name
        if self.total:
            kinds = ", ".join(_counted(n, k) for k, n in self.counts.items())
            out = (f"Your school's work came along from {name}: "
                   f"{_counted(self.total, '', 'record')} ({kinds}), now your site's own in "
                   "the network workspace; they go to the coordinator with your next "
                   "export.")
        else:
            out = f"Nothing from {name} needed to come along."
        if self.left_behind:
            out += (f" {_counted(self.left_behind, '', 'record')} could not come along and "
                    f"{'stays' if self.left_behind == 1 else 'stay'} in {name}: "
                    + "; ".join(self.reasons) + ("…" if self.left_behind > len(self.reasons)
                                                 else "."))
        return out + f" {name} itself stays as it was."


def _counted(n: int, kind: str, label: str = "") -> str:
    """"3 observations", "1 fishbone category", "2 PDSA cycles"."""
    label = label or entities._lower(KIND_LABELS.get(kind, kind))
    if n != 1:
        label = label[:-1] + "ies" if label.endswith("y") and label[-2:-1] not in "aeiou" \
            else label + "s"
    return f"{n} {label}"


def bring_problem(old: Workspace) -> str | None:
    """Why the school's work in `old` cannot come along when joining, or None if it can:
    it must say which school it is, and belong to no network yet."""
    meta = old.meta()
    name = old.path.name if isinstance(old.path, Path) else "That workspace"
    if meta.get("demo_seed"):
        return (f"{name} is the sample network: nothing in it is real, so nothing of it "
                "comes along. Join without it.")
    if meta.get("trusted_coordinator_key") or meta.get("role") == "coordinator":
        return (f"{name} already belongs to a network: its work travels in its own "
                "bundles, so it does not come along. Join without it.")
    local = meta.get("local_site_id") or ""
    with old.read() as s:
        site = s.execute(select(Site.id).where(Site.id == local, Site.deleted.is_(False))
                         ).first() if local else None
    if site is None:
        return (f"{name} does not say which school it is (it has no site of its own), so "
                "NICdesk cannot tell which work is the school's. Join without it.")
    return None


def can_bring(ws: Workspace | None) -> bool:
    """Does this (open) workspace hold a school's own work that comes along on joining:
    the one that wrote a join request, or a standalone workspace with its own site?"""
    return ws is not None and not ws.is_server and bring_problem(ws) is None


def _school_records(old: Workspace) -> tuple[dict[tuple[str, str], dict[str, Any]],
                                            dict[tuple[str, str], str], dict[str, Any]]:
    """(the school's records by (kind, id) in KIND_ORDER, the fields of those that could
    not be read by (kind, id), the old site's own context and private notes).  The
    school's records: what names its site, its standalone network's records that name no
    site (aims, measures, fishbones, diagrams, meetings), change ideas on no node, and the
    parts of all of these — never the network, its charter or any site record, and
    nothing deleted."""
    site_id = old.meta()["local_site_id"]
    picked: dict[tuple[str, str], dict[str, Any]] = {}
    unreadable: dict[tuple[str, str], str] = {}
    with old.read() as s:
        site = next(r for r, _bad in _rows(s, "site") if r["id"] == site_id)
        network_id = site["network_id"]
        own = {"context_tags": site["context_tags"], "private_notes": site["private_notes"]}
        for kind in KIND_ORDER:
            if kind in authority.NETWORK_KINDS or kind == "site":
                continue
            for row, bad in _rows(s, kind):
                if _school_owns(kind, row, site_id, network_id, picked):
                    picked[(kind, row["id"])] = row
                    if bad:
                        unreadable[(kind, row["id"])] = bad
    return picked, unreadable, own


def _rows(s: Any, kind: str) -> Iterator[tuple[dict[str, Any], str]]:
    """The records of a kind that are not deleted, each with the name of a field that
    could not be read ("" when all could): a damaged date or JSON text in one record
    never stops the others."""
    table = MODELS[kind].__table__  # type: ignore[attr-defined]
    conn = s.connection()
    dialect = conn.dialect
    convert = [(c.key, c.type.dialect_impl(dialect).result_processor(dialect, None))
               for c in table.columns]
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    for raw in conn.exec_driver_sql(f'SELECT {names} FROM "{table.name}" WHERE NOT deleted'):
        row: dict[str, Any] = {}
        bad = ""
        for (key, process), value in zip(convert, raw, strict=True):
            try:
                row[key] = process(value) if process is not None and value is not None \
                    else value
            except (ValueError, TypeError, OverflowError):
                row[key], bad = None, bad or key
        yield row, bad


def _school_owns(kind: str, row: dict[str, Any], site_id: str, network_id: str,
                 picked: dict[tuple[str, str], dict[str, Any]]) -> bool:
    if kind in authority.SITE_KINDS:
        return row["site_id"] == site_id
    if kind in authority.OPTIONAL_SITE_KINDS:
        return row["site_id"] == site_id or (row["site_id"] is None
                                             and row["network_id"] == network_id)
    if kind in authority.PARENT:
        field_, whole = authority.PARENT[kind]
        if row.get(field_):
            return (whole, row[field_]) in picked
        if kind == "change_idea":  # on no node: the writer's own
            return row["network_id"] == network_id or row["owner_site_id"] == site_id
        return False
    return row.get("owner_site_id") == site_id


def _describe(kind: str, values: dict[str, Any]) -> str:
    label = entities._lower(KIND_LABELS.get(kind, kind))
    for name in ("name", "title", "statement", "text", "question", "problem"):
        text = values.get(name)
        if isinstance(text, str) and text.strip():
            short = " ".join(text.split())
            return f"the {label} '{short[:40] + '…' if len(short) > 40 else short}'"
    when = values.get("period") or values.get("start") or values.get("date")
    if isinstance(when, dt.date):
        return f"the {label} of {when.isoformat()}"
    return f"a {label}" if label[:1] not in "aeiou" else f"an {label}"


def bring_along(old: Workspace, new: Workspace) -> BroughtAlong:
    """The school's work in `old` into `new` (just joined: its meta names the invited site
    and network), as the invited site's own.

    Each record keeps its id (an observation's id follows its site, as every observation
    id does), gets network_id → the invited network, site_id → the invited site (a
    network-level record of the school's standalone network becomes a site-level one) and
    owner → the invited site; a link to a record that does not come along is left empty
    when it may be, else that record stays behind.  Every record gets fresh field clocks
    from `new`'s clock, so it travels in the school's next bundle as its own edit, and is
    checked with the entity description first: one that fails stays behind, counted, with
    the reason.  Private fields come along (they stay on this computer anyway); so do the
    old site's private notes and context tags, onto the invited site.  All in one
    transaction; `old` is only read."""
    meta = new.meta()
    new_site, source = meta["local_site_id"], Path(old.path)
    picked, unreadable, own = _school_records(old)
    with new.read() as s:
        new_network = s.get(Site, new_site).network_id
        taken = {kind: set(s.scalars(select(MODELS[kind].id)))  # type: ignore[attr-defined]
                 for kind in {k for k, _ in picked}}
    reasons: list[str] = []
    left = 0

    def leave(kind: str, values: dict[str, Any], why: str) -> None:
        nonlocal left
        left += 1
        if len(reasons) < MAX_REASONS:
            why = why[:1].lower() + why[1:] if why[1:2].islower() else why
            reasons.append(f"{_describe(kind, values)} ({why})")

    # re-homed values, checked one by one
    values_of: dict[tuple[str, str], dict[str, Any]] = {}
    types = {rid: row.get("value_type") for (k, rid), row in picked.items() if k == "measure"}
    for (kind, rid), row in picked.items():
        values = {name: row[name] for name in editable_fields(kind)}
        for f in entities.entity(kind).fields.values():
            if f.type == entities.REF and f.ref == "network":
                values[f.name] = new_network
            elif f.type == entities.REF and f.name == "site_id":
                values[f.name] = new_site
        wrong = entities.problems(kind, values)
        if kind == "observation":
            wrong += entities.observation_problems(values, types.get(values["measure_id"]))
        new_id = (_natural_id(kind, values) if kind == "observation" else None) or rid
        if (kind, rid) in unreadable:
            field_ = entities.field_of(kind, unreadable[(kind, rid)]).label \
                if unreadable[(kind, rid)] in values else unreadable[(kind, rid)]
            leave(kind, values, f"its {field_} could not be read")
        elif wrong:
            leave(kind, values, wrong[0].message.rstrip("."))
        elif new_id in taken.get(kind, set()):
            leave(kind, values, "the network's workspace already holds it")
        else:
            values_of[(kind, rid)] = {**values, "id": new_id}

    # links to what stays behind: left empty when they may be, else the record stays too
    cleared, changed = 0, True
    while changed:
        changed = False
        for (kind, rid), values in list(values_of.items()):
            for f in entities.entity(kind).fields.values():
                target = values.get(f.name)
                if f.type != entities.REF or f.ref in ("network", "site") or target is None \
                        or (f.ref, target) in values_of:
                    continue
                if f.nullable:
                    values[f.name] = None
                    cleared += 1
                    continue
                del values_of[(kind, rid)]
                leave(kind, values, f"its {f.label} did not come along")
                changed = True
                break

    counts: dict[str, int] = {}
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for (kind, _rid), values in values_of.items():  # KIND_ORDER: picked in that order
        stamp = new.clock.now_str()
        by_kind.setdefault(kind, []).append({
            **values, "owner_site_id": new_site, "hlc": stamp, "deleted": False,
            "field_clocks": {name: stamp for name in [*editable_fields(kind), "deleted"]}})
        counts[kind] = counts.get(kind, 0) + 1
    try:
        with new.sessions.begin() as s:
            defer_references(s)
            for kind, rows in by_kind.items():
                for i in range(0, len(rows), 5000):
                    s.execute(insert(MODELS[kind]), rows[i:i + 5000])
            _bring_site_details(s, new, new_site, own)
    except SQLAlchemyError:
        # every link was checked above, so this is not expected; nothing was written then,
        # and the school's work stays where it is (the join itself still stands)
        return BroughtAlong(source, {}, left + sum(counts.values()),
                            (*reasons, "the network's workspace refused them; they stay "
                             "where they are")[:MAX_REASONS + 1], 0)
    return BroughtAlong(source, counts, left, tuple(reasons), cleared)


def _bring_site_details(s: Any, new: Workspace, site_id: str, own: dict[str, Any]) -> None:
    """The old site's context tags (the invited site's own win) and private notes onto the
    invited site, with fresh clocks for the fields that change."""
    site = s.get(Site, site_id)
    changes: dict[str, Any] = {}
    tags = own.get("context_tags")
    if isinstance(tags, dict) and tags:
        merged = {**tags, **(site.context_tags or {})}
        if merged != (site.context_tags or {}) and \
                not entities.problems("site", {"context_tags": merged}, partial=True):
            changes["context_tags"] = merged
    notes = own.get("private_notes") or ""
    if notes and notes != site.private_notes and \
            not entities.problems("site", {"private_notes": notes}, partial=True):
        changes["private_notes"] = (f"{site.private_notes}\n\n{notes}" if site.private_notes
                                    else notes)
    if not changes:
        return
    stamp = new.clock.now_str()
    for name, value in changes.items():
        setattr(site, name, value)
    site.field_clocks = {**(site.field_clocks or {}), **dict.fromkeys(changes, stamp)}
    site.hlc = stamp


def join(invitation: str | Path, workspace_path: str | Path, passphrase: str | None = None,
         key: keys.KeyPair | minisign.PublicKey | None = None,
         bring: Workspace | str | Path | None = None) -> Joined:
    """Start a site's workspace from the coordinator's invitation: check it is one, verify
    it with the coordinator key inside (its fingerprint is compared by people), copy the
    network's records, and remember which site this is, the coordinator key it trusts and
    the key it signs with: `key` when given, else the key the coordinator enrolled for the
    site when its private half is on this computer (a join request's), else a new one
    (sealed with `passphrase`) whose public half goes to the coordinator.

    With `bring` (the school's own workspace, open or by path), the school's work comes
    along as the invited site's own (`bring_along`); that workspace is left as it was,
    but for a note in its meta of where its work went (`joined_into`)."""
    with contextlib.ExitStack() as stack:
        old: Workspace | None = None
        if isinstance(bring, Workspace):
            old = bring
        elif bring is not None:
            old = stack.enter_context(Workspace.open(bring))
        if old is not None:
            why = bring_problem(old)
            if why:
                raise MembershipError(why)
        joined = _join(invitation, workspace_path, passphrase, key, old)
        if old is not None:
            # the note is a courtesy: a read-only old file must not undo a done join
            with contextlib.suppress(SQLAlchemyError, OSError):
                old.set_meta(joined_into=str(joined.path.resolve()),
                             joined_on=dt.date.today().isoformat())
        return joined


def _join(invitation: str | Path, workspace_path: str | Path, passphrase: str | None,
          key: keys.KeyPair | minisign.PublicKey | None, old: Workspace | None) -> Joined:
    from ..bundle.reader import _fail, parse_records, read_bundle, verify_bundle

    b = read_bundle(invitation)
    coordinator, site_id, site_name = _invitation(b)
    verify_bundle(b, coordinator)
    records = parse_records(b)
    network_id = b.manifest["network_id"]
    site = next((v for k, v in records if k == "site" and v["id"] == site_id), None)
    if site is None or site.get("network_id") != network_id or site.get("deleted") or \
            not any(k == "network" and v["id"] == network_id for k, v in records):
        raise _fail(b.path, "it does not hold the site it invites; ask the coordinator for "
                    "a new invitation.")
    enrolled = []
    for line in site.get("public_keys") or []:
        try:
            enrolled.append(minisign.parse_public_key(line))
        except (minisign.SignatureError, TypeError):
            continue
    public = _as_public(key) if key is not None else next(
        (k for k in enrolled if key_on_this_computer(k.key_id_hex)), None)
    if public is not None and not key_on_this_computer(public.key_id_hex):
        raise MembershipError(f"The signing key {public.key_id_hex} is not on this computer "
                              "(its private half is missing); join without it and send "
                              "the new key to the coordinator.")
    target = Path(workspace_path)
    ws = Workspace.create(target)
    try:
        try:
            _fill(ws, records)
        except ClockDriftError as exc:
            raise _fail(b.path, str(exc) + ".") from exc
        except IntegrityError as exc:  # found by the red team: a crafted invitation
            raise _fail(b.path, "its records are incomplete or refer to records it does "
                        "not hold; ask the coordinator for a new invitation.") from exc
        if public is None:
            public = keys.generate(passphrase or None).public
        ws.set_meta(local_site_id=site_id, signing_key=public.key_id_hex, role="site",
                    trusted_coordinator_key=coordinator.line())
        brought = bring_along(old, ws) if old is not None else None
    except BaseException:
        ws.close()
        for leftover in (target, target.with_name(target.name + "-wal"),
                         target.with_name(target.name + "-shm")):
            leftover.unlink(missing_ok=True)
        raise
    ws.close()
    return Joined(target, site.get("name") or site_name, coordinator.fingerprint(), public,
                  enrolled=any(k.key_id == public.key_id for k in enrolled), brought=brought)
