"""`services.initiatives` on real files: the next initiative from the sample's network
holds its structure and none of its data, under fresh ids, in a new file that takes part
in an exchange like any network; the old file is only read; a refusal leaves no file."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from nicdesk.core.initiative import InitiativePlan, Planned, Ref
from nicdesk.services import exchange, membership
from nicdesk.services.initiatives import (
    InitiativeError,
    initiative_from_network,
    initiative_from_template,
    start_initiative,
)
from nicdesk.services.workspaces import find_named
from nicdesk.store.errors import InvalidChangeError, WorkspaceError
from nicdesk.store.schema import MODELS, DriverNode, Fishbone, Network, Site
from nicdesk.store.workspace import Workspace
from nicdesk.templates import starter_templates

#: kinds that hold an initiative's data (what a new one must start without)
DATA_KINDS = ("aim", "cause", "cause_driver_link", "diagram_snapshot", "pdsa_ramp",
              "pdsa_cycle", "pdsa_question", "pdsa_measure", "observation", "chart_phase",
              "annotation", "meeting", "agenda_item", "action_item", "site_enrolment",
              "comment", "coaching_feedback", "progress_score", "change_adoption",
              "milestone")


def _counts(ws: Workspace) -> dict[str, int]:
    with ws.read() as s:
        return {k: s.scalar(select(func.count()).select_from(m).where(
            m.deleted.is_(False))) or 0 for k, m in MODELS.items()}


def _ids(ws: Workspace) -> set[str]:
    with ws.read() as s:
        return {i for m in MODELS.values() for i in s.scalars(select(m.id))}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def sample(demo_copy: Path) -> tuple[Path, str]:
    with Workspace.open(demo_copy) as ws:
        net = find_named(ws, "network", "Great Lakes", "network").id
    return demo_copy, net


def test_structure_comes_and_no_data_row_does(sample: tuple[Path, str], tmp_path: Path
                                              ) -> None:
    old_path, net = sample
    with Workspace.open(old_path) as old:
        plan = initiative_from_network(old, net, "  Attendance   NIC ")
        old_ids = _ids(old)
        with old.read() as s:
            sites = s.scalar(select(func.count()).select_from(Site).where(
                Site.network_id == net, Site.deleted.is_(False)))
    before = _digest(old_path)
    new = start_initiative(tmp_path / "next.nicdesk", plan)
    try:
        counts = _counts(new)
        assert all(counts[k] == 0 for k in DATA_KINDS), {k: counts[k] for k in DATA_KINDS}
        assert counts["network"] == 1 and counts["site"] == sites and counts["charter"] == 1
        assert counts["member"] > 0 and counts["measure"] > 0 and counts["driver_node"] > 0
        assert counts["fishbone_category"] > 0 and counts["cause"] == 0
        # fresh ids everywhere: nothing could be mistaken for the old network's records
        assert not (_ids(new) & old_ids)
        with new.read() as s:
            network = s.scalars(select(Network)).one()
            assert network.name == "Attendance NIC" and network.coordinator_public_key == ""
            assert all(site.public_keys == [] and site.private_notes == ""
                       for site in s.scalars(select(Site)))
            assert {n.status for n in s.scalars(select(DriverNode))} == {"hypothesis"}
            # a fishbone keeps its title, problem and bones (no causes: counted above)
            assert all(f.problem and f.title for f in s.scalars(select(Fishbone)))
            # every copied record is in the new network (references all resolved)
            assert {site.network_id for site in s.scalars(select(Site))} == {network.id}
        # one undo step takes the whole start back
        label, _redo = new.ops.undo_status()
        assert label == "Start Attendance NIC from Great Lakes Focus Schools NIC"
        new.ops.undo()
        assert sum(_counts(new).values()) == 0
    finally:
        new.close()
    assert _digest(old_path) == before  # the old file was only read


def test_the_new_network_exchanges_like_any_other(sample: tuple[Path, str],
                                                  tmp_path: Path) -> None:
    """Its coordinator makes a key, invites a copied school, the school joins, edits one
    of its copied members and its bundle is accepted by the coordinator."""
    old_path, net = sample
    with Workspace.open(old_path) as old:
        plan = initiative_from_network(old, net, "Attendance NIC")
    coordinator = tmp_path / "next.nicdesk"
    with start_initiative(coordinator, plan) as ws:
        hub = find_named(ws, "site", "State Office", "site").id
        school = find_named(ws, "site", "Eastside", "site").id
        membership.init_key(ws, hub, coordinator=True)
        membership.invite(ws, school, tmp_path / "invite.nicbundle")
    joined = membership.join(tmp_path / "invite.nicbundle", tmp_path / "eastside.nicdesk")
    with Workspace.open(coordinator) as ws:
        membership.enrol(ws, joined.site_key, school)
    with Workspace.open(joined.path) as ws:
        from nicdesk.store.schema import Member

        with ws.read() as s:
            member = s.scalars(select(Member).where(Member.site_id == school)).first()
        assert member is not None, "the school's copied members reached it"
        ws.ops.update("member", member.id, responsibilities="Attendance lead")
        out = exchange.export(ws, tmp_path / "eastside.nicbundle", kind="site")
        assert out.counts.get("member")
    with Workspace.open(coordinator) as ws:
        result = exchange.import_one(ws, tmp_path / "eastside.nicbundle")
        assert not result.refused, result.message
        with ws.read() as s:
            assert s.get(Member, member.id).responsibilities == "Attendance lead"


@pytest.mark.parametrize("template", [t.id for t in starter_templates()])
def test_a_template_network_holds_its_structure_and_no_data_rows(template: str,
                                                                  tmp_path: Path) -> None:
    plan = initiative_from_template(template)
    content = next(t for t in starter_templates() if t.id == template).content
    with start_initiative(tmp_path / f"{template}.nicdesk", plan) as ws:
        counts = _counts(ws)
        assert all(counts[k] == 0 for k in DATA_KINDS)
        assert counts["site"] == 0 and counts["member"] == 0
        assert counts["measure"] == len(content["measures"])
        assert counts["fishbone_category"] == len(content["fishbone"]["categories"])
        primaries = content["driver_diagram"]["primary"]
        ideas = [i for p in primaries for s in p["secondary"] for i in s["change_ideas"]]
        assert counts["change_idea"] == len(ideas)
        with ws.read() as s:
            network = s.scalars(select(Network)).one()
            assert network.name == content["name"]
            assert network.common_aim == content["common_aim"]
            levels = [n.level for n in s.scalars(select(DriverNode))]
        assert levels.count("aim") == 1 and levels.count("primary") == len(primaries)
        assert levels.count("change idea") == len(ideas)


def test_an_existing_file_is_refused_and_kept(sample: tuple[Path, str], tmp_path: Path
                                             ) -> None:
    taken = tmp_path / "taken.nicdesk"
    shutil.copy(sample[0], taken)
    before = _digest(taken)
    with Workspace.open(sample[0]) as old:
        plan = initiative_from_network(old, sample[1], "Next")
    with pytest.raises(WorkspaceError, match="already exists"):
        start_initiative(taken, plan)
    assert _digest(taken) == before


def test_a_refused_record_leaves_no_file(tmp_path: Path) -> None:
    plan = InitiativePlan(name="Broken", source="a test", records=(
        Planned("network", "n", {"name": "Broken"}),
        Planned("measure", "m", {"network_id": Ref("n"), "name": "X", "kind": "nonsense"}),
    ))
    target = tmp_path / "broken.nicdesk"
    with pytest.raises(InvalidChangeError):
        start_initiative(target, plan)
    assert list(tmp_path.iterdir()) == []


def test_a_name_is_needed(sample: tuple[Path, str]) -> None:
    with Workspace.open(sample[0]) as old, pytest.raises(InitiativeError, match="name"):
        initiative_from_network(old, sample[1], "   ")
