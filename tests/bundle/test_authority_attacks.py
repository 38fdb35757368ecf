"""Single-writer authority under attack: genuine bundles of site A, changed and RE-SIGNED
with A's genuinely enrolled key, so the signature checks out and it is the authority,
replay and validation rules that must refuse them.

The network (built once per module; each example imports at a fresh copy of the
coordinator's file): a coordinator (Hub) with schools A and B.  Each school has
observations on the network measure, a measure of its own, a fishbone with a category
and a cause, a driver diagram with nodes, a link, a change idea and a node measure, a
PDSA ramp and cycle with a question and a measure link, a meeting with agenda and action
items, an aim, a member, a chart phase and an annotation; the coordinator has the same
network-level wholes (site_id NULL) and a charter.  A's and B's
first bundles went to the coordinator and its digest back to both, so A's workspace holds
B's and the network's records.  A then exported bundle 2, not yet imported anywhere: the
genuine bundle every attack starts from.

Every attack must be refused with a `BundleError` of one line ending "Nothing was
changed.", and the coordinator's file must be byte-identical afterwards — its
`nicdesk dump --json` and its sqlite `.dump` (workspace_meta, hence the clock, included).
"""

from __future__ import annotations

import copy
import json
import shutil
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from nicdesk.bundle import keys, minisign
from nicdesk.bundle.format import ORDER, to_json
from nicdesk.bundle.importer import BundleError, import_bundle
from nicdesk.core.clock import Hlc, now_ms
from nicdesk.store.schema import MODELS
from nicdesk.store.workspace import Workspace

from .exchange_helpers import (
    DAY_MS,
    AttackRuns,
    both_dumps,
    export,
    ids,
    make_network,
    one_line_refusal,
    read_records,
    resign,
    stamp,
)

EXAMPLES = Counter()  # test name -> generated examples run (printed at the end, with -s)
REASONS = Counter()  # which check refused each attack (printed at the end)


def sized(n: int) -> settings:
    # no shrinking: a refusal that fails is reported as found (each try costs an import)
    return settings(max_examples=n, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@pytest.fixture(scope="module", autouse=True)
def report_examples():
    yield
    total = sum(EXAMPLES.values())
    detail = ", ".join(f"{k} {v}" for k, v in sorted(EXAMPLES.items()))
    print(f"\n[authority attacks] {total} generated examples run ({detail})")
    print("[authority attacks] refused by: " + "; ".join(
        f"{n}× {reason}" for reason, n in REASONS.most_common()))


# ------------------------------------------------------------------ the network
class World(AttackRuns):
    """The module's network: paths, A's key, ids, and the coordinator's dumps."""

    root: Path
    coord: Path
    a: Path
    b: Path
    genuine: Path  # A's bundle 2, never imported: what the attacks change
    first: Path  # A's bundle 1, imported by the coordinator
    a_key: Any  # A's enrolled private key
    a_public: str  # its public key line
    hub_public: str  # the coordinator's public key line
    net: str
    hub: str
    site_a: str
    site_b: str
    device_a: str
    #: (kind, id) -> JSON record as A's workspace holds it, for every record A does not own
    foreign: dict[tuple[str, str], dict[str, Any]]
    #: the coordinator's dumps, taken before any attack
    coord_dumps: tuple[str, str]
    on_track: str  # the network measure

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)
        self.n = 0

    def __repr__(self) -> str:
        return f"World(A={self.site_a}, B={self.site_b}, Hub={self.hub})"

    def foreign_of(self, *kinds: str, owner: str | None = None) -> list[tuple[str, str]]:
        return sorted(k for k, v in self.foreign.items() if k[0] in kinds and (
            owner is None or v["owner_site_id"] == owner))


def populate(path: Path, tag: str, *, site: bool) -> None:
    """Records of every shape: for a school its own (site_id = it), for the coordinator
    the network's (site_id NULL).  Each whole has its parts."""
    known = ids(path)
    net, on_track = known["network"], known["measures"]["On track"]
    me = known["local"] if site else None
    with Workspace.open(path) as ws:
        c = ws.ops.create
        fishbone = c("fishbone", network_id=net, site_id=me, title=f"{tag} attendance",
                     problem="Students miss class").id
        category = c("fishbone_category", fishbone_id=fishbone, name="Students",
                     position=0).id
        cause = c("cause", fishbone_id=fishbone, category_id=category,
                  text=f"{tag}: long bus rides").id
        meeting = c("meeting", network_id=net, site_id=me, title=f"{tag} meeting",
                    date="2025-09-10").id
        c("agenda_item", meeting_id=meeting, title="Data review", minutes=10, position=0)
        c("action_item", meeting_id=meeting, text="Send the data")
        c("aim", network_id=net, site_id=me, statement=f"{tag}: 90% on track",
          measure_id=on_track)
        diagram = c("driver_diagram", network_id=net, site_id=me,
                    name=f"{tag} drivers").id
        primary = c("driver_node", diagram_id=diagram, level="primary", text="Belonging",
                    position=0).id
        secondary = c("driver_node", diagram_id=diagram, level="secondary",
                      text="Advisory", position=1).id
        c("driver_link", diagram_id=diagram, parent_node_id=primary,
          child_node_id=secondary)
        c("node_measure", node_id=primary, measure_id=on_track)
        c("change_idea", network_id=net, node_id=secondary, title=f"{tag}: check-ins")
        c("cause_driver_link", cause_id=cause, node_id=primary)
        if not site:
            c("charter", network_id=net, norms="We share our data")
            return
        c("observation", measure_id=on_track, site_id=me, period="2025-09-01",
          value=0.6, numerator=12, denominator=20)
        local = c("measure", network_id=net, site_id=me, name=f"{tag} reading minutes",
                  value_type="count").id
        c("observation", measure_id=local, site_id=me, period="2025-09-01", value=25)
        cycle = c("pdsa_cycle", site_id=me, title=f"{tag} check-ins", cycle_number=1).id
        c("pdsa_question", cycle_id=cycle, question="Will it help?", position=0)
        c("pdsa_measure", cycle_id=cycle, measure_id=on_track)
        c("pdsa_ramp", site_id=me, title=f"{tag} ramp")
        c("member", site_id=me, name=f"{tag} principal", role="principal")
        c("chart_phase", measure_id=on_track, site_id=me, kind="baseline freeze",
          start="2025-09-01")
        c("annotation", measure_id=on_track, site_id=me, date="2025-09-15",
          text="Exam week")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("attacks")
    with pytest.MonkeyPatch.context() as mp:
        # keys are made and read here, in a data dir of the module's own (the per-test
        # data dir of conftest does not exist yet); imports need only public keys
        mp.setenv("NICDESK_DATA_DIR", str(root / "data"))
        coord, sites = make_network(root, ("A", "B"))
        populate(coord, "Network", site=False)
        populate(sites["A"], "A", site=True)
        populate(sites["B"], "B", site=True)
        first = export(sites["A"], root / "a1.nicbundle")
        b1 = export(sites["B"], root / "b1.nicbundle")
        with Workspace.open(coord) as ws:
            import_bundle(ws, first)
            import_bundle(ws, b1)
        digest = export(coord, root / "d1.nicbundle", "digest")
        for path in sites.values():
            with Workspace.open(path) as ws:
                import_bundle(ws, digest)
        known = ids(sites["A"])
        with Workspace.open(sites["A"]) as ws:  # more of A's work, in bundle 2
            ws.ops.create("observation", measure_id=known["measures"]["On track"],
                          site_id=known["local"], period="2025-10-01", value=0.7,
                          numerator=14, denominator=20)
        genuine = export(sites["A"], root / "a2.nicbundle")
        with Workspace.open(sites["A"]) as ws:
            meta = ws.meta()
            pair = keys.load(meta["signing_key"])
            foreign = {}
            with ws.read() as s:
                for kind in ORDER:
                    for row in s.scalars(select(MODELS[kind])):
                        if row.owner_site_id != meta["local_site_id"]:
                            foreign[(kind, row.id)] = to_json(kind, row)
        with Workspace.open(coord) as ws:
            hub_public = keys.load(ws.meta()["signing_key"]).public.line()
    assert read_records(genuine)[0]["sequence"] == 2
    return World(root=root, coord=coord, a=sites["A"], b=sites["B"], genuine=genuine,
                 first=first, a_key=pair.private, a_public=pair.public.line(),
                 hub_public=hub_public, net=known["network"], hub=known["sites"]["Hub"],
                 site_a=known["sites"]["A"], site_b=known["sites"]["B"],
                 device_a=meta["device_id"], foreign=foreign,
                 coord_dumps=both_dumps(coord),
                 on_track=known["measures"]["On track"])


# ------------------------------------------------------------------ attacking
Records = dict[str, list[dict[str, Any]]]


def touch(world: World, record: dict[str, Any], **values: Any) -> None:
    """Change fields as a newer edit would: a newer clock for each, the old one as base."""
    new = stamp(world.device_a, 1000)
    clocks = dict(record.get("field_clocks") or {})
    for name, value in values.items():
        record[name] = value
        if name in clocks:
            clocks["~" + name] = clocks[name]
        clocks[name] = new
    record["field_clocks"] = clocks
    record["hlc"] = new


def fresh(world: World, **values: Any) -> dict[str, Any]:
    """A new record as A's bundle would carry it (owner A unless told otherwise)."""
    now = stamp(world.device_a, 1000)
    record = {"id": str(uuid.uuid4()), "owner_site_id": world.site_a, "deleted": False,
              "hlc": now, **values}
    record["field_clocks"] = {k: now for k in record
                              if k not in ("id", "owner_site_id", "hlc")}
    return record


def attack(world: World, change, *, at: Path | None = None,
           manifest_change=None, expect: tuple[str, ...] = ()) -> str:
    """A's genuine bundle 2, changed by `change(records)` (and `manifest_change`),
    re-signed with A's enrolled key and imported at a fresh copy of the coordinator (or
    at `at`): it must be refused in one line, leaving the file byte-identical."""

    def edit(manifest: dict[str, Any], records: Records) -> None:
        change(records)
        if manifest_change is not None:
            manifest_change(manifest)

    bundle = resign(world.genuine, world.bundle_path(), world.a_key, change=edit)
    target = at or world.coordinator_copy()
    before = world.coord_dumps if at is None else both_dumps(target)
    with Workspace.open(target) as ws, pytest.raises(BundleError) as err:
        import_bundle(ws, bundle)
    message = err.value.message
    assert one_line_refusal(message), message
    # refused for what it says, not because the re-signing went wrong
    assert "signature" not in message and "changed after" not in message, message
    for phrase in expect:
        assert phrase in message, message
    REASONS[_reason(message)] += 1
    after = both_dumps(target)
    assert after[0] == before[0], f"nicdesk dump changed by a refused bundle: {message}"
    assert after[1] == before[1], f"sqlite .dump changed by a refused bundle: {message}"
    target.unlink()
    bundle.unlink()
    return message


REASON_BUCKETS = [  # (phrase in the message, which check refused it)
    ("is a record of another site", "reader: site bundle carries another owner's record"),
    ("inside a", "authority: part of a whole another site owns"),
    ("a network-level record", "authority: network-level record"),
    ("only the network coordinator adds sites", "authority: no new sites"),
    ("own site record", "authority: coordinator fields of own site record"),
    ("may change only its own records", "authority: record owned or named elsewhere"),
    ("change clock", "reader: clock stamp"),
    ("sequence number", "reader: sequence"),
    ("different key", "digest: not the trusted coordinator key"),
    ("not valid JSON", "reader: NaN/Infinity token"),
    ("nested", "reader: nesting"),
    ("numerator cannot be larger", "importer: numerator above denominator"),
    ("value", "reader: value check (entities)"),
]


def _reason(message: str) -> str:
    """Which check refused a bundle, from its one-line message."""
    return next((bucket for phrase, bucket in REASON_BUCKETS if phrase in message),
                message.split("was not imported: ", 1)[-1][:60])


def mine(records: Records, kind: str) -> list[dict[str, Any]]:
    return records.get(kind, [])


def pick(data: st.DataObject, items: list, label: str) -> Any:
    return data.draw(st.sampled_from(items), label=label)


EDITABLE = {  # kind -> a free text field to change
    "network": "description", "site": "name", "charter": "norms", "measure": "definition",
    "observation": "note", "fishbone": "problem", "fishbone_category": "name",
    "cause": "evidence", "pdsa_cycle": "objective", "pdsa_question": "prediction",
    "meeting": "notes", "agenda_item": "material", "aim": "population",
    "driver_diagram": "name", "driver_node": "description", "change_idea": "description",
    "action_item": "owner", "pdsa_ramp": "title", "member": "responsibilities",
    "chart_phase": "reason", "annotation": "text",
}
words = st.text(st.characters(codec="ascii", categories=("L", "N", "Zs")), min_size=1,
                max_size=20).filter(str.strip)


# ------------------------------------------------------------------ the control
def test_genuine_bundle_resigned_unchanged_is_accepted(world: World) -> None:
    """The re-signing itself is sound: A's bundle, re-signed unchanged, imports."""
    bundle = resign(world.genuine, world.bundle_path(), world.a_key)
    target = world.coordinator_copy()
    with Workspace.open(target) as ws:
        summary = import_bundle(ws, bundle)
    assert summary.new == 1 and not summary.already
    # and the comparison the attacks rely on sees an accepted bundle, clock included
    after = both_dumps(target)
    assert after[0] != world.coord_dumps[0] and after[1] != world.coord_dumps[1]
    clock = [line for line in after[1].splitlines() if "'clock_last'" in line]
    assert clock and clock[0] not in world.coord_dumps[1]


# ------------------------------------------------------------------ ownership
@sized(50)
@given(data=st.data())
def test_owner_never_moves(world: World, data: st.DataObject) -> None:
    """Any of A's records given to B or to the coordinator's site, with or without a
    newer edit."""
    EXAMPLES["owner_never_moves"] += 1
    kind = pick(data, sorted(EDITABLE.keys() - {"network", "charter"}), "kind")
    owner = pick(data, [world.site_b, world.hub, "no-such-site"], "owner")
    index = data.draw(st.integers(0, 10))
    edit = data.draw(st.booleans(), label="edit too")
    text = data.draw(words)

    def change(records: Records) -> None:
        rows = mine(records, kind)
        row = rows[index % len(rows)]
        row["owner_site_id"] = owner
        if edit:
            touch(world, row, **{EDITABLE[kind]: text})

    attack(world, change)


@sized(120)
@given(data=st.data())
def test_foreign_rows_cannot_be_taken_over(world: World, data: st.DataObject) -> None:
    """B's rows and the network's (network, charter, measure, fishbone, meeting…, the
    Hub and B site records): edited, tombstoned, or A's own record wearing their id."""
    EXAMPLES["foreign_takeover"] += 1
    kind, rid = pick(data, sorted(world.foreign), "target")
    mode = pick(data, ["A's record, their id", "their record, owner A",
                       "their record, owner kept", "tombstone, owner A",
                       "tombstone, owner kept"], "mode")
    text = data.draw(words)
    field = EDITABLE.get(kind)

    def change(records: Records) -> None:
        if mode == "A's record, their id":
            rows = mine(records, kind)
            if not rows:  # A has no record of this kind (network, charter): make one up
                row = copy.deepcopy(world.foreign[(kind, rid)])
                row["owner_site_id"] = world.site_a
            else:
                row = copy.deepcopy(rows[0])
            row["id"] = rid
        else:
            row = copy.deepcopy(world.foreign[(kind, rid)])
            if mode.endswith("owner A"):
                row["owner_site_id"] = world.site_a
        if mode.startswith("tombstone"):
            touch(world, row, deleted=True)
        elif field:
            touch(world, row, **{field: text})
        records.setdefault(kind, []).append(row)
        records[kind] = list({r["id"]: r for r in records[kind]}.values())

    attack(world, change)


@sized(25)
@given(data=st.data())
def test_a_site_bundle_never_adds_a_site(world: World, data: st.DataObject) -> None:
    EXAMPLES["no_new_sites"] += 1
    owner = pick(data, ["A", "itself", "Hub"], "owner")
    parent = pick(data, [None, world.hub, world.site_a], "parent")
    name = data.draw(words)
    with_key = data.draw(st.booleans(), label="carries A's key")

    def change(records: Records) -> None:
        row = fresh(world, network_id=world.net, parent_id=parent, name=name,
                    kind="school", public_keys=[world.a_public] if with_key else [],
                    context_tags={})
        row["owner_site_id"] = {"A": world.site_a, "itself": row["id"],
                                "Hub": world.hub}[owner]
        records.setdefault("site", []).append(row)

    attack(world, change)


@sized(60)
@given(data=st.data())
def test_own_site_record_keeps_coordinator_fields(world: World, data: st.DataObject) -> None:
    """On its own site record A may change its name and tags, never its keys, parent,
    network or kind."""
    EXAMPLES["own_site_fields"] += 1
    field_, value = pick(data, [
        ("public_keys", "add the coordinator's key"), ("public_keys", "add a new key"),
        ("public_keys", "none"), ("public_keys", "a string"),
        ("parent_id", None), ("parent_id", "B"), ("parent_id", "itself"),
        ("parent_id", "random"), ("network_id", "random"), ("kind", "state agency"),
        ("kind", "district"), ("kind", "research partner")], "change")
    also_name = data.draw(st.booleans(), label="rename too")
    name = data.draw(words)

    def change(records: Records) -> None:
        row = next(r for r in records["site"] if r["id"] == world.site_a)
        new: Any = value
        if field_ == "public_keys":
            current = list(row["public_keys"])
            new = {"add the coordinator's key": [*current, world.hub_public],
                   "add a new key": [*current, _spare_key_line()],
                   "none": [], "a string": world.a_public}[value]
        elif field_ == "parent_id":
            new = {None: None, "B": world.site_b, "itself": world.site_a,
                   "random": str(uuid.uuid4())}[value]
        elif field_ == "network_id":
            new = str(uuid.uuid4())
        changes = {field_: new}
        if also_name:
            changes["name"] = name
        touch(world, row, **changes)

    attack(world, change)


def _spare_key_line() -> str:
    """A well-formed public key nobody enrolled (made without touching any key dir)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from nicdesk.bundle.minisign import public_of

    return public_of(Ed25519PrivateKey.generate()).line()


# ------------------------------------------------------------------ network level
NETWORK_LEVEL = ["measure", "aim", "fishbone", "meeting", "driver_diagram"]


@sized(60)
@given(data=st.data())
def test_site_bundle_never_writes_network_level_records(world: World,
                                                        data: st.DataObject) -> None:
    """A new measure, aim, fishbone, meeting or driver diagram naming no site (the
    network's), or naming B; a new charter; a new network."""
    EXAMPLES["network_level_create"] += 1
    kind = pick(data, [*NETWORK_LEVEL, "charter", "network"], "kind")
    site = pick(data, [None, "B", "Hub"], "site_id")
    owner = pick(data, ["A", "Hub"], "owner")
    text = data.draw(words)

    def change(records: Records) -> None:
        named = {None: None, "B": world.site_b, "Hub": world.hub}[site]
        values: dict[str, Any] = {
            "measure": dict(network_id=world.net, site_id=named, name=text,
                            value_type="count", kind="outcome"),
            "aim": dict(network_id=world.net, site_id=named, statement=text),
            "fishbone": dict(network_id=world.net, site_id=named, title=text,
                             problem=text),
            "meeting": dict(network_id=world.net, site_id=named, title=text),
            "driver_diagram": dict(network_id=world.net, site_id=named, name=text),
            "charter": dict(network_id=world.net, norms=text),
            "network": dict(name=text, suppression_threshold=10),
        }[kind]
        row = fresh(world, **values)
        if owner == "Hub":
            row["owner_site_id"] = world.hub
        records.setdefault(kind, []).append(row)

    attack(world, change)


@sized(30)
@given(data=st.data())
def test_network_settings_stay_the_coordinators(world: World, data: st.DataObject) -> None:
    """The network record with a threshold of 1 (un-suppressing small cells) or A's key
    as the coordinator's; the charter rewritten."""
    EXAMPLES["network_settings"] += 1
    what = pick(data, ["threshold 1", "A as coordinator", "both", "charter norms",
                       "network name"], "what")
    owner = pick(data, ["kept", "A"], "owner")
    text = data.draw(words)

    def change(records: Records) -> None:
        kind = "charter" if what == "charter norms" else "network"
        (key,) = world.foreign_of(kind)
        row = copy.deepcopy(world.foreign[key])
        if owner == "A":
            row["owner_site_id"] = world.site_a
        changes: dict[str, Any] = {
            "threshold 1": {"suppression_threshold": 1},
            "A as coordinator": {"coordinator_public_key": world.a_public},
            "both": {"suppression_threshold": 1, "coordinator_public_key": world.a_public},
            "charter norms": {"norms": text},
            "network name": {"name": text},
        }[what]
        touch(world, row, **changes)
        records.setdefault(kind, []).append(row)

    attack(world, change)


# ------------------------------------------------------------------ parts and sites
#: part kind -> the fields naming its whole (or wholes), and a value to give it
PARTS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "fishbone_category": (("fishbone_id",), {"name": "Extra", "position": 1}),
    "cause": (("fishbone_id", "category_id"), {"text": "Planted"}),
    "cause_driver_link": (("cause_id",), {}),
    "driver_node": (("diagram_id",), {"level": "primary", "text": "Planted",
                                      "position": 2}),
    "driver_link": (("diagram_id", "parent_node_id", "child_node_id"), {}),
    "node_measure": (("node_id",), {}),
    "diagram_snapshot": (("diagram_id",), {"name": "Snapshot", "content": {}}),
    "change_idea": (("node_id",), {"title": "Planted idea"}),
    "pdsa_question": (("cycle_id",), {"question": "Planted?", "position": 1}),
    "pdsa_measure": (("cycle_id",), {}),
    "agenda_item": (("meeting_id",), {"title": "Planted", "position": 1}),
    "action_item": (("meeting_id",), {"text": "Planted"}),
}


def _whole_refs(world: World, owner: str, part: str) -> dict[str, str]:
    """References from a `part` into a whole that `owner` owns (B's or the network's)."""
    def first(kind: str, **match: str) -> str:
        return next(rid for (k, rid), v in sorted(world.foreign.items()) if k == kind and
                    v["owner_site_id"] == owner and all(v[f] == x for f, x in match.items()))

    fishbone = first("fishbone")
    diagram = first("driver_diagram")
    nodes = [rid for (k, rid), v in sorted(world.foreign.items())
             if k == "driver_node" and v["diagram_id"] == diagram]
    refs = {"fishbone_id": fishbone, "category_id": first("fishbone_category",
                                                          fishbone_id=fishbone),
            "cause_id": first("cause"), "diagram_id": diagram, "node_id": nodes[0],
            "parent_node_id": nodes[0], "child_node_id": nodes[1],
            "meeting_id": first("meeting")}
    if owner == world.site_b:
        refs["cycle_id"] = first("pdsa_cycle")
    return {f: refs[f] for f in PARTS[part][0]}


@sized(80)
@given(data=st.data())
def test_parts_belong_to_their_whole(world: World, data: st.DataObject) -> None:
    """A new part (cause, category, node, link, snapshot, change idea, question, agenda
    or action item…) inside B's or the network's whole, or one of A's own parts moved
    there."""
    EXAMPLES["parts_of_foreign_whole"] += 1
    part = pick(data, sorted(PARTS), "part")
    whose = "B" if part in ("pdsa_question", "pdsa_measure") else \
        pick(data, ["B", "network"], "whose")
    move = data.draw(st.booleans(), label="move A's own part")
    owner = world.site_b if whose == "B" else world.hub
    refs = _whole_refs(world, owner, part)
    on_track = world.foreign_of("measure", owner=world.hub)[0][1]

    def change(records: Records) -> None:
        rows = mine(records, part)
        if move and rows:
            touch(world, rows[0], **refs)
            return
        values = dict(PARTS[part][1], **refs)
        if part in ("node_measure", "pdsa_measure"):
            values["measure_id"] = on_track
        if part == "cause_driver_link":  # A's own driver node, B's (or the network's) cause
            values["node_id"] = mine(records, "driver_node")[0]["id"]
        if part == "change_idea":
            values["network_id"] = world.net
        records.setdefault(part, []).append(fresh(world, **values))

    attack(world, change)


def test_a_cycle_cannot_join_another_sites_ramp(world: World) -> None:
    b_ramp = world.foreign_of("pdsa_ramp", owner=world.site_b)[0][1]
    attack(world, lambda records: touch(world, records["pdsa_cycle"][0], ramp_id=b_ramp))


#: new records that name a site, with values
NAMING = {
    "observation": lambda w: dict(measure_id=w.on_track, period="2026-01-01", value=0.5,
                                  numerator=5, denominator=10),
    "pdsa_cycle": lambda w: dict(title="Planted cycle"),
    "pdsa_ramp": lambda w: dict(title="Planted ramp"),
    "member": lambda w: dict(name="Planted member"),
    "chart_phase": lambda w: dict(measure_id=w.on_track, kind="rebase",
                                  start="2026-01-01"),
    "annotation": lambda w: dict(measure_id=w.on_track, date="2026-01-01", text="x"),
    "meeting": lambda w: dict(network_id=w.net, title="Planted meeting"),
    "fishbone": lambda w: dict(network_id=w.net, problem="Planted"),
    "measure": lambda w: dict(network_id=w.net, name="Planted measure"),
    "aim": lambda w: dict(network_id=w.net, statement="Planted aim"),
    "driver_diagram": lambda w: dict(network_id=w.net, name="Planted diagram"),
}
ALWAYS_A_SITE = ("observation", "pdsa_cycle", "pdsa_ramp", "member", "chart_phase",
                 "annotation")


@sized(50)
@given(data=st.data())
def test_records_name_only_the_signing_site(world: World, data: st.DataObject) -> None:
    """One of A's records (observation, cycle, ramp, member, phase, annotation, meeting,
    fishbone, measure, aim, diagram) made to name B, the coordinator's site or no site
    (the network) — or a new one naming them — while still claiming to be A's."""
    EXAMPLES["site_id_swap"] += 1
    kind = pick(data, sorted(NAMING), "kind")
    named = pick(data, ["B", "Hub"] if kind in ALWAYS_A_SITE else ["B", "Hub", None],
                 "names")
    new = data.draw(st.booleans(), label="a new record")
    index = data.draw(st.integers(0, 10), label="which")
    site = {"B": world.site_b, "Hub": world.hub, None: None}[named]

    def change(records: Records) -> None:
        rows = mine(records, kind)
        if new or not rows:
            records.setdefault(kind, []).append(fresh(world, site_id=site,
                                                      **NAMING[kind](world)))
        else:
            touch(world, rows[index % len(rows)], site_id=site)

    attack(world, change)


# ------------------------------------------------------------------ clocks and numbers
def _bad_stamps(device: str) -> list[Any]:
    day = DAY_MS
    return [
        "9-0-x",
        Hlc(86_400_000, 0, device).encode(),  # 1970
        Hlc(4_102_444_800_000, 0, device).encode(),  # 2100
        Hlc(now_ms() + 3 * day, 0, device).encode(),  # three days ahead
        Hlc(1_559_347_200_000, 0, device).encode(),  # 2019-06-01: before 2020
        Hlc(now_ms(), 0, device).encode().replace(device, "laptop-A-x"),  # extra dashes
        Hlc(now_ms(), 0, device).encode() + "-",
        "0" + Hlc(now_ms(), 0, device).encode(),  # one digit too many
        Hlc(now_ms(), 0, device).encode()[1:],  # one digit too few
        Hlc(now_ms(), 0, "x" * 60).encode(),  # device name too long
        "99999999999999999999-000000-x",
        f"{now_ms():015d}-0-{device}",
        123, None, ["x"], {"a": 1}, True,
    ]


@sized(100)
@given(data=st.data())
def test_bad_clocks(world: World, data: st.DataObject) -> None:
    EXAMPLES["bad_clocks"] += 1
    kind = pick(data, sorted(EDITABLE.keys() - {"network", "charter"}), "kind")
    where = pick(data, ["hlc", "field", "base"], "which clock")
    junk = st.text(max_size=30).filter(lambda t: t != "")
    bad = data.draw(st.one_of(st.sampled_from(_bad_stamps(world.device_a)), junk),
                    label="stamp")
    from nicdesk.core.clock import check_stamp

    if isinstance(bad, str) and check_stamp(bad, now_ms()) is None:  # pragma: no cover
        bad = "9-0-x"
    index = data.draw(st.integers(0, 10))

    def change(records: Records) -> None:
        rows = mine(records, kind)
        row = rows[index % len(rows)]
        field_ = EDITABLE[kind]
        if where == "hlc":
            row["hlc"] = bad
        elif where == "field":
            row["field_clocks"][field_] = bad
        else:
            row["field_clocks"]["~" + field_] = bad

    attack(world, change)


BAD_SEQUENCES = [0, -5, 1.9, "7x", None, [1], 2**70, True, False, "2", 2**31, {}, 2.0,
                 -(2**63)]


@sized(40)
@given(sequence=st.one_of(st.sampled_from(BAD_SEQUENCES), st.integers(max_value=0),
                          st.integers(min_value=2**31, max_value=2**80),
                          st.floats(allow_nan=False, allow_infinity=False)))
def test_bad_sequences(world: World, sequence: Any) -> None:
    EXAMPLES["bad_sequences"] += 1
    attack(world, lambda records: None,
           manifest_change=lambda m: m.update(sequence=sequence))


NAN_TOKENS = [float("nan"), float("inf"), float("-inf")]


def _nested(depth: int) -> dict[str, Any]:
    value: Any = "x"
    for _ in range(depth - 1):
        value = {"k": value}
    return {"locale": value}


def _proportion(r: dict[str, Any]) -> bool:
    return r.get("numerator") is not None


def _count(r: dict[str, Any]) -> bool:
    return r.get("numerator") is None


def _anyone(r: dict[str, Any]) -> bool:
    return True


def _bad_value(world: World, case: str, data: st.DataObject
               ) -> tuple[str, dict[str, Any], Any]:
    """(kind, {field: bad value}, which of A's records) for one case."""
    if case == "value_type banana":
        return "measure", {"value_type": pick(data, ["banana", "", "PROPORTION"], "vt")}, \
            _count
    if case == "nan or infinity":
        name = pick(data, ["value", "numerator", "denominator"], "field")
        return "observation", {name: pick(data, NAN_TOKENS, "token")}, _proportion
    if case == "negative denominator":
        return "observation", {"denominator": -data.draw(st.integers(1, 10**6)),
                               "numerator": 0}, _proportion
    if case == "negative numerator":
        return "observation", {"numerator": -data.draw(st.integers(1, 10**6))}, \
            _proportion
    if case == "numerator above denominator":
        n = data.draw(st.integers(21, 10**6), label="numerator")
        return "observation", {"numerator": n, "denominator": 20}, _proportion
    if case == "period 9999-12-31":
        return "observation", {"period": pick(data, ["9999-12-31", "0001-01-01",
                                                     "2101-01-01"], "period")}, _count
    if case == "600-character name":
        kind, name = pick(data, [("fishbone", "title"), ("pdsa_cycle", "title"),
                                 ("meeting", "title"), ("measure", "name"),
                                 ("site", "name"), ("fishbone_category", "name"),
                                 ("agenda_item", "title"), ("driver_diagram", "name")],
                          "field")
        return kind, {name: "x" * data.draw(st.integers(501, 700), label="length")}, \
            _anyone
    if case == "deep context_tags":
        depth = data.draw(st.integers(2, 200), label="depth")
        return "site", {"context_tags": _nested(depth)}, _anyone
    if case == "public_keys a string":
        return "site", {"public_keys": world.a_public}, _anyone
    if case == "other out-of-range values":
        kind, changes = pick(data, [
            ("agenda_item", {"minutes": -1}), ("agenda_item", {"minutes": 100_000}),
            ("cause", {"votes": -3}), ("meeting", {"start_time": "25:99"}),
            ("pdsa_cycle", {"decision": "burn it"}), ("pdsa_cycle", {"cycle_number": -1}),
            ("observation", {"excluded": "yes"}), ("measure", {"direction": "sideways"}),
            ("observation", {"deleted": "yes"}), ("site", {"kind": "banana"}),
            ("meeting", {"attendees": "everyone"}), ("cause", {"whys": {"a": 1}}),
            ("site", {"context_tags": [1, 2]}), ("driver_node", {"level": "banana"}),
            ("fishbone", {"title": "bidi \u202e and NUL \x00"}),
        ], "change")
        return kind, changes, _anyone
    raise AssertionError(case)


BAD_VALUE_CASES = [
    "value_type banana", "nan or infinity", "negative denominator", "negative numerator",
    "numerator above denominator", "period 9999-12-31", "600-character name",
    "deep context_tags", "public_keys a string", "other out-of-range values"]


@pytest.mark.parametrize("case", BAD_VALUE_CASES)
@sized(20)
@given(data=st.data())
def test_bad_values(world: World, case: str, data: st.DataObject) -> None:
    """Values no form would accept, in A's own records (with newer clocks, so they would
    win): refused like every other damaged bundle."""
    EXAMPLES[f"bad_values[{case}]"] += 1
    kind, changes, which = _bad_value(world, case, data)
    index = data.draw(st.integers(0, 10), label="which")

    def change(records: Records) -> None:
        rows = [r for r in mine(records, kind) if which(r)]
        if kind == "site":
            rows = [r for r in rows if r["id"] == world.site_a]
        touch(world, rows[index % len(rows)], **changes)

    attack(world, change)


# ------------------------------------------------------------------ digests and replays
@sized(25)
@given(data=st.data())
def test_digest_forged_by_a_site_is_refused(world: World, data: st.DataObject) -> None:
    """A's bundle passed off as the coordinator's digest (kind "digest", signed with A's
    enrolled key) and imported at B — plain, announcing A's key as the coordinator's
    next, carrying a forged rotation chain, claiming to come from Hub, or changing B's
    own records."""
    EXAMPLES["forged_digest"] += 1
    extra = pick(data, ["plain", "rotate_to A", "rotations chain", "as Hub",
                        "with B's record changed"], "forgery")
    sequence = data.draw(st.integers(1, 10_000), label="sequence")
    acknowledged = data.draw(st.integers(1, 10_000), label="acknowledged for B")
    world.n += 1
    target = world.root / "runs" / f"b-{world.n}.nicdesk"
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(world.b, target)

    def manifest_change(m: dict[str, Any]) -> None:
        m.update(kind="digest", sequence=sequence, suppressed={},
                 acknowledged={world.site_b: acknowledged})
        if extra == "rotate_to A":
            m["rotate_to"] = world.a_public
        elif extra == "rotations chain":
            hub_id = minisign.parse_public_key(world.hub_public).key_id_hex
            statement = json.dumps({"format": "nicdesk-key-rotation", "network_id":
                                    world.net, "from": hub_id, "to": world.a_public})
            m["rotations"] = [{"statement": statement, "signature": minisign.sign(
                world.a_key, statement.encode(), "rotate", "forged")}]
            m["rotated_from"] = hub_id
        elif extra == "as Hub":
            m["site_id"] = world.hub

    def change(records: Records) -> None:
        if extra == "with B's record changed":
            key = world.foreign_of("observation", owner=world.site_b)[0]
            row = copy.deepcopy(world.foreign[key])
            touch(world, row, note="forged by A")
            records["observation"].append(row)

    message = attack(world, change, at=target, manifest_change=manifest_change)
    assert "coordinator" in message or "different key" in message, message


def test_sequence_reused_with_other_content_is_refused(world: World) -> None:
    """A's bundle 1 again is a harmless replay; a bundle 1 with other content (a restored
    backup, or an attempt to slip a change in) is refused, naming the backup."""
    target = world.coordinator_copy()
    with Workspace.open(target) as ws:
        again = import_bundle(ws, world.first)
    assert again.already and "already imported" in again.text()
    assert both_dumps(target) == world.coord_dumps

    def change(manifest: dict[str, Any], records: Records) -> None:
        touch(world, records["observation"][0], note="written after a restore")

    other = resign(world.first, world.bundle_path(), world.a_key, change=change)
    assert read_records(other)[0]["sequence"] == 1
    with Workspace.open(target) as ws, pytest.raises(BundleError) as err:
        import_bundle(ws, other)
    assert one_line_refusal(err.value.message), err.value.message
    assert "backup" in err.value.message, err.value.message
    assert both_dumps(target) == world.coord_dumps
    with Workspace.open(target) as ws:  # and the genuine one is still a harmless replay
        assert import_bundle(ws, world.first).already
    assert both_dumps(target) == world.coord_dumps


@sized(25)
@given(data=st.data())
def test_replayed_sequence_with_any_other_content(world: World, data: st.DataObject) -> None:
    """Bundle 1 of A re-signed with any small change keeps its number: always refused."""
    EXAMPLES["sequence_replay"] += 1
    kind = pick(data, sorted(EDITABLE.keys() - {"network", "charter"}), "kind")
    text = data.draw(words)
    same_records = data.draw(st.booleans(), label="only the manifest differs")
    target = world.coordinator_copy()

    def change(manifest: dict[str, Any], records: Records) -> None:
        if same_records:
            manifest["created"] = "2030-01-01T00:00:00+00:00"
        else:
            touch(world, records[kind][0], **{EDITABLE[kind]: text})

    other = resign(world.first, world.bundle_path(), world.a_key, change=change)
    with Workspace.open(target) as ws, pytest.raises(BundleError) as err:
        import_bundle(ws, other)
    assert one_line_refusal(err.value.message) and "backup" in err.value.message
    assert both_dumps(target) == world.coord_dumps
    target.unlink()
