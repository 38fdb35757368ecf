"""The guided first cycle (issue 23, item 3), through the real main window: a new school
ticks "Guide me" on the welcome and completes the whole cycle using only the panel — its
"Do it" button goes to the right dialog or editor, and the test types where the cursor
lands — with the stored records checked and every step ticked at the end; a walkthrough
left halfway comes back at the right step when the workspace is opened again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QWidget

from nicdesk.core.states import DriverLevel
from nicdesk.core.walkthrough import STEPS
from nicdesk.store.schema import (
    Cause,
    ChangeIdea,
    DriverNode,
    Fishbone,
    Measure,
    Observation,
    PdsaCycle,
    PdsaQuestion,
)
from nicdesk.ui.shell.main_window import MainWindow
from nicdesk.ui.walkthrough.panel import DONE_MARK, META_KEY, NEXT_MARK
from tests.ui.conftest import answer_text, settle, shown_window, when_modal

SCHOOL = "Cedar Ridge High School"
PROBLEM = "Too many 9th graders fail a course"
CAUSES = ["Students do not ask for help", "Nobody notices a first F",
          "Homework is not checked", "Advisory has no time for talk"]
AIM = "By June 2027, 85 % of our 9th graders are on track"
PRIMARY = "Every student is known by an adult"
SECONDARY = "Advisory contact every week"
IDEA = "Advisory check-ins"
OBJECTIVE = "Do weekly check-ins catch a first F in time?"
QUESTION = "Does the advisor hear of a first F within a week?"
PREDICTION = "Yes, for most advisees"
MEASURE = "9th graders with a check-in"
DEFINITION = "Numerator: 9th graders with a check-in this month. Denominator: all."
MONTH = dt.date(2026, 9, 1)  # a new measure is monthly








def stored(w: MainWindow, model, **where) -> list:
    with w.workspace.read() as s:
        rows = s.query(model).filter_by(deleted=False, **where).all()
        s.expunge_all()
        return rows


def panel_of(w: MainWindow):
    return w.walkthrough.panel


def do_it(w: MainWindow) -> None:
    """Click the panel's "Do it", as a person does (the main window active again, as
    after a person closes a dialog)."""
    w.activateWindow()
    QTest.qWaitForWindowActive(w)
    settle()
    button = panel_of(w).do_button
    assert button.isVisible() and button.isEnabled()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    settle()


def type_where_the_cursor_is(text: str, end=Qt.Key.Key_Return) -> QWidget:
    """Type into the widget the panel put the cursor in (an in-place editor, a form field,
    the data grid), then leave it with `end`."""
    widget = QApplication.focusWidget()
    assert widget is not None
    if isinstance(widget, QLineEdit):
        widget.selectAll()
    QTest.keyClicks(widget, text)
    if end is not None:
        QTest.keyClick(QApplication.focusWidget(), end)
    settle()
    return widget


def shown_step(w: MainWindow) -> str:
    """The step the panel shows as next (from its own rows: the one marked ▶)."""
    rows = panel_of(w).rows
    marked = [k for k, row in rows.items() if row.text().startswith(NEXT_MARK)]
    assert len(marked) <= 1
    return marked[0] if marked else ""


def follow_the_panel(qtbot, w: MainWindow, stop_before: str = "") -> None:
    """Do each step the panel names next, by its "Do it" and typing only."""
    causes = iter(CAUSES)
    nodes = iter([SECONDARY, IDEA])
    for _ in range(20):
        panel = panel_of(w)
        key = shown_step(w)
        if not key or key == stop_before:
            return
        assert panel.heading.text().endswith(dict((s[0], s[1]) for s in STEPS)[key])
        assert panel.instruction.text()  # says where the action lives
        if key in ("problem", "aim"):
            answer_text(PROBLEM if key == "problem" else AIM)
            do_it(w)
        elif key in ("causes", "primary", "change_idea"):
            do_it(w)
            editor = w.stack.currentWidget()
            assert editor.editor is not None and editor.editor.hasFocus()
            text = next(causes) if key == "causes" else PRIMARY if key == "primary" \
                else next(nodes)
            type_where_the_cursor_is(text)
        elif key == "cycle":
            do_it(w)
        elif key == "plan":
            # the objective, then a question, then its prediction: each "Do it" puts the
            # cursor where the PDSA page's "Not finished yet" says something is missing
            before = panel.note.text()
            do_it(w)
            field = QApplication.focusWidget()
            if isinstance(field, QPlainTextEdit):
                type_where_the_cursor_is(OBJECTIVE, end=None)
                QTest.keyClick(field, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
                qtbot.waitUntil(lambda: [c.objective for c in stored(w, PdsaCycle)]
                                == [OBJECTIVE], timeout=5000)
                assert shown_step(w) == "plan"  # the objective alone is not a plan
            else:
                table = w.stack.currentWidget().forms[0].questions
                text = QUESTION if table.currentColumn() == 0 else PREDICTION
                type_where_the_cursor_is(text)
                qtbot.waitUntil(lambda before=before, panel=panel: panel.note.text() != before
                                or shown_step(w) != "plan", timeout=5000)
        elif key == "measure":
            # its name, then its operational definition, on the Definition tab
            do_it(w)
            if QApplication.focusWidget().objectName() == "field_name":
                assert shown_step(w) == "measure"
                type_where_the_cursor_is(MEASURE, end=Qt.Key.Key_Tab)
                qtbot.waitUntil(lambda: [m.name for m in stored(w, Measure)] == [MEASURE],
                                timeout=5000)
                assert shown_step(w) == "measure"  # named, not defined: no data yet
            else:
                field = type_where_the_cursor_is(DEFINITION, end=None)
                assert isinstance(field, QPlainTextEdit)
                QTest.keyClick(field, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
                qtbot.waitUntil(lambda: shown_step(w) != "measure", timeout=5000)
        elif key == "data":
            do_it(w)
            grid = w.stack.currentWidget().grid
            for text, end in ((MONTH.isoformat(), Qt.Key.Key_Tab), ("12", Qt.Key.Key_Return)):
                for ch in text:
                    QTest.keyClick(QApplication.focusWidget(), ch)
                QTest.keyClick(QApplication.focusWidget(), end)
            qtbot.waitUntil(lambda grid=grid: grid.pending == 0, timeout=5000)
            settle()
        else:
            raise AssertionError(f"unexpected step {key}")
        settle()
    raise AssertionError("the walkthrough did not end")


def test_the_whole_first_cycle_from_the_welcome_using_only_the_panel(
        qtbot, data_dir: Path) -> None:
    from nicdesk.ui.shell.app import initial_workspace
    from nicdesk.ui.shell.welcome import SchoolDialog, WelcomeDialog

    w = shown_window(qtbot, (1400, 860))

    def school(dialog: SchoolDialog) -> None:
        QTest.keyClicks(dialog.school, SCHOOL)
        QTest.keyClick(dialog.school, Qt.Key.Key_Return)

    def welcome(dialog: WelcomeDialog) -> None:
        assert dialog.guided.isChecked()  # offered, ticked: a new school is guided
        when_modal(SchoolDialog, school)
        QTest.mouseClick(dialog.buttons["create"], Qt.MouseButton.LeftButton)

    when_modal(WelcomeDialog, welcome)
    initial_workspace(w, None)
    assert w.workspace is not None
    assert w.workspace.meta()[META_KEY] == "on"
    assert w.walkthrough.dock.isVisible()
    assert shown_step(w) == "problem"  # the school is there already: ticked
    assert panel_of(w).rows["site"].text().startswith(DONE_MARK)

    follow_the_panel(qtbot, w)

    # every step ticked, and the records are the ones typed
    panel = panel_of(w)
    assert all(row.text().startswith(DONE_MARK) for row in panel.rows.values())
    assert panel.progress is not None and panel.progress.finished
    assert panel.bar.value() == len(STEPS)
    assert panel.heading.text().startswith("All done")
    site = w.workspace.meta()["local_site_id"]
    fishbones = stored(w, Fishbone, site_id=site)
    assert [f.problem for f in fishbones] == [PROBLEM]
    assert sorted(c.text for c in stored(w, Cause, fishbone_id=fishbones[0].id)) == \
        sorted(CAUSES[:3])
    nodes = {n.text: n.level for n in stored(w, DriverNode)}
    assert nodes == {AIM: "aim", PRIMARY: "primary", SECONDARY: "secondary",
                     IDEA: DriverLevel.CHANGE_IDEA}
    ideas = stored(w, ChangeIdea)
    assert [i.title for i in ideas] == [IDEA]
    cycles = stored(w, PdsaCycle, site_id=site)
    assert [(c.change_idea_id, c.objective) for c in cycles] == [(ideas[0].id, OBJECTIVE)]
    with w.workspace.read() as s:
        questions = [(q.question, q.prediction) for q in s.query(PdsaQuestion).filter_by(
            deleted=False, cycle_id=cycles[0].id)]
    assert questions == [(QUESTION, PREDICTION)]
    measures = stored(w, Measure, site_id=site)
    assert [(m.name, m.definition) for m in measures] == [(MEASURE, DEFINITION)]
    assert [(o.period, o.value) for o in stored(w, Observation, measure_id=measures[0].id)] \
        == [(MONTH, 12.0)]


def test_left_halfway_and_resumed_at_the_right_step(qtbot, data_dir: Path) -> None:
    from nicdesk.services.workspaces import create_school_workspace

    path = create_school_workspace(SCHOOL, "Valley NIC", data_dir)
    w = MainWindow()
    w.persist_settings = False
    qtbot.addWidget(w)
    w.resize(1400, 860)
    w.show()
    assert w.open_workspace(path)
    assert not w.walkthrough.dock.isVisible()  # off until asked for
    action = w.walkthrough.action
    assert action.isEnabled() and not action.isChecked()
    action.trigger()  # Help → Guided First Cycle
    assert w.walkthrough.dock.isVisible() and action.isChecked()
    follow_the_panel(qtbot, w, stop_before="primary")
    assert shown_step(w) == "primary"
    done = [k for k, row in panel_of(w).rows.items() if row.text().startswith(DONE_MARK)]
    assert done == ["site", "problem", "causes", "aim"]
    w.close()

    again = MainWindow()
    again.persist_settings = False
    qtbot.addWidget(again)
    again.resize(1400, 860)
    again.show()
    assert again.open_workspace(path)
    assert again.walkthrough.dock.isVisible()  # remembered in the workspace
    assert shown_step(again) == "primary"
    assert [k for k, row in panel_of(again).rows.items()
            if row.text().startswith(DONE_MARK)] == done
    follow_the_panel(qtbot, again, stop_before="cycle")
    assert shown_step(again) == "cycle"
    # stopped from the panel: hidden, remembered off, back from the Help menu
    QTest.mouseClick(panel_of(again).stop_button, Qt.MouseButton.LeftButton)
    assert not again.walkthrough.dock.isVisible()
    assert again.workspace.meta()[META_KEY] == "off"
    again.walkthrough.action.trigger()
    assert again.walkthrough.dock.isVisible() and shown_step(again) == "cycle"


def panel_window(qtbot, data_dir: Path) -> MainWindow:
    from nicdesk.services.workspaces import create_school_workspace

    from .conftest import window_on

    w = window_on(qtbot, create_school_workspace(SCHOOL, "Valley NIC", data_dir))
    w.walkthrough.action.trigger()  # Help → Guided First Cycle
    assert w.walkthrough.dock.isVisible()
    return w


def test_a_placeholder_cause_is_no_cause_and_do_it_uses_the_selected_bone(
        qtbot, data_dir: Path) -> None:
    """"Do it" makes a cause named "New cause" and opens its in-place editor: nothing is
    counted before the name is typed.  The cause goes on the bone the person selected,
    not on the emptiest one."""
    w = panel_window(qtbot, data_dir)
    answer_text(PROBLEM)
    do_it(w)
    assert shown_step(w) == "causes"
    fish = w.stack.currentWidget()
    third = fish.data.categories[2]
    fish.scene.select_only(third.id)  # the person picks the third bone
    do_it(w)
    assert fish.editor is not None and fish.editor.hasFocus()
    assert [c.text for c in stored(w, Cause)] == ["New cause"]  # the placeholder, stored
    w.walkthrough.refresh()
    assert panel_of(w).note.text() == "0 of 3 causes so far."
    type_where_the_cursor_is(CAUSES[0])
    assert [(c.text, c.category_id) for c in stored(w, Cause)] == [(CAUSES[0], third.id)]
    assert panel_of(w).note.text() == "1 of 3 causes so far."
    # the new cause stays selected: the next one goes beside it, on the same bone
    do_it(w)
    type_where_the_cursor_is(CAUSES[1])
    assert {c.category_id for c in stored(w, Cause)} == {third.id}
    assert "People" not in panel_of(w).instruction.text()


def test_the_measure_step_waits_for_a_name_and_a_definition(qtbot, data_dir: Path) -> None:
    """"Add a measure" ticks neither on "New measure" nor on a name alone (the measure
    page takes no data before the operational definition); "Do it" again opens that
    measure, never a second one."""
    w = panel_window(qtbot, data_dir)
    follow_the_panel(qtbot, w, stop_before="measure")
    assert shown_step(w) == "measure"
    panel = panel_of(w)
    assert "operational definition" in panel.instruction.text()
    do_it(w)
    assert [m.name for m in stored(w, Measure)] == ["New measure"]
    assert shown_step(w) == "measure" and "needs a name" in panel.note.text()
    do_it(w)  # again: the same measure, cursor in its name
    assert len(stored(w, Measure)) == 1
    assert QApplication.focusWidget().objectName() == "field_name"
    type_where_the_cursor_is(MEASURE, end=Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: [m.name for m in stored(w, Measure)] == [MEASURE], timeout=5000)
    w.walkthrough.refresh()
    assert shown_step(w) == "measure"
    assert panel.note.text() == (f"“{MEASURE}” still needs an operational definition on "
                                 "its Definition tab.")
    do_it(w)
    page = w.stack.currentWidget()
    assert page.tabs.currentWidget() is page.form
    assert QApplication.focusWidget().objectName() == "field_definition"
    assert len(stored(w, Measure)) == 1


def test_the_plan_step_agrees_with_the_pdsa_pages_hints(qtbot, data_dir: Path) -> None:
    """The objective alone: the PDSA page says "Not finished yet", so the step is not
    ticked; the panel's note names what the page asks for."""
    w = panel_window(qtbot, data_dir)
    follow_the_panel(qtbot, w, stop_before="plan")
    do_it(w)
    field = type_where_the_cursor_is(OBJECTIVE, end=None)
    QTest.keyClick(field, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: [c.objective for c in stored(w, PdsaCycle)] == [OBJECTIVE],
                    timeout=5000)
    page = w.stack.currentWidget()
    settle()
    assert page.hints.isVisibleTo(page)
    assert page.hints.text().startswith("Not finished yet (what you wrote is saved): ")
    assert "save anyway" not in page.hints.text()
    assert shown_step(w) == "plan"
    assert "Add at least one question" in panel_of(w).note.text()
    assert "Add at least one question" in page.hints.text()
