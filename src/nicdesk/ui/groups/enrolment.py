"""A site's enrolment by school year, on the site's page (issue #21): all students and
each of the network's groups, typed in a small table for the chosen school year.

These numbers make comparisons fair (`core.groups.group_shares`: "schools like this
one").  Each typed number is one undoable write (`store.ops.groups.set_enrolment`); an
emptied cell removes the figure; text that is no whole number is said and not stored.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.entities import SCHOOL_YEAR
from ...core.groups import ALL_STUDENTS_LABEL, GroupChoice, school_year_of
from ..common.widgets import problem_label, quiet

if TYPE_CHECKING:
    from ...store.first_look import FirstLook
    from ...store.views.group_rows import EnrolmentRow
    from ...store.workspace import Workspace
    from ..shell.context import ShellContext


def current_school_year(today: dt.date) -> str:
    """The school year a date falls in (a year starts in July): 2026-03-01 -> 2025-26."""
    return school_year_of(today.year if today.month >= 7 else today.year - 1)


class EnrolmentSection(QWidget):
    """"Enrolment" under a site's members: school year, then students per group."""

    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        self.shell = shell
        self.site_id: str | None = None
        self.network_id: str | None = None
        self._filling = False
        #: the figures last read: groups, stored enrolment, why this workspace may not write
        self._data: tuple[list[GroupChoice], list[EnrolmentRow], str | None] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QLabel("Enrolment")
        font = head.font()
        font.setBold(True)
        head.setFont(font)
        layout.addWidget(head)
        row = QHBoxLayout()
        row.addWidget(QLabel("School year:"))
        self.year = QLineEdit(current_school_year(dt.date.today()))
        self.year.setObjectName("enrolmentYear")
        self.year.setMaximumWidth(90)
        self.year.setPlaceholderText("2025-26")
        self.year.textChanged.connect(lambda _t: self.reload())
        row.addWidget(self.year)
        self.others = quiet(QLabel())
        row.addWidget(self.others, 1)
        layout.addLayout(row)
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("enrolmentTable")
        self.table.setHorizontalHeaderLabels(["Students", "Number"])
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._typed)
        layout.addWidget(self.table)
        self.hint = quiet(QLabel("Add student groups on the network's Student groups page "
                                 "to record each group's students."))
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.problem = problem_label(QLabel())
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)

    def load(self, ws: Workspace, site_id: str, network_id: str) -> None:
        """Show a site of the open workspace.  The store's reads are imported only now:
        the site form is a first screen, drawn (by `look`) before SQLAlchemy is."""
        from ...store.views.groups import read_dimensions, read_site_enrolments

        groups = [g for d in read_dimensions(ws, network_id) for g in d.groups]
        self._show(site_id, network_id, groups, read_site_enrolments(ws, site_id),
                   ws.ops.write_block("site_enrolment", site_id, creating=True))

    def look(self, look: FirstLook, site_id: str, network_id: str) -> None:
        """Show a site from the shell's first look, exactly as `load` will."""
        dims, stored = look.enrolment_of_site(site_id, network_id)
        self._show(site_id, network_id, [g for d in dims for g in d.groups], stored,
                   look.create_block("site_enrolment", site_id))

    def _show(self, site_id: str, network_id: str, groups: list[GroupChoice],
              stored: list[EnrolmentRow], block: str | None) -> None:
        """On a new site, its newest recorded school year (else this one), then the table."""
        if site_id != self.site_id:
            years = sorted({r.school_year for r in stored})
            self.year.blockSignals(True)
            self.year.setText(years[-1] if years else current_school_year(dt.date.today()))
            self.year.blockSignals(False)
        self.site_id, self.network_id = site_id, network_id
        self._data = (groups, stored, block)
        self.problem.clear()
        self.reload()

    def reload(self) -> None:
        """The table for the school year typed (from the figures last read)."""
        if self._data is None:
            return
        groups, stored, block = self._data
        year = self.year.text().strip()
        now = {r.group_id: r.students for r in stored if r.school_year == year}
        years = sorted({r.school_year for r in stored if r.school_year != year}, reverse=True)
        self.others.setText("Also recorded: " + ", ".join(years) if years else "")
        self._filling = True
        self.table.setRowCount(1 + len(groups))
        for r, (gid, label) in enumerate([(None, ALL_STUDENTS_LABEL)]
                                         + [(g.id, g.label) for g in groups]):
            name = QTableWidgetItem(label)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled)
            name.setData(Qt.ItemDataRole.UserRole, gid)
            self.table.setItem(r, 0, name)
            value = QTableWidgetItem("" if gid not in now else str(now[gid]))
            if block or not re.fullmatch(SCHOOL_YEAR, year):
                value.setFlags(Qt.ItemFlag.ItemIsEnabled)
                value.setToolTip(block or "Write the school year as 2025-26 first.")
            self.table.setItem(r, 1, value)
        rows = min(12, self.table.rowCount())
        self.table.setFixedHeight(rows * self.table.verticalHeader().defaultSectionSize()
                                  + self.table.horizontalHeader().height() + 6)
        self._filling = False
        self.hint.setVisible(not groups)

    def _typed(self, item: QTableWidgetItem) -> None:
        ws = self.shell.workspace
        if self._filling or item.column() != 1 or ws is None or self.site_id is None:
            return
        text = item.text().strip().replace(",", "")
        head = self.table.item(item.row(), 0)
        group_id = head.data(Qt.ItemDataRole.UserRole) if head is not None else None
        if text and not text.isdigit():
            self.problem.setText(f"“{item.text().strip()}” is not a whole number of "
                                 "students; type a number such as 412, or empty the cell.")
            return
        self.problem.clear()
        from ...store.ops.groups import set_enrolment

        self.shell.runner.run(set_enrolment, ws, self.site_id, self.year.text().strip(),
                              group_id, int(text) if text else None)
