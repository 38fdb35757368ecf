"""Measures through real widgets: type into the grid, watch the signal text change, undo,
import a CSV through the preview dialog, freeze a baseline, export the chart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from nicdesk.store.schema import ChartPhase, Observation
from nicdesk.ui.measures import page as mp
from tests.ui.conftest import referrals_window, signal_lines


@pytest.fixture
def window(qtbot, tmp_path: Path):
    w = referrals_window(qtbot, tmp_path / "m.nicdesk", frequency="weekly", direction="down")
    yield w
    w.close_workspace()


def type_into(qtbot, grid, row: int, col: int, text: str) -> None:
    item = grid.item(row, col)
    grid.setCurrentItem(item)
    grid.editItem(item)
    editor = QApplication.focusWidget()
    editor.selectAll() if hasattr(editor, "selectAll") else None
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # Qt commits on Return through a queued call, and the operation runs after that
    editing = grid.State.EditingState
    qtbot.waitUntil(lambda: grid.state() != editing and grid.pending == 0)


def test_grid_entry_signals_and_undo(window, qtbot) -> None:
    page = window.stack.currentWidget()
    assert isinstance(page, mp.MeasurePage)
    assert page.badge.text().strip() == "BALANCING"
    assert page.prompt.isVisible() and "operational definition" in page.prompt.text()
    assert "No data yet" in signal_lines(page)[0]
    grid = page.grid
    page.tabs.setCurrentWidget(page.data_holder)
    monday = dt.date(2025, 1, 6)
    values = [10, 11, 9, 10, 12, 9, 10, 11, 10, 9, 4, 3, 4, 2, 3, 4, 3]
    for k, v in enumerate(values):
        day = monday + dt.timedelta(weeks=k)
        row = grid.rowCount() - 1
        type_into(qtbot, grid, row, 0, day.isoformat())
        type_into(qtbot, grid, row, 1, str(v))
    with window.workspace.read() as s:
        stored = [o.value for o in s.query(Observation).order_by(Observation.period)]
    assert stored == [float(v) for v in values]
    # a shift below the median on a lower-is-better measure is an improvement
    assert any(line.startswith("▲ Shift: 7 points below the median") for line in
               signal_lines(page)), signal_lines(page)

    # an invalid cell is marked with its reason and not stored
    type_into(qtbot, grid, 2, 1, "lots")
    assert "not a number" in grid.item(2, 1).toolTip()
    assert "Not saved" in page.grid_problem.text()
    with window.workspace.read() as s:
        assert s.query(Observation).filter_by(period=monday + dt.timedelta(weeks=2)).one().value == 9

    # undo the last typed value: the signal text follows
    window.act_undo.trigger()
    with window.workspace.read() as s:
        last = s.query(Observation).filter_by(period=monday + dt.timedelta(weeks=16)).one()
    assert last.value is None
    assert any("6 points below" in line or "Shift" in line for line in signal_lines(page))


def test_paste_from_spreadsheet_is_one_operation(window, qtbot) -> None:
    page = window.stack.currentWidget()
    text = "\n".join(f"{(dt.date(2025, 1, 6) + dt.timedelta(weeks=k)).isoformat()}\t{v}"
                     for k, v in enumerate([5, 6, 7, 8, 9, 10, 11]))
    QApplication.clipboard().setText(text)
    page.grid.setFocus()
    qtbot.keyClick(page.grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    with window.workspace.read() as s:
        assert s.query(Observation).count() == 7
    assert any("Trend: 7 points all going up" in line for line in signal_lines(page))
    window.act_undo.trigger()
    with window.workspace.read() as s:
        assert all(o.deleted for o in s.query(Observation))


def test_csv_import_dialog_and_baseline_freeze(window, qtbot, tmp_path: Path,
                                               monkeypatch) -> None:
    page = window.stack.currentWidget()
    rows = ["date,value"] + [f"{(dt.date(2025, 1, 6) + dt.timedelta(weeks=k)).isoformat()},{v}"
                             for k, v in enumerate([10, 11, 9, 10, 12, 9, 3, 2, 3, 2, 3, 2])]
    rows.append("Total,76")
    path = tmp_path / "refs.csv"
    path.write_text("\n".join(rows))
    seen = {}

    def fake_exec(dialog) -> int:
        seen["enabled_before"] = dialog.import_button.isEnabled()
        dialog.skip_bad.setChecked(True)
        seen["enabled_after"] = dialog.import_button.isEnabled()
        seen["rows"] = dialog.findChild(type(dialog).__mro__[0], None)
        return QDialog.DialogCode.Accepted

    from nicdesk.ui.measures import dialogs as measure_dialogs

    monkeypatch.setattr(measure_dialogs.CsvPreviewDialog, "exec", fake_exec)
    page.import_csv(path)
    assert seen["enabled_before"] is False and seen["enabled_after"] is True
    with window.workspace.read() as s:
        assert s.query(Observation).count() == 12

    def fake_phase(dialog) -> int:
        from PySide6.QtCore import QDate

        dialog.date.setDate(QDate(2025, 2, 17))
        dialog.reason.setPlainText("New referral policy")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(measure_dialogs.PhaseDialog, "exec", fake_phase)
    page.add_phase("baseline freeze")
    with window.workspace.read() as s:
        phase = s.query(ChartPhase).one()
    assert (phase.kind, phase.start, phase.reason) == ("baseline freeze", dt.date(2025, 2, 17),
                                                       "New referral policy")
    assert page.series.analysis.segments[0].baseline_end == 5
    # the judgement beside the chart is the series' one (`core.summary`), phase applied:
    # word for word what `nicdesk chart` prints and the packet's summary shows
    summary = page.series.summary
    assert summary is not None and summary.phases == page.series.phases
    assert summary.analysis.segments[0].baseline_end == 5
    assert page.chart.judgement.text() == (f"Variation: {summary.variation_words}\n"
                                           f"Assurance: {summary.assurance_words}")
    assert signal_lines(page)[-1].endswith(summary.line)
    out = page.chart.export(tmp_path / "chart.svg")
    assert out.read_text().lstrip().startswith("<?xml")
    png = page.chart.export(tmp_path / "chart.png")
    assert png.stat().st_size > 1000


def test_chart_zoom_keys(window, qtbot) -> None:
    page = window.stack.currentWidget()
    page.grid.paste("\n".join(f"2025-0{m}-01\t{v}" for m, v in ((1, 3), (2, 4), (3, 5),
                                                                 (4, 4), (5, 6))))
    chart = page.chart
    box = chart.plot.getViewBox()
    box.autoRange()
    before = box.viewRange()[0][1] - box.viewRange()[0][0]
    qtbot.keyClick(chart, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    after = box.viewRange()[0][1] - box.viewRange()[0][0]
    assert after < before
    qtbot.keyClick(chart, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert abs((box.viewRange()[0][1] - box.viewRange()[0][0]) - before) < before * 0.05
