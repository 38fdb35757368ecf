"""Importing an Excel workbook through the measure page's preview dialog: the sheet picker
re-reads the chosen sheet, the table shows its rows, Import stores exactly that sheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QTableWidget

from nicdesk.store.schema import Observation
from nicdesk.ui.measures.dialogs import CsvPreviewDialog
from tests.ui.conftest import referrals_window, settle

SHOTS = Path("/tmp/h/xlsx")


@pytest.fixture
def window(qtbot, tmp_path: Path):
    w = referrals_window(qtbot, tmp_path / "m.nicdesk", frequency="weekly", direction="down")
    yield w
    w.close_workspace()


def two_sheet_book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "Eastside"
    first.append(["Week of", "Value"])
    first.append([dt.date(2025, 1, 6), 9])
    lincoln = wb.create_sheet("Lincoln")
    lincoln.append(["Week of", "Value", "Note"])
    for k, value in enumerate([10, 11, 9, 12]):
        lincoln.append([dt.date(2025, 1, 6) + dt.timedelta(weeks=k), value,
                        "assembly week" if k == 2 else None])
    lincoln.append(["Total", "=SUM(B2:B5)"])  # a formula saved without its result
    wb.save(path)
    return path


def shown_modal(monkeypatch, act) -> None:
    """Show the preview dialog for real and run `act` on it instead of blocking."""
    def exec_(dialog: CsvPreviewDialog) -> int:
        dialog.show()
        settle()
        act(dialog)
        return dialog.result()

    monkeypatch.setattr(CsvPreviewDialog, "exec", exec_)


def test_sheet_picker_reads_the_chosen_sheet_and_imports_it(window, qtbot, monkeypatch,
                                                            tmp_path: Path) -> None:
    page = window.stack.currentWidget()
    path = two_sheet_book(tmp_path / "referrals.xlsx")
    seen: dict[str, object] = {}

    def act(dialog: CsvPreviewDialog) -> None:
        picker = dialog.findChild(QComboBox, "sheetPicker")
        table = dialog.findChild(QTableWidget, "csvPreview")
        seen["sheets"] = [picker.itemText(i) for i in range(picker.count())]
        seen["first"] = (picker.currentText(), table.rowCount())
        picker.setCurrentIndex(picker.findText("Lincoln"))  # as a person picks it
        settle()
        seen["header"] = table.horizontalHeaderItem(0).text()
        seen["rows"] = [(table.item(r, 1).text(), table.item(r, 2).text(),
                         table.item(r, 4).text()) for r in range(table.rowCount())]
        seen["enabled"] = dialog.import_button.isEnabled()
        dialog.skip_bad.setChecked(True)  # leave out the Total row
        if SHOTS.is_dir():
            dialog.grab().save(str(SHOTS / "xlsx_preview.png"))
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    shown_modal(monkeypatch, act)
    page.import_csv(path)
    assert seen["sheets"] == ["Eastside", "Lincoln"]
    assert seen["first"] == ("Eastside", 1)
    assert seen["header"] == "Row"
    rows = seen["rows"]
    assert rows[:4] == [("2025-01-06", "10", ""), ("2025-01-13", "11", ""),
                        ("2025-01-20", "9", ""), ("2025-01-27", "12", "")]
    assert rows[4][2].startswith("cell B6 is a formula (=SUM(B2:B5)) with no saved result")
    assert seen["enabled"] is False  # a bad row: nothing until the person chooses
    with window.workspace.read() as s:
        stored = sorted((o.period, o.value, o.note) for o in s.query(Observation))
    assert stored == [(dt.date(2025, 1, 6), 10, ""), (dt.date(2025, 1, 13), 11, ""),
                      (dt.date(2025, 1, 20), 9, "assembly week"),
                      (dt.date(2025, 1, 27), 12, "")]


def test_a_damaged_workbook_is_refused_in_the_dialog(window, monkeypatch,
                                                     tmp_path: Path) -> None:
    page = window.stack.currentWidget()
    path = tmp_path / "broken.xlsx"
    path.write_bytes(two_sheet_book(tmp_path / "ok.xlsx").read_bytes()[:900])
    seen: dict[str, object] = {}

    def act(dialog: CsvPreviewDialog) -> None:
        seen["text"] = dialog.summary.text()
        seen["enabled"] = dialog.import_button.isEnabled()
        seen["picker"] = dialog.sheet_picker.isVisible()
        dialog.reject()

    shown_modal(monkeypatch, act)
    page.import_csv(path)
    assert "This file cannot be imported" in seen["text"] and "damaged" in seen["text"]
    assert seen["enabled"] is False and seen["picker"] is False
    with window.workspace.read() as s:
        assert s.query(Observation).count() == 0
