"""The Network view's "Timeline" tab: the network's milestones drawn along a line of
months (done ● filled, planned ○ hollow, late ⊗ — shape, not colour alone) over an
editable list (add, edit, delete), and "Add the usual milestones…", which shows the
standard formation milestones it would add as planned and asks before writing them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.entities import MILESTONE_KINDS
from ...core.milestones import Standing, when
from ...core.safe_text import shorten
from ...store.ops.milestones import add_usual_milestones, planned_usual
from ...store.views.milestones import MilestoneRow, network_owner, read_milestones
from ..common.widgets import problem_label, quiet

if TYPE_CHECKING:
    from ..shell.context import ShellContext

LEGEND = "● done   ○ planned   ⊗ planned date passed, not done yet"  # as in the PDF
MARK = {Standing.DONE: "● done", Standing.PLANNED: "○ planned", Standing.LATE: "⊗ late",
        Standing.UNDATED: "no date"}


def strip_label(row: MilestoneRow) -> str:
    """A milestone's label on the strip: its date with the full year (a two-digit year
    next to a day, "03 Oct 24", reads as two days) and its shortened title."""
    day = when(row)
    return f"{day:%d %b %Y} {shorten(row.title, 40)}" if day else shorten(row.title, 40)


class TimelineStrip(QWidget):
    """The dated milestones on one line; labels alternate above and below."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[MilestoneRow] = []
        self.setMinimumHeight(150)
        self.setObjectName("timelineStrip")

    def show_rows(self, rows: list[MilestoneRow]) -> None:
        self.rows = [r for r in rows if when(r) is not None]
        self.setAccessibleName(f"Timeline of {len(self.rows)} dated milestones")
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#FFFFFF"))
        ink = QColor("#222222")
        if not self.rows:
            p.setPen(ink)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No dated milestone yet")
            return
        days = [when(r) for r in self.rows]
        first = min(d for d in days if d) - dt.timedelta(days=15)
        last = max(d for d in days if d) + dt.timedelta(days=15)
        span = max((last - first).days, 1)
        left, right, mid = 12.0, self.width() - 12.0, self.height() / 2

        def x(day: dt.date) -> float:
            return left + (right - left) * (day - first).days / span

        p.setPen(QPen(ink, 1.5))
        p.drawLine(QPointF(left, mid), QPointF(right, mid))
        month = dt.date(first.year, first.month, 1)
        p.setPen(QPen(QColor("#888888"), 1))
        while month <= last:
            if month >= first:
                p.drawLine(QPointF(x(month), mid - 3), QPointF(x(month), mid + 3))
                if month.month in (1, 4, 7, 10) and x(month) + 40 < right:
                    p.drawText(QPointF(x(month) + 2, mid + 14), month.strftime("%b %y"))
            month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        for k, r in enumerate(self.rows):
            day = when(r)
            assert day is not None
            px = x(day)
            up = k % 2 == 0
            ly = mid + (22 + (k // 2) % 3 * 16) * (-1 if up else 1)
            p.setPen(QPen(QColor("#AAAAAA"), 1))
            p.drawLine(QPointF(px, mid), QPointF(px, ly))
            p.setPen(QPen(ink, 1.5))
            p.setBrush(ink if r.standing == Standing.DONE else QColor("#FFFFFF"))
            p.drawEllipse(QPointF(px, mid), 5, 5)
            if r.standing == Standing.LATE:
                p.drawLine(QPointF(px - 3, mid - 3), QPointF(px + 3, mid + 3))
                p.drawLine(QPointF(px - 3, mid + 3), QPointF(px + 3, mid - 3))
            text = strip_label(r)
            width = p.fontMetrics().horizontalAdvance(text)
            tx = px if px + width < right else px - width
            p.setPen(ink)
            p.drawText(QPointF(tx, ly + (0 if up else 10)), text)


class TimelinePanel(QWidget):
    COLUMNS = ("Milestone", "Kind", "Planned", "Done", "Who is responsible", "Where")

    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        self.shell = shell
        self.network_id: str | None = None
        self.rows: list[MilestoneRow] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        bar = QHBoxLayout()
        for name, text, slot in (("addMilestone", "Add…", self.add),
                                 ("editMilestone", "Edit…", self.edit),
                                 ("deleteMilestone", "Delete", self.delete),
                                 ("usualMilestones", "Add the usual milestones…", self.usual)):
            b = QPushButton(text)
            b.setObjectName(name)
            b.clicked.connect(lambda _c=False, f=slot: f())
            bar.addWidget(b)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.problem = problem_label(QLabel())
        self.problem.setObjectName("timelineProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        self.strip = TimelineStrip()
        layout.addWidget(self.strip)
        self.legend = quiet(QLabel(LEGEND))  # the strip's marks, said once in words
        self.legend.setObjectName("timelineLegend")
        layout.addWidget(self.legend)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("milestones")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 320)
        self.table.itemActivated.connect(lambda _i: self.edit())
        layout.addWidget(self.table, 1)

    def show_network(self, network_id: str) -> None:
        ws = self.shell.workspace
        if ws is None:
            return
        self.network_id = network_id
        self.rows = read_milestones(ws, network_id)
        self.strip.show_rows(self.rows)
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            for j, text in enumerate((shorten(r.title), r.kind, str(r.planned or "—"),
                                      str(r.done) if r.done else MARK[r.standing],
                                      shorten(r.responsible) or "—",
                                      shorten(r.site_name) or "network")):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(0, max(320, self.table.columnWidth(0)))

    def _current(self) -> MilestoneRow | None:
        i = self.table.currentRow()
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def _write(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.problem.hide()
        if self.shell.runner.run(fn, *args, **kwargs) is not None and self.network_id:
            self.show_network(self.network_id)

    def show_problem(self, message: str) -> None:
        """A refused change, said above the timeline."""
        self.problem.setText(message)
        self.problem.show()

    def _blocked(self, owner: str | None, creating: bool = False) -> bool:
        """Say why this workspace may not write a milestone of `owner`, if it may not
        (the network's own belong to the coordinator, a site's to that site)."""
        ws = self.shell.workspace
        why = ws.ops.write_block("milestone", owner, creating=creating) if ws else None
        if why:
            self.show_problem(why)
        return bool(why)

    def add(self) -> None:
        ws = self.shell.workspace
        if ws is None or self.network_id is None or self._blocked(
                network_owner(ws, self.network_id), creating=True):
            return
        dialog = MilestoneDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._write(ws.ops.create, "milestone", network_id=self.network_id,
                        label="Add a milestone", **dialog.values())

    def edit(self) -> None:
        ws, row = self.shell.workspace, self._current()
        if ws is None or row is None or self._blocked(row.owner_site_id):
            return
        dialog = MilestoneDialog(self, row)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._write(ws.ops.update, "milestone", row.id, label="Edit a milestone",
                        **dialog.values())

    def delete(self) -> None:
        ws, row = self.shell.workspace, self._current()
        if ws is None or row is None or self._blocked(row.owner_site_id):
            return
        self._write(ws.ops.delete, "milestone", row.id, label="Delete a milestone")

    def usual(self, start: dt.date | None = None) -> None:
        """Show what would be added (planned from today) and add it only when confirmed."""
        ws = self.shell.workspace
        if ws is None or self.network_id is None or self._blocked(
                network_owner(ws, self.network_id), creating=True):
            return
        start = start or dt.date.today()
        todo = planned_usual(ws, self.network_id, start)
        if not todo:
            QMessageBox.information(self, "Add the usual milestones",
                                    "This network already has every usual milestone.")
            return
        lines = "\n".join(f"• {title} — planned {day}" for _k, title, day in todo)
        answer = QMessageBox.question(
            self, "Add the usual milestones",
            f"Add these {len(todo)} milestones as planned? Their dates are a proposal: "
            f"edit them afterwards.\n\n{lines}")
        if answer == QMessageBox.StandardButton.Yes:
            self._write(add_usual_milestones, ws, self.network_id, start)


class MilestoneDialog(QDialog):
    def __init__(self, parent: QWidget | None, row: MilestoneRow | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit milestone" if row else "Add a milestone")
        self.setObjectName("milestoneDialog")
        form = QFormLayout(self)
        self.title = QLineEdit(row.title if row else "")
        self.title.setObjectName("milestoneTitle")
        form.addRow("Milestone:", self.title)
        self.kind = QComboBox()
        self.kind.setObjectName("milestoneKind")
        self.kind.addItems(list(MILESTONE_KINDS))
        self.kind.setCurrentText(row.kind if row else "other")
        form.addRow("Kind:", self.kind)
        self.planned_date, self.has_planned = self._date(form, "Planned:", row.planned if row else None)
        self.done_date, self.has_done = self._date(form, "Done:", row.done if row else None)
        self.responsible = QLineEdit(row.responsible if row else "")
        self.responsible.setObjectName("milestoneResponsible")
        form.addRow("Who is responsible:", self.responsible)
        self.note = QLineEdit(row.note if row else "")
        form.addRow("Note:", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.title.textChanged.connect(lambda t: self.ok.setEnabled(bool(t.strip())))
        self.ok.setEnabled(bool(self.title.text().strip()))
        form.addRow(buttons)

    def _date(self, form: QFormLayout, label: str, value: dt.date | None
              ) -> tuple[QDateEdit, QCheckBox]:
        box = QHBoxLayout()
        has = QCheckBox()
        edit = QDateEdit(QDate(value.year, value.month, value.day) if value
                         else QDate.currentDate())
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        has.setChecked(value is not None)
        edit.setEnabled(value is not None)
        has.toggled.connect(edit.setEnabled)
        box.addWidget(has)
        box.addWidget(edit, 1)
        form.addRow(label, box)
        return edit, has

    def values(self) -> dict[str, object]:
        def day(edit: QDateEdit, has: QCheckBox) -> dt.date | None:
            d = edit.date()
            return dt.date(d.year(), d.month(), d.day()) if has.isChecked() else None

        return {"title": self.title.text().strip(), "kind": self.kind.currentText(),
                "planned": day(self.planned_date, self.has_planned),
                "done": day(self.done_date, self.has_done),
                "responsible": self.responsible.text().strip(), "note": self.note.text().strip()}
