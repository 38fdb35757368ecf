"""Driver diagram editor through real widgets: keyboard only, links, undo/redo, snapshots,
diff and export."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog

from nicdesk.store.ops.diagrams import load_diagram, new_diagram
from nicdesk.ui.diagram import driver as de
from tests.ui.conftest import window_on


@pytest.fixture
def editor(qtbot, tmp_path: Path):
    from nicdesk.store.workspace import Workspace

    ws = Workspace.create(tmp_path / "d.nicdesk")
    net = ws.ops.create("network", name="Test NIC").id
    new_diagram(ws, net, None, "Theory", "85 % on track by 2027")
    ws.close()
    w = window_on(qtbot, tmp_path / "d.nicdesk", "Test NIC/Driver diagrams/Theory", (1300, 800))
    ed = w.stack.currentWidget()
    assert isinstance(ed, de.DriverEditor)
    ed.view.setFocus()
    yield w, ed
    w.close_workspace()


def texts(ed) -> dict[str, str]:
    return {n.text: n.level for n in ed.data.nodes.values()}


def type_name(qtbot, ed, text: str) -> None:
    editor = ed.editor
    assert editor is not None and editor.isVisible()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def key(qtbot, ed, k, mod=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(ed.view, k, mod)


def test_build_by_keyboard_link_undo_redo_snapshot_diff(editor, qtbot, monkeypatch) -> None:
    w, ed = editor
    # aim is selected; Tab adds a primary driver and opens the in-place editor
    key(qtbot, ed, Qt.Key.Key_Tab)
    type_name(qtbot, ed, "Every student is known")
    key(qtbot, ed, Qt.Key.Key_Return)  # sibling primary
    type_name(qtbot, ed, "Data drive action")
    key(qtbot, ed, Qt.Key.Key_Up)  # back to the first primary
    key(qtbot, ed, Qt.Key.Key_Tab)  # a secondary under it
    type_name(qtbot, ed, "Advisory contact")
    key(qtbot, ed, Qt.Key.Key_Tab)  # a change idea under that
    type_name(qtbot, ed, "Advisory check-ins")
    key(qtbot, ed, Qt.Key.Key_Left)  # to the secondary
    key(qtbot, ed, Qt.Key.Key_Left)  # to the primary
    key(qtbot, ed, Qt.Key.Key_Down)  # to "Data drive action"
    key(qtbot, ed, Qt.Key.Key_Tab)
    type_name(qtbot, ed, "Grade reviews")
    assert texts(ed) == {
        "85 % on track by 2027": "aim", "Every student is known": "primary",
        "Data drive action": "primary", "Advisory contact": "secondary",
        "Advisory check-ins": "change idea", "Grade reviews": "secondary"}

    # link the change idea to a second secondary driver, with Ctrl+L
    idea = next(i for i, n in ed.data.nodes.items() if n.text == "Advisory check-ins")
    grades = next(i for i, n in ed.data.nodes.items() if n.text == "Grade reviews")
    ed.scene.select_only(idea)
    monkeypatch.setattr(QInputDialog, "getItem",
                        staticmethod(lambda *a, **k: ("Grade reviews", True)))
    key(qtbot, ed, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert sorted(ed.data.parents(idea)) == sorted(
        [grades, next(i for i, n in ed.data.nodes.items() if n.text == "Advisory contact")])
    # a link that skips levels is refused with a message, nothing stored
    aim = next(i for i, n in ed.data.nodes.items() if n.level == "aim")
    ed.link_nodes(aim, idea)
    assert "primary drivers only" in ed.problem.text()
    full = ed.data.version()

    # undo everything, then redo everything
    steps = 0
    while w.workspace.ops.undo_status()[0] and steps < 50:
        w.act_undo.trigger()
        steps += 1
    assert set(texts(ed)) == {"85 % on track by 2027"}
    while w.workspace.ops.undo_status()[1]:
        w.act_redo.trigger()
    assert ed.data.version() == full

    # snapshot, change, compare
    monkeypatch.setattr(QInputDialog, "getText",
                        staticmethod(lambda *a, **k: ("Launch theory", True)))
    ed.snapshot()
    ed.scene.select_only(grades)
    key(qtbot, ed, Qt.Key.Key_F2)
    type_name(qtbot, ed, "Teams review grades every two weeks")
    seen = {}

    def fake_exec(dialog) -> int:
        seen["text"] = dialog.text.toPlainText()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(de.CompareDialog, "exec", fake_exec)
    ed.compare()
    assert "Reworded: “Grade reviews” → “Teams review grades every two weeks”" in seen["text"]
    assert ed.scene.nodes[grades].highlight == "reworded"


def test_delete_asks_when_children_would_go(editor, qtbot, monkeypatch) -> None:
    w, ed = editor
    key(qtbot, ed, Qt.Key.Key_Tab)
    type_name(qtbot, ed, "Driver")
    key(qtbot, ed, Qt.Key.Key_Tab)
    type_name(qtbot, ed, "Secondary")
    key(qtbot, ed, Qt.Key.Key_Left)
    from PySide6.QtWidgets import QMessageBox

    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No))
    key(qtbot, ed, Qt.Key.Key_Delete)
    assert asked and "1 node that only hang" in asked[0]
    assert "Driver" in texts(ed)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: QMessageBox.StandardButton.Yes))
    key(qtbot, ed, Qt.Key.Key_Delete)
    assert set(texts(ed)) == {"85 % on track by 2027"}
    w.act_undo.trigger()
    assert {"Driver", "Secondary"} <= set(texts(ed))


def test_empty_text_is_refused(editor, qtbot) -> None:
    w, ed = editor
    key(qtbot, ed, Qt.Key.Key_Tab)
    type_name(qtbot, ed, "Driver")
    key(qtbot, ed, Qt.Key.Key_F2)
    ed.editor.clear()
    qtbot.keyClick(ed.editor, Qt.Key.Key_Return)
    assert "Driver" in texts(ed)
    assert ed.problem.isVisible() and "needs some text" in ed.problem.text()


def test_export_png_and_svg(editor, qtbot, tmp_path: Path) -> None:
    w, ed = editor
    key(qtbot, ed, Qt.Key.Key_Tab)
    type_name(qtbot, ed, "Driver")
    png = ed.export(str(tmp_path / "d.png"))
    svg = ed.export(str(tmp_path / "d.svg"))
    image = QImage(str(png))
    rect = ed.scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)
    scale = 300 / 96  # print resolution
    assert (image.width(), image.height()) == (int(rect.width() * scale),
                                               int(rect.height() * scale))
    assert round(image.dotsPerMeterX() * 0.0254) == 300
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    with w.workspace.read() as s:
        assert len(load_diagram(s, ed.diagram_id).nodes) == 2
    QApplication.processEvents()


def test_cli_png_export(demo_file: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "theory.png"
    result = subprocess.run([sys.executable, "-m", "nicdesk", "diagram", str(demo_file),
                             "Theory", "--out", str(out)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert image.width() > 1000 and image.height() > 300


def test_compare_on_the_sample_and_on_a_malformed_snapshot(qtbot, tmp_path: Path,
                                                          demo_file: Path,
                                                          monkeypatch) -> None:
    """The sample's launch snapshot is a real version of its theory, and a snapshot whose
    content is not a version (an older file, another site's bundle) compares as empty
    instead of stopping the dialog."""
    import shutil

    from nicdesk.store.workspace import Workspace

    path = tmp_path / "s.nicdesk"
    shutil.copy(demo_file, path)
    w = window_on(qtbot, path, "Great Lakes Focus Schools NIC/Driver diagrams", (1300, 800))
    w.select_path("Great Lakes Focus Schools NIC/Driver diagrams/Theory")
    ed = w.stack.currentWidget()
    assert isinstance(ed, de.DriverEditor)
    seen: list[str] = []

    def fake_exec(dialog: de.CompareDialog) -> int:
        dialog.older.setCurrentIndex(dialog.older.count() - 1)  # the newest snapshot
        seen.append(dialog.text.toPlainText())
        return 0

    monkeypatch.setattr(de.CompareDialog, "exec", fake_exec)
    ed.compare()
    assert seen and "What changed" in seen[0]
    assert "Removed" not in seen[0]  # the snapshot holds the same nodes as the theory
    diagram_id = ed.diagram_id
    w.close_workspace()

    ws = Workspace.open(path)
    import datetime as dt

    ws.ops.create("diagram_snapshot", diagram_id=diagram_id, name="Hand-made",
                  taken=dt.date.today(), content={"nodes": 12, "links": "none"})
    ws.close()
    w.open_workspace(path)
    w.select_path("Great Lakes Focus Schools NIC/Driver diagrams/Theory")
    ed = w.stack.currentWidget()
    ed.compare()  # the hand-made snapshot is the newest
    assert len(seen) == 2 and "What changed" in seen[1]
    assert "Added" in seen[1]  # against an empty version, every node is new
    w.close_workspace()
