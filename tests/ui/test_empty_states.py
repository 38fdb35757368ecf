"""Empty states that teach (issue 23, item 4): a fresh school's empty pages each say what
they are for and offer the first action, and that button does it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QPushButton,
)

from nicdesk.store.schema import (
    Aim,
    Cause,
    DriverNode,
    Fishbone,
    Measure,
    Meeting,
    Member,
    PdsaCycle,
)
from nicdesk.ui.common.empty_states import EMPTY_STATES, EmptyState
from nicdesk.ui.shell.main_window import MainWindow
from tests.ui.conftest import answer_text, settle, when_modal

from .conftest import window_on

SCHOOL = "Birch Lane School"








def stored(w: MainWindow, model, **where) -> list:
    with w.workspace.read() as s:
        rows = s.query(model).filter_by(deleted=False, **where).all()
        s.expunge_all()
        return rows


def teaching(where, key: str) -> EmptyState:
    """The visible empty state `key` in a page or dialog, checked for its words."""
    settle()
    found = [e for e in where.findChildren(EmptyState) if e.key == key and e.isVisible()]
    assert len(found) == 1, (key, [e.key for e in where.findChildren(EmptyState)])
    state, text = found[0], EMPTY_STATES[key]
    assert state.title.text() == text.title
    assert state.purpose.text() == text.purpose and len(text.purpose) > 60
    assert "Nothing" not in state.title.text()
    if text.action:
        assert state.button.isVisible() and state.button.text() == text.action
    return state


def click(state: EmptyState) -> None:
    QTest.mouseClick(state.button, Qt.MouseButton.LeftButton)
    settle()


@pytest.fixture
def school(qtbot, data_dir: Path) -> MainWindow:
    from nicdesk.services.workspaces import create_school_workspace

    path = create_school_workspace(SCHOOL, "Valley NIC", data_dir)
    return window_on(qtbot, path)


def test_every_text_teaches_and_links_a_guide_page() -> None:
    from nicdesk.guide import PAGES

    for key, text in EMPTY_STATES.items():
        assert text.title and len(text.purpose.split()) >= 12, key
        assert not text.guide or text.guide in PAGES, (key, text.guide)


def test_the_empty_pages_of_a_new_school_teach_and_start_the_first_thing(
        qtbot, school: MainWindow, monkeypatch) -> None:
    w = school
    site = w.workspace.meta()["local_site_id"]

    # the school's own page: no team yet says who belongs there; "Add member" adds one
    form = w.stack.currentWidget()
    teaching(form, "members")
    assert not form.members.isVisible()
    add = [b for b in form.findChildren(QPushButton) if b.text() == "Add member"]
    QTest.mouseClick(add[0], Qt.MouseButton.LeftButton)
    settle()
    assert [m.site_id for m in stored(w, Member)] == [site]
    assert form.members.isVisible() and not form.no_members.isVisible()

    # Aims: "Add aim" asks for the statement, writes the first aim and opens it
    assert w.select_path(f"{SCHOOL}/Aims")
    answer_text("By June 2027, 85 % of our 9th graders on track")
    click(teaching(w.stack.currentWidget(), "aims"))
    assert [(a.site_id, a.statement) for a in stored(w, Aim)] == [
        (site, "By June 2027, 85 % of our 9th graders on track")]
    assert type(w.stack.currentWidget()).__name__ == "AimForm"

    # Fishbones: "New fishbone…" asks for the problem; the new fishbone, with no causes,
    # offers its first cause, typed in place
    assert w.select_path(f"{SCHOOL}/Fishbones")
    answer_text("Too many 9th graders fail a course")
    click(teaching(w.stack.currentWidget(), "fishbones"))
    assert [f.problem for f in stored(w, Fishbone)] == ["Too many 9th graders fail a course"]
    fish = w.stack.currentWidget()
    w.activateWindow()
    QTest.qWaitForWindowActive(w)
    click(teaching(fish, "fishbone"))
    assert fish.editor is not None
    QTest.keyClicks(fish.editor, "Students do not ask for help")
    QTest.keyClick(fish.editor, Qt.Key.Key_Return)
    assert [c.text for c in stored(w, Cause)] == ["Students do not ask for help"]
    assert not fish.empty.isVisible()  # a cause: the fishbone speaks for itself

    # Driver diagrams: "New driver diagram…" asks for the aim; with only the aim, the
    # diagram offers its first primary driver
    assert w.select_path(f"{SCHOOL}/Driver diagrams")
    answer_text("By June 2027, 85 % on track")
    click(teaching(w.stack.currentWidget(), "driver_diagrams"))
    ed = w.stack.currentWidget()
    assert type(ed).__name__ == "DriverEditor"
    click(teaching(ed, "driver_diagram"))
    assert ed.editor is not None
    QTest.keyClicks(ed.editor, "Every student is known by an adult")
    QTest.keyClick(ed.editor, Qt.Key.Key_Return)
    assert {n.text: n.level for n in stored(w, DriverNode)} == {
        "By June 2027, 85 % on track": "aim", "Every student is known by an adult": "primary"}
    assert not ed.empty.isVisible()

    # Measures: "Add measure"; with no data, the page points to the first row
    assert w.select_path(f"{SCHOOL}/Measures")
    click(teaching(w.stack.currentWidget(), "measures"))
    assert [m.site_id for m in stored(w, Measure)] == [site]
    page = w.stack.currentWidget()
    click(teaching(page, "measure_data"))
    assert page.tabs.currentWidget() is page.data_holder
    assert page.grid.currentRow() == page.grid.rowCount() - 1 and page.grid.currentColumn() == 0

    # PDSA cycles: the list is not shown empty; "New PDSA cycle" starts one and opens it
    assert w.select_path(f"{SCHOOL}/PDSA cycles")
    cycles = w.stack.currentWidget()
    assert not cycles.table.isVisible()
    click(teaching(cycles, "pdsa"))
    assert [c.site_id for c in stored(w, PdsaCycle)] == [site]
    assert type(w.stack.currentWidget()).__name__ == "PdsaPage"

    # Meetings: "New meeting…" asks for its title
    assert w.select_path(f"{SCHOOL}/Meetings")
    answer_text("Root-cause meeting")
    click(teaching(w.stack.currentWidget(), "meetings"))
    assert [m.title for m in stored(w, Meeting)] == ["Root-cause meeting"]

    # the network view with nothing to compare yet: "Import Bundles…" asks for bundles
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(
        lambda *a, **k: (asked.append("bundles"), ([], ""))[1]))
    assert w.select_path("Valley NIC/Network view")
    click(teaching(w.stack.currentWidget(), "network_view"))
    assert asked == ["bundles"]

    # Network → Conflicts…: none, and what one would be; Bundle History…: none yet, and
    # its button closes the list and asks for bundles
    seen: list[str] = []

    def conflicts(dialog: QDialog) -> None:
        state = teaching(dialog, "conflicts")
        assert not state.button.isVisible()  # nothing to do about no conflicts
        seen.append("conflicts")
        dialog.reject()

    when_modal(QDialog, conflicts)
    w.commands.show_conflicts()
    assert seen == ["conflicts"]

    def history(dialog: QDialog) -> None:
        seen.append("history")
        click(teaching(dialog, "history"))

    when_modal(QDialog, history)
    w.commands.show_history()
    assert seen == ["conflicts", "history"] and asked == ["bundles", "bundles"]


EXAMPLES = {"aims": "By June 2027, 85 % of 9th graders on track",
            "fishbones": "Too many 9th graders fail a course in the first semester",
            "driver_diagrams": "By June 2027, 85 % of 9th graders on track"}


@pytest.mark.parametrize("group", list(EXAMPLES))
def test_an_untouched_dialog_stores_nothing(qtbot, school: MainWindow, group: str) -> None:
    """The example is grey placeholder text in an empty box, wide enough to read whole:
    OK is off (Enter does nothing) until something is typed, so the example is never
    stored; Cancel leaves nothing either."""
    from PySide6.QtWidgets import QDialogButtonBox

    from nicdesk.store.schema import DriverDiagram

    w = school
    model = {"aims": Aim, "fishbones": Fishbone, "driver_diagrams": DriverDiagram}[group]
    label = {"aims": "Aims", "fishbones": "Fishbones", "driver_diagrams": "Driver diagrams"}
    assert w.select_path(f"{SCHOOL}/{label[group]}")
    seen: dict[str, object] = {}

    def untouched(dialog: QInputDialog) -> None:
        edit = dialog.findChild(QLineEdit)
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        seen.update(text=edit.text(), placeholder=edit.placeholderText(),
                    width=dialog.width(), edit_width=edit.width(),
                    shows_whole=edit.fontMetrics().horizontalAdvance(
                        edit.placeholderText()) < edit.width(), ok=ok.isEnabled())
        QTest.keyClick(edit, Qt.Key.Key_Return)  # Enter on the untouched box
        QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
        seen["still_open"] = dialog.isVisible()
        QTest.keyClicks(edit, "   ")
        seen["ok_on_blank"] = ok.isEnabled()
        dialog.accept()  # even accepted, a blank answer is no answer: still open
        seen["open_after_accept"] = dialog.isVisible()
        dialog.reject()

    when_modal(QInputDialog, untouched)
    click(teaching(w.stack.currentWidget(), group))
    assert seen["text"] == "" and EXAMPLES[group] in str(seen["placeholder"])
    assert int(seen["width"]) >= 480 and seen["shows_whole"]
    assert seen["ok"] is False and seen["still_open"] and seen["ok_on_blank"] is False
    assert seen["open_after_accept"]
    assert stored(w, model) == []


def test_the_network_pdsa_list_without_a_site_offers_to_add_one(qtbot, data_dir: Path
                                                                ) -> None:
    """A workspace with no site: "PDSA cycles (all sites)" says a cycle belongs to a site
    and offers "Add site…" (not a "New PDSA cycle" that only complains), and the Sites
    group teaches what a site is, with the same button."""
    from nicdesk.services.workspaces import create_workspace
    from nicdesk.store.schema import Site

    path = data_dir / "network.nicdesk"
    create_workspace(path, "Valley NIC").close()
    w = window_on(qtbot, path)
    assert w.select_path("Valley NIC/PDSA cycles (all sites)")
    page = w.stack.currentWidget()
    assert not [e for e in page.findChildren(EmptyState) if e.key == "pdsa" and e.isVisible()]
    answer_text("Birch Lane School")
    click(teaching(page, "pdsa_no_site"))
    assert [s.name for s in stored(w, Site)] == ["Birch Lane School"]
    assert w.select_path("Valley NIC/PDSA cycles (all sites)")
    teaching(w.stack.currentWidget(), "pdsa")  # a site now: start its first cycle

    other = data_dir / "other.nicdesk"
    create_workspace(other, "Hill NIC").close()
    assert w.open_workspace(other)
    assert w.select_path("Hill NIC/Sites")
    answer_text("Oak Street School")
    click(teaching(w.stack.currentWidget(), "sites"))
    assert [s.name for s in stored(w, Site)] == ["Oak Street School"]


def test_the_fishbone_texts_name_no_categories_a_template_may_lack() -> None:
    text = EMPTY_STATES["fishbone"].purpose
    assert "People" not in text and "Methods" not in text and "bone" in text
