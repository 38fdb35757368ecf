"""A principal's week, through the real main window with the keyboard and visible buttons
only (issue 19, "Tests that must exist"): create the school's workspace from the welcome,
write the aim, build a fishbone, draft the driver diagram from it and edit it, rename a
change idea and find it by that name in the PDSA picker, type 20 weekly rows with Tab and
Enter, plan a cycle from the change idea, and export for the network — with the stored
results read back from the workspace after every step.

The only stand-ins: the "Save as" file chooser's answer (a native chooser cannot be
driven), and modal dialogs answered by typing into them once they are up.  Navigator
items and diagram nodes are clicked with the mouse where they are drawn."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeWidgetItem,
    QWidget,
)

from nicdesk.core.layout import COLUMN_HEADINGS
from nicdesk.core.states import DriverLevel
from nicdesk.store.schema import (
    Aim,
    Cause,
    ChangeIdea,
    DriverDiagram,
    DriverNode,
    Measure,
    Observation,
    PdsaCycle,
    Site,
)
from nicdesk.ui.diagram.driver import DriverEditor
from nicdesk.ui.diagram.fishbone import FishboneEditor
from nicdesk.ui.measures.page import MeasurePage
from nicdesk.ui.pdsa.page import PdsaPage
from nicdesk.ui.shell.main_window import MainWindow
from tests.ui.conftest import answer_text, settle, shown_window, when_modal

SCHOOL = "Maple Grove Middle School"
NETWORK = "Valley NIC"
AIM = "By June 2027, 85 % of our 9th graders are on track"
PROBLEM = "Too many 9th graders fail a course"
IDEA = "Advisory check-ins"
NO = Qt.KeyboardModifier.NoModifier
LEFT = Qt.MouseButton.LeftButton


# ------------------------------------------------------------------ helpers






def click(widget: QWidget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget
    QTest.mouseClick(widget, LEFT)


def button(w: MainWindow, text: str) -> QPushButton:
    """The visible button of the page in front labelled `text`."""
    settle()  # the summary page's old buttons leave on the next turn of the loop
    page = w.stack.currentWidget()
    found = [b for b in page.findChildren(QPushButton) if b.text() == text and b.isVisible()]
    assert len(found) == 1, (text, [b.text() for b in page.findChildren(QPushButton)
                                    if b.isVisible()])
    return found[0]


def tool_button(editor, text: str) -> QWidget:
    """The toolbar button of an editor's action `text` (shown, not in an overflow)."""
    action = next(a for a in editor.toolbar.actions() if a.text().replace("&", "") == text)
    widget = editor.toolbar.widgetForAction(action)
    assert widget is not None and widget.isVisible(), text
    return widget


def navigate(w: MainWindow, *labels: str) -> QWidget:
    """Click the navigator item under `labels` (each the start of an item's text), opening
    its parents with the keyboard's → as a person does; returns the page shown."""
    in_front(w)
    nav = w.navigator
    items = [nav.topLevelItem(i) for i in range(nav.topLevelItemCount())]
    item: QTreeWidgetItem | None = None
    for n, label in enumerate(labels):
        item = next((i for i in items if i.text(0).startswith(label)), None)
        assert item is not None, (label, [i.text(0) for i in items])
        if n < len(labels) - 1 and not item.isExpanded():
            nav.scrollToItem(item)
            QTest.mouseClick(nav.viewport(), LEFT, NO, nav.visualItemRect(item).center())
            QTest.keyClick(nav, Qt.Key.Key_Right)
            assert item.isExpanded()
        items = [item.child(i) for i in range(item.childCount())]
    assert item is not None
    nav.scrollToItem(item)
    QTest.mouseClick(nav.viewport(), LEFT, NO, nav.visualItemRect(item).center())
    settle()
    assert nav.currentItem() is item
    return w.stack.currentWidget()


def in_front(w: MainWindow) -> None:
    """The main window is the active one again (as after a person closes a dialog): its
    keys reach it."""
    w.activateWindow()
    QTest.qWaitForWindowActive(w)
    settle()


def click_node(editor, node_id: str) -> None:
    """A click on a diagram node where it is drawn."""
    item = editor.scene.nodes[node_id]
    editor.view.ensureVisible(item, 10, 10)
    point = editor.view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseClick(editor.view.viewport(), LEFT, NO, point)
    assert editor.selected() == node_id


def key(widget: QWidget, k, mod=NO) -> None:
    QTest.keyClick(widget, k, mod)


def name_in_place(editor, text: str) -> None:
    """Type over the in-place editor a diagram opens, and Enter."""
    edit = editor.editor
    assert edit is not None and edit.isVisible()
    edit.selectAll()
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)


def field(page: QWidget, name: str) -> QWidget:
    found = [f for f in page.findChildren(QWidget, f"field_{name}") if f.isVisible()]
    assert len(found) == 1, name
    return found[0]


def type_over(widget: QWidget, text: str) -> None:
    """Focus a field, select what is in it and type; a one-line field is left with Tab
    (a text box keeps Tab, and Ctrl+Tab would turn the page's tab: it is stored while
    the person is still in it, at least once a second)."""
    target = widget.viewport() if isinstance(widget, QPlainTextEdit) else widget
    QTest.mouseClick(target, LEFT)  # a click puts the cursor in it
    assert widget.hasFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(widget, text)
    if not isinstance(widget, QPlainTextEdit):
        QTest.keyClick(widget, Qt.Key.Key_Tab)


def choose(combo: QComboBox, text: str) -> None:
    """Pick a combo box entry with the keyboard: Home, then ↓ until it is `text`.  (The
    box takes the focus as when Tab reaches it; a click would open its list.)"""
    items = [combo.itemText(i) for i in range(combo.count())]
    assert text in items, (text, items)
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(items.index(text)):
        QTest.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == text


def click_tab(tabs: QTabWidget, page: QWidget) -> None:
    index = tabs.indexOf(page)
    QTest.mouseClick(tabs.tabBar(), LEFT, NO, tabs.tabBar().tabRect(index).center())
    assert tabs.currentIndex() == index


def stored(w: MainWindow, model, **where) -> list:
    with w.workspace.read() as s:
        rows = s.query(model).filter_by(**where).all()
        s.expunge_all()
        return rows


def wait_stored(qtbot, w: MainWindow, check) -> None:
    qtbot.waitUntil(lambda: bool(check()), timeout=5000)


# ------------------------------------------------------------------ the week
def test_a_principals_week_with_keyboard_and_buttons(qtbot, data_dir: Path, tmp_path: Path,
                                                      monkeypatch) -> None:
    from nicdesk.services.membership import pending_request, read_join_request
    from nicdesk.ui.exchange.join import JoinRequestDialog
    from nicdesk.ui.shell.app import initial_workspace
    from nicdesk.ui.shell.welcome import SchoolDialog, WelcomeDialog

    w = shown_window(qtbot, (1400, 860))

    # ---- Monday: the welcome's "Create my school's workspace", names typed, Enter
    def school(dialog: SchoolDialog) -> None:
        QTest.keyClicks(dialog.school, SCHOOL)
        QTest.keyClick(dialog.school, Qt.Key.Key_Tab)
        assert dialog.network.hasFocus() or QApplication.focusWidget() is dialog.network
        QTest.keyClicks(dialog.network, NETWORK)
        QTest.keyClick(dialog.network, Qt.Key.Key_Return)

    when_modal(WelcomeDialog, lambda d: (when_modal(SchoolDialog, school),
                                         click(d.buttons["create"])))
    initial_workspace(w, None)
    assert w.workspace is not None
    assert w.workspace.path == data_dir / f"{SCHOOL}.nicdesk"
    sites = stored(w, Site)
    assert [s.name for s in sites] == [SCHOOL]
    site = sites[0].id
    assert w.workspace.meta()["local_site_id"] == site

    # ---- the aim: Aims → "Add aim", the statement typed in its dialog (the example in
    # grey is no value), then retyped in the form
    navigate(w, NETWORK, "Sites", SCHOOL, "Aims")
    answer_text(AIM)
    click(button(w, "Add aim"))
    form = w.stack.currentWidget()
    in_front(w)  # the dialog closed: the window active again
    type_over(field(form, "statement"), AIM)
    wait_stored(qtbot, w, lambda: [a.statement for a in stored(w, Aim, deleted=False)]
                == [AIM])
    assert stored(w, Aim)[0].site_id == site

    # ---- the fishbone: "New fishbone…", the problem typed, categories and causes keyed
    navigate(w, NETWORK, "Sites", SCHOOL, "Fishbones")
    answer_text(PROBLEM)
    click(button(w, "New fishbone…"))
    fish = w.stack.currentWidget()
    assert isinstance(fish, FishboneEditor) and fish.data is not None
    assert fish.data.fishbone.problem == PROBLEM
    categories = [c.name for c in fish.data.categories]
    in_front(w)
    # the head is selected: a click on it, Tab adds a category, then causes under it
    head = fish.selected()
    assert head is not None
    click_node(fish, head)
    key(fish.view, Qt.Key.Key_Tab)
    name_in_place(fish, "Students")
    key(fish.view, Qt.Key.Key_Tab)
    name_in_place(fish, "Students do not ask for help")
    key(fish.view, Qt.Key.Key_Return)
    name_in_place(fish, "Nobody notices a first failing grade")
    causes = sorted(c.text for c in stored(w, Cause, deleted=False))
    assert causes == ["Nobody notices a first failing grade", "Students do not ask for help"]
    assert "Students" in [c.name for c in fish.data.categories] + categories
    # the team votes on the selected cause (V, twice) and flags it as a root cause
    key(fish.view, Qt.Key.Key_V)
    key(fish.view, Qt.Key.Key_V)
    root = next(b for b in fish.details.findChildren(QCheckBox)
                if b.text() == "Worth acting on")
    click(root)
    flagged = [(c.text, c.votes, c.is_root) for c in stored(w, Cause, deleted=False)
               if c.is_root]
    assert flagged == [("Nobody notices a first failing grade", 2, True)]

    # ---- the driver diagram: "Draft driver diagram" on the fishbone's toolbar
    click(tool_button(fish, "Draft driver diagram"))
    ed = w.stack.currentWidget()
    assert isinstance(ed, DriverEditor) and ed.data is not None
    diagrams = stored(w, DriverDiagram, deleted=False)
    assert len(diagrams) == 1 and diagrams[0].site_id == site
    nodes = stored(w, DriverNode, diagram_id=diagrams[0].id, deleted=False)
    aim_node = next(n for n in nodes if n.level == "aim")
    assert aim_node.text == AIM  # the aim already written, not made up from the problem
    drafted = {n.id: n.text for n in nodes if n.level != "aim"}
    # the columns are headed on screen, above the nodes
    headings = {i.text(): i for i in ed.scene.heading_items}
    assert set(COLUMN_HEADINGS[:1]) <= set(headings)

    # edit: the drafted secondary driver (the root cause) reworded as a driver, F2
    drafted_root = next(i for i, t in drafted.items()
                        if t == "Nobody notices a first failing grade")
    click_node(ed, drafted_root)
    key(ed.view, Qt.Key.Key_F2)
    name_in_place(ed, "A first failing grade is noticed within a week")
    with w.workspace.read() as s:
        assert s.get(DriverNode, drafted_root).text == \
            "A first failing grade is noticed within a week"
    drafted[drafted_root] = "A first failing grade is noticed within a week"

    # then under the aim a primary driver, a secondary driver, then a change idea left
    # with its first name, renamed afterwards with F2
    click_node(ed, aim_node.id)
    key(ed.view, Qt.Key.Key_Tab)
    name_in_place(ed, "Every student is known by an adult")
    key(ed.view, Qt.Key.Key_Tab)
    name_in_place(ed, "Advisory contact every week")
    key(ed.view, Qt.Key.Key_Tab)
    key(ed.editor, Qt.Key.Key_Escape)  # the change idea keeps "New change idea" for now
    idea_node = ed.selected()
    assert idea_node is not None
    texts = {n.text: n.level for n in stored(w, DriverNode, diagram_id=diagrams[0].id,
                                                 deleted=False)}
    assert texts["Every student is known by an adult"] == "primary"
    assert texts["Advisory contact every week"] == "secondary"
    assert texts["New change idea"] == DriverLevel.CHANGE_IDEA
    assert all(t in texts for t in drafted.values())  # the draft's nodes are kept
    headings = {i.text(): i for i in ed.scene.heading_items}
    assert list(headings) == list(COLUMN_HEADINGS)
    top = min(n.sceneBoundingRect().top() for n in ed.scene.nodes.values())
    assert all(h.sceneBoundingRect().bottom() <= top for h in headings.values())

    # ---- rename the change idea (F2): the node and the change idea are one name
    click_node(ed, idea_node)
    key(ed.view, Qt.Key.Key_F2)
    name_in_place(ed, IDEA)
    ideas = stored(w, ChangeIdea, deleted=False)
    assert [(i.title, i.node_id) for i in ideas] == [(IDEA, idea_node)]
    idea = ideas[0].id

    # ... and find it by that name in the PDSA picker: PDSA cycles → "New PDSA cycle",
    # then the Change idea box chosen with the keyboard
    navigate(w, NETWORK, "Sites", SCHOOL, "PDSA cycles")
    click(button(w, "New PDSA cycle"))
    page = w.stack.currentWidget()
    assert isinstance(page, PdsaPage)
    picker = field(page, "change_idea_id")
    assert isinstance(picker, QComboBox)
    assert [picker.itemText(i) for i in range(picker.count())] == ["(none)", IDEA]
    choose(picker, IDEA)
    wait_stored(qtbot, w, lambda: [c.change_idea_id for c in stored(w, PdsaCycle)]
                == [idea])

    # ---- Wednesday: a weekly proportion measure, and 20 weeks typed with Tab and Enter
    navigate(w, NETWORK, "Sites", SCHOOL, "Measures")
    click(button(w, "Add measure"))
    mpage = w.stack.currentWidget()
    assert isinstance(mpage, MeasurePage)
    click_tab(mpage.tabs, mpage.form)  # its Definition tab
    type_over(field(mpage, "name"), "9th graders on track")
    choose(field(mpage, "value_type"), "A proportion (numerator / denominator)")
    frequency = field(mpage, "frequency")
    choose(frequency, next(frequency.itemText(i) for i in range(frequency.count())
                           if frequency.itemText(i).lower() == "weekly"))
    wait_stored(qtbot, w, lambda: [(m.name, m.value_type, m.frequency)
                                   for m in stored(w, Measure, deleted=False)]
                == [("9th graders on track", "proportion", "weekly")])
    measure = stored(w, Measure)[0]
    assert measure.site_id == site
    click_tab(mpage.tabs, mpage.data_holder)  # its Data tab
    grid = mpage.grid
    QTest.mouseClick(grid.viewport(), LEFT, NO, grid.visualRect(
        grid.model().index(grid.rowCount() - 1, 0)).center())
    assert (grid.currentRow(), grid.currentColumn()) == (grid.rowCount() - 1, 0)
    monday = dt.date(2025, 9, 1)
    typed = [(monday + dt.timedelta(weeks=k), 100 + k, 140 + k) for k in range(20)]
    editing = grid.State.EditingState
    for day, num, den in typed:
        for text, end in ((day.isoformat(), Qt.Key.Key_Tab), (str(num), Qt.Key.Key_Tab),
                          (str(den), Qt.Key.Key_Return)):
            for ch in text:
                QTest.keyClick(QApplication.focusWidget(), ch)
            QTest.keyClick(QApplication.focusWidget(), end)
        qtbot.waitUntil(lambda: grid.pending == 0 and grid.state() != editing)
        settle()
    rows = [(o.period, o.numerator, o.denominator) for o in sorted(
        stored(w, Observation, measure_id=measure.id, deleted=False), key=lambda o: o.period)]
    assert rows == [(d, float(n), float(m)) for d, n, m in typed]
    assert mpage.grid_problem.text() == ""

    # ---- Thursday: plan a cycle from the change idea (its node's panel button)
    ed = navigate(w, NETWORK, "Sites", SCHOOL, "Driver diagrams", "")
    assert isinstance(ed, DriverEditor)
    click_node(ed, idea_node)
    assert ed.details.info.text() == "PDSA cycles run on this change idea: 1"
    click(ed.details.new_cycle)
    page = w.stack.currentWidget()
    assert isinstance(page, PdsaPage)
    cycle = page.cycle_id
    assert field(page, "change_idea_id").currentText() == IDEA
    type_over(field(page, "objective"), "Do weekly check-ins catch a first F in time?")
    type_over(field(page, "scale"), "2 advisors, 30 students, 2 weeks")
    wait_stored(qtbot, w, lambda: [(c.objective, c.scale) for c in stored(w, PdsaCycle,
                                                                          id=cycle)]
                == [("Do weekly check-ins catch a first F in time?",
                     "2 advisors, 30 students, 2 weeks")])
    made = stored(w, PdsaCycle, id=cycle)[0]
    # the second cycle on this idea (the first is the one given the idea in the picker)
    assert (made.site_id, made.change_idea_id, made.title) == (site, idea, f"{IDEA}, cycle 2")
    assert sorted(c.change_idea_id for c in stored(w, PdsaCycle, deleted=False)) == [idea] * 2

    # ---- Friday: File → Export for the Network; with no key yet, the join request
    out = tmp_path / "maple.nicjoin"
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: (str(out), "")))
    seen: list[str] = []

    def request(dialog: JoinRequestDialog) -> None:
        assert dialog.school.text() == SCHOOL
        QTest.keyClicks(dialog.contact, "Ann Smith, ann@maple.example")
        QTest.keyClicks(dialog.passphrase, "blue river")
        QTest.keyClicks(dialog.again, "blue river")
        click(dialog.save_button)
        seen.append(dialog.code.text())
        click(dialog.close_button)

    when_modal(JoinRequestDialog, request)
    w.act_export.trigger()  # File → Export for the Network…
    assert seen and out.exists()
    sent = read_join_request(out)
    assert (sent.site_name, sent.contact) == (SCHOOL, "Ann Smith, ann@maple.example")
    assert seen[0] == sent.fingerprint
    assert pending_request(w.workspace.meta()) is not None
    w.close_workspace()


# ------------------------------------------------------------------ column headings
def test_driver_diagram_columns_are_headed_on_screen(qtbot) -> None:
    """"Aim · Primary drivers · Secondary drivers · Change ideas" above the columns in
    use, at each column's left edge (the packet's headings, on screen); none on a scene
    that has no headings (a fishbone's)."""
    from PySide6.QtWidgets import QGraphicsSimpleTextItem

    from nicdesk.core.layout import LayoutNode, layout_driver
    from nicdesk.ui.diagram.scene import DiagramScene

    def shown(scene: DiagramScene) -> dict[str, QGraphicsSimpleTextItem]:
        return {i.text(): i for i in scene.items() if isinstance(i, QGraphicsSimpleTextItem)}

    nodes = [LayoutNode("a", "aim", "Aim"), LayoutNode("p", "primary", "Known by an adult"),
             LayoutNode("s", "secondary", "Advisory contact"),
             LayoutNode("c", "change_idea", "Advisory check-ins")]
    links = [("a", "p"), ("p", "s"), ("s", "c")]
    scene = DiagramScene()
    scene.headings = COLUMN_HEADINGS
    scene.show_layout(layout_driver(nodes[:2], links[:1]))
    assert sorted(shown(scene)) == ["Aim", "Primary drivers"]  # only over columns in use
    lay = layout_driver(nodes, links)
    scene.show_layout(lay)  # shown again: the headings are replaced, never doubled
    headings = shown(scene)
    assert sorted(headings) == sorted(COLUMN_HEADINGS) and len(scene.heading_items) == 4
    top = min(b.y for b in lay.boxes.values())
    for text, column in zip(COLUMN_HEADINGS, "apsc", strict=True):
        rect = headings[text].sceneBoundingRect()
        assert rect.bottom() <= top  # above the nodes
        assert abs(rect.left() - lay.boxes[column].x) < 1  # at its column
        assert scene.sceneRect().contains(rect)
    plain = DiagramScene()
    plain.show_layout(lay)
    assert shown(plain) == {}
