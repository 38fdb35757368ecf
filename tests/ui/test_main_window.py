"""The main window driven through real widgets; results checked in the stored file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QPushButton

from nicdesk.store.schema import Aim, Member, Site
from nicdesk.store.workspace import Workspace
from nicdesk.ui.shell import main_window as mw
from nicdesk.ui.shell.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close_workspace()


def stored(path_or_ws, model, **where):
    ws = path_or_ws
    with ws.read() as s:
        return s.query(model).filter_by(**where).one()


def test_open_shows_title_navigator_and_first_form(window, demo_copy: Path) -> None:
    assert window.open_workspace(demo_copy)
    assert window.windowTitle() == "copy.nicdesk — NICdesk"
    top = [window.navigator.topLevelItem(i).text(0)
           for i in range(window.navigator.topLevelItemCount())]
    assert top == ["Great Lakes Focus Schools NIC", "North Star Regional Centers NIC"]
    form = window.stack.currentWidget()  # the workspace's own site first, not the network
    assert form.fields["name"].widget.text() == "State Office of School Improvement"
    assert window.navigator.current_node().kind == "site"
    assert window.saved_label.text() == "All changes saved ✓"


def test_create_site_edit_aim_undo_close_reopen(window, demo_copy: Path, qtbot,
                                                monkeypatch) -> None:
    assert window.open_workspace(demo_copy)
    ws = window.workspace

    # 1. create a site from the network form's "Add site…" button
    monkeypatch.setattr(QInputDialog, "getText",
                        staticmethod(lambda *a, **k: ("Maple Middle School", True)))
    assert window.select_path("Great Lakes Focus Schools NIC")
    form = window.stack.currentWidget()
    add = next(b for b in form.findChildren(QPushButton) if b.text() == "Add site…")
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    site = stored(ws, Site, name="Maple Middle School")
    assert not site.deleted
    assert window.navigator.current_node().id == site.id  # the new site is selected

    # 2. rename it by typing in the form
    site_form = window.stack.currentWidget()
    name = site_form.fields["name"].widget
    name.setFocus()
    name.selectAll()
    qtbot.keyClicks(name, "Maple Grove Middle School")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert stored(ws, Site, id=site.id).name == "Maple Grove Middle School"

    # 3. edit an aim's statement; saved after a pause in typing, without any Save button
    assert window.select_path("Lincoln High School/Aims")
    window.navigator.setCurrentItem(window.navigator.currentItem().child(0))
    aim_form = window.stack.currentWidget()
    aim_id = aim_form.record_id
    old = stored(ws, Aim, id=aim_id).statement
    text = aim_form.fields["statement"].widget
    text.setFocus()
    text.selectAll()
    qtbot.keyClicks(text, "By June 2027, 90 % of Lincoln 9th graders are on track.")
    qtbot.waitUntil(lambda: stored(ws, Aim, id=aim_id).statement.startswith("By June 2027, 90"),
                    timeout=5000)

    # 4. Edit → Undo restores the old statement in the file and on screen
    window.navigator.setFocus()
    assert window.act_undo.isEnabled() and "aim" in window.act_undo.text()
    window.act_undo.trigger()
    assert stored(ws, Aim, id=aim_id).statement == old
    assert text.toPlainText() == old
    window.act_redo.trigger()
    assert stored(ws, Aim, id=aim_id).statement.startswith("By June 2027, 90")

    # 5. close and reopen: the stored results are there
    window.close_workspace()
    with Workspace.open(demo_copy) as again:
        assert stored(again, Aim, id=aim_id).statement.startswith("By June 2027, 90")
        assert stored(again, Site, id=site.id).name == "Maple Grove Middle School"


def test_members_table_edits_and_delete_key_with_undo(window, demo_copy: Path, qtbot) -> None:
    assert window.open_workspace(demo_copy)
    ws = window.workspace
    assert window.select_path("Eastside High School")
    form = window.stack.currentWidget()
    table = form.members
    first = table.ids[0]
    table.item(0, 2).setText("Leads the team; runs the data meeting")
    assert stored(ws, Member, id=first).responsibilities == "Leads the team; runs the data meeting"

    # Delete key in the navigator deletes the selected aim; Undo brings it back
    assert window.select_path("Eastside High School/Aims")
    window.navigator.setCurrentItem(window.navigator.currentItem().child(0))
    aim_id = window.navigator.current_node().id
    window.navigator.setFocus()
    qtbot.keyClick(window.navigator, Qt.Key.Key_Delete)
    assert stored(ws, Aim, id=aim_id).deleted
    window.act_undo.trigger()
    assert not stored(ws, Aim, id=aim_id).deleted


def test_invalid_edit_is_explained_inline_and_not_stored(window, demo_copy: Path, qtbot) -> None:
    assert window.open_workspace(demo_copy)
    assert window.select_path("Lincoln High School/Aims")
    window.navigator.setCurrentItem(window.navigator.currentItem().child(0))
    form = window.stack.currentWidget()
    deadline = form.fields["deadline"].widget
    deadline.setFocus()
    deadline.selectAll()
    qtbot.keyClicks(deadline, "next June")
    qtbot.keyClick(deadline, Qt.Key.Key_Return)
    assert form.problem.isVisible()
    assert "date like 2026-09-01" in form.problem.text()
    assert str(stored(window.workspace, Aim, id=form.record_id).deadline) == "2027-06-30"


def test_garbage_file_leaves_current_workspace_open(window, demo_copy: Path, tmp_path: Path,
                                                    monkeypatch) -> None:
    shown = []
    monkeypatch.setattr(mw, "show_error", lambda _p, title, msg, *a: shown.append((title, msg)))
    assert window.open_workspace(demo_copy)
    bad = tmp_path / "bad.nicdesk"
    bad.write_bytes(b"\x00garbage" * 100)
    assert not window.open_workspace(bad)
    assert shown and shown[0][0] == "Not a NICdesk workspace"
    assert window.workspace is not None and window.workspace.path == demo_copy


def test_recent_files_and_geometry_persist(qtbot, demo_copy: Path) -> None:
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.resize(1300, 780)
    assert w.open_workspace(demo_copy)
    w.close()
    assert str(demo_copy.resolve()) in MainWindow().recent_files()
    saved = mw.settings()
    assert saved.value("geometry") is not None and saved.value("windowState") is not None
    w2 = MainWindow()
    qtbot.addWidget(w2)
    assert w2.splitter.saveState() == saved.value("splitter")


def test_screenshot_command_writes_png(demo_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, "-m", "nicdesk", "screenshot", str(demo_file), "--out", str(out),
         "--select", "Lincoln High School/Measures/9th graders", "--size", "1280x720"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 720)
