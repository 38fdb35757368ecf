"""Dialogs of the measure page: CSV and .xlsx import with preview (and a sheet picker),
and a new chart phase."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import NicdeskError
from ...store.ops.csv_import import CsvPreview


class PhaseValues(TypedDict):
    """The fields of a new chart phase the dialog asks for."""

    start: dt.date
    reason: str
    pdsa_cycle_id: str | None


class CsvPreviewDialog(QDialog):
    """Shows every row and its problems before anything is written; for a workbook of
    several sheets, a sheet picker (`sheet`) that reads the chosen sheet again through
    `reread` (the same preview, nothing written)."""

    def __init__(self, parent: QWidget | None, preview: CsvPreview,
                 reread: Callable[[str], CsvPreview] | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.reread = reread
        self.setWindowTitle(f"Import {preview.path.name}")
        self.resize(820, 560)
        layout = QVBoxLayout(self)
        self.sheet_picker = QComboBox()
        self.sheet_picker.setObjectName("sheetPicker")
        self.sheet_picker.addItems(list(preview.sheets))
        if preview.sheet:
            self.sheet_picker.setCurrentText(preview.sheet)
        if len(preview.sheets) > 1 and reread is not None:
            row = QFormLayout()
            row.addRow("Sheet:", self.sheet_picker)
            self.sheet_picker.setToolTip("The sheet of the workbook to import")
            self.sheet_picker.currentTextChanged.connect(self._sheet_chosen)
            layout.addLayout(row)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = table = QTableWidget(0, 5)
        table.setObjectName("csvPreview")
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(table, 1)
        self.skip_dup = QRadioButton("Keep the values already stored (skip those periods)")
        self.replace_dup = QRadioButton("Replace the stored values with the file's")
        self.skip_dup.setChecked(True)
        layout.addWidget(self.skip_dup)
        layout.addWidget(self.replace_dup)
        self.skip_bad = QCheckBox()
        layout.addWidget(self.skip_bad)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.skip_bad.toggled.connect(self._update)
        self._fill()

    def _fill(self) -> None:
        """Summary, rows and choices of the current preview."""
        preview = self.preview
        parsed = preview.parsed
        good, bad, dup = len(parsed.good), len(parsed.bad), len(preview.duplicates())
        if parsed.file_problems:
            text = "<b>This file cannot be imported.</b> " + " ".join(
                html.escape(p) for p in parsed.file_problems)
        else:
            text = (f"<b>{len(parsed.rows)} rows</b>: {good} ready, {bad} with problems, "
                    f"{dup} for periods that already have a value. Nothing is written until "
                    "you press Import.")
        self.summary.setText(text + "".join(f"<br>• {html.escape(n)}" for n in parsed.notes))
        table = self.table
        table.clearContents()
        table.setRowCount(len(parsed.rows))
        grouped = any(r.group for r in parsed.rows)  # a student-group column (issue #21)
        heads = ["Row" if preview.sheet else "Line", "Period", "Value", "Note", "Problem"]
        if grouped:
            heads.insert(2, "Group")
        table.setColumnCount(len(heads))
        table.setHorizontalHeaderLabels(heads)
        table.horizontalHeader().setSectionResizeMode(len(heads) - 1,
                                                      QHeaderView.ResizeMode.Stretch)
        for r, row in enumerate(parsed.rows):
            value = ("" if row.value is None else
                     (f"{row.numerator:g}/{row.denominator:g}" if row.denominator else
                      f"{row.value:g}"))
            status = "; ".join(row.problems) or (
                "already stored" if preview.stored(row) else "")
            cells = [str(row.line), row.period.isoformat() if row.period else "", value,
                     row.note, status]
            if grouped:
                cells.insert(2, row.group_label or (row.group if row.problems and row.group
                                                    else "All students"))
            for c, cell in enumerate(cells):
                item = QTableWidgetItem(cell)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if row.problems:
                    item.setBackground(QBrush(QColor("#FDE0DC")))
                    item.setToolTip(status)  # the whole problem, however narrow the column
                table.setItem(r, c, item)
        self.skip_dup.setVisible(bool(dup))
        self.replace_dup.setVisible(bool(dup))
        self.skip_bad.setText(f"Import the {good} good row{'s' * (good != 1)} and leave "
                              f"out the {bad} row{'s' * (bad != 1)} with problems")
        self.skip_bad.setVisible(bool(bad and good))
        if not (bad and good):
            self.skip_bad.setChecked(False)
        self._update()

    def _sheet_chosen(self, name: str) -> None:
        if self.reread is None or not name or name == self.preview.sheet:
            return
        try:
            self.preview = self.reread(name)
        except NicdeskError as exc:  # the measure or site went meanwhile
            self.summary.setText(f"<b>{html.escape(exc.title)}</b>: {html.escape(exc.message)}")
            self.import_button.setEnabled(False)
            return
        self._fill()

    def _update(self) -> None:
        parsed = self.preview.parsed
        ok = parsed.ok or (not parsed.file_problems and bool(parsed.good)
                           and self.skip_bad.isChecked())
        self.import_button.setEnabled(ok)

    @property
    def sheet(self) -> str | None:
        """The workbook's sheet the rows come from (None for a CSV file)."""
        return self.preview.sheet

    @property
    def duplicates(self) -> str:
        return "replace" if self.replace_dup.isChecked() else "skip"


class PhaseDialog(QDialog):
    """A baseline freeze or a new phase (rebase): a date and a written reason, never
    automatic; optionally the PDSA cycle that caused the change."""

    def __init__(self, parent: QWidget | None, kind: str, suggested: dt.date | None,
                 cycles: list[tuple[str, str]]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Freeze the baseline" if kind == "baseline freeze"
                            else "Start a new phase")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "The centre line (and limits) will be computed from the points before this date "
            "and extended to judge the later ones." if kind == "baseline freeze" else
            "From this date the chart gets its own centre line. Do this only when the process "
            "has really changed, and say why.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        day = suggested or dt.date.today()
        self.date.setDate(QDate(day.year, day.month, day.day))
        form.addRow("From:", self.date)
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText("Advisory check-ins became standard practice in all "
                                       "9th-grade advisories")
        self.reason.setFixedHeight(80)
        form.addRow("Reason:", self.reason)
        self.cycle = QComboBox()
        self.cycle.addItem("(none)", None)
        for cid, title in cycles:
            self.cycle.addItem(title, cid)
        form.addRow("Caused by PDSA cycle:", self.cycle)
        layout.addLayout(form)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #B3261E;")
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        if not self.reason.toPlainText().strip():
            self.problem.setText("Please write the reason: charts keep it for everyone.")
            return
        self.accept()

    def values(self) -> PhaseValues:
        q = self.date.date()
        return {"start": dt.date(q.year(), q.month(), q.day()),
                "reason": self.reason.toPlainText().strip(),
                "pdsa_cycle_id": self.cycle.currentData()}


def csv_file_dialog(parent: QWidget | None) -> Path | None:
    from PySide6.QtWidgets import QFileDialog

    name, _ = QFileDialog.getOpenFileName(
        parent, "Import data from CSV or Excel", "",
        "Data files (*.csv *.txt *.xlsx *.xlsm);;CSV files (*.csv *.txt);;"
        "Excel workbooks (*.xlsx *.xlsm);;All files (*)")
    return Path(name) if name else None
