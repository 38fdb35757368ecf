"""The data grid through the keyboard only (issue 19, items 2 and 6): whole rows typed with
Tab and Enter, in any order, stored and shown at once; blocks pasted from a spreadsheet
with a header row and week-ending dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from nicdesk.store.schema import Observation
from nicdesk.ui.measures import data_grid
from nicdesk.ui.measures import page as mp
from nicdesk.ui.shell.main_window import MainWindow

MEASURE = "9th graders on track"


@pytest.fixture
def window(qtbot, tmp_path: Path):
    from nicdesk.store.workspace import Workspace

    ws = Workspace.create(tmp_path / "g.nicdesk")
    net = ws.ops.create("network", name="Test NIC").id
    ws.ops.create("site", network_id=net, name="Lincoln", kind="school")
    ws.ops.create("measure", network_id=net, name=MEASURE, kind="outcome",
                  value_type="proportion", frequency="weekly", direction="up",
                  chart_kind="run", unit="%")
    ws.close()
    w = MainWindow()
    w.persist_settings = False
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    assert w.open_workspace(tmp_path / "g.nicdesk")
    assert w.select_path(f"Lincoln/Measures/{MEASURE}")
    page = w.stack.currentWidget()
    assert isinstance(page, mp.MeasurePage)
    page.tabs.setCurrentWidget(page.data_holder)
    yield w
    w.close_workspace()


def keys(qtbot, text: str) -> None:
    """Type as a person does: each key to whatever has the focus (the grid, or the cell
    editor the first key opened)."""
    for ch in text:
        qtbot.keyClick(QApplication.focusWidget(), ch)


def press(qtbot, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def stored(window) -> list[tuple[dt.date, float | None, float | None, float | None]]:
    with window.workspace.read() as s:
        return [(o.period, o.numerator, o.denominator, o.value) for o in
                s.query(Observation).filter_by(deleted=False).order_by(Observation.period)]


def settled(qtbot, grid) -> None:
    editing = grid.State.EditingState
    qtbot.waitUntil(lambda: grid.pending == 0 and grid.state() != editing)
    qtbot.wait(1)  # the reload queued when the last editor closed


def marked(grid) -> list[str]:
    return [f"{r},{c}: {grid.item(r, c).toolTip()}" for r in range(grid.rowCount())
            for c in range(grid.columnCount()) if grid.item(r, c) is not None
            and grid.item(r, c).background().color() == data_grid.BAD]


def test_twenty_weekly_rows_typed_with_tab_and_enter(window, qtbot) -> None:
    page = window.stack.currentWidget()
    grid = page.grid
    grid.setFocus()
    grid.setCurrentCell(grid.rowCount() - 1, 0)
    monday = dt.date(2025, 9, 1)
    typed = [(monday + dt.timedelta(weeks=k), 100 + k, 140 + k) for k in range(20)]
    for day, num, den in typed:
        assert (grid.currentRow(), grid.currentColumn()) == (grid.rowCount() - 1, 0)
        keys(qtbot, day.isoformat())
        press(qtbot, Qt.Key.Key_Tab)
        keys(qtbot, str(num))
        press(qtbot, Qt.Key.Key_Tab)
        keys(qtbot, str(den))
        press(qtbot, Qt.Key.Key_Return)
        settled(qtbot, grid)
        # shown at once: the row with its computed value, no pink cell, nothing to say
        row = grid.rowCount() - 2
        assert grid.item(row, 0).text() == day.isoformat()
        assert grid.item(row, 3).text() == f"{100 * num / den:.1f}", grid.item(row, 3).text()
        assert not marked(grid) and page.grid_problem.text() == ""
    assert stored(window) == [(d, float(n), float(m), round(n / m, 6)) for d, n, m in typed]
    assert grid.rowCount() == 21 and grid.ids[-1] is None


def test_values_typed_before_the_date_wait_for_it(window, qtbot) -> None:
    page = window.stack.currentWidget()
    grid = page.grid
    grid.setFocus()
    grid.setCurrentCell(grid.rowCount() - 1, 1)  # the numerator of the new row
    keys(qtbot, "30")
    press(qtbot, Qt.Key.Key_Tab)
    keys(qtbot, "40")
    press(qtbot, Qt.Key.Key_Tab)  # the value column is computed: no editor opens
    settled(qtbot, grid)
    assert "Kept on the new row" in page.grid_problem.text()
    assert not marked(grid) and stored(window) == []
    grid.setCurrentCell(grid.rowCount() - 1, 0)
    keys(qtbot, "2025-09-08")
    press(qtbot, Qt.Key.Key_Return)
    settled(qtbot, grid)
    assert stored(window) == [(dt.date(2025, 9, 8), 30.0, 40.0, 0.75)]
    assert (grid.currentRow(), grid.currentColumn()) == (grid.rowCount() - 1, 0)

    # the date last, reached with Shift+Tab, and a bad value marked, never dropped
    grid.setCurrentCell(grid.rowCount() - 1, 1)
    keys(qtbot, "50")
    press(qtbot, Qt.Key.Key_Tab)
    keys(qtbot, "lots")
    press(qtbot, Qt.Key.Key_Backtab)
    press(qtbot, Qt.Key.Key_Backtab)
    keys(qtbot, "2025-09-15")
    press(qtbot, Qt.Key.Key_Return)
    settled(qtbot, grid)
    assert stored(window)[-1] == (dt.date(2025, 9, 15), 50.0, None, None)
    row = next(r for r in range(grid.rowCount()) if grid.item(r, 0).text() == "2025-09-15")
    assert grid.item(row, 2).text() == "lots" and "not a number" in grid.item(row, 2).toolTip()
    # corrected in place, the row is complete
    grid.setCurrentCell(row, 2)
    keys(qtbot, "60")
    press(qtbot, Qt.Key.Key_Return)
    settled(qtbot, grid)
    assert stored(window)[-1] == (dt.date(2025, 9, 15), 50.0, 60.0, round(50 / 60, 6))
    assert not marked(grid)


def test_a_friday_typed_says_which_week_it_is(window, qtbot) -> None:
    page = window.stack.currentWidget()
    grid = page.grid
    grid.setFocus()
    grid.setCurrentCell(grid.rowCount() - 1, 0)
    keys(qtbot, "2025-02-07")
    press(qtbot, Qt.Key.Key_Tab)
    keys(qtbot, "9")
    press(qtbot, Qt.Key.Key_Tab)
    keys(qtbot, "10")
    press(qtbot, Qt.Key.Key_Return)
    settled(qtbot, grid)
    assert stored(window) == [(dt.date(2025, 2, 3), 9.0, 10.0, 0.9)]
    assert "week starting Monday 3 Feb 2025" in page.grid_problem.text()


def test_paste_with_a_header_row_and_week_ending_fridays(window, qtbot) -> None:
    page = window.stack.currentWidget()
    fridays = [dt.date(2025, 2, 7) + dt.timedelta(weeks=k) for k in range(4)]
    text = "Week ending\tOn track\tEnrolled\n" + "\n".join(
        f"{d:%m/%d/%Y}\t{100 + k}\t120" for k, d in enumerate(fridays)) + "\n"
    QApplication.clipboard().setText(text)
    page.grid.setFocus()
    qtbot.keyClick(page.grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert stored(window) == [(d - dt.timedelta(days=4), float(100 + k), 120.0,
                               round((100 + k) / 120, 6)) for k, d in enumerate(fridays)]
    note = page.grid_problem.text()
    assert "week-ending Fridays" in note and "Mon 3 Feb 2025" in note, note


def test_paste_numbers_under_a_header_into_their_columns(window, qtbot) -> None:
    page = window.stack.currentWidget()
    page.grid.paste("Date\tNumerator\tDenominator\n2025-09-01\t5\t10\n2025-09-08\t6\t10")
    assert len(stored(window)) == 2
    grid = page.grid
    grid.setCurrentCell(0, 0)
    grid.paste("Denominator\tNumerator\n20\t4\n30\t3")  # by name, not by position
    assert stored(window) == [(dt.date(2025, 9, 1), 4.0, 20.0, 0.2),
                              (dt.date(2025, 9, 8), 3.0, 30.0, 0.1)]
    grid.paste("Date\tNumerator\tDenominator\n2025-09-01\t5\t10\n2025-09-05\t6\t10")
    assert "same week" in page.grid_problem.text()
    assert stored(window)[0] == (dt.date(2025, 9, 1), 4.0, 20.0, 0.2)
