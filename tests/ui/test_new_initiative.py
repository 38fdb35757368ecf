"""File → New Initiative From… driven through its real widgets: the preview says what
comes and what stays behind, a refusal keeps the dialog open and writes nothing, and the
started file opens in the window with the copied structure."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import func, select

from nicdesk.store.schema import Network, Observation, Site
from nicdesk.ui.shell.initiative import NewInitiativeDialog

from .conftest import settle, shown_window, when_modal, window_on


def _choose(dialog: NewInitiativeDialog, text: str) -> None:
    row = next(i for i in range(dialog.sources.count())
               if dialog.sources.item(i).text() == text)
    rect = dialog.sources.visualItemRect(dialog.sources.item(row))
    QTest.mouseClick(dialog.sources.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center())


def _type(edit, text: str) -> None:
    edit.selectAll()
    QTest.keyClicks(edit, text)


def _start(dialog: NewInitiativeDialog, target: Path, seen: dict[str, str]) -> None:
    """Save as `target` and start; a refusal is kept in `seen` and the dialog closed, so
    the test fails on it rather than hanging on a dialog left open."""
    _type(dialog.path, str(target))
    dialog.ok.click()
    seen["refused"] = dialog.problem.text() if dialog.isVisible() else ""
    if dialog.isVisible():
        dialog.reject()


def test_from_the_open_network_into_a_new_file(qtbot, demo_copy: Path, tmp_path: Path
                                               ) -> None:
    w = window_on(qtbot, demo_copy)
    taken = tmp_path / "taken.nicdesk"
    taken.write_bytes(b"someone's file")
    target = tmp_path / "attendance.nicdesk"
    seen: dict[str, str] = {}

    def act(dialog: NewInitiativeDialog) -> None:
        _choose(dialog, "Structure of North Star Regional Centers NIC")
        _type(dialog.name, "Attendance NIC")
        seen["preview"] = dialog.preview.toPlainText()
        _type(dialog.path, str(taken))
        dialog.ok.click()  # refused: the file exists; the dialog stays, nothing written
        seen["problem"] = dialog.problem.text()
        assert dialog.isVisible()
        _start(dialog, target, seen)

    when_modal(NewInitiativeDialog, act)
    w.act_new_initiative.trigger()
    settle()
    assert seen["refused"] == ""
    assert "Attendance NIC from North Star Regional Centers NIC: 1 charter, 7 sites" \
        in seen["preview"]
    assert "Left behind, and what to check:" in seen["preview"] and "No keys" in seen["preview"]
    assert "taken.nicdesk already exists" in seen["problem"]
    assert taken.read_bytes() == b"someone's file"
    # the window now works in the new file, on its network
    assert w.workspace is not None and w.workspace.path == target
    assert "Attendance NIC" in w.statusBar().currentMessage()
    with w.workspace.read() as s:
        assert [n.name for n in s.scalars(select(Network))] == ["Attendance NIC"]
        assert s.scalar(select(func.count()).select_from(Site)) == 7
        assert s.scalar(select(func.count()).select_from(Observation)) == 0
    assert w.select_path("Attendance NIC")


def test_from_a_template_with_no_workspace_open(qtbot, tmp_path: Path) -> None:
    w = shown_window(qtbot)
    target = tmp_path / "reading.nicdesk"
    seen: dict[str, str] = {}

    def act(dialog: NewInitiativeDialog) -> None:
        assert dialog.sources.count() == 3  # only the templates: no network is open
        _choose(dialog, "Starter template: Early literacy")
        seen["name"] = dialog.name.text()
        seen["preview"] = dialog.preview.toPlainText()
        _start(dialog, target, seen)

    when_modal(NewInitiativeDialog, act)
    w.act_new_initiative.trigger()
    settle()
    assert seen["refused"] == ""
    assert seen["name"] == "Early literacy"  # a template names the initiative
    assert "Sources:" in seen["preview"] and "No sites or members" in seen["preview"]
    assert w.workspace is not None and w.workspace.path == target
    assert w.select_path("Early literacy/Driver diagrams")
