""""Year in review…" on the Network view: choose the period and the file, then build the
report with `report.review.build_review` (the builder `nicdesk review` runs).  A period
that ends before it starts, or holds nothing, is refused with the builder's own words
and no file is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ...core.errors import NicdeskError
from ..common.widgets import problem_label

if TYPE_CHECKING:
    from ...report.review import ReviewResult
    from ...store.workspace import Workspace


class ReviewDialog(QDialog):
    def __init__(self, parent: QWidget | None, ws: Workspace, network_id: str,
                 network_name: str) -> None:
        super().__init__(parent)
        self.ws, self.network_id = ws, network_id
        self.built: ReviewResult | None = None
        self.setWindowTitle("Year in review")
        self.setObjectName("reviewDialog")
        form = QFormLayout(self)
        form.addRow(QLabel(f"A report of {network_name} for a state agency or a funder."))
        today = dt.date.today()
        year = today.year if today.month >= 8 else today.year - 1
        self.start = self._date(dt.date(year - 1, 8, 1), "reviewFrom")
        self.end = self._date(dt.date(year, 7, 31), "reviewTo")
        form.addRow("From:", self.start)
        form.addRow("To:", self.end)
        self.paper = QComboBox()
        self.paper.addItems(["letter", "a4"])
        form.addRow("Paper:", self.paper)
        row = QHBoxLayout()
        self.path = QLineEdit(str(Path.home() / "year-in-review.pdf"))
        self.path.setObjectName("reviewPath")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow("Save as:", row)
        self.problem = problem_label(QLabel())
        self.problem.setObjectName("reviewProblem")
        self.problem.setWordWrap(True)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Build report")
        buttons.accepted.connect(self.build)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(560)

    @staticmethod
    def _date(day: dt.date, name: str) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day))
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the report", self.path.text(),
                                              "PDF (*.pdf)")
        if path:
            self.path.setText(path if path.lower().endswith(".pdf") else path + ".pdf")

    def _say(self, problem: str) -> None:
        self.problem.setText(problem)
        self.adjustSize()  # the wrapped lines need the room

    def build(self) -> None:
        """Build; on a refusal say why in the dialog and keep it open."""
        from ...report.review import build_review

        def day(edit: QDateEdit) -> dt.date:
            d = edit.date()
            return dt.date(d.year(), d.month(), d.day())

        target = Path(self.path.text().strip())
        if target.suffix.lower() != ".pdf" or not target.parent.is_dir():
            self._say("Save the report as a .pdf file in a folder that exists.")
            return
        try:
            self.built = build_review(self.ws, self.network_id, day(self.start),
                                       day(self.end), target, paper=self.paper.currentText())
        except NicdeskError as exc:
            self._say(exc.message)
            return
        except OSError as exc:
            self._say(f"The report could not be written ({exc.strerror}): choose another "
                      "folder.")
            return
        self.accept()
