"""The network the second-wave authority attacks run against (migration 0008 kinds:
equity and learning routines), and the forging helpers: genuine bundles of an enrolled
site A, changed and re-signed with A's real key (see test_second_wave_authority.py).

The network: a coordinator (Hub) with schools A and B.  The hub owns a student-group
dimension "Income" with the groups "Low income" and "Gone" (the latter deleted: a
tombstone) and a network change idea.  Each school has a member (a coach, with a private
e-mail), a PDSA cycle (private notes), a comment, a site enrolment (total and for a
group), a change adoption, coaching feedback, a progress score, a milestone, a
gap-closing aim and two observations (all students and "Low income").  A's and B's
first bundles went to the hub and its digest back to both, so A holds B's and the
network's records.  A then wrote a reply to B's comment and a new month of data, and
exported bundle 2 (full) and, after that, a delta (base 1, confirmed by the digest);
neither imported anywhere: the genuine bundles every attack starts from.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from nicdesk.bundle import keys
from nicdesk.bundle.format import ORDER, to_json
from nicdesk.bundle.importer import BundleError, import_bundle
from nicdesk.services.exchange import export as service_export
from nicdesk.store.schema import MODELS
from nicdesk.store.workspace import Workspace

from .exchange_helpers import (
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

Records = dict[str, list[dict[str, Any]]]
NEW_KINDS = ("group_dimension", "student_group", "site_enrolment", "comment",
             "coaching_feedback", "change_adoption", "progress_score", "milestone")


class World(AttackRuns):
    """The module's network: paths, A's key, ids and the hub's dumps before attacks."""

    root: Path
    coord: Path
    a: Path
    b: Path
    genuine: Path  # A's full bundle 2, never imported
    delta: Path  # A's delta bundle 3 (base 1), never imported
    b_genuine: Path  # B's bundle 2, never imported
    a_key: Any
    device_a: str
    net: str
    hub: str
    site_a: str
    site_b: str
    ids: dict[str, str]  # name -> record id (dimension, low, gone, ...)
    foreign: dict[tuple[str, str], dict[str, Any]]  # records A holds but does not own
    coord_dumps: tuple[str, str]

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)
        self.n = 0


def school_records(path: Path, tag: str, world_ids: dict[str, str]) -> dict[str, str]:
    """A school's records of every new kind, written through the real operations."""
    known = ids(path)
    me, net, on_track = known["local"], known["network"], known["measures"]["On track"]
    out: dict[str, str] = {}
    with Workspace.open(path) as ws:
        c = ws.ops.create
        out["member"] = c("member", site_id=me, name=f"{tag} coach", role="coach",
                          email=f"{tag.lower()}-secret@example.org").id
        out["cycle"] = c("pdsa_cycle", site_id=me, title=f"{tag} check-ins",
                         cycle_number=1, private_notes=f"{tag} private cycle notes").id
        out["comment"] = c("comment", network_id=net, site_id=me, author_id=out["member"],
                           subject_kind="pdsa_cycle", subject_id=out["cycle"],
                           text=f"{tag}: how is it going?",
                           posted="2026-11-20T10:00:00Z").id
        out["enrolment"] = c("site_enrolment", site_id=me, school_year="2025-26",
                             students=400).id
        out["group_enrolment"] = c("site_enrolment", site_id=me, school_year="2025-26",
                                   group_id=world_ids["low"], students=120).id
        out["adoption"] = c("change_adoption", change_idea_id=world_ids["idea"], site_id=me,
                            status="testing", since="2025-10-01").id
        out["feedback"] = c("coaching_feedback", cycle_id=out["cycle"], site_id=me,
                            author_id=out["member"], given="2025-10-02",
                            strengths="Clear predictions").id
        out["score"] = c("progress_score", network_id=net, site_id=me, score="2.0",
                         date="2025-10-01").id
        out["milestone"] = c("milestone", network_id=net, site_id=me, title=f"{tag} kickoff",
                             kind="first cycles", planned="2025-10-15").id
        out["obs_all"] = c("observation", measure_id=on_track, site_id=me,
                           period="2025-09-01", value=0.6, numerator=12,
                           denominator=20).id
        out["obs_low"] = c("observation", measure_id=on_track, site_id=me,
                           period="2025-09-01", group_id=world_ids["low"], value=0.5,
                           numerator=5, denominator=10).id
        out["aim"] = c("aim", network_id=net, site_id=me, statement=f"{tag}: close the gap",
                       measure_id=on_track, focus_group_id=world_ids["low"],
                       gap_kind="difference", baseline_gap=0.2, target_gap=0.05,
                       deadline="2026-06-30").id
        ws.ops.update("site", me, private_notes=f"{tag} private site notes", name=tag)
    return out


def deliver(bundle: Path, *paths: Path) -> None:
    for path in paths:
        with Workspace.open(path) as ws:
            import_bundle(ws, bundle)



def build_world(root: Path) -> World:
    """The network above, built under `root` (keys in root/data)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NICDESK_DATA_DIR", str(root / "data"))
        coord, sites = make_network(root, ("A", "B"))
        known = ids(coord)
        w: dict[str, str] = {}
        with Workspace.open(coord) as ws:
            c = ws.ops.create
            w["dimension"] = c("group_dimension", network_id=known["network"],
                               name="Income", position=0).id
            w["low"] = c("student_group", dimension_id=w["dimension"], name="Low income",
                         position=0).id
            w["gone"] = c("student_group", dimension_id=w["dimension"], name="Gone",
                          position=1).id
            w["idea"] = c("change_idea", network_id=known["network"],
                          title="Advisory check-ins").id
        deliver(export(coord, root / "d0.nicbundle", "digest"), *sites.values())
        with Workspace.open(coord) as ws:
            ws.ops.delete("student_group", w["gone"])
        a_own = school_records(sites["A"], "A", w)
        b_own = school_records(sites["B"], "B", w)
        w.update({f"a_{k}": v for k, v in a_own.items()})
        w.update({f"b_{k}": v for k, v in b_own.items()})
        deliver(export(sites["A"], root / "a1.nicbundle"), coord)
        deliver(export(sites["B"], root / "b1.nicbundle"), coord)
        deliver(export(coord, root / "d1.nicbundle", "digest"), *sites.values())
        # more of A's work: a genuine reply to B's comment, a new month of data
        with Workspace.open(sites["A"]) as ws:
            me = ws.meta()["local_site_id"]
            w["a_reply"] = ws.ops.create(
                "comment", network_id=known["network"], site_id=me,
                author_id=a_own["member"], subject_kind="pdsa_cycle",
                subject_id=b_own["cycle"], parent_id=b_own["comment"],
                text="A: we tried it too").id
            ws.ops.create("observation", measure_id=known["measures"]["On track"],
                          site_id=me, period="2025-10-01", value=0.7, numerator=14,
                          denominator=20)
        genuine = export(sites["A"], root / "a2.nicbundle")
        with Workspace.open(sites["B"]) as ws:
            ws.ops.update("milestone", b_own["milestone"], done="2025-10-20")
        b_genuine = export(sites["B"], root / "b2.nicbundle")
        # the delta: the hub's digest confirmed bundle 1, so A's next bundle builds on it
        with Workspace.open(sites["A"]) as ws:
            ws.ops.update("milestone", a_own["milestone"], done="2025-10-21")
            service_export(ws, root / "a3-delta.nicbundle")
        delta = root / "a3-delta.nicbundle"
        with Workspace.open(sites["A"]) as ws:
            meta = ws.meta()
            pair = keys.load(meta["signing_key"])
            foreign = {}
            with ws.read() as s:
                for kind in ORDER:
                    for row in s.scalars(select(MODELS[kind])):
                        if row.owner_site_id != meta["local_site_id"]:
                            foreign[(kind, row.id)] = to_json(kind, row)
    ids_a = ids(sites["A"])
    assert read_records(delta)[0].get("base_sequence") == 1, read_records(delta)[0]
    return World(root=root, coord=coord, a=sites["A"], b=sites["B"], genuine=genuine,
                 delta=delta, b_genuine=b_genuine, a_key=pair.private,
                 device_a=meta["device_id"], net=ids_a["network"],
                 hub=ids_a["sites"]["Hub"], site_a=ids_a["sites"]["A"],
                 site_b=ids_a["sites"]["B"], ids=w, foreign=foreign,
                 coord_dumps=both_dumps(coord))



# ------------------------------------------------------------------ forging
def touch(world: World, record: dict[str, Any], **values: Any) -> dict[str, Any]:
    """Change fields as a newer edit would: a newer clock for each, the old as base."""
    new = stamp(world.device_a, 1000)
    clocks = dict(record.get("field_clocks") or {})
    for name, value in values.items():
        record[name] = value
        if name in clocks:
            clocks["~" + name] = clocks[name]
        clocks[name] = new
    record["field_clocks"] = clocks
    record["hlc"] = new
    return record


def clone(world: World, record: dict[str, Any], **values: Any) -> dict[str, Any]:
    """A NEW record shaped like `record` (a new id, every field freshly clocked)."""
    now = stamp(world.device_a, 1000)
    new = {**copy.deepcopy(record), "id": str(uuid.uuid4()), "hlc": now, **values}
    new["field_clocks"] = {k: now for k in new
                           if k not in ("id", "owner_site_id", "hlc", "field_clocks")}
    return new


def own(records: Records, kind: str, record_id: str) -> dict[str, Any]:
    return next(r for r in records[kind] if r["id"] == record_id)


def held(world: World, kind: str, record_id: str) -> dict[str, Any]:
    """A copy of another owner's record as A's workspace holds it."""
    return copy.deepcopy(world.foreign[(kind, record_id)])


def refuse(world: World, change: Callable[[Records], object], *, source: Path | None = None,
           expect: tuple[str, ...] = ()) -> str:
    """A's genuine bundle (or `source`), changed by `change(records)`, re-signed with
    A's key and imported at a fresh copy of the hub: refused in one clear line, the
    file unchanged."""
    bundle = resign(source or world.genuine, world.bundle_path(), world.a_key,
                    change=lambda _m, records: change(records))
    target = world.coordinator_copy()
    with Workspace.open(target) as ws, pytest.raises(BundleError) as err:
        import_bundle(ws, bundle)
    message = err.value.message
    assert one_line_refusal(message), message
    assert "signature" not in message and "changed after" not in message, message
    assert "unexpected" not in message, message
    for phrase in expect:
        assert phrase in message, message
    after = both_dumps(target)
    assert after[0] == world.coord_dumps[0], f"dump --json changed: {message}"
    assert after[1] == world.coord_dumps[1], f"sqlite .dump changed: {message}"
    return message



def other_network_group(world: World) -> str:
    """A student group of ANOTHER network (its own workspace), never sent here."""
    path = world.root / "other-network.nicdesk"
    if not path.exists():
        with Workspace.create(path) as ws:
            net = ws.ops.create("network", name="Elsewhere").id
            dim = ws.ops.create("group_dimension", network_id=net, name="Language").id
            ws.ops.create("student_group", dimension_id=dim, name="English learners")
    with Workspace.open(path) as ws, ws.read() as s:
        return s.scalars(select(MODELS["student_group"].id)).one()



def hub_with_a_second_network(world: World) -> tuple[Path, str]:
    """A copy of the hub that also keeps a second network with a group of its own (a
    coordinator may run two networks from one file); the group's id."""
    target = world.coordinator_copy()
    with Workspace.open(target) as ws:
        other = ws.ops.create("network", name="Second network").id
        dim = ws.ops.create("group_dimension", network_id=other, name="Language").id
        group = ws.ops.create("student_group", dimension_id=dim, name="English learners").id
    return target, group
