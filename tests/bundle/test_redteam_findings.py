"""The findings of the red-team session of 2026-11-26 (its scripts: /tmp/redteam/
repro_*.py), each repeated against a small real network and checked to stay fixed.

The network is the `network` fixture of test_bundles (a coordinator "Hub" with schools A
and B: real files, real keys genuinely enrolled), on sqlite.  An attack is one of A's
genuine bundles, changed and RE-SIGNED with A's enrolled key, so the signature checks out
and it is the rule under test that must refuse it.  Every refusal is a `BundleError` (or
a command's exit code) with a one-line message, and leaves the target byte-identical: its
`nicdesk dump --json` and its sqlite `.dump` (workspace_meta, hence the clock, included).
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from nicdesk.bundle import keys, minisign
from nicdesk.bundle.format import to_json
from nicdesk.bundle.importer import BundleError, import_bundle
from nicdesk.cli.parser import main
from nicdesk.services.membership import MembershipError, enrol_key
from nicdesk.store.errors import InvalidChangeError
from nicdesk.store.schema import MODELS, Observation, RecordVersion, Site
from nicdesk.store.workspace import Workspace

from .exchange_helpers import (
    DAY_MS,
    ids,
    json_dump,
    one_line_refusal,
    read_records,
    resign,
    sql_dump,
    stamp,
)
from .test_bundles import a_key, export, network  # noqa: F401 - the fixture

#: the fixture's sqlite variant only (its PostgreSQL one runs the same code paths)
pytestmark = pytest.mark.parametrize("network", ["sqlite"], indirect=True)
Records = dict[str, list[dict[str, Any]]]
DEVICE_A = "laptopA"  # the device id the fixture gives A's workspace


# ------------------------------------------------------------------ helpers
class Net:
    """The fixture's network, with the ids the attacks need."""

    def __init__(self, made: tuple[Path, dict[str, Path], Path]) -> None:
        self.coord, sites, self.tmp = made
        assert isinstance(self.coord, Path)
        self.a, self.b = sites["A"], sites["B"]
        known = ids(self.coord)
        self.net = known["network"]
        self.hub, self.site_a, self.site_b = (known["sites"][n] for n in ("Hub", "A", "B"))
        self.on_track = known["measures"]["On track"]
        self.n = 0

    def path(self, suffix: str) -> Path:
        self.n += 1
        return self.tmp / f"x{self.n}{suffix}"

    def copy(self, target: Path) -> Path:
        """A copy of a workspace file to attack (so an accepted attack spoils nothing)."""
        out = self.path(".nicdesk")
        shutil.copyfile(target, out)
        return out

    def digest(self, *sites: Path) -> Path:
        """The coordinator's digest, imported at `sites`."""
        out = self.path(".nicbundle")
        assert main(["export", str(self.coord), "--digest", "--out", str(out)]) == 0
        for site in sites:
            imported(site, out)
        return out

    def attack(self, src: Path, change, *, key: Any = None,
               manifest=None) -> Path:
        """`src` changed by `change(records)`, re-signed with A's key (or `key`)."""

        def edit(m: dict[str, Any], records: Records) -> None:
            change(records)
            if manifest is not None:
                manifest(m)

        return resign(src, self.path(".nicbundle"), key or a_key(self.tmp), change=edit)


@pytest.fixture
def net(network) -> Net:  # noqa: F811
    return Net(network)


def dumps(path: Path) -> tuple[str, str]:
    return json_dump(path), sql_dump(path)


def imported(target: Path, bundle: Path):
    with Workspace.open(target) as ws:
        return import_bundle(ws, bundle)


def _beside_the_point(message: str) -> bool:
    """Refused because the re-signing went wrong, or a stamp beyond the clock-drift
    allowance — not for the rule under test."""
    return any(p in message for p in ("signature", "changed after", "change clock"))


def refused(target: Path, bundle: Path, *phrases: str) -> str:
    """`bundle` must be refused at `target` in one line, changing nothing there."""
    before = dumps(target)
    with Workspace.open(target) as ws, pytest.raises(BundleError) as err:
        import_bundle(ws, bundle)
    message = err.value.message
    assert one_line_refusal(message), message
    assert not _beside_the_point(message), message
    for phrase in phrases:
        assert phrase in message, message
    after = dumps(target)
    assert after[0] == before[0], f"nicdesk dump changed by a refused bundle: {message}"
    assert after[1] == before[1], f"sqlite .dump changed by a refused bundle: {message}"
    return message


def stored(path: Path, kind: str, record_id: str) -> dict[str, Any]:
    """A record as `path` holds it, in bundle form."""
    with Workspace.open(path) as ws, ws.read() as s:
        return to_json(kind, s.get(MODELS[kind], record_id))


def touch(record: dict[str, Any], ahead_ms: int = 1000, **values: Any) -> None:
    """Change fields as a newer edit of A would: a newer clock each, the old as base."""
    new = stamp(DEVICE_A, ahead_ms)
    clocks = dict(record["field_clocks"])
    for name, value in values.items():
        record[name] = value
        if name in clocks:
            clocks["~" + name] = clocks[name]
        clocks[name] = new
    record["field_clocks"] = clocks
    record["hlc"] = new


def row_of(records: Records, kind: str, record_id: str) -> dict[str, Any]:
    return next(r for r in records[kind] if r["id"] == record_id)


def copy_as_new(record: dict[str, Any], **values: Any) -> dict[str, Any]:
    """Another record of the same kind and owner, with a new id (and `values`)."""
    new = json.loads(json.dumps(record))
    new["id"] = str(uuid.uuid4())
    touch(new, **values)
    return new


def cli(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run the command line in-process: an uncaught exception (a traceback) fails here."""
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1


def signing_key_id(path: Path) -> str:
    with Workspace.open(path) as ws:
        return ws.meta()["signing_key"]


def spare_key() -> minisign.PublicKey:
    return minisign.public_of(Ed25519PrivateKey.generate())


# ---------------------------------------------- 1. clocks on the own site record's fields
#: fields of a site record only the coordinator writes (core.authority)
PROTECTED = ("public_keys", "parent_id", "kind", "deleted", "network_id")


def _watched(path: Path, site_id: str) -> tuple[Any, ...]:
    """The coordinator-only fields of a site record, their clocks and bases, and the
    conflicts kept about them."""
    with Workspace.open(path) as ws, ws.read() as s:
        site = s.get(Site, site_id)
        clocks = dict(site.field_clocks or {})
        versions = s.scalars(select(RecordVersion).where(
            RecordVersion.record_id == site_id)).all()
        return (tuple(getattr(site, f) for f in PROTECTED),
                tuple((clocks.get(f), clocks.get("~" + f)) for f in PROTECTED),
                [(v.field, v.value, v.hlc) for v in versions])


def _refused_or_ignored(net: Net, target: Path, bundle: Path) -> str | None:
    """Refused in one line with the file untouched — or accepted without moving a
    coordinator-only field of the site record, its clock, or adding a conflict.  What
    went wrong, or None."""
    before, watched = dumps(target), _watched(target, net.site_a)
    try:
        imported(target, bundle)
    except BundleError as err:
        if not one_line_refusal(err.message) or _beside_the_point(err.message):
            return f"refused, but not in one line for what it does: {err.message!r}"
        return None if dumps(target) == before else "refused, yet the file changed"
    after = _watched(target, net.site_a)
    return None if after == watched else f"accepted, and it moved: {watched} -> {after}"


def _own_site_attacks(net: Net, field: str, at: dict[str, Any]) -> dict[str, Any]:
    """mode -> change(records) for A's own site record; `at` is the record as the target
    holds it (same values and clocks as in A's bundle after the digest)."""
    ahead = stamp(DEVICE_A, DAY_MS - 120_000)  # just inside the clock-drift allowance
    other = {"public_keys": [*at["public_keys"], spare_key().line()],
             "parent_id": net.site_b, "kind": "district", "deleted": True,
             "network_id": str(uuid.uuid4())}[field]

    def newer_same_value(records: Records) -> None:
        row = row_of(records, "site", net.site_a)
        assert row[field] == at[field]
        row["field_clocks"][field] = ahead
        row["hlc"] = ahead

    def equal_clock_other_value(records: Records) -> None:
        row = row_of(records, "site", net.site_a)
        row[field] = other
        row["field_clocks"][field] = at["field_clocks"][field]

    def clock_without_value(records: Records) -> None:
        row = row_of(records, "site", net.site_a)
        del row[field]
        row["field_clocks"][field] = ahead
        row["hlc"] = ahead

    return {"newer clock, same value": newer_same_value,
            "equal clock, other value": equal_clock_other_value,
            "newer clock, value left out": clock_without_value}


@pytest.mark.parametrize("field", PROTECTED)
def test_own_site_record_plants_no_clock_on_coordinator_fields(net: Net, field: str) -> None:
    """repro_planted_site_clock / repro_clock_only_site_fields / repro_equal_clock_revocation:
    at the coordinator and at another school, A's own site record carrying a newer clock
    (same value), an equal clock with another value, or a clock without its value."""
    net.digest(net.a, net.b)  # everyone holds the coordinator's version of A's record
    genuine = export(net.a, net.path(".nicbundle"))
    at = stored(net.coord, "site", net.site_a)
    assert row_of(read_records(genuine)[1], "site", net.site_a) == at
    assert stored(net.b, "site", net.site_a) == at
    problems = []
    for mode, change in _own_site_attacks(net, field, at).items():
        bundle = net.attack(genuine, change)
        for name, target in (("coordinator", net.coord), ("B", net.b)):
            problem = _refused_or_ignored(net, net.copy(target), bundle)
            if problem:
                problems.append(f"{mode}, at {name}: {problem}")
    assert not problems, "\n".join(problems)


def test_planted_clocks_do_not_outrank_the_coordinators_next_change(net: Net) -> None:
    """repro_planted_site_clock: A hands B its site record with far-future clocks on its
    keys, kind, parent and removal; the coordinator then re-keys A and moves it: B must
    end up with the coordinator's keys and parent."""
    net.digest(net.a, net.b)
    ahead = stamp(DEVICE_A, DAY_MS - 120_000)

    def plant(records: Records) -> None:
        row = row_of(records, "site", net.site_a)
        for name in ("public_keys", "kind", "parent_id", "deleted"):
            row["field_clocks"][name] = ahead
        row["hlc"] = ahead

    planted = net.attack(export(net.a, net.path(".nicbundle")), plant)
    refused(net.b, planted, "own site record")
    new_key = spare_key().line()
    with Workspace.open(net.coord) as ws:
        ws.ops.update("site", net.site_a, public_keys=[new_key], parent_id=None)
    net.digest(net.b)
    at_b = stored(net.b, "site", net.site_a)
    assert at_b["public_keys"] == [new_key] and at_b["parent_id"] is None


def test_a_revoked_key_stays_revoked_at_other_schools(net: Net) -> None:
    """repro_equal_clock_revocation: the coordinator enrols A's second key K2, then
    revokes it; A (knowing the revocation's stamp S) hands B its site record with the old
    keys [K1, K2] stamped S.  B must refuse it, take the revocation from the digest, and
    refuse bundles signed with K2."""
    net.digest(net.a, net.b)
    k1 = stored(net.coord, "site", net.site_a)["public_keys"]
    k2 = keys.generate()
    with Workspace.open(net.coord) as ws:
        enrol_key(ws, k2.public, "A")
    net.digest(net.a, net.b)
    with Workspace.open(net.coord) as ws:
        ws.ops.update("site", net.site_a, public_keys=k1)  # revoked: laptop stolen
    net.digest(net.a)  # A learns the revocation (and its stamp); B has not yet
    revocation = stored(net.a, "site", net.site_a)["field_clocks"]["public_keys"]
    at_b = stored(net.b, "site", net.site_a)
    assert at_b["public_keys"] == [*k1, k2.public.line()]

    def old_keys_at_s(records: Records) -> None:
        row = row_of(records, "site", net.site_a)
        row["public_keys"] = at_b["public_keys"]
        row["field_clocks"]["public_keys"] = revocation
        row["hlc"] = max(row["hlc"], revocation)

    genuine = export(net.a, net.path(".nicbundle"))
    refused(net.b, net.attack(genuine, old_keys_at_s), "own site record")
    net.digest(net.b)
    assert stored(net.b, "site", net.site_a)["public_keys"] == k1
    stolen = net.attack(genuine, lambda records: None, key=k2.private,
                        manifest=lambda m: m.update(signer=k2.public.key_id_hex))
    refused(net.b, stolen, "not enrolled")
    refused(net.coord, stolen, "not enrolled")


def test_a_clock_without_its_value_sets_nothing_to_none(net: Net) -> None:
    """repro_clock_only_site_fields, on any record: a newer clock for a field the record
    leaves out never sets that field to None, nor plants the clock."""
    with Workspace.open(net.a) as ws:
        obs = ws.ops.create("observation", measure_id=net.on_track, site_id=net.site_a,
                            period="2025-09-01", value=0.75, numerator=150,
                            denominator=200).id
    imported(net.coord, export(net.a, net.path(".nicbundle")))
    with Workspace.open(net.a) as ws:
        ws.ops.update("observation", obs, note="second bundle")
    genuine = export(net.a, net.path(".nicbundle"))
    before = stored(net.coord, "observation", obs)

    def drop_numerator(records: Records) -> None:
        row = row_of(records, "observation", obs)
        del row["numerator"]
        row["field_clocks"]["numerator"] = stamp(DEVICE_A, 1000)

    bundle = net.attack(genuine, drop_numerator)
    try:
        imported(net.coord, bundle)
    except BundleError as err:  # a refusal is fine too
        assert one_line_refusal(err.message), err.message
    after = stored(net.coord, "observation", obs)
    assert after["numerator"] == before["numerator"] == 150
    assert after["field_clocks"]["numerator"] == before["field_clocks"]["numerator"]


# ---------------------------------------------------------- 2. key id collisions
def _forged(key_id: bytes) -> tuple[Ed25519PrivateKey, minisign.PublicKey]:
    """A new key pair whose public key says it has `key_id` (minisign key ids are just
    eight bytes in the key: anyone can pick any)."""
    private = Ed25519PrivateKey.generate()
    return private, minisign.PublicKey(key_id, minisign.public_of(private).raw)


def _forged_join_request(path: Path, private: Ed25519PrivateKey, key: minisign.PublicKey,
                         site: str) -> Path:
    """A join request, genuinely signed by `private` under the forged key id."""
    from nicdesk.services.membership import _canonical

    fields = {"format": "nicdesk-join-request", "format_version": 1, "site_name": site,
              "site_kind": "school", "contact": "", "public_key": key.line(),
              "key_id": key.key_id_hex, "fingerprint": key.fingerprint(),
              "created": "2026-11-26T00:00:00+00:00"}
    message = _canonical(fields)
    signature = private.sign(hashlib.blake2b(message, digest_size=64).digest())
    comment = f"nicdesk join request {key.fingerprint()}"
    tail = private.sign(signature + comment.encode())
    fields["signature"] = (
        "untrusted comment: NICdesk join request signature\n"
        f"{base64.b64encode(b'ED' + key.key_id + signature).decode()}\n"
        f"trusted comment: {comment}\n{base64.b64encode(tail).decode()}\n")
    path.write_text(json.dumps(fields))
    return path


def test_enrolling_a_key_with_a_key_id_in_use_is_refused(net: Net, capsys) -> None:
    """repro_keyid_collision: a key whose id is B's (or the coordinator's) would let A
    speak in B's numbering; enrolling it for A is refused in one line, by the API, by
    `nicdesk network enroll` with a .pub and with a join request."""
    b_key = minisign.parse_public_key(stored(net.coord, "site", net.site_b)["public_keys"][0])
    with Workspace.open(net.coord) as ws:
        hub_key = keys.load(ws.meta()["signing_key"]).public
    before = dumps(net.coord)
    for victim in (b_key, hub_key):
        private, forged = _forged(victim.key_id)
        assert forged.key_id_hex == victim.key_id_hex and forged.raw != victim.raw
        for site, new in (("A", False), ("B", False), ("C", True)):
            with Workspace.open(net.coord) as ws, pytest.raises(MembershipError) as err:
                enrol_key(ws, forged, site, new=new)
            assert one_line(err.value.message) and victim.key_id_hex in err.value.message
        pub = net.path(".pub")
        pub.write_text(forged.file_text())
        request = _forged_join_request(net.path(".nicjoin"), private, forged, "A")
        for argv in (["network", "enroll", str(net.coord), str(pub), "--site", "A"],
                     ["network", "enroll", str(net.coord), str(request)]):
            code, out, err = cli(argv, capsys)
            assert code == 2 and one_line(err) and victim.key_id_hex in err, (out, err)
            assert "Enrolled" not in out
    assert dumps(net.coord) == before
    # B's genuine bundles are still B's alone at the coordinator
    assert imported(net.coord, export(net.b, net.path(".nicbundle"))).sequence == 1


def test_the_coordinators_key_id_is_refused_even_when_no_site_lists_it(net: Net) -> None:
    with Workspace.open(net.coord) as ws:
        hub_key = keys.load(ws.meta()["signing_key"]).public
        ws.ops.update("site", net.hub, public_keys=[])  # only the network names it now
        _private, forged = _forged(hub_key.key_id)
        with pytest.raises(MembershipError, match="coordinator's key") as err:
            enrol_key(ws, forged, "A")
    assert one_line(err.value.message)


# ------------------------------------------------------- 3. links across diagrams
def _theory(net: Net) -> dict[str, str]:
    """A network driver diagram with two nodes and a meeting at the coordinator; at A two
    diagrams of its own (a link in the first), a change idea, a meeting with an agenda
    item, a member.  A's records are in its next bundle, not yet at the coordinator."""
    with Workspace.open(net.coord) as ws:
        c = ws.ops.create
        diagram = c("driver_diagram", network_id=net.net, name="Network theory").id
        n1 = c("driver_node", diagram_id=diagram, level="primary", text="Belonging",
               position=0).id
        n2 = c("driver_node", diagram_id=diagram, level="secondary", text="Advisory",
               position=1).id
        meeting = c("meeting", network_id=net.net, title="Fall convening",
                    date="2025-09-10").id
    with Workspace.open(net.a) as ws:
        c = ws.ops.create
        own = c("driver_diagram", network_id=net.net, site_id=net.site_a,
                name="A theory").id
        a1 = c("driver_node", diagram_id=own, level="primary", text="A primary",
               position=0).id
        a2 = c("driver_node", diagram_id=own, level="secondary", text="A secondary",
               position=1).id
        link = c("driver_link", diagram_id=own, parent_node_id=a1, child_node_id=a2).id
        second = c("driver_diagram", network_id=net.net, site_id=net.site_a,
                   name="A second theory").id
        c1 = c("driver_node", diagram_id=second, level="primary", text="A other",
               position=0).id
        idea = c("change_idea", network_id=net.net, node_id=a2, title="A check-ins").id
        a_meeting = c("meeting", network_id=net.net, site_id=net.site_a,
                      title="A meeting", date="2025-09-12").id
        agenda = c("agenda_item", meeting_id=a_meeting, title="Data", minutes=10,
                   position=0).id
        member = c("member", site_id=net.site_a, name="A principal", role="principal").id
        ramp = c("pdsa_ramp", site_id=net.site_a, title="A ramp").id
        cycle = c("pdsa_cycle", site_id=net.site_a, title="A cycle", cycle_number=1,
                  ramp_id=ramp).id
    return dict(diagram=diagram, n1=n1, n2=n2, meeting=meeting, own=own, a1=a1, a2=a2,
                link=link, second=second, c1=c1, idea=idea, agenda=agenda, member=member,
                cycle=cycle)


def test_a_link_never_joins_nodes_of_another_diagram(net: Net) -> None:
    """repro_cross_diagram_link: a link in A's own diagram joining the network diagram's
    nodes (or one of them, or a node of A's other diagram) would rewire the network's
    theory in every site's matrix."""
    t = _theory(net)
    genuine = export(net.a, net.path(".nicbundle"))

    def relink(**ends: str):
        return lambda records: touch(row_of(records, "driver_link", t["link"]), **ends)

    def new_diagram_and_link(records: Records) -> None:  # the red team's exact attack
        diagram = copy_as_new(row_of(records, "driver_diagram", t["own"]), name="Lincoln")
        records["driver_diagram"].append(diagram)
        records["driver_link"].append(copy_as_new(
            row_of(records, "driver_link", t["link"]), diagram_id=diagram["id"],
            parent_node_id=t["n1"], child_node_id=t["n2"]))

    attacks = [relink(parent_node_id=t["n1"], child_node_id=t["n2"]),
               relink(child_node_id=t["n2"]), relink(parent_node_id=t["n1"]),
               relink(child_node_id=t["c1"]), relink(diagram_id=t["second"]),
               new_diagram_and_link]
    for change in attacks:
        refused(net.coord, net.attack(genuine, change), "across diagrams")
    imported(net.coord, genuine)  # the genuine links, inside A's diagram, are fine


# -------------------------------------------------- 4. renaming to another site's name
NAMES_OF_B = ["B", "b", "  B ", "B\u00a0", "\uff22", "hub", " HUB"]  # Ｂ: fullwidth


def test_a_site_cannot_take_another_sites_name(net: Net) -> None:
    """repro_rename_impersonation: A renamed "EASTSIDE HIGH SCHOOL" received Eastside's
    key at enrolment.  Refused in a bundle (at the coordinator and at B) and as an edit."""
    genuine = export(net.a, net.path(".nicbundle"))
    before = dumps(net.a), dumps(net.coord)
    for name in NAMES_OF_B:
        bundle = net.attack(genuine, lambda records, name=name: touch(
            row_of(records, "site", net.site_a), name=name))
        refused(net.coord, bundle, "site names must stay distinct")
        refused(net.b, bundle, "site names must stay distinct")
        with Workspace.open(net.a) as ws, pytest.raises(InvalidChangeError,
                                                        match="already has a site"):
            ws.ops.update("site", net.site_a, name=name)
        with Workspace.open(net.coord) as ws, pytest.raises(InvalidChangeError,
                                                            match="already has a site"):
            ws.ops.create("site", network_id=net.net, name=name, kind="school")
    assert (dumps(net.a), dumps(net.coord)) == before
    with Workspace.open(net.a) as ws:
        ws.ops.update("site", net.site_a, name="A High School")  # another name is fine
    imported(net.coord, export(net.a, net.path(".nicbundle")))
    assert stored(net.coord, "site", net.site_a)["name"] == "A High School"


# ------------------------------------------------------------- 5. crafted invitations
def _join_refused(net: Net, invitation: Path, capsys) -> str:
    home = net.tmp / f"join{net.n}"
    home.mkdir()
    code, out, err = cli(["join", str(invitation), "--out", str(home / "site.nicdesk")],
                         capsys)
    assert code != 0 and one_line(err) and "Nothing was changed" in err, (out, err)
    assert list(home.iterdir()) == [], "a refused join left files behind"
    return err


def test_join_with_incomplete_or_dangling_records_is_refused(net: Net, capsys) -> None:
    """repro_join_traceback: a (self-signed, as every invitation is) invitation whose
    records break NOT NULL or foreign keys gave an IntegrityError traceback and left a
    half-made workspace."""
    genuine = net.path(".nicbundle")
    assert main(["network", "invite", str(net.coord), "--site", "A", "--out",
                 str(genuine)]) == 0
    with Workspace.open(net.coord) as ws:
        hub_private = keys.load(ws.meta()["signing_key"]).private

    def dangling_parent(records: Records) -> None:
        row_of(records, "site", net.site_a)["parent_id"] = str(uuid.uuid4())

    def parent_left_out(records: Records) -> None:
        records["site"] = [r for r in records["site"] if r["id"] != net.hub]

    def measure_without_network(records: Records) -> None:
        del records["measure"][0]["network_id"]

    def measure_of_no_network(records: Records) -> None:
        records["measure"][0]["network_id"] = str(uuid.uuid4())

    for change in (dangling_parent, parent_left_out, measure_without_network,
                   measure_of_no_network):
        bad = resign(genuine, net.path(".nicbundle"), hub_private,
                     change=lambda m, records, change=change: change(records))
        _join_refused(net, bad, capsys)

    # the red team's own: signed by A's key, naming it the coordinator's, holding only
    # the network and A's site record (whose parent is not in it)
    def only_network_and_a(m: dict[str, Any], records: Records) -> None:
        m["coordinator_key"] = keys.load(signing_key_id(net.a)).public.line()
        for kind in list(records):
            if kind not in ("network", "site"):
                del records[kind]
        records["site"] = [row_of(records, "site", net.site_a)]

    bad = resign(genuine, net.path(".nicbundle"), a_key(net.tmp), change=only_network_and_a)
    _join_refused(net, bad, capsys)
    # the genuine invitation still works
    code, out, err = cli(["join", str(genuine), "--out", str(net.tmp / "ok.nicdesk")],
                         capsys)
    assert code == 0 and "Joined as A" in out, (out, err)


# ----------------------------------------------------- 6. a join request nested deep
def test_enroll_with_a_deeply_nested_join_request_is_refused(net: Net, capsys) -> None:
    """repro_enroll_recursion: 30,000 levels of brackets gave a RecursionError."""
    deep = net.path(".nicjoin")
    deep.write_bytes(b'{"format":"nicdesk-join-request","x":' + b"[" * 30000
                     + b"]" * 30000 + b"}")
    before = dumps(net.coord)
    code, out, err = cli(["network", "enroll", str(net.coord), str(deep)], capsys)
    assert code == 2 and one_line(err) and "not a join request" in err, (out, err)
    assert dumps(net.coord) == before


# --------------------------------------------------- 7. damaged or crafted workspace files
@pytest.mark.parametrize(("key", "value", "phrase"), [
    ("device_id", "bad id!", "device id"), ("device_id", "-" * 200, "device id"),
    ("clock_last", "garbage", "clock"), ("clock_last", "999999999999999-x-y", "clock")])
def test_unusable_device_id_or_clock_opens_with_a_warning(net: Net, capsys, key: str,
                                                          value: str, phrase: str) -> None:
    """repro_workspace_tracebacks: a workspace_meta device_id or clock_last that cannot
    be used gave tracebacks from import, import-csv and enroll."""

    def damaged() -> Path:
        path = net.copy(net.coord)
        con = sqlite3.connect(path)
        with con:
            con.execute("update workspace_meta set value=? where key=?", (value, key))
        con.close()
        return path

    bundle = export(net.a, net.path(".nicbundle"))
    csv = net.path(".csv")
    csv.write_text("date,value\n2025-09-01,0.5\n")
    pub = net.path(".pub")
    pub.write_text(spare_key().file_text())
    for argv in (["import", "{}", str(bundle)], ["dump", "{}", "--json"],
                 ["import-csv", "{}", str(csv), "--measure", "On track", "--site", "Hub"],
                 ["network", "enroll", "{}", str(pub), "--site", "B"]):
        path = damaged()
        code, out, err = cli([str(path) if a == "{}" else a for a in argv], capsys)
        assert code == 0, (argv, out, err)  # (cli() fails on a traceback)
    path = damaged()
    with Workspace.open(path) as ws:
        assert any(phrase in w for w in ws.warnings), ws.warnings
        ws.ops.create("measure", network_id=net.net, name="Attendance", value_type="count")
        assert import_bundle(ws, bundle).sequence == 1


def test_invalid_json_in_a_column_is_a_one_line_refusal(net: Net, capsys) -> None:
    """repro_workspace_tracebacks: a JSON column holding no JSON (here A's keys) gave a
    JSONDecodeError traceback; now every command says the workspace is damaged."""
    path = net.copy(net.coord)
    con = sqlite3.connect(path)
    with con:
        con.execute("update sites set public_keys='{bad' where id=?", (net.site_a,))
    con.close()
    before = sql_dump(path)
    csv = net.path(".csv")
    csv.write_text("date,value\n2025-09-01,0.5\n")
    pub = net.path(".pub")
    pub.write_text(spare_key().file_text())
    for argv in (["dump", str(path)], ["dump", str(path), "--json"],
                 ["import-csv", str(path), str(csv), "--measure", "On track", "--site", "A"],
                 ["network", "enroll", str(path), str(pub), "--site", "A"]):
        code, out, err = cli(argv, capsys)
        assert code == 2 and one_line(err) and "damaged" in err, (argv, out, err)
    assert sql_dump(path) == before


# --------------------------------------------------------- 8. terminal escapes
def test_invite_prints_no_terminal_escapes(net: Net, capsys) -> None:
    """repro_invite_terminal_escape: A names itself with OSC/CSI/bidi sequences; the
    coordinator's `nicdesk network invite` printed the name raw."""
    evil = "A\x1b]0;PWNED\x07\x1b[2J\x1b[31m\u202eloohcS"
    bundle = net.attack(export(net.a, net.path(".nicbundle")), lambda records: touch(
        row_of(records, "site", net.site_a), name=evil))
    imported(net.coord, bundle)
    assert stored(net.coord, "site", net.site_a)["name"] == evil
    code, out, err = cli(["network", "invite", str(net.coord), "--site", "A", "--out",
                          str(net.path(".nicbundle"))], capsys)
    assert code == 0 and "Invitation for" in out, (out, err)
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in out + err, repr(out + err)


# --------------------------------------------------------- 9. equivocation, end to end
def _equivocate(net: Net, to_coordinator: float, to_b: float) -> str:
    """A sends the coordinator and B two different values of its own observation under
    ONE clock; the coordinator's digest then goes to B.  Returns the observation id."""
    with Workspace.open(net.a) as ws:
        obs = ws.ops.create("observation", measure_id=net.on_track, site_id=net.site_a,
                            period="2025-09-01", value=0.75, numerator=150,
                            denominator=200).id
    genuine = export(net.a, net.path(".nicbundle"))
    same = stamp(DEVICE_A, 1000)

    def value(v: float):
        def change(records: Records) -> None:
            row = row_of(records, "observation", obs)
            row["value"] = v
            row["field_clocks"]["value"] = same
            row["hlc"] = same
        return change

    imported(net.coord, net.attack(genuine, value(to_coordinator)))
    imported(net.b, net.attack(genuine, value(to_b)))
    net.digest(net.b)
    return obs


@pytest.mark.parametrize(("to_coordinator", "to_b"), [(0.9, 0.1), (0.1, 0.9)])
def test_equivocation_converges(net: Net, to_coordinator: float, to_b: float) -> None:
    """repro_equivocation: after the digest, B and the coordinator hold the same value
    (the other one kept as a conflict)."""
    obs = _equivocate(net, to_coordinator, to_b)
    values = {}
    for name, path in (("coordinator", net.coord), ("B", net.b)):
        with Workspace.open(path) as ws, ws.read() as s:
            values[name] = s.get(Observation, obs).value
    assert values["coordinator"] == values["B"], values


def test_an_equal_clock_winner_is_written_by_the_importer(net: Net) -> None:
    """merge_fields picks 0.9 over 0.1 under one clock (tests/core/
    test_merge_equal_clock.py); the import must then hold 0.9 — not keep 0.1 while
    recording 0.1 as the value that lost."""
    obs = _equivocate(net, 0.9, 0.1)
    with Workspace.open(net.b) as ws, ws.read() as s:
        value = s.get(Observation, obs).value
        lost = [v.value for v in s.scalars(select(RecordVersion).where(
            RecordVersion.record_id == obs, RecordVersion.field == "value"))]
    assert 0.1 in lost
    assert value == 0.9, f"B holds {value} while its conflict list says {lost} lost"


# ------------------------------------------------ 10. regressions fixed earlier
def test_a_record_of_another_kind_cannot_lend_its_id_to_a_whole(net: Net) -> None:
    """repro_parent_collision: a decoy member of A's whose id is the network diagram's
    (node's, meeting's) made that whole look A's, letting A add parts to it."""
    t = _theory(net)
    genuine = export(net.a, net.path(".nicbundle"))
    cases = [(t["diagram"], "driver_node", t["a1"], {"diagram_id": t["diagram"]}),
             (t["n2"], "change_idea", t["idea"], {"node_id": t["n2"]}),
             (t["meeting"], "agenda_item", t["agenda"], {"meeting_id": t["meeting"]})]
    for whole, part_kind, template, values in cases:
        def change(records: Records, whole=whole, part_kind=part_kind, template=template,
                   values=values) -> None:
            decoy = copy_as_new(row_of(records, "member", t["member"]), name="decoy")
            decoy["id"] = whole
            records["member"].append(decoy)
            records[part_kind].append(copy_as_new(row_of(records, part_kind, template),
                                                  **values))

        refused(net.coord, net.attack(genuine, change), "inside a")


def test_a_cycle_cannot_go_in_another_sites_ramp(net: Net) -> None:
    """repro_cycle_in_other_ramp: a cycle of A's in B's PDSA ramp."""
    t = _theory(net)
    with Workspace.open(net.b) as ws:
        b_ramp = ws.ops.create("pdsa_ramp", site_id=net.site_b, title="B ramp").id
    imported(net.coord, export(net.b, net.path(".nicbundle")))
    net.digest(net.a)  # A sees B's ramp (read-only)
    genuine = export(net.a, net.path(".nicbundle"))

    def moved(records: Records) -> None:
        touch(row_of(records, "pdsa_cycle", t["cycle"]), ramp_id=b_ramp)

    def new_cycle(records: Records) -> None:
        records["pdsa_cycle"].append(copy_as_new(row_of(records, "pdsa_cycle", t["cycle"]),
                                                 ramp_id=b_ramp, title="In B's ramp"))

    for change in (moved, new_cycle):
        refused(net.coord, net.attack(genuine, change), "inside a pdsa ramp that B owns")
    with Workspace.open(net.a) as ws, pytest.raises(InvalidChangeError, match="belongs to B"):
        ws.ops.create("pdsa_cycle", site_id=net.site_a, title="x", cycle_number=2,
                      ramp_id=b_ramp)


def test_a_site_cannot_remove_itself(net: Net) -> None:
    """repro_site_tombstone: A's own site record with deleted=true (a newer clock)."""
    genuine = export(net.a, net.path(".nicbundle"))
    bundle = net.attack(genuine, lambda records: touch(
        row_of(records, "site", net.site_a), deleted=True))
    refused(net.coord, bundle, "removal", "own site record")
    refused(net.b, bundle, "removal", "own site record")

