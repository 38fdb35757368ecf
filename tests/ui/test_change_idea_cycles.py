"""A change idea and its driver-diagram node are one name everywhere, and a PDSA cycle can
be started where people look for it: the PDSA list, a change idea (its node, the node's
panel, a right-click, the editor's toolbar) and the PDSA menu (Ctrl+Shift+P).  Issue 19,
items 1 and 4, through real widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from nicdesk.store.ops.diagrams import new_diagram
from nicdesk.store.schema import ChangeIdea, PdsaCycle
from nicdesk.ui.diagram.driver import DriverEditor
from nicdesk.ui.pdsa.lists import CycleListPage
from nicdesk.ui.pdsa.page import PdsaPage
from tests.ui.conftest import window_on


@pytest.fixture
def window(qtbot, tmp_path: Path):
    from nicdesk.store.workspace import Workspace

    ws = Workspace.create(tmp_path / "c.nicdesk")
    net = ws.ops.create("network", name="Test NIC").id
    site = ws.ops.create("site", network_id=net, name="Lincoln", kind="school").id
    new_diagram(ws, net, site, "Theory", "85 % of 9th graders on track by June 2027")
    ws.close()
    w = window_on(qtbot, tmp_path / "c.nicdesk", "Lincoln/Driver diagrams/Theory", (1300, 800))
    yield w, site
    w.close_workspace()


def key(qtbot, ed: DriverEditor, k, mod=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(ed.view, k, mod)


def type_name(qtbot, ed: DriverEditor, text: str) -> None:
    editor = ed.editor
    assert editor is not None and editor.isVisible()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def ideas(w) -> dict[str, str | None]:
    with w.workspace.read() as s:
        return {i.title: i.node_id for i in s.query(ChangeIdea).filter_by(deleted=False)}


def titles(w) -> list[str]:
    with w.workspace.read() as s:
        return sorted(i.title for i in s.query(ChangeIdea).filter_by(deleted=False))


def cycles(w) -> list[PdsaCycle]:
    with w.workspace.read() as s:
        return list(s.query(PdsaCycle).filter_by(deleted=False))


def two_new_change_ideas(qtbot, ed: DriverEditor) -> tuple[str, str]:
    """Aim → primary → secondary → two change ideas left as "New change idea"."""
    ed.view.setFocus()
    key(qtbot, ed, Qt.Key.Key_Tab)
    type_name(qtbot, ed, "Every student is known")
    key(qtbot, ed, Qt.Key.Key_Tab)
    type_name(qtbot, ed, "Advisory contact")
    key(qtbot, ed, Qt.Key.Key_Tab)  # a change idea; its name is left for later
    qtbot.keyClick(ed.editor, Qt.Key.Key_Escape)
    first = ed.selected()
    key(qtbot, ed, Qt.Key.Key_Return)  # a second one below it
    qtbot.keyClick(ed.editor, Qt.Key.Key_Escape)
    second = ed.selected()
    assert first and second and first != second
    return first, second


def test_renaming_a_change_idea_node_renames_the_change_idea(window, qtbot) -> None:
    w, _site = window
    ed = w.stack.currentWidget()
    assert isinstance(ed, DriverEditor)
    first, second = two_new_change_ideas(qtbot, ed)
    assert titles(w) == ["New change idea", "New change idea"]  # the reported state

    # F2 + type + Enter on each node: the stored change idea takes the name
    ed.scene.select_only(first)
    key(qtbot, ed, Qt.Key.Key_F2)
    type_name(qtbot, ed, "Advisory check-ins")
    ed.scene.select_only(second)
    key(qtbot, ed, Qt.Key.Key_F2)
    type_name(qtbot, ed, "Calls home on Fridays")
    assert ideas(w) == {"Advisory check-ins": first, "Calls home on Fridays": second}
    assert ed.data.nodes[first].text == "Advisory check-ins"

    # one operation: one Undo puts node and idea back together, Redo renames both again
    assert w.workspace.ops.undo_status()[0] == "Rename change idea"
    w.act_undo.trigger()
    assert ideas(w) == {"Advisory check-ins": first, "New change idea": second}
    assert ed.data.nodes[second].text == "New change idea"
    w.act_redo.trigger()
    assert ideas(w)["Calls home on Fridays"] == second

    # the PDSA "Change idea" picker (and the list) know the ideas by their new names
    ed.scene.select_only(first)
    ed.act_new_cycle.trigger()
    page = w.stack.currentWidget()
    assert isinstance(page, PdsaPage)
    combo = page.forms[0].fields["change_idea_id"].widget
    items = [combo.itemText(i) for i in range(combo.count())]
    assert items == ["(none)", "Advisory check-ins", "Calls home on Fridays"]
    assert combo.currentText() == "Advisory check-ins"
    assert w.select_path("Lincoln/PDSA cycles")
    listing = w.stack.currentWidget()
    assert isinstance(listing, CycleListPage)
    assert [r.change_idea for r in listing.model.rows] == ["Advisory check-ins"]


def test_new_cycle_from_a_change_idea_node(window, qtbot) -> None:
    w, site = window
    ed = w.stack.currentWidget()
    first, second = two_new_change_ideas(qtbot, ed)
    ed.scene.select_only(first)
    key(qtbot, ed, Qt.Key.Key_F2)
    type_name(qtbot, ed, "Advisory check-ins")
    with w.workspace.read() as s:
        idea = s.query(ChangeIdea).filter_by(node_id=first).one().id

    # a driver is no change idea: the toolbar action and the panel's button are off
    aim_child = ed.data.parents(ed.data.parents(first)[0])[0]
    ed.scene.select_only(aim_child)
    assert not ed.act_new_cycle.isEnabled() and ed.details.new_cycle.isHidden()

    # the change idea's panel: "PDSA cycles run on this change idea: 0" and its button
    ed.scene.select_only(first)
    assert ed.act_new_cycle.isEnabled()
    assert ed.details.info.text() == "PDSA cycles run on this change idea: 0"
    assert not ed.details.new_cycle.isHidden()
    qtbot.mouseClick(ed.details.new_cycle, Qt.MouseButton.LeftButton)
    made = cycles(w)
    assert [(c.site_id, c.title, c.cycle_number) for c in made] == [
        (site, "Advisory check-ins, cycle 1", 1)]
    assert ideas(w)["Advisory check-ins"] == first
    with w.workspace.read() as s:
        assert s.get(ChangeIdea, made[0].change_idea_id).title == "Advisory check-ins"
    page = w.stack.currentWidget()
    assert isinstance(page, PdsaPage) and page.cycle_id == made[0].id

    # back on the diagram: the count went up; a right-click offers the next cycle
    assert w.select_path("Lincoln/Driver diagrams/Theory")
    assert w.stack.currentWidget() is ed
    ed.scene.select_only(first)
    assert ed.details.info.text() == "PDSA cycles run on this change idea: 1"
    menu = ed.context_menu(first)
    entry = next(a for a in menu.actions() if a.text() == "New PDSA cycle")
    entry.trigger()
    assert sorted(c.title for c in cycles(w)) == ["Advisory check-ins, cycle 1",
                                                  "Advisory check-ins, cycle 2"]
    assert isinstance(w.stack.currentWidget(), PdsaPage)
    assert {c.change_idea_id for c in cycles(w)} == {idea}
    # a driver's right-click offers no cycle
    assert w.select_path("Lincoln/Driver diagrams/Theory")
    menu = ed.context_menu(aim_child)
    assert "New PDSA cycle" not in [a.text() for a in menu.actions()]

    # the editor's toolbar, with the keyboard shortcut of the PDSA menu
    ed.scene.select_only(second)
    ed.view.setFocus()
    w.activateWindow()
    qtbot.keyClick(ed.view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert sorted(c.title for c in cycles(w))[-1] == "New change idea, cycle 1"


def test_new_cycle_button_on_the_pdsa_list_and_the_pdsa_menu(window, qtbot,
                                                              monkeypatch) -> None:
    w, site = window
    assert w.select_path("Lincoln/PDSA cycles")
    listing = w.stack.currentWidget()
    assert isinstance(listing, CycleListPage)
    # no cycle yet: the list's empty state offers "New PDSA cycle" (issue 23)
    button = listing.empty.button
    assert button.isVisible() and button.text() == listing.new_button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    made = cycles(w)
    assert [(c.site_id, c.title, c.change_idea_id) for c in made] == [
        (site, "New PDSA cycle", None)]
    page = w.stack.currentWidget()
    assert isinstance(page, PdsaPage) and page.cycle_id == made[0].id

    # PDSA → New PDSA cycle, Ctrl+Shift+P: a menu of its own, with a key no one else uses
    act = w.act_new_cycle
    assert act is not None and act.shortcut().toString() == "Ctrl+Shift+P"
    menus = {a.text().replace("&", ""): a.menu() for a in w.menuBar().actions()}
    assert act in menus["PDSA"].actions()
    shortcuts = [a.shortcut().toString() for m in menus.values() for a in m.actions()
                 if not a.shortcut().isEmpty()]
    assert shortcuts.count("Ctrl+Shift+P") == 1
    # on the network (no site selected) with two sites: it asks which site
    w.workspace.ops.create("site", network_id=_network(w), name="Washington", kind="school")
    w.pages.refresh_navigator()
    assert w.select_path("Test NIC")
    asked = {}

    def choose(_parent, _title, label, names, *_a, **_k):
        asked["names"] = list(names)
        return "Washington", True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(choose))
    act.trigger()
    assert asked["names"] == ["Lincoln", "Washington"]
    newest = [c for c in cycles(w) if c.id != made[0].id]
    assert len(newest) == 1
    with w.workspace.read() as s:
        from nicdesk.store.schema import Site

        assert s.get(Site, newest[0].site_id).name == "Washington"
    assert isinstance(w.stack.currentWidget(), PdsaPage)
    assert w.stack.currentWidget().cycle_id == newest[0].id


def _network(w) -> str:
    from nicdesk.store.schema import Network

    with w.workspace.read() as s:
        return s.query(Network).one().id
