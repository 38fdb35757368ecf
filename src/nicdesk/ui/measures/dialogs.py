"""Dialogs of the measure page: CSV import with preview, and a new chart phase."""

from __future__ import annotations

import datetime as dt
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

from ...store.ops.csv_import import CsvPreview


class PhaseValues(TypedDict):
    """The fields of a new chart phase the dialog asks for."""

    start: dt.date
    reason: str
    pdsa_cycle_id: str | None


class CsvPreviewDialog(QDialog):
    """Shows every row and its problems before anything is written."""

    def __init__(self, parent: QWidget | None, preview: CsvPreview) -> None:
        super().__init__(parent)
        self.preview = preview
        parsed = preview.parsed
        self.setWindowTitle(f"Import {preview.path.name}")
        self.resize(820, 560)
        layout = QVBoxLayout(self)
        summary = QLabel()
        summary.setWordWrap(True)
        good, bad, dup = len(parsed.good), len(parsed.bad), len(preview.duplicates())
        if parsed.file_problems:
            text = "<b>This file cannot be imported.</b> " + " ".join(parsed.file_problems)
        else:
            text = (f"<b>{len(parsed.rows)} rows</b>: {good} ready, {bad} with problems, "
                    f"{dup} for periods that already have a value. Nothing is written until "
                    "you press Import.")
        summary.setText(text + "".join(f"<br>• {n}" for n in parsed.notes))
        layout.addWidget(summary)
        table = QTableWidget(len(parsed.rows), 5)
        table.setObjectName("csvPreview")
        table.setHorizontalHeaderLabels(["Line", "Period", "Value", "Note", "Problem"])
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for r, row in enumerate(parsed.rows):
            value = ("" if row.value is None else
                     (f"{row.numerator:g}/{row.denominator:g}" if row.denominator else
                      f"{row.value:g}"))
            status = "; ".join(row.problems) or (
                "already stored" if row.period in preview.existing else "")
            cells = [str(row.line), row.period.isoformat() if row.period else "", value,
                     row.note, status]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if row.problems:
                    item.setBackground(QBrush(QColor("#FDE0DC")))
                table.setItem(r, c, item)
        layout.addWidget(table, 1)
        self.skip_dup = QRadioButton("Keep the values already stored (skip those periods)")
        self.replace_dup = QRadioButton("Replace the stored values with the file's")
        self.skip_dup.setChecked(True)
        if dup:
            layout.addWidget(self.skip_dup)
            layout.addWidget(self.replace_dup)
        self.skip_bad = QCheckBox(f"Import the {good} good row{'s' * (good != 1)} and leave "
                                  f"out the {bad} row{'s' * (bad != 1)} with problems")
        if bad and good:
            layout.addWidget(self.skip_bad)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.skip_bad.toggled.connect(self._update)
        self._update()

    def _update(self) -> None:
        parsed = self.preview.parsed
        ok = parsed.ok or (not parsed.file_problems and bool(parsed.good)
                           and self.skip_bad.isChecked())
        self.import_button.setEnabled(ok)

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

    name, _ = QFileDialog.getOpenFileName(parent, "Import data from CSV", "",
                                          "CSV files (*.csv *.txt);;All files (*)")
    return Path(name) if name else None
