"""Single-writer authority for the kinds of migration 0008 (equity, learning routines),
attacked with a GENUINELY ENROLLED site key.

The network (built once per module, second_wave_world.py): a coordinator (Hub)
with schools A and B, records of every new kind at each, exchanged once; then A's
genuine full bundle 2 and delta 3 (base 1), never imported anywhere.

Each attack changes A's genuine bundle, RE-SIGNS it with A's enrolled key (so the
signature checks out) and imports it at a fresh copy of the hub: it must be refused in
one line ending "Nothing was changed.", naming what is wrong, and the hub's file must be
identical afterwards — `nicdesk dump --json` and the sqlite `.dump` (workspace_meta and
so the clock included).

The tests named `..._was_a_hole` exposed a real gap when written (a forged bundle was
accepted, or refused in misleading words) and failed until the importer learnt the rule
(bundle/consistency_checks.py, the natural key of site enrolments, the group's words).
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from nicdesk.bundle.format import to_json
from nicdesk.bundle.importer import BundleError, import_bundle
from nicdesk.store.schema import MODELS
from nicdesk.store.workspace import Workspace

from .exchange_helpers import both_dumps, one_line_refusal, read_records, resign
from .second_wave_world import (
    Records,
    World,
    build_world,
    clone,
    held,
    hub_with_a_second_network,
    other_network_group,
    own,
    refuse,
    touch,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("second_wave"))


# ------------------------------------------------------------------ comments
def test_comment_naming_another_site_is_refused(world: World) -> None:
    def change(r: Records) -> None:
        mine = own(r, "comment", world.ids["a_comment"])
        r["comment"].append(clone(world, mine, site_id=world.site_b))
    refuse(world, change)


def test_comment_moved_to_another_site_is_refused(world: World) -> None:
    def change(r: Records) -> None:
        touch(world, own(r, "comment", world.ids["a_comment"]), site_id=world.site_b)
    refuse(world, change)


def test_reply_as_another_site_is_refused(world: World) -> None:
    """A reply that claims B wrote it (site and owner B)."""
    def change(r: Records) -> None:
        mine = own(r, "comment", world.ids["a_reply"])
        r["comment"].append(clone(world, mine, site_id=world.site_b,
                                  owner_site_id=world.site_b,
                                  author_id=world.ids["b_member"]))
    refuse(world, change, expect=("another site",))


def test_reply_with_an_author_of_another_site_was_a_hole(world: World) -> None:
    """A's own reply (site A) whose author is B's member: A speaks in B's name.  The
    workspace refuses this locally ("member of another site"); a bundle must too."""
    def change(r: Records) -> None:
        touch(world, own(r, "comment", world.ids["a_reply"]),
              author_id=world.ids["b_member"])
    refuse(world, change, expect=("author",))


def test_feedback_with_a_coach_of_another_site_was_a_hole(world: World) -> None:
    """A's coaching feedback signed by B's coach (author_id of B's member)."""
    def change(r: Records) -> None:
        touch(world, own(r, "coaching_feedback", world.ids["a_feedback"]),
              author_id=world.ids["b_member"])
    refuse(world, change, expect=("author",))


def test_resolving_another_sites_comment_is_refused(world: World) -> None:
    def change(r: Records) -> None:
        theirs = touch(world, held(world, "comment", world.ids["b_comment"]),
                       resolved=True)
        r["comment"].append(theirs)
    refuse(world, change, expect=("another site",))


def test_resolving_another_sites_comment_by_claiming_it_is_refused(world: World) -> None:
    def change(r: Records) -> None:
        theirs = touch(world, held(world, "comment", world.ids["b_comment"]),
                       resolved=True, site_id=world.site_a)
        theirs["owner_site_id"] = world.site_a
        r["comment"].append(theirs)
    refuse(world, change, expect=("B",))


def test_comment_made_network_level_is_refused(world: World) -> None:
    """A comment always names its site: emptying it must not make it the network's."""
    for value in ("", None):
        def change(r: Records, value=value) -> None:
            touch(world, own(r, "comment", world.ids["a_comment"]), site_id=value)
        refuse(world, change)


# ------------------------------------------------------------------ groups
def test_student_group_in_the_hubs_dimension_is_refused(world: World) -> None:
    def change(r: Records) -> None:
        low = held(world, "student_group", world.ids["low"])
        r.setdefault("student_group", []).append(
            clone(world, low, name="Forged group", owner_site_id=world.site_a))
    refuse(world, change, expect=("student group", "Hub owns"))


def test_renaming_the_hubs_group_is_refused(world: World) -> None:
    def change(r: Records) -> None:
        r.setdefault("student_group", []).append(
            touch(world, held(world, "student_group", world.ids["low"]), name="Renamed"))
    refuse(world, change)


def test_group_dimension_from_a_site_is_refused(world: World) -> None:
    def change(r: Records) -> None:
        dim = held(world, "group_dimension", world.ids["dimension"])
        r.setdefault("group_dimension", []).append(
            clone(world, dim, name="Forged dimension", owner_site_id=world.site_a))
    refuse(world, change, expect=("network",))


def test_group_dimension_with_its_own_group_from_a_site_is_refused(world: World) -> None:
    """A whole new dimension and a group in it, both claimed by A."""
    def change(r: Records) -> None:
        dim = clone(world, held(world, "group_dimension", world.ids["dimension"]),
                    name="Forged", owner_site_id=world.site_a)
        group = clone(world, held(world, "student_group", world.ids["low"]),
                      dimension_id=dim["id"], name="Forged", owner_site_id=world.site_a)
        r.setdefault("group_dimension", []).append(dim)
        r.setdefault("student_group", []).append(group)
    refuse(world, change)


# ------------------------------------------------------------------ site kinds
@pytest.mark.parametrize(("kind", "key"), [
    ("site_enrolment", "a_enrolment"), ("change_adoption", "a_adoption"),
    ("coaching_feedback", "a_feedback"), ("progress_score", "a_score"),
    ("milestone", "a_milestone"), ("comment", "a_comment")])
def test_new_record_for_another_site_is_refused(world: World, kind: str, key: str) -> None:
    """A new record naming B (owner left as A, as a careless forger would)."""
    def change(r: Records) -> None:
        r[kind].append(clone(world, own(r, kind, world.ids[key]), site_id=world.site_b))
    refuse(world, change)


@pytest.mark.parametrize(("kind", "key"), [
    ("site_enrolment", "a_enrolment"), ("change_adoption", "a_adoption"),
    ("coaching_feedback", "a_feedback"), ("progress_score", "a_score"),
    ("milestone", "a_milestone")])
def test_new_record_owned_by_another_site_is_refused(world: World, kind: str,
                                                    key: str) -> None:
    """A new record naming B and claiming B as its owner."""
    def change(r: Records) -> None:
        r[kind].append(clone(world, own(r, kind, world.ids[key]), site_id=world.site_b,
                             owner_site_id=world.site_b))
    refuse(world, change, expect=("another site",))


@pytest.mark.parametrize(("kind", "key"), [
    ("site_enrolment", "a_enrolment"), ("change_adoption", "a_adoption"),
    ("coaching_feedback", "a_feedback"), ("progress_score", "a_score"),
    ("milestone", "a_milestone")])
def test_moving_an_own_record_to_another_site_is_refused(world: World, kind: str,
                                                         key: str) -> None:
    def change(r: Records) -> None:
        touch(world, own(r, kind, world.ids[key]), site_id=world.site_b)
    refuse(world, change)


@pytest.mark.parametrize(("kind", "key"), [("progress_score", "a_score"),
                                           ("milestone", "a_milestone")])
@pytest.mark.parametrize(("empty", "words"), [("", "blank"), (None, "network")])
def test_moving_an_own_record_to_the_network_is_refused(world: World, kind: str, key: str,
                                                        empty: Any, words: str) -> None:
    """null: the network's record (refused by authority); '': not a site (refused by
    validation) — never stored either way."""
    def change(r: Records) -> None:
        touch(world, own(r, kind, world.ids[key]), site_id=empty)
    refuse(world, change, expect=(words,))


@pytest.mark.parametrize(("kind", "key"), [("progress_score", "a_score"),
                                           ("milestone", "a_milestone")])
@pytest.mark.parametrize(("empty", "words"), [("", "blank"), (None, "network")])
def test_new_network_level_record_from_a_site_is_refused(world: World, kind: str, key: str,
                                                         empty: Any, words: str) -> None:
    def change(r: Records) -> None:
        r[kind].append(clone(world, own(r, kind, world.ids[key]), site_id=empty))
    refuse(world, change, expect=(words,))


@pytest.mark.parametrize(("kind", "key"), [("site_enrolment", "a_enrolment"),
                                           ("change_adoption", "a_adoption"),
                                           ("coaching_feedback", "a_feedback")])
@pytest.mark.parametrize("empty", ["", None])
def test_site_kind_with_no_site_is_refused(world: World, kind: str, key: str,
                                           empty: Any) -> None:
    """Kinds that always name a site: emptying it is not a way to the network."""
    def change(r: Records) -> None:
        touch(world, own(r, kind, world.ids[key]), site_id=empty)
    refuse(world, change)


def test_editing_anothers_milestone_is_refused(world: World) -> None:
    def change(r: Records) -> None:
        r["milestone"].append(touch(world, held(world, "milestone",
                                                world.ids["b_milestone"]),
                                    done="2025-09-01"))
    refuse(world, change, expect=("another site",))


def test_feedback_on_a_cycle_that_does_not_exist_is_refused(world: World) -> None:
    def change(r: Records) -> None:
        touch(world, own(r, "coaching_feedback", world.ids["a_feedback"]),
              cycle_id=str(uuid.uuid4()))
    refuse(world, change)


def test_adoption_of_a_change_idea_that_does_not_exist_is_refused(world: World) -> None:
    def change(r: Records) -> None:
        touch(world, own(r, "change_adoption", world.ids["a_adoption"]),
              change_idea_id=str(uuid.uuid4()))
    refuse(world, change)


# ------------------------------------------------------------------ observations by group
def test_observation_for_a_group_of_another_network_is_refused(world: World) -> None:
    """Refused, nothing changed — the message is checked in the next test."""
    group = other_network_group(world)

    def change(r: Records) -> None:
        touch(world, own(r, "observation", world.ids["a_obs_low"]), group_id=group)
    refuse(world, change)


def test_unknown_group_message_names_the_group_message_was_a_hole(world: World) -> None:
    """At the hub — where every student group comes from — a group it does not have is
    not "not yet imported": it is unknown.  The refusal should say which record and
    field (a value for an unknown student group), not send the user looking for
    bundles that will never come."""
    group = other_network_group(world)

    def change(r: Records) -> None:
        touch(world, own(r, "observation", world.ids["a_obs_low"]), group_id=group)
    refuse(world, change, expect=("student group",))


def test_observation_for_a_group_of_another_network_with_the_group_is_refused(
        world: World) -> None:
    """The other network's dimension and group smuggled in the same bundle, owned by
    A: refused (A may not write group records at all)."""
    other = world.root / "other-network.nicdesk"
    group = other_network_group(world)
    with Workspace.open(other) as ws, ws.read() as s:
        dim = to_json("group_dimension", s.scalars(select(MODELS["group_dimension"])).one())
        grp = to_json("student_group", s.scalars(select(MODELS["student_group"])).one())

    def change(r: Records) -> None:
        r.setdefault("group_dimension", []).append(dict(dim, owner_site_id=world.site_a))
        r.setdefault("student_group", []).append(dict(grp, owner_site_id=world.site_a))
        touch(world, own(r, "observation", world.ids["a_obs_low"]), group_id=group)
    refuse(world, change)


def test_a_value_for_a_deleted_group_is_kept_as_the_sites_own(world: World) -> None:
    """The hub deleted the group "Gone"; A (offline, before the digest said so) entered a
    value for it.  Links to a tombstone are accepted on import by design (a concurrent
    delete must not stall a site's bundles; `authority_checks._check_references` looks
    the target up deleted or not) — so the value is stored, still A's, the group still
    deleted, and nothing else changes."""
    def change(r: Records) -> None:
        mine = own(r, "observation", world.ids["a_obs_low"])
        r["observation"].append(clone(world, mine, group_id=world.ids["gone"],
                                      period="2025-11-01"))
    bundle = resign(world.genuine, world.bundle_path(), world.a_key,
                    change=lambda _m, records: change(records))
    target = world.coordinator_copy()
    with Workspace.open(target) as ws:
        import_bundle(ws, bundle)
        with ws.read() as s:
            model = MODELS["observation"]
            [row] = s.scalars(select(model).where(model.group_id == world.ids["gone"])).all()
            assert (row.owner_site_id, row.site_id, row.deleted) == (
                world.site_a, world.site_a, False)
            assert s.get(MODELS["student_group"], world.ids["gone"]).deleted is True


def test_local_ops_refuse_a_deleted_group(world: World, tmp_path: Path) -> None:
    """What the import is measured against: the hub's own operations refuse a value
    for the deleted group, in words."""
    target = tmp_path / "hub.nicdesk"
    shutil.copyfile(world.coord, target)
    before = both_dumps(target)
    with Workspace.open(target) as ws, pytest.raises(Exception) as err:
        ws.ops.create("site_enrolment", site_id=world.hub, school_year="2025-26",
                      group_id=world.ids["gone"], students=3)
    assert "removed" in str(err.value) and "all students" in str(err.value), err.value
    assert both_dumps(target)[0] == before[0]


def test_two_observations_for_one_point_and_group_are_refused(world: World) -> None:
    """Same measure, site, period and group, different ids: the unique index."""
    def change(r: Records) -> None:
        mine = own(r, "observation", world.ids["a_obs_low"])
        r["observation"].append(clone(world, mine, value=0.9, numerator=9))
    refuse(world, change, expect=("second value",))


def test_second_value_message_names_the_group_message_was_a_hole(world: World) -> None:
    """Since 0008 a measure, site and period may hold one value per student group; the
    refusal still says "a measure, site and period that already has one" (and blames
    "an older NICdesk").  It should say the group (or "all students") too, or the user
    looks for a duplicate that is not there."""
    def change(r: Records) -> None:
        mine = own(r, "observation", world.ids["a_obs_low"])
        r["observation"].append(clone(world, mine, value=0.9, numerator=9))
    refuse(world, change, expect=("group",))


def test_two_observations_for_one_point_all_students_are_refused(world: World) -> None:
    def change(r: Records) -> None:
        mine = own(r, "observation", world.ids["a_obs_all"])
        r["observation"].append(clone(world, mine, value=0.9, numerator=18))
    refuse(world, change)


@pytest.mark.parametrize(("first", "second"), [("", None), (None, ""), ("", "")])
def test_all_students_written_as_empty_or_null_is_one_point(world: World, first: Any,
                                                            second: Any) -> None:
    """'' and null both mean "all students": a second value for the same point with
    the other spelling is the same point, refused."""
    def change(r: Records) -> None:
        mine = own(r, "observation", world.ids["a_obs_all"])
        touch(world, mine, group_id=first)
        r["observation"].append(clone(world, mine, group_id=second, value=0.9,
                                      numerator=18))
    refuse(world, change)


@pytest.mark.parametrize("kind", ["observation", "site_enrolment"])
def test_all_students_spelt_empty_is_refused(world: World, kind: str) -> None:
    """group_id '' is never stored (it would dodge `group_id IS NULL` in the views):
    a new value spelt so is refused in words."""
    key = "a_obs_all" if kind == "observation" else "a_enrolment"

    def change(r: Records) -> None:
        mine = own(r, kind, world.ids[key])
        r[kind].append(clone(world, mine, group_id="", period="2025-12-01")
                       if kind == "observation" else
                       clone(world, mine, group_id="", school_year="2024-25"))
    refuse(world, change, expect=("student group is blank",))


@pytest.mark.parametrize(("kind", "key", "target"), [
    ("observation", "a_obs_low", "dimension"), ("observation", "a_obs_low", "a_comment"),
    ("site_enrolment", "a_group_enrolment", "dimension"),
    ("site_enrolment", "a_group_enrolment", "a_cycle")])
def test_group_id_naming_a_record_of_another_kind_is_refused(world: World, kind: str,
                                                             key: str, target: str) -> None:
    """A group id that is a real record's id, of the wrong kind (the dimension itself, a
    comment, a cycle): not a student group, refused."""
    def change(r: Records) -> None:
        touch(world, own(r, kind, world.ids[key]), group_id=world.ids[target])
    refuse(world, change)


# ------------------------------------------------------------------ delta bundles
def test_delta_carries_new_kinds_and_every_attack_holds(world: World) -> None:
    """The delta is only the changes, and each attack on it is refused like on a full
    bundle."""
    manifest, records = read_records(world.delta)
    assert manifest["base_sequence"] == 1
    assert [r["id"] for r in records["milestone"]] == [world.ids["a_milestone"]]
    # of the comments, only the reply written after bundle 1
    assert [r["id"] for r in records["comment"]] == [world.ids["a_reply"]]
    assert "site_enrolment" not in records and "progress_score" not in records
    attacks = [
        lambda r: touch(world, r["milestone"][0], site_id=world.site_b),
        lambda r: touch(world, r["milestone"][0], site_id=None),
        lambda r: r.setdefault("comment", []).append(
            touch(world, held(world, "comment", world.ids["b_comment"]), resolved=True)),
        lambda r: r.setdefault("group_dimension", []).append(
            clone(world, held(world, "group_dimension", world.ids["dimension"]),
                  owner_site_id=world.site_a)),
        lambda r: r.setdefault("student_group", []).append(
            clone(world, held(world, "student_group", world.ids["low"]),
                  owner_site_id=world.site_a)),
        lambda r: r.setdefault("site_enrolment", []).append(
            clone(world, held(world, "site_enrolment", world.ids["b_enrolment"]),
                  owner_site_id=world.site_a)),
        lambda r: r.setdefault("progress_score", []).append(
            clone(world, held(world, "progress_score", world.ids["b_score"]),
                  site_id=None, owner_site_id=world.site_a)),
    ]
    for attack in attacks:
        refuse(world, attack, source=world.delta)


# ------------------------------------------------------------------ a hub of two networks
@pytest.mark.parametrize("kind", ["observation", "site_enrolment"])
def test_value_under_a_group_of_the_hubs_other_network_was_a_hole(world: World, kind: str) -> None:
    """The hub holds a second network's group; A files its value under it.  The hub's
    own operations refuse this ("That student group belongs to another network"); the
    import must too, or the value is compared with a group of a network A is not in."""
    target, group = hub_with_a_second_network(world)
    key = "a_obs_low" if kind == "observation" else "a_group_enrolment"
    bundle = resign(world.genuine, world.bundle_path(), world.a_key,
                    change=lambda _m, r: touch(world, own(r, kind, world.ids[key]),
                                               group_id=group))
    before = both_dumps(target)
    with Workspace.open(target) as ws, pytest.raises(BundleError) as err:
        import_bundle(ws, bundle)
    assert one_line_refusal(err.value.message), err.value.message
    assert "network" in err.value.message, err.value.message
    assert both_dumps(target) == before


def test_local_ops_refuse_a_group_of_another_network(world: World) -> None:
    """The rule the import is measured against, in the hub's own workspace."""
    target, group = hub_with_a_second_network(world)
    before = both_dumps(target)
    with Workspace.open(target) as ws, pytest.raises(Exception, match="another network"):
        ws.ops.create("site_enrolment", site_id=world.hub, school_year="2025-26",
                      group_id=group, students=3)
    assert both_dumps(target)[0] == before[0]


def test_gap_aim_on_a_group_of_the_hubs_other_network_was_a_hole(world: World) -> None:
    """A's gap-closing aim whose focus group is the hub's other network's group."""
    target, group = hub_with_a_second_network(world)
    bundle = resign(world.genuine, world.bundle_path(), world.a_key,
                    change=lambda _m, r: touch(world, own(r, "aim", world.ids["a_aim"]),
                                               focus_group_id=group))
    before = both_dumps(target)
    with Workspace.open(target) as ws, pytest.raises(BundleError) as err:
        import_bundle(ws, bundle)
    assert one_line_refusal(err.value.message), err.value.message
    assert both_dumps(target) == before


@pytest.mark.parametrize(("kind", "key"), [("milestone", "a_milestone"),
                                           ("progress_score", "a_score"),
                                           ("comment", "a_comment"),
                                           ("aim", "a_aim")])
def test_own_record_moved_into_the_hubs_other_network_was_a_hole(world: World, kind: str,
                                                           key: str) -> None:
    """A's record (still naming A) re-filed under a network A is not a member of: it
    would show in that network's timeline, scores or threads.  No check compares a
    record's network_id with its site's network (an old kind, the aim, is open too)."""
    target = world.coordinator_copy()
    with Workspace.open(target) as ws:
        other = ws.ops.create("network", name="Second network").id
    bundle = resign(world.genuine, world.bundle_path(), world.a_key,
                    change=lambda _m, r: touch(world, own(r, kind, world.ids[key]),
                                               network_id=other))
    before = both_dumps(target)
    with Workspace.open(target) as ws, pytest.raises(BundleError) as err:
        import_bundle(ws, bundle)
    assert one_line_refusal(err.value.message), err.value.message
    assert both_dumps(target) == before


@pytest.mark.parametrize("empty", ["", None])
def test_gap_aim_moved_to_the_network_is_refused(world: World, empty: Any) -> None:
    def change(r: Records) -> None:
        touch(world, own(r, "aim", world.ids["a_aim"]), site_id=empty)
    refuse(world, change)


def test_gap_aim_with_an_unknown_kind_of_gap_is_refused(world: World) -> None:
    def change(r: Records) -> None:
        touch(world, own(r, "aim", world.ids["a_aim"]), gap_kind="percent")
    refuse(world, change, expect=("gap",))


def test_adopting_a_change_idea_of_the_hubs_other_network_was_a_hole(world: World) -> None:
    """The hub's own spread operations refuse "a change idea of another network"; A's
    bundle re-points its adoption at the other network's idea."""
    target = world.coordinator_copy()
    with Workspace.open(target) as ws:
        other = ws.ops.create("network", name="Second network").id
        idea = ws.ops.create("change_idea", network_id=other, title="Elsewhere").id
    bundle = resign(world.genuine, world.bundle_path(), world.a_key,
                    change=lambda _m, r: touch(world, own(r, "change_adoption",
                                                          world.ids["a_adoption"]),
                                               change_idea_id=idea))
    before = both_dumps(target)
    with Workspace.open(target) as ws, pytest.raises(BundleError) as err:
        import_bundle(ws, bundle)
    assert one_line_refusal(err.value.message), err.value.message
    assert both_dumps(target) == before


@pytest.mark.parametrize("group", [None, "low"])
def test_two_enrolment_figures_for_one_year_and_group_was_a_hole(world: World,
                                                          group: str | None) -> None:
    """Two figures for A's students in 2025-26 (all students, or one group) with different
    ids — what a forger, or two computers of A entering the year offline, send.  The
    site's own `set_enrolment` keeps one per site, year and group; nothing holds that on
    import (no unique index, no natural id as observations have), so the hub would list
    both and `network_enrolments` would count the year twice.  Either outcome is fine
    here: refused in one line with nothing changed, or merged to one live figure."""
    key = "a_enrolment" if group is None else "a_group_enrolment"

    def change(_m: dict[str, Any], r: Records) -> None:
        r["site_enrolment"].append(clone(world, own(r, "site_enrolment", world.ids[key]),
                                         students=999))

    bundle = resign(world.genuine, world.bundle_path(), world.a_key, change=change)
    target = world.coordinator_copy()
    try:
        with Workspace.open(target) as ws:
            import_bundle(ws, bundle)
    except BundleError as err:
        assert one_line_refusal(err.message), err.message
        assert both_dumps(target) == world.coord_dumps
        return
    model = MODELS["site_enrolment"]
    with Workspace.open(target) as ws, ws.read() as s:
        live = s.scalars(select(model.students).where(
            model.site_id == world.site_a, model.school_year == "2025-26",
            model.deleted.is_(False),
            model.group_id.is_(None) if group is None
            else model.group_id == world.ids[group])).all()
    assert len(live) == 1, f"two live enrolment figures for one year and group: {live}"
