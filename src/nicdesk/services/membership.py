"""Who belongs to a network and with which key: keys made for a workspace, the school's
join request, the coordinator's enrolment, and joining from an invitation.

The flow (README "Bundles"):

1. A school without an invitation writes a **join request** (`write_join_request`): this
   computer's new key (optionally sealed with a passphrase), the school's name and the
   key's fingerprint, signed with that key.  The key id is remembered in the workspace
   meta (`signing_key`), and the request in `join_request`.
2. The coordinator reads it (`read_join_request`), compares the fingerprint the school
   reads out, and **enrols** the key for an existing site or a new one (`enrol`, which
   ends in `bundle.enrolment.enrol_key`), then sends an invitation (`invite`).
3. The school **joins** (`join`): the invitation is verified with the coordinator key
   inside it, a new workspace is made from its records, and the coordinator key is kept
   locally (`trusted_coordinator_key`).  The site's key is the one the coordinator already
   enrolled when its private half is on this computer (so a request's key is found
   without anyone choosing it), else the key given, else a new one whose public half
   goes to the coordinator.  A site never edits the keys on its own site record: only
   the coordinator enrols keys.
4. When the school made its work in a workspace of its own before joining (the one that
   wrote the request, or any standalone school workspace), that work **comes along**
   (`join(..., bring=old)`, `services.bring_along`): the school's records move into the new
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..bundle import keys, minisign
from ..bundle.enrolment import (
    Enrolment,
    MembershipError,
    coordinator_network,
    enrol_key,
    find_site,
    network_sites,
)
from ..bundle.enrolment import clean_name as _clean_name
from ..core.clock import ClockDriftError
from ..core.model import SITE_KINDS
from ..core.safe_text import BIDI_CONTROLS
from ..store.errors import NotFoundError, WorkspaceError
from ..store.schema import MODELS, Network, Site, column_default, table_of
from ..store.workspace import Workspace, defer_references, discard_new_file
from .bring_along import BroughtAlong, bring_along, bring_problem, can_bring

__all__ = [
    "BroughtAlong", "Enrolment", "Invitation", "JoinRequest", "JoinRequestError", "Joined",
    "KeyFileError", "MembershipError", "bring_along", "can_bring", "coordinator_network",
    "create_network", "enrol", "enrol_key", "enrol_request", "find_site", "init_key",
    "invite", "is_join_request", "join", "key_on_this_computer", "needs_passphrase",
    "network_sites", "pending_request", "read_join_request", "read_public_key",
    "read_site_key", "trust_coordinator", "workspace_key", "write_join_request",
]

REQUEST_FORMAT = "nicdesk-join-request"
REQUEST_VERSION = 1
REQUEST_SUFFIX = ".nicjoin"
MAX_REQUEST_BYTES = 64 * 1024
MAX_NAME = 200


class JoinRequestError(WorkspaceError):
    title = "Join request refused"


class KeyFileError(MembershipError):
    """A file offered as a public key is not one; `message` is the reader's own reason,
    which the CLI and the GUI each put in their own sentence around the file's name."""

    title = "Not a public key"


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
    site_kind = kind if kind in SITE_KINDS else "school"
    contact = " ".join(contact.split())
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    fields: dict[str, Any] = {
        "format": REQUEST_FORMAT, "format_version": REQUEST_VERSION,
        "site_name": name, "site_kind": site_kind,
        "contact": contact, "public_key": pair.public.line(),
        "key_id": pair.public.key_id_hex, "fingerprint": pair.public.fingerprint(),
        "created": created,
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
    return JoinRequest(name, site_kind, contact, pair.public, created, out)


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
    request: dict[str, str] | None = dict(value) if isinstance(value, dict) else None
    if meta.get("joined_into"):
        return {**(request or {}), "joined_into": meta["joined_into"],
                "joined_on": meta.get("joined_on", "")}
    return request


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

def read_public_key(path: str | Path) -> minisign.PublicKey:
    """A minisign public key file (`.pub`), or `KeyFileError` saying why it is not one."""
    try:
        return minisign.parse_public_key(Path(path).read_text())
    except (OSError, UnicodeDecodeError, minisign.SignatureError) as exc:
        raise KeyFileError(str(exc)) from exc


def read_site_key(path: str | Path) -> JoinRequest | minisign.PublicKey:
    """What a school sent the coordinator to be enrolled: its join request (checked end to
    end, `JoinRequestError`), or a plain public key file (`KeyFileError`).  The command
    line and the GUI both accept either, so they tell them apart here alike."""
    if is_join_request(path):
        return read_join_request(path)
    return read_public_key(path)


def enrol(ws: Workspace, sent: JoinRequest | minisign.PublicKey, site: str | None = None,
          *, new: bool = False, parent_id: str | None = None) -> Enrolment:
    """Coordinator: enrol what a school sent — for the site `site` (id or name; for a join
    request the name in it by default), or, with `new`, for a new site of that name.
    The one enrolment flow of the command line and the GUI; it ends in
    `bundle.enrolment.enrol_key`, as the sample network does."""
    if isinstance(sent, JoinRequest):
        return enrol_key(ws, sent.key, site or sent.site_name, new=new,
                         kind=sent.site_kind, parent_id=parent_id)
    if not site:
        raise MembershipError("Say which site the key is for.")
    return enrol_key(ws, sent, site, new=new, parent_id=parent_id)


def enrol_request(ws: Workspace, request: JoinRequest | str | Path, site: str | None = None,
                  *, new: bool = False, parent_id: str | None = None) -> Enrolment:
    """Coordinator: enrol the key of a join request (read from its file when a path is
    given) for the site `site` (id or name; default: the name in the request), or for a
    new site (`new`) named `site` or as the request says."""
    if not isinstance(request, JoinRequest):
        request = read_join_request(request)
    return enrol(ws, request, site, new=new, parent_id=parent_id)


def workspace_key(ws: Workspace) -> minisign.PublicKey:
    """The public key this workspace signs with; a workspace without one is a
    `NotFoundError` (the command line's "Record not found: …")."""
    try:
        return keys.workspace_public_key(ws.meta())
    except keys.KeyError_ as exc:
        raise NotFoundError(str(exc)) from exc


@dataclass(frozen=True)
class Invitation:
    """An invitation written for one site, and the coordinator fingerprint its people
    should hear by phone (never in the same e-mail as the file)."""

    path: Path
    site_id: str
    site_name: str
    coordinator_fingerprint: str


def invite(ws: Workspace, site_id: str, out: str | Path,
           passphrase: str | None = None) -> Invitation:
    """Coordinator: the invitation bundle for one site (it carries the coordinator's key
    and the network's records).  Signing refusals are `keys.KeyError_` (no key, wrong
    passphrase) or a `WorkspaceError`; nothing is written then."""
    from ..bundle.export import export_bundle

    result = export_bundle(ws, out, kind="invitation", invite_site=site_id,
                           passphrase=passphrase)
    key = workspace_key(ws)
    with ws.read() as s:
        site = s.get(Site, site_id)
        name = site.name if site is not None else site_id
    return Invitation(Path(result.path), site_id, name, key.fingerprint())


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


def _fill(ws: Workspace, records: list[tuple[str, dict[str, Any]]]) -> None:
    """Every record of the invitation into the new, empty workspace, in one transaction."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for kind, values in records:
        row = dict(values)
        for column in table_of(MODELS[kind]).columns:
            if column.key not in row:
                row[column.key] = column_default(column)
        by_kind.setdefault(kind, []).append(row)
    with ws.sessions.begin() as s:
        defer_references(s)
        for kind, rows in by_kind.items():
            for i in range(0, len(rows), 5000):
                s.execute(insert(MODELS[kind]), rows[i:i + 5000])
    latest = max((v for _k, r in records for v in r["field_clocks"].values()), default="")
    if latest:
        ws.clock.observe(latest)



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
    from ..bundle.reader import _fail, read_bundle, verify_bundle
    from ..bundle.records import parse_records

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
        discard_new_file(ws, target)
        raise
    ws.close()
    return Joined(target, site.get("name") or site_name, coordinator.fingerprint(), public,
                  enrolled=any(k.key_id == public.key_id for k in enrolled), brought=brought)
