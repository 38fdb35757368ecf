"""The first screen from the first look: the navigator and the first form before the
workspace (SQLAlchemy) opens, then the workspace on the next turn with the same lock,
selection kept, edits saved through the workspace once it is open."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from nicdesk.store.views import records
from nicdesk.store.workspace import Workspace
from nicdesk.ui.records.forms import NetworkForm, SiteForm
from nicdesk.ui.shell.main_window import MainWindow
from tests.ui.conftest import shown_window


def _window(qtbot) -> MainWindow:
    return shown_window(qtbot)


def _local_site(path: Path) -> tuple[str, str]:
    with Workspace.open(path) as ws:
        site = ws.meta()["local_site_id"]
        view = records.record_view(ws, "site", site)
        assert view is not None
        return site, view["name"]


def _button(form: SiteForm, text: str) -> QPushButton:
    return next(b for b in form.findChildren(QPushButton) if b.text() == text)


def test_first_screen_shows_before_the_workspace_opens(qtbot, demo_copy: Path) -> None:
    site, name = _local_site(demo_copy)
    w = _window(qtbot)
    lock = w.show_first_look(demo_copy)
    assert lock is not None and w.workspace is None and w.looking
    node = w.navigator.current_node()
    assert node is not None and (node.kind, node.id) == ("site", site)
    form = w.stack.currentWidget()
    assert isinstance(form, SiteForm)
    assert form.fields["name"].widget.text() == name
    assert form.title.text() == name
    assert form.members.rowCount() == len(records.members_of_site(
        Workspace.open(demo_copy, lock=lock), site)) > 0  # (opened with the look's lock)


def test_the_workspace_opens_with_the_looks_lock_and_selection(qtbot, demo_copy: Path) -> None:
    w = _window(qtbot)
    lock = w.show_first_look(demo_copy)
    assert lock is not None
    # the person picks another item while the workspace is still opening
    assert w.navigator.select_record("network", w.navigator.topLevelItem(0).data(
        0, Qt.ItemDataRole.UserRole).id)
    assert w.workspace is None  # nothing is shown from the store yet
    assert w.open_workspace(demo_copy, lock=lock)
    assert w.workspace is not None and w.workspace._lock is lock
    node = w.navigator.current_node()
    assert node is not None and node.kind == "network"
    form = w.stack.currentWidget()
    assert isinstance(form, NetworkForm) and form.record_id == node.id
    assert form.fields["name"].widget.text() == node.label
    assert not w.looking and w.statusBar().currentMessage() == ""


def test_input_is_held_until_the_workspace_opens(qtbot, demo_copy: Path) -> None:
    """Nothing typed, chosen or pressed during the first look can wait and land on another
    record later: the form takes no input until the workspace is open."""
    site, name = _local_site(demo_copy)
    w = _window(qtbot)
    lock = w.show_first_look(demo_copy)
    form = w.stack.currentWidget()
    assert isinstance(form, SiteForm)
    edit = form.fields["name"].widget
    edit.setFocus()
    qtbot.keyClicks(edit, "Renamed While Opening")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert edit.text() == name  # held
    add = _button(form, "Add member")
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)  # held: nothing runs before the store
    role = form.members.cellWidget(0, 1)
    assert role is not None
    before = role.currentIndex()
    qtbot.keyClick(role, Qt.Key.Key_Down)  # a cell's drop-down is the form's too
    assert role.currentIndex() == before
    assert w.open_workspace(demo_copy, lock=lock)
    ws = w.workspace
    assert ws is not None
    members = len(records.members_of_site(ws, site))
    assert members == form.members.rowCount()
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)  # now the button works
    assert len(records.members_of_site(ws, site)) == members + 1
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "Renamed Once Open")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    stored = records.record_view(ws, "site", site)
    assert stored is not None and stored["name"] == "Renamed Once Open"


def test_input_is_held_only_while_the_look_shows(qtbot, demo_copy: Path) -> None:
    """The person picks another item during the look: the form they leave takes input
    again once the workspace is open (no filter is left behind)."""
    w = _window(qtbot)
    lock = w.show_first_look(demo_copy)
    form = w.stack.currentWidget()
    assert isinstance(form, SiteForm) and form._hold.held
    assert w.navigator.select_record("network", w.navigator.topLevelItem(0).data(
        0, Qt.ItemDataRole.UserRole).id)
    assert w.open_workspace(demo_copy, lock=lock)
    assert not form._hold.held


@pytest.fixture(scope="module")
def school_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A school's file of the split sample network: its kind and parent are the
    coordinator's, so the first form shows locked fields."""
    from nicdesk.demo.network import build_network_demo

    folder = tmp_path_factory.mktemp("network")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NICDESK_DATA_DIR", str(tmp_path_factory.mktemp("keys")))
        coord = build_network_demo(folder)[0]
    return coord.parent / "sites" / "lincoln-high-school.nicdesk"


@pytest.mark.parametrize("which", ["sample", "school"])
def test_the_first_look_is_the_screen_the_workspace_shows(qtbot, demo_copy: Path,
                                                          school_file: Path, tmp_path: Path,
                                                          which: str) -> None:
    """Pixel for pixel (what `nicdesk screenshot` relies on): values, choices, locks and
    their reasons, buttons, the status bar."""
    path = demo_copy
    if which == "school":
        path = tmp_path / school_file.name
        shutil.copy(school_file, path)
    looked = _window(qtbot)
    lock = looked.show_first_look(path, picture=True)
    assert lock is not None
    form = looked.stack.currentWidget()
    assert isinstance(form, SiteForm)
    if which == "school":
        assert form.fields["kind"].locked  # the coordinator's field, from the look too
    picture = looked.grab().toImage()
    lock.release()
    opened = _window(qtbot)
    assert opened.open_workspace(path)
    assert opened.grab().toImage() == picture


def test_a_tampered_file_gets_no_first_look(qtbot, demo_copy: Path) -> None:
    con = sqlite3.connect(demo_copy)  # a trigger: the open refuses, so the look does too
    con.execute("CREATE TRIGGER sneaky AFTER UPDATE ON sites BEGIN SELECT 1; END")
    con.commit()
    con.close()
    w = _window(qtbot)
    assert w.show_first_look(demo_copy) is None
    assert w.navigator.topLevelItemCount() == 0 and not w.looking


def _refusals(monkeypatch) -> list[tuple[str, str]]:
    import nicdesk.ui.shell.main_window as mw

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(mw, "show_error", lambda _p, title, msg, *a: shown.append((title, msg)))
    return shown


def test_a_file_refused_after_the_look_is_explained_and_cleared(qtbot, demo_copy: Path,
                                                                monkeypatch) -> None:
    shown = _refusals(monkeypatch)
    w = _window(qtbot)
    lock = w.show_first_look(demo_copy)
    assert lock is not None and w.navigator.topLevelItemCount() > 0
    form = w.stack.currentWidget()
    con = sqlite3.connect(demo_copy)  # meanwhile a newer NICdesk saved it (say)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    # quiet (a recent file) — but the person saw it, so they are told
    assert not w.open_workspace(demo_copy, quiet=True, lock=lock)
    assert len(shown) == 1 and "newer version of NICdesk" in shown[0][1]
    assert w.navigator.topLevelItemCount() == 0
    assert w.stack.currentWidget() is w.empty
    assert not w.looking and lock.fd is None and w.statusBar().currentMessage() == ""
    assert not form._hold.held


def test_a_value_no_screen_can_show_closes_with_a_message(qtbot, demo_copy: Path,
                                                          monkeypatch) -> None:
    """A meeting date that is no date: the look gives up, and the open, which cannot build
    the navigator, says so and closes instead of leaving a half-open window."""
    shown = _refusals(monkeypatch)
    con = sqlite3.connect(demo_copy)
    con.execute("UPDATE meetings SET date = '2024-1-5'")
    con.commit()
    con.close()
    w = _window(qtbot)
    assert w.show_first_look(demo_copy) is None
    assert not w.open_workspace(demo_copy)
    assert [title for title, _ in shown] == ["Cannot show this workspace"]
    assert "2024-1-5" in shown[0][1] or "date" in shown[0][1].lower()
    assert w.workspace is None and w.navigator.topLevelItemCount() == 0
    Workspace.open(demo_copy).close()  # closed: the lock is free again


def test_the_app_start_shows_the_first_look_then_opens(qtbot, demo_copy: Path) -> None:
    from nicdesk.ui.shell.app import initial_workspace

    w = _window(qtbot)
    order: list[str] = []
    w.first_screen.connect(lambda: order.append("first screen"
                                                + (" (look)" if w.looking else "")))
    w.workspace_loaded.connect(lambda: order.append("workspace"))
    initial_workspace(w, demo_copy)
    assert order == ["first screen (look)"]
    qtbot.waitUntil(lambda: w.workspace is not None)
    assert order == ["first screen (look)", "workspace"]
    assert isinstance(w.stack.currentWidget(), SiteForm)


def test_a_picture_with_the_walkthrough_on_comes_from_the_open(qtbot, demo_copy: Path,
                                                               tmp_path: Path) -> None:
    """The guided walkthrough's dock needs the store (its steps are read from records):
    `nicdesk screenshot` then takes its picture from the open workspace, dock and all."""
    from nicdesk.ui.shell.app import screenshot

    with Workspace.open(demo_copy) as ws:
        ws.set_meta(walkthrough="on")
    w = _window(qtbot)
    assert w.show_first_look(demo_copy, picture=True) is None
    lock = w.show_first_look(demo_copy)  # a person still gets the first look
    assert lock is not None
    lock.release()
    assert screenshot(demo_copy, tmp_path / "shot.png") == 0
    opened = _window(qtbot)
    assert opened.open_workspace(demo_copy)
    assert opened.walkthrough.dock.isVisible()
