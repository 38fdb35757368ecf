"""Fishbone editor through real widgets: keyboard build, votes, undo/redo, 5 whys, root
cause linked to a driver and visible from the driver diagram's details."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from nicdesk.store.ops.diagrams import add_node, new_diagram
from nicdesk.store.ops.fishbones import new_fishbone
from nicdesk.store.schema import Cause
from nicdesk.ui.diagram.fishbone import FishboneEditor
from tests.ui.conftest import window_on


@pytest.fixture
def editor(qtbot, tmp_path: Path):
    from nicdesk.store.workspace import Workspace

    ws = Workspace.create(tmp_path / "f.nicdesk")
    net = ws.ops.create("network", name="Test NIC").id
    site = ws.ops.create("site", network_id=net, name="Lincoln", kind="school").id
    new_fishbone(ws, net, site, "Too many 9th graders fail a course", categories=())
    dd = new_diagram(ws, net, None, "Theory", "85 % on track").created[0]
    with ws.read() as s:
        from nicdesk.store.ops.diagrams import load_diagram

        aim = next(iter(load_diagram(s, dd).nodes))
    add_node(ws, dd, "primary", "Every student is known by an adult", aim)
    ws.close()
    w = window_on(qtbot, tmp_path / "f.nicdesk", "Lincoln/Fishbones/Too many", (1500, 900))
    ed = w.stack.currentWidget()
    assert isinstance(ed, FishboneEditor)
    ed.view.setFocus()
    yield w, ed
    w.close_workspace()


def name(qtbot, ed, text: str) -> None:
    assert ed.editor is not None
    ed.editor.selectAll()
    qtbot.keyClicks(ed.editor, text)
    qtbot.keyClick(ed.editor, Qt.Key.Key_Return)


def key(qtbot, ed, k, mod=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(ed.view, k, mod)


def tree(ed) -> list[tuple[str, str | None, str]]:
    cats = {c.id: c.name for c in ed.data.categories}
    return sorted(((cats[c.category_id], ed.data.causes[c.parent_id].text if c.parent_id
                    else None, c.text) for c in ed.data.causes.values()),
                  key=lambda r: (r[0], r[1] or "", r[2]))


def test_keyboard_build_vote_whys_root_link_undo_redo(editor, qtbot) -> None:
    w, ed = editor
    # head selected: Tab adds a category, Enter adds sibling categories
    key(qtbot, ed, Qt.Key.Key_Tab)
    name(qtbot, ed, "Students")
    key(qtbot, ed, Qt.Key.Key_Return)
    name(qtbot, ed, "Teachers & Instruction")
    key(qtbot, ed, Qt.Key.Key_Return)
    name(qtbot, ed, "Families & Community")
    # a cause under "Families", a sub-cause, then causes under "Students"
    key(qtbot, ed, Qt.Key.Key_Tab)
    name(qtbot, ed, "Families hear only bad news")
    key(qtbot, ed, Qt.Key.Key_Tab)
    name(qtbot, ed, "No time for positive calls")
    key(qtbot, ed, Qt.Key.Key_Up)
    key(qtbot, ed, Qt.Key.Key_Up)  # the category "Families & Community"
    key(qtbot, ed, Qt.Key.Key_Up)  # "Teachers & Instruction"
    key(qtbot, ed, Qt.Key.Key_Up)  # "Students"
    key(qtbot, ed, Qt.Key.Key_Tab)
    name(qtbot, ed, "Students do not ask for help")
    key(qtbot, ed, Qt.Key.Key_Return)
    name(qtbot, ed, "Many absences")
    assert [c.name for c in ed.data.categories] == [
        "Students", "Teachers & Instruction", "Families & Community"]
    assert tree(ed) == [
        ("Families & Community", None, "Families hear only bad news"),
        ("Families & Community", "Families hear only bad news", "No time for positive calls"),
        ("Students", None, "Many absences"),
        ("Students", None, "Students do not ask for help")]
    assert ed.outline.topLevelItem(2).child(0).child(0).text(0) == "No time for positive calls"

    # multi-vote with V on "Students do not ask for help"
    ask = next(i for i, c in ed.data.causes.items() if c.text.startswith("Students do not"))
    ed.scene.select_only(ask)
    for _ in range(3):
        key(qtbot, ed, Qt.Key.Key_V)
    assert ed.data.causes[ask].votes == 3
    assert "●3" in " ".join(ed.data.layout.boxes[ask].lines)

    # 5 whys through the details pane, and the root-cause flag
    form = ed.details
    for i, text in enumerate(["They don't know who to ask", "No adult checks in weekly"]):
        form.whys[i].setFocus()
        qtbot.keyClicks(form.whys[i], text)
        qtbot.keyClick(form.whys[i], Qt.Key.Key_Return)
    with w.workspace.read() as s:
        assert s.get(Cause, ask).whys == ["They don't know who to ask", "No adult checks in weekly"]
    assert "Candidate root cause: No adult checks in weekly" in form.deepest.text()
    qtbot.mouseClick(form.fields["is_root"].widget, Qt.MouseButton.LeftButton)
    assert ed.data.causes[ask].is_root

    # link the root cause to a primary driver; the driver diagram shows it
    form.driver_choice.setCurrentIndex(form.driver_choice.findText(
        "Theory › Every student is known by an adult"))
    link = next(b for b in form.findChildren(QPushButton) if b.text() == "Link to driver")
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    assert ed.data.driver_links[ask] == ["Every student is known by an adult"]
    assert w.select_path("Test NIC/Driver diagrams/Theory")
    dd = w.stack.currentWidget()
    primary = next(i for i, n in dd.data.nodes.items() if n.level == "primary")
    dd.scene.select_only(primary)
    assert "Students do not ask for help" in dd.details.causes.text()

    # undo everything, redo everything
    assert w.select_path("Lincoln/Fishbones/Too many")
    full = tree(ed)
    while w.workspace.ops.undo_status()[0]:
        w.act_undo.trigger()
    with w.workspace.read() as s:
        assert s.query(Cause).filter_by(deleted=False).count() == 0
    while w.workspace.ops.undo_status()[1]:
        w.act_redo.trigger()
    ed.reload()
    assert tree(ed) == full and ed.data.causes[ask].votes == 3


def test_move_cause_and_delete_with_sub_causes(editor, qtbot, monkeypatch) -> None:
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    w, ed = editor
    key(qtbot, ed, Qt.Key.Key_Tab)
    name(qtbot, ed, "A")
    key(qtbot, ed, Qt.Key.Key_Return)
    name(qtbot, ed, "B")
    key(qtbot, ed, Qt.Key.Key_Up)  # back to A
    key(qtbot, ed, Qt.Key.Key_Tab)
    name(qtbot, ed, "cause")
    key(qtbot, ed, Qt.Key.Key_Tab)
    name(qtbot, ed, "sub-cause")
    key(qtbot, ed, Qt.Key.Key_Left)  # to "cause"
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: ("B", True)))
    key(qtbot, ed, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert tree(ed) == [("B", None, "cause"), ("B", "cause", "sub-cause")]
    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes))
    cause = next(i for i, c in ed.data.causes.items() if c.text == "cause")
    ed.scene.select_only(cause)
    key(qtbot, ed, Qt.Key.Key_Delete)
    assert asked and "1 cause under it" in asked[0]
    assert tree(ed) == []
    w.act_undo.trigger()
    assert len(tree(ed)) == 2


def test_empty_label_is_refused(editor, qtbot) -> None:
    w, ed = editor
    key(qtbot, ed, Qt.Key.Key_Tab)
    name(qtbot, ed, "Students")
    key(qtbot, ed, Qt.Key.Key_F2)
    ed.editor.clear()
    qtbot.keyClick(ed.editor, Qt.Key.Key_Return)
    assert [c.name for c in ed.data.categories] == ["Students"]
    assert "needs some words" in ed.problem.text()


def test_pareto_and_draft_theory(editor, qtbot, monkeypatch) -> None:
    from PySide6.QtWidgets import QDialog

    from nicdesk.ui.diagram import pareto
    from nicdesk.ui.diagram.driver import DriverEditor

    w, ed = editor
    key(qtbot, ed, Qt.Key.Key_Tab)
    name(qtbot, ed, "Students")
    key(qtbot, ed, Qt.Key.Key_Tab)
    name(qtbot, ed, "Do not ask for help")
    for _ in range(3):
        key(qtbot, ed, Qt.Key.Key_V)
    key(qtbot, ed, Qt.Key.Key_Return)
    name(qtbot, ed, "Absences")
    key(qtbot, ed, Qt.Key.Key_V)
    seen = {}

    def fake_exec(dialog) -> int:
        seen["rows"] = dialog.rows
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(pareto.ParetoDialog, "exec", fake_exec)
    ed.pareto()
    assert seen["rows"] == [("Do not ask for help", 3, 0.75), ("Absences", 1, 1.0)]
    ask = next(i for i, c in ed.data.causes.items() if c.text == "Do not ask for help")
    w.workspace.ops.update("cause", ask, is_root=True)
    ed.reload()
    ed.draft()
    theory = w.stack.currentWidget()
    assert isinstance(theory, DriverEditor)
    assert {n.text for n in theory.data.nodes.values()} >= {"Students", "Do not ask for help"}


def test_outline_sorts_and_filters_by_votes(editor, qtbot) -> None:
    w, ed = editor
    key(qtbot, ed, Qt.Key.Key_Tab)
    name(qtbot, ed, "Students")
    key(qtbot, ed, Qt.Key.Key_Tab)
    name(qtbot, ed, "Few votes")
    key(qtbot, ed, Qt.Key.Key_V)
    key(qtbot, ed, Qt.Key.Key_Return)
    name(qtbot, ed, "Many votes")
    for _ in range(4):
        key(qtbot, ed, Qt.Key.Key_V)
    ed.by_votes.setChecked(True)
    rows = [ed.outline.topLevelItem(i).text(0) for i in range(ed.outline.topLevelItemCount())]
    assert rows == ["Many votes  (Students)", "Few votes  (Students)"]
    ed.min_votes.setValue(2)
    assert ed.outline.topLevelItemCount() == 1
    ed.by_votes.setChecked(False)
    ed.min_votes.setValue(0)
    assert ed.outline.topLevelItem(0).text(0) == "Students"
