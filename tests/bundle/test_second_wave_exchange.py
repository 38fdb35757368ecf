"""The second-wave kinds (migration 0008) in the exchange as a whole, with genuinely
enrolled keys: re-signed genuine bundles import (the forging is sound), forged bundles
imported together with genuine ones (`services.exchange.import_many`) are refused alone,
the coordinator's digest brings every new kind to a site exactly as the hub holds it,
and a site's private fields never leave it.  The network: second_wave_world.py.
"""

from __future__ import annotations

import json
import shutil
import zipfile

import pytest
from sqlalchemy import select

from nicdesk.bundle.format import to_json
from nicdesk.bundle.importer import import_bundle
from nicdesk.services.exchange import import_many
from nicdesk.store.schema import MODELS
from nicdesk.store.workspace import Workspace

from .exchange_helpers import both_dumps, export, json_dump, one_line_refusal, read_records, resign
from .second_wave_world import NEW_KINDS, World, build_world, clone, held, own, touch


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("second_wave_exchange"))


def test_control_the_resigned_genuine_bundles_import(world: World) -> None:
    """The forging is sound: A's full bundle and delta, re-signed unchanged, import and
    carry every new kind A owns."""
    for source in (world.genuine, world.delta):
        bundle = resign(source, world.bundle_path(), world.a_key)
        target = world.coordinator_copy()
        with Workspace.open(target) as ws:
            import_bundle(ws, bundle)
    _m, records = read_records(world.genuine)
    for kind in ("site_enrolment", "comment", "coaching_feedback", "change_adoption",
                 "progress_score", "milestone"):
        assert records.get(kind), kind


# ------------------------------------------------------------------ several at once
def test_import_many_refuses_the_forged_one_and_keeps_the_rest(world: World) -> None:
    """A forged A bundle imported together with B's genuine one: A's refused, B's
    applied — as if B's alone were imported; nothing of A's attack stays."""
    forged = resign(world.genuine, world.bundle_path(), world.a_key,
                    change=lambda _m, r: r["comment"].append(touch(
                        world, held(world, "comment", world.ids["b_comment"]),
                        resolved=True, text="B gives up")))
    alone = world.coordinator_copy()
    with Workspace.open(alone) as ws:
        import_bundle(ws, world.b_genuine)
    target = world.coordinator_copy()
    for order in ([forged, world.b_genuine], [world.b_genuine, forged]):
        shutil.copyfile(world.coord, target)
        with Workspace.open(target) as ws:
            outcomes = import_many(ws, list(order))
        verdict = {o.path: o.refused for o in outcomes}
        assert verdict == {forged: True, world.b_genuine: False}, outcomes
        [refusal] = [o.message for o in outcomes if o.refused]
        assert one_line_refusal(refusal), refusal
        assert json_dump(target) == json_dump(alone)
        assert "B gives up" not in json_dump(target)


def test_import_many_of_only_forged_bundles_changes_nothing(world: World) -> None:
    one = resign(world.genuine, world.bundle_path(), world.a_key,
                 change=lambda _m, r: touch(world, own(r, "milestone",
                                                       world.ids["a_milestone"]),
                                            site_id=None))
    two = resign(world.delta, world.bundle_path(), world.a_key,
                 change=lambda _m, r: r.setdefault("student_group", []).append(
                     clone(world, held(world, "student_group", world.ids["low"]),
                           owner_site_id=world.site_a)))
    target = world.coordinator_copy()
    with Workspace.open(target) as ws:
        outcomes = import_many(ws, [one, two])
    assert [o.refused for o in outcomes] == [True, True], outcomes
    assert all(one_line_refusal(o.message) for o in outcomes), outcomes
    assert both_dumps(target) == world.coord_dumps


# ------------------------------------------------------------------ the digest
def test_the_hubs_digest_brings_every_new_kind_to_a_site(world: World) -> None:
    """What A holds after the digest is exactly what the hub holds (for the records A
    does not own), for every new kind — groups, the tombstone of "Gone", B's records."""
    with Workspace.open(world.coord) as ws, ws.read() as s:
        hub = {(k, r.id): to_json(k, r) for k in NEW_KINDS
               for r in s.scalars(select(MODELS[k])) if r.owner_site_id != world.site_a}
    theirs = {key: v for key, v in world.foreign.items() if key[0] in NEW_KINDS}
    assert set(hub) == set(theirs)
    for key, record in hub.items():
        assert theirs[key] == record, key
    assert theirs[("student_group", world.ids["gone"])]["deleted"] is True
    for kind in ("site_enrolment", "comment", "coaching_feedback", "change_adoption",
                 "progress_score", "milestone"):
        assert any(k == kind and v["owner_site_id"] == world.site_b
                   for (k, _id), v in theirs.items()), kind


def test_private_fields_never_leave_a_site(world: World,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Member e-mails, cycle and site private notes stay home: not in A's bundles,
    not in the hub's digest (which could only hold what reached it)."""
    monkeypatch.setenv("NICDESK_DATA_DIR", str(world.root / "data"))  # the hub's key
    digest = export(world.coordinator_copy(), world.bundle_path(), "digest")
    for bundle in (world.genuine, world.delta, world.b_genuine, digest):
        with zipfile.ZipFile(bundle) as zf:
            text = b"".join(zf.read(n) for n in zf.namelist()).decode()
        for secret in ("secret@example.org", "private cycle notes", "private site notes"):
            assert secret not in text, (bundle.name, secret)
        _m, records = read_records(bundle)
        for row in records.get("member", []):
            assert "email" not in row and "~email" not in json.dumps(row["field_clocks"])
        for row in records.get("pdsa_cycle", []) + records.get("site", []):
            assert "private_notes" not in row


