"""A school that worked on its own joins from the app: with its workspace open, File →
Join a Network with the coordinator's invitation starts the network workspace, the
school's aim and PDSA cycle come along, and the message says how many records did.  The
old workspace then points to the new one instead of waiting for an invitation.  Real
dialogs, driven while they are up; the only stand-ins are the file choosers' answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from nicdesk.bundle.export import export_bundle
from nicdesk.cli.parser import main
from nicdesk.services.membership import enrol_request, write_join_request
from nicdesk.store.schema import Aim, Observation, PdsaCycle
from nicdesk.store.workspace import Workspace
from nicdesk.ui.exchange.join import JoinRequestDialog
from tests.ui.conftest import when_modal

from .conftest import window_on


def computer(monkeypatch, tmp_path: Path, name: str) -> None:
    folder = tmp_path / f"computer-{name}"
    folder.mkdir(exist_ok=True)
    monkeypatch.setenv("NICDESK_DATA_DIR", str(folder))


def school_with_work(tmp_path: Path) -> Path:
    """The welcome's "Create my school's workspace", then some work done in it."""
    from nicdesk.services.workspaces import create_school_workspace

    path = create_school_workspace("Maple Grove Middle School", "Maple team", tmp_path)
    with Workspace.open(path) as ws:
        site = ws.meta()["local_site_id"]
        with ws.read() as s:
            from nicdesk.store.schema import Site

            net = s.get(Site, site).network_id
        measure = ws.ops.create("measure", network_id=net, name="Homework handed in",
                                value_type="proportion").id
        ws.ops.create("aim", network_id=net, statement="Homework handed in: 85% by May",
                      measure_id=measure)
        for month, done in ((9, 12), (10, 14)):
            ws.ops.create("observation", measure_id=measure, site_id=site,
                          period=dt.date(2025, month, 1), numerator=done, denominator=20,
                          value=done / 20)
        ramp = ws.ops.create("pdsa_ramp", site_id=site, title="Homework planner").id
        ws.ops.create("pdsa_cycle", site_id=site, ramp_id=ramp, title="Planner in 7B")
    return path


def test_join_from_the_schools_workspace_brings_its_work(qtbot, tmp_path: Path,
                                                         monkeypatch) -> None:
    computer(monkeypatch, tmp_path, "school")
    school = school_with_work(tmp_path)
    request = tmp_path / "maple.nicjoin"
    with Workspace.open(school) as ws:
        write_join_request(ws, request)
        promise = " ".join(JoinRequestDialog(None, ws).visible_texts())
    assert "comes along when you join" in promise

    computer(monkeypatch, tmp_path, "coordinator")
    coord = tmp_path / "coord.nicdesk"
    assert main(["network", "create", str(coord), "--name", "Valley NIC"]) == 0
    with Workspace.open(coord) as ws:
        site = enrol_request(ws, request, new=True).site_id
        invite = export_bundle(ws, tmp_path / "invite.nicbundle", kind="invitation",
                               invite_site=site).path

    # the school's laptop: its own workspace is open, and it joins from the File menu
    computer(monkeypatch, tmp_path, "school")
    w = window_on(qtbot, school)
    target = tmp_path / "Maple network.nicdesk"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(
        lambda *a, **k: (str(invite), "")))
    # first the person picks the school's own file: joining never replaces a file, so
    # they are asked for a new name (their file stays as it is), then pick one
    answers = iter([str(school), str(target)])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: (next(answers), "")))
    shown: list[str] = []

    def ok(box: QMessageBox) -> None:
        shown.append(box.text())
        box.button(QMessageBox.StandardButton.Ok).click()
        if len(shown) < 2:  # the "choose a new name" box, then the "joined" one
            when_modal(QMessageBox, ok)

    when_modal(QMessageBox, ok)
    w.act_join.trigger()
    assert len(shown) == 2, "joining showed no message"
    assert "already exists" in shown[0] and "choose a name that is not taken" in shown[0]
    assert "You joined as Maple Grove Middle School" in shown[1]
    assert "Your school's work came along from Maple Grove Middle School.nicdesk: 6 records" \
        in shown[1], shown[1]
    assert "stays as it was" in shown[1]
    assert w.workspace.path == target
    with w.workspace.read() as s:
        aim = s.query(Aim).one()
        assert aim.statement == "Homework handed in: 85% by May" and aim.site_id == site
        assert s.query(PdsaCycle).one().title == "Planner in 7B"
        assert s.query(Observation).filter_by(site_id=site).count() == 2

    # the old workspace no longer waits for an invitation: it says where its work went
    assert w.open_workspace(school)
    told: list[str] = []

    def open_new(box: QMessageBox) -> None:
        told.append(box.text())
        next(b for b in box.buttons() if b.text().startswith("Open")).click()

    when_modal(QMessageBox, open_new)
    w.act_export.trigger()
    assert told and "came along into Maple network.nicdesk" in told[0], told
    assert "Waiting" not in told[0]
    assert w.workspace.path == target
    w.close_workspace()
