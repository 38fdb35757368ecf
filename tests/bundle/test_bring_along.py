"""A school that started on its own keeps its work when it joins: the records it made in
its standalone workspace (aims, members, measures with data, fishbones, driver diagrams,
PDSA cycles, meetings…) come along into the network workspace as the invited site's own,
travel in its next bundle, and are accepted by the coordinator; the old file stays as it
was, noting where its work went; a record that cannot come along is counted, not fatal."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from nicdesk.bundle.export import export_bundle
from nicdesk.bundle.importer import import_bundle
from nicdesk.cli.parser import main
from nicdesk.core.clock import Hlc
from nicdesk.services.membership import (
    enrol_request,
    join,
    pending_request,
    write_join_request,
)
from nicdesk.store.schema import (
    MODELS,
    Cause,
    Fishbone,
    Measure,
    Member,
    Network,
    Observation,
    PdsaCycle,
    Site,
)
from nicdesk.store.workspace import Workspace


def on_computer(monkeypatch, tmp_path: Path, name: str) -> None:
    """Switch to another computer: its own data folder, so its own keys."""
    folder = tmp_path / f"computer-{name}"
    folder.mkdir(exist_ok=True)
    monkeypatch.setenv("NICDESK_DATA_DIR", str(folder))


def school_with_work(path: Path) -> dict[str, str]:
    """A school's own workspace (as "Create my school's workspace" makes it) and the work
    it did there before joining; the ids of that work, by name."""
    ids: dict[str, str] = {}
    with Workspace.create(path) as ws:
        ops = ws.ops
        net = ids["network"] = ops.create("network", name="Lincoln improvement team").id
        site = ids["site"] = ops.create("site", network_id=net, name="Lincoln High",
                                        kind="school").id
        ws.set_meta(local_site_id=site)
        ops.update("site", site, private_notes="Principal prefers Tuesday calls",
                   context_tags={"grades": "9-12"})
        ids["district"] = ops.create("site", network_id=net, name="Lincoln district",
                                     kind="district").id
        ids["district_member"] = ops.create("member", site_id=ids["district"],
                                            name="Dana District").id
        ids["member"] = ops.create("member", site_id=site, name="Ann Smith",
                                   email="ann@lincoln.example", role="teacher").id
        measure = ids["measure"] = ops.create("measure", network_id=net, name="On track",
                                              value_type="proportion").id
        ids["aim"] = ops.create("aim", network_id=net, statement="90% of 9th graders on "
                                "track by June", measure_id=measure).id
        for i, (num, den) in enumerate([(14, 20), (15, 20), (17, 20)]):
            ids[f"obs{i}"] = ops.create("observation", measure_id=measure, site_id=site,
                                        period=dt.date(2025, 9 + i, 1), value=num / den,
                                        numerator=num, denominator=den).id
        fishbone = ids["fishbone"] = ops.create("fishbone", network_id=net,
                                                problem="Too many 9th graders fail").id
        ids["category"] = ops.create("fishbone_category", fishbone_id=fishbone,
                                     name="Students").id
        ids["cause"] = ops.create("cause", fishbone_id=fishbone,
                                  category_id=ids["category"], text="Missed homework").id
        diagram = ids["diagram"] = ops.create("driver_diagram", network_id=net,
                                              name="On-track theory", aim_id=ids["aim"]).id
        ids["primary"] = ops.create("driver_node", diagram_id=diagram, level="primary",
                                    text="Belonging").id
        ids["secondary"] = ops.create("driver_node", diagram_id=diagram, level="secondary",
                                      text="Advisory").id
        ids["link"] = ops.create("driver_link", diagram_id=diagram,
                                 parent_node_id=ids["primary"],
                                 child_node_id=ids["secondary"]).id
        ids["ramp"] = ops.create("pdsa_ramp", site_id=site, title="Advisory check-ins").id
        ids["cycle"] = ops.create("pdsa_cycle", site_id=site, ramp_id=ids["ramp"],
                                  title="Check-ins with 5 students",
                                  private_notes="Names of the 5 students").id
        ids["question"] = ops.create("pdsa_question", cycle_id=ids["cycle"],
                                     question="Will they come?").id
        ids["meeting"] = ops.create("meeting", network_id=net, title="Team meeting",
                                    date=dt.date(2025, 10, 2)).id
        ids["agenda"] = ops.create("agenda_item", meeting_id=ids["meeting"],
                                   title="Look at the run chart").id
    return ids


SCHOOL_KINDS = {"member": 1, "measure": 1, "aim": 1, "observation": 3, "fishbone": 1,
                "fishbone_category": 1, "cause": 1, "driver_diagram": 1, "driver_node": 2,
                "driver_link": 1, "pdsa_ramp": 1, "pdsa_cycle": 1, "pdsa_question": 1,
                "meeting": 1, "agenda_item": 1}


def coordinator(path: Path) -> Path:
    assert main(["network", "create", str(path), "--name", "Valley NIC",
                 "--coordinator-site", "State Office"]) == 0
    with Workspace.open(path) as ws, ws.read() as s:
        net = s.query(Network).one().id
    with Workspace.open(path) as ws:
        ws.ops.create("measure", network_id=net, name="Attendance", value_type="proportion")
    return path


def records_dump(path: Path) -> list[str]:
    """Every statement rebuilding the file, but its meta (which joining notes in)."""
    con = sqlite3.connect(path)
    try:
        return [line for line in con.iterdump() if "workspace_meta" not in line]
    finally:
        con.close()


def invitation_for(tmp_path: Path, monkeypatch, school: Path) -> tuple[Path, Path, str]:
    """The school writes its request; the coordinator enrols it as a new site and writes
    the invitation.  (coordinator file, invitation, invited site id)"""
    on_computer(monkeypatch, tmp_path, "school")
    request = tmp_path / "lincoln.nicjoin"
    with Workspace.open(school) as ws:
        write_join_request(ws, request)
    on_computer(monkeypatch, tmp_path, "coordinator")
    coord = coordinator(tmp_path / "coordinator.nicdesk")
    with Workspace.open(coord) as ws:
        done = enrol_request(ws, request, new=True)
        invite = export_bundle(ws, tmp_path / "invite.nicbundle", kind="invitation",
                               invite_site=done.site_id).path
    on_computer(monkeypatch, tmp_path, "school")
    return coord, invite, done.site_id


def test_the_schools_work_comes_along_and_reaches_the_coordinator(
        tmp_path: Path, monkeypatch) -> None:
    on_computer(monkeypatch, tmp_path, "school")
    old = tmp_path / "Lincoln High.nicdesk"
    ids = school_with_work(old)
    coord, invite, invited = invitation_for(tmp_path, monkeypatch, old)
    before = records_dump(old)

    joined = join(invite, tmp_path / "lincoln-network.nicdesk", bring=old)
    assert joined.enrolled and joined.brought is not None
    brought = joined.brought
    assert brought.counts == SCHOOL_KINDS, brought.counts
    assert brought.left_behind == 0 and brought.total == sum(SCHOOL_KINDS.values())
    words = brought.text()
    assert f"{brought.total} records" in words and "3 observations" in words
    assert "1 fishbone category" in words and "2 driver diagram nodes" in words
    assert "Lincoln High.nicdesk itself stays as it was" in words

    # the old file: its records exactly as they were; its meta says where its work went
    assert old.exists() and records_dump(old) == before
    with Workspace.open(old) as ws:
        meta = ws.meta()
    assert Path(meta["joined_into"]) == joined.path.resolve()
    assert pending_request(meta)["joined_into"] == meta["joined_into"]

    with Workspace.open(joined.path) as ws:
        meta = ws.meta()
        device = ws.device_id
        with ws.read() as s:
            network = s.query(Network).one()  # the invitation's network only
            assert network.name == "Valley NIC"
            site = s.get(Site, invited)
            assert site.private_notes == "Principal prefers Tuesday calls"
            assert site.context_tags == {"grades": "9-12"}
            assert s.get(Site, ids["site"]) is None and s.get(Site, ids["district"]) is None
            assert s.get(Member, ids["district_member"]) is None
            assert s.query(Measure).filter_by(name="Attendance").one()  # the network's
            for kind, rid in ids.items():
                if kind in ("network", "site", "district", "district_member") or \
                        kind.startswith("obs"):
                    continue
                model = MODELS[{"category": "fishbone_category", "primary": "driver_node",
                                "secondary": "driver_node", "link": "driver_link",
                                "ramp": "pdsa_ramp", "cycle": "pdsa_cycle",
                                "question": "pdsa_question", "agenda": "agenda_item",
                                "diagram": "driver_diagram"}.get(kind, kind)]
                row = s.get(model, rid)
                assert row is not None, kind
                assert row.owner_site_id == invited, kind
                if hasattr(row, "site_id"):
                    assert row.site_id == invited, kind
                if hasattr(row, "network_id"):
                    assert row.network_id == network.id, kind
                # fresh clocks from this workspace: its own edits, newer than the network's
                stamps = {Hlc.decode(c).device for c in row.field_clocks.values()}
                assert stamps == {device}, kind
                assert row.hlc >= network.hlc
            observations = s.query(Observation).filter_by(site_id=invited).all()
            assert sorted(o.numerator for o in observations) == [14, 15, 17]
            assert all(o.measure_id == ids["measure"] for o in observations)
            assert s.get(Member, ids["member"]).email == "ann@lincoln.example"
            cycle = s.get(PdsaCycle, ids["cycle"])
            assert cycle.private_notes == "Names of the 5 students"
            assert cycle.ramp_id == ids["ramp"]
        assert meta["local_site_id"] == invited
        # the school's next bundle carries its work
        bundle = export_bundle(ws, tmp_path / "lincoln.nicbundle")
    assert bundle.counts["observation"] == 3 and bundle.counts["pdsa_cycle"] == 1

    on_computer(monkeypatch, tmp_path, "coordinator")
    with Workspace.open(coord) as ws:
        summary = import_bundle(ws, bundle.path)  # not refused
        assert summary.new >= sum(SCHOOL_KINDS.values())
        with ws.read() as s:
            assert s.query(Observation).filter_by(site_id=invited).count() == 3
            assert s.get(PdsaCycle, ids["cycle"]).private_notes == ""  # private: stayed
            assert s.get(Fishbone, ids["fishbone"]).site_id == invited
            assert s.get(Cause, ids["cause"]).text == "Missed homework"
            assert s.get(Member, ids["member"]).email == ""
        digest = export_bundle(ws, tmp_path / "digest.nicbundle", kind="digest").path
    on_computer(monkeypatch, tmp_path, "school")
    with Workspace.open(joined.path) as ws:
        assert not import_bundle(ws, digest).already  # and back again, accepted


def test_a_record_that_cannot_come_along_is_counted_not_fatal(
        tmp_path: Path, monkeypatch) -> None:
    on_computer(monkeypatch, tmp_path, "school")
    old = tmp_path / "Lincoln High.nicdesk"
    ids = school_with_work(old)
    # damage made by an older version or by hand: a meeting at 25:99, an aim with no words
    con = sqlite3.connect(old)
    with con:
        con.execute("UPDATE meetings SET start_time = '25:99' WHERE id = ?", (ids["meeting"],))
        con.execute("UPDATE aims SET statement = '' WHERE id = ?", (ids["aim"],))
        con.execute("UPDATE observations SET period = 'soon' WHERE id = ?", (ids["obs2"],))
    con.close()
    _coord, invite, invited = invitation_for(tmp_path, monkeypatch, old)

    joined = join(invite, tmp_path / "lincoln-network.nicdesk", bring=old)
    brought = joined.brought
    assert brought is not None
    # the meeting, its agenda item (its meeting stayed), the aim and the observation
    assert brought.left_behind == 4
    assert "meeting" not in brought.counts and "aim" not in brought.counts
    assert brought.counts["pdsa_cycle"] == 1 and brought.counts["observation"] == 2
    assert brought.cleared >= 1  # the diagram's aim, left empty
    words = brought.text()
    assert "4 records could not come along and stay in Lincoln High.nicdesk" in words
    assert "an aim (an aim needs a statement)" in words
    assert "the meeting 'Team meeting'" in words and "time of day" in words
    assert "its meeting did not come along" in words
    assert "its period could not be read" in words
    with Workspace.open(joined.path) as ws, ws.read() as s:
        diagram = s.get(MODELS["driver_diagram"], ids["diagram"])
        assert diagram is not None and diagram.aim_id is None
        assert s.get(MODELS["meeting"], ids["meeting"]) is None
        assert s.get(MODELS["agenda_item"], ids["agenda"]) is None
    # and the left-behind records are still in the old file
    with Workspace.open(old) as ws, ws.read() as s:
        assert s.get(MODELS["meeting"], ids["meeting"]).start_time == "25:99"


def test_command_line_join_brings_a_standalone_workspace(
        tmp_path: Path, monkeypatch, capsys) -> None:
    """No join request at all: the coordinator added the site and invited it; the school
    joins with --bring, and a workspace already in a network is never brought."""
    on_computer(monkeypatch, tmp_path, "coordinator")
    coord = coordinator(tmp_path / "coordinator.nicdesk")
    with Workspace.open(coord) as ws, ws.read() as s:
        net = s.query(Network).one().id
    with Workspace.open(coord) as ws:
        ws.ops.create("site", network_id=net, name="Lincoln High", kind="school")
    invite = tmp_path / "invite.nicbundle"
    assert main(["network", "invite", str(coord), "--site", "Lincoln High", "--out",
                 str(invite)]) == 0
    on_computer(monkeypatch, tmp_path, "school")
    old = tmp_path / "mine.nicdesk"
    school_with_work(old)
    capsys.readouterr()
    new = tmp_path / "network.nicdesk"
    assert main(["join", str(invite), "--out", str(new), "--bring", str(old)]) == 0
    out = capsys.readouterr().out
    total = sum(SCHOOL_KINDS.values())
    assert f"Your school's work came along from mine.nicdesk: {total} records" in out
    with Workspace.open(old) as ws:
        assert ws.meta()["joined_into"] == str(new.resolve())
    with Workspace.open(new) as ws, ws.read() as s:
        assert s.query(PdsaCycle).one().title == "Check-ins with 5 students"

    # a workspace that already belongs to a network does not come along
    other = tmp_path / "again.nicdesk"
    assert main(["join", str(invite), "--out", str(other), "--bring", str(new)]) == 2
    assert "already belongs to a network" in capsys.readouterr().err
    assert not other.exists()
