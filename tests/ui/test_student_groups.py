"""Student groups in the GUI (issue #21): the network's "Student groups" page (the usual
groups as one action, a dimension and a group added and renamed, a refused name said
under the list), a group's value typed in the data grid under "Values for", and a site's
enrolment typed on its page — each checked in the stored records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from nicdesk.core.groups import USUAL_GROUPS
from nicdesk.store.schema import GroupDimension, Observation, SiteEnrolment, StudentGroup
from nicdesk.ui.groups.page import StudentGroupsPage
from nicdesk.ui.measures import page as mp

from .conftest import answer_text, settle, window_on

MEASURE = "9th graders on track"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    from nicdesk.store.workspace import Workspace

    p = tmp_path / "g.nicdesk"
    with Workspace.create(p) as ws:
        net = ws.ops.create("network", name="Test NIC").id
        ws.ops.create("site", network_id=net, name="Lincoln", kind="school")
        ws.ops.create("measure", network_id=net, name=MEASURE, kind="outcome",
                      value_type="proportion", frequency="monthly", direction="up",
                      chart_kind="run", unit="%")
    return p


def _names(ws) -> list[tuple[str, list[str]]]:
    with ws.read() as s:
        dims = sorted(s.query(GroupDimension).filter_by(deleted=False),
                      key=lambda d: d.position)
        return [(d.name, [g.name for g in sorted(
            s.query(StudentGroup).filter_by(dimension_id=d.id, deleted=False),
            key=lambda g: g.position)]) for d in dims]


def test_the_coordinator_adds_the_usual_groups_and_edits_them(qtbot, path) -> None:
    w = window_on(qtbot, path, "Test NIC/Student groups")
    page = w.stack.currentWidget()
    assert isinstance(page, StudentGroupsPage)
    assert page.tree.topLevelItemCount() == 0 and page.usual.isVisible()
    qtbot.mouseClick(page.usual, Qt.MouseButton.LeftButton)
    assert [n for n, _g in _names(w.workspace)] == [d[0] for d in USUAL_GROUPS]
    assert page.tree.topLevelItemCount() == 5 and not page.usual.isVisible()

    # a dimension of the network's own, then a group in it, through the input dialogs
    answer_text("Grade level")
    qtbot.mouseClick(page.add_dim, Qt.MouseButton.LeftButton)
    settle(50)
    assert page.tree.currentItem().text(0) == "Grade level"
    answer_text("Grade 9")
    qtbot.mouseClick(page.add_grp, Qt.MouseButton.LeftButton)
    settle(50)
    assert _names(w.workspace)[-1] == ("Grade level", ["Grade 9"])

    # renamed in place; a name the dimension already has is refused and said
    item = page.tree.currentItem()
    assert item.text(0) == "Grade 9"
    item.setText(0, "Ninth grade")
    settle(20)
    assert _names(w.workspace)[-1] == ("Grade level", ["Ninth grade"])
    answer_text("ninth GRADE")
    qtbot.mouseClick(page.add_grp, Qt.MouseButton.LeftButton)
    settle(50)
    assert "already has a group called “Ninth grade”" in page.problem.text()
    assert _names(w.workspace)[-1] == ("Grade level", ["Ninth grade"])

    # moved up: Grade level before Gender
    top = page.tree.topLevelItem(5)
    page.tree.setCurrentItem(top)
    qtbot.mouseClick(page.up, Qt.MouseButton.LeftButton)
    assert [n for n, _g in _names(w.workspace)][-2:] == ["Grade level", "Gender"]
    w.close_workspace()


def test_a_group_value_is_typed_in_the_grid(qtbot, path) -> None:
    from nicdesk.store.ops.groups import add_usual_groups
    from nicdesk.store.workspace import Workspace

    with Workspace.open(path) as ws:
        add_usual_groups(ws, _net(ws))
    w = window_on(qtbot, path, f"Lincoln/Measures/{MEASURE}")
    page = w.stack.currentWidget()
    assert isinstance(page, mp.MeasurePage)
    page.tabs.setCurrentWidget(page.data_holder)
    choice = page.grid_group
    assert choice.isVisible() and choice.box.currentText() == "All students"
    choice.box.setCurrentIndex(choice.box.findText("English learners"))
    choice.box.activated.emit(choice.box.currentIndex())
    grid = page.grid
    assert grid.group_id is not None and "English learners only" in choice.note.text()
    w.activateWindow()
    grid.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is grid)
    grid.setCurrentCell(grid.rowCount() - 1, 0)
    for k, text in enumerate(("2025-09-01", "12", "40")):
        for ch in text:
            qtbot.keyClick(QApplication.focusWidget(), ch)
        qtbot.keyClick(QApplication.focusWidget(),
                       Qt.Key.Key_Tab if k < 2 else Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: grid.pending == 0 and grid.state() != grid.State.EditingState)
    settle(20)
    with w.workspace.read() as s:
        rows = [(o.period, o.numerator, o.denominator, o.group_id)
                for o in s.query(Observation).filter_by(deleted=False)]
        el = s.query(StudentGroup).filter_by(name="English learners").one().id
    assert rows == [(dt.date(2025, 9, 1), 12.0, 40.0, el)]
    # all students' grid does not show the group's row
    choice.box.setCurrentIndex(0)
    choice.box.activated.emit(0)
    assert grid.group_id is None and grid.rowCount() == 1  # only the new-period row
    w.close_workspace()


def _net(ws) -> str:
    from nicdesk.services.workspaces import named_records

    return named_records(ws, "network")[0].id


def test_a_site_enrolment_is_typed_on_its_page(qtbot, path) -> None:
    from nicdesk.store.ops.groups import add_usual_groups
    from nicdesk.store.workspace import Workspace

    with Workspace.open(path) as ws:
        add_usual_groups(ws, _net(ws))
    w = window_on(qtbot, path, "Test NIC/Sites/Lincoln")
    page = w.stack.currentWidget()
    section = page.enrolment
    assert section.isVisible()
    section.year.setText("2025-26")
    row = next(r for r in range(section.table.rowCount())
               if section.table.item(r, 0).text() == "English learners")
    section.table.item(0, 1).setText("410")  # all students
    section.table.item(row, 1).setText("62")
    settle(20)
    with w.workspace.read() as s:
        stored = sorted((e.school_year, e.group_id is None, e.students)
                        for e in s.query(SiteEnrolment).filter_by(deleted=False))
    assert stored == [("2025-26", False, 62), ("2025-26", True, 410)]
    section.table.item(row, 1).setText("lots")
    settle(20)
    assert "not a whole number" in section.problem.text()
    with w.workspace.read() as s:
        assert s.query(SiteEnrolment).filter_by(deleted=False, students=62).count() == 1
    w.close_workspace()


def test_a_pasted_group_column_is_refused_not_misfiled(qtbot, path) -> None:
    from nicdesk.store.ops.groups import add_usual_groups
    from nicdesk.store.workspace import Workspace

    with Workspace.open(path) as ws:
        add_usual_groups(ws, _net(ws))
    w = window_on(qtbot, path, f"Lincoln/Measures/{MEASURE}")
    page = w.stack.currentWidget()
    page.tabs.setCurrentWidget(page.data_holder)
    page.grid.paste("Month\tGroup\tNumerator\tDenominator\n"
                    "2025-09-01\tEnglish learners\t12\t40\n2025-09-01\t\t200\t300\n")
    assert "the rows have a Group column" in page.grid_problem.text()
    with w.workspace.read() as s:
        assert s.query(Observation).count() == 0
    page.grid.paste("Month\tNumerator\tDenominator\n2025-09-01\t200\t300\n")
    with w.workspace.read() as s:
        assert [(o.numerator, o.group_id) for o in s.query(Observation)] == [(200.0, None)]
    w.close_workspace()
