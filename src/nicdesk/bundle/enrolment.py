"""Enrolling a site's key: the one primitive every way of enrolling ends in.

The coordinator accepts a site's public key for an existing site of the network, or adds
the site and enrols the key there, in one operation (one undo step).  Every way of
enrolling — the command line (`nicdesk network enroll`), the GUI's enrol dialogs (both
through `services.membership.enrol`) and the sample network (`demo.network`, which
enrols each sample site's key the way a coordinator would) — calls `enrol_key`, so the
checks below (a key speaks for one site; no key id twice; never the coordinator's id)
are written once.

It lives in `bundle` and not in `services` because `demo` sits below `services` in the
layers yet must enrol keys too; the flows around it (reading a join request first,
writing the invitation after) are in `services.membership`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..core.model import SITE_KINDS
from ..core.states import Role
from ..store.errors import WorkspaceError
from ..store.schema import Network, Site
from ..store.workspace import Workspace
from . import minisign


class MembershipError(WorkspaceError):
    """A membership step (enrolling, joining, a join request) was refused; nothing
    changed.  Defined here, with the enrolment every membership flow ends in, and used
    by `services.membership` for the others."""

    title = "Not done"


def clean_name(name: str | None) -> str:
    """A name as people mean it: surrounding and repeated spaces dropped (so "Lincoln
    High" and " Lincoln  High " are one site)."""
    return " ".join((name or "").split())


def key_id_of(line: object) -> bytes | None:
    """The key id of an enrolled key line, None when the line is not a key (an enrolled
    list written by hand or damaged never stops the checks)."""
    if not isinstance(line, str):
        return None
    try:
        return minisign.parse_public_key(line).key_id
    except (minisign.SignatureError, TypeError, ValueError, AttributeError):
        return None


@dataclass(frozen=True)
class Enrolment:
    """What an enrolment did: the site (found or added) and the key now enrolled there."""

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
    wanted = clean_name(site).lower()
    for name, site_id in network_sites(ws, network_id):
        if site_id == site or clean_name(name).lower() == wanted:
            return site_id
    return None


def enrol_key(ws: Workspace, key: minisign.PublicKey, site: str, *, new: bool = False,
              kind: str = "school", parent_id: str | None = None) -> Enrolment:
    """Coordinator: enrol `key` for the site named (or with the id) `site`, or, with
    `new`, add a site of that name and enrol it there — one operation, one undo step."""
    meta = ws.meta()
    if meta.get("role") != Role.COORDINATOR and meta.get("signing_key") and \
            meta.get("local_site_id"):
        raise MembershipError("Keys are enrolled by the network coordinator, in the "
                              "coordinator's workspace; this is a site's workspace.")
    network_id = coordinator_network(ws)
    name = clean_name(site)
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
                and key_id_of(line) == key.key_id]
            if clash:
                raise MembershipError(f"Another key with the same id ({key.key_id_hex}) is "
                                      f"already enrolled for {other.name}. Ask the school "
                                      "to make a new key and send a new join request.")
        network = s.get(Network, network_id)
        if network is not None and network.coordinator_public_key and \
                key_id_of(network.coordinator_public_key) == key.key_id:
            raise MembershipError(f"This key has the same id ({key.key_id_hex}) as the "
                                  "coordinator's key. Ask the school to make a new key and "
                                  "send a new join request.")
        found = s.get(Site, site_id) if site_id else None
        current = list(found.public_keys or []) if found is not None else []
        if found is not None:
            name = found.name
    if site_id is not None and key.line() in current:
        return Enrolment(site_id, name, key, already=True)
    with ws.ops.batch(f"Enrol key for {name}") as t:
        if site_id is None:
            site_id = t.create("site", network_id=network_id, name=name,
                               kind=kind if kind in SITE_KINDS else "school",
                               parent_id=parent_id)
        t.update("site", site_id, public_keys=[*current, key.line()])
    return Enrolment(site_id, name, key, new_site=new)
