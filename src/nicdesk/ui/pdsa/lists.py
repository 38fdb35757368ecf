"""PDSA overviews: the ramp as a ladder of cycles, and the filtered list of cycles.

Another site's ramp is shown read-only (a lock banner, no reordering); the list of cycles
only reads."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeAlias

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core.pdsa import STAGES
from ...core.states import PdsaDecision
from ...store.ops import pdsa as ops
from ...store.views import pdsa as views
from ..common.widgets import LockBanner, page_title, quiet, set_read_only
from ..records.forms import open_workspace

if TYPE_CHECKING:
    from ..shell.context import ShellContext


class RampPage(QWidget):
    """Cycles of one ramp left to right, like a ladder growing with the scale of the test."""

    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        self.shell = shell
        self.ramp_id: str | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        self.title = page_title()
        outer.addWidget(self.title)
        self.banner = LockBanner()
        outer.addWidget(self.banner)
        intro = QLabel("A ramp is a chain of PDSA cycles testing one change idea at growing "
                       "scale. Use ◀ ▶ to reorder (Edit → Undo puts it back); open a cycle "
                       "to read or edit it.")
        intro.setWordWrap(True)
        quiet(intro)
        outer.addWidget(intro)
        self.ladder = QScrollArea()  # not `scroll`: that is QWidget.scroll()
        self.ladder.setWidgetResizable(True)
        outer.addWidget(self.ladder, 1)

    def bind(self, ramp_id: str) -> None:
        self.ramp_id = ramp_id
        self.reload()

    def reload(self) -> None:
        ws = self.shell.workspace
        if ws is None or self.ramp_id is None:
            return
        ramp = views.ramp_view(ws, self.ramp_id)
        cycles = ramp.cycles if ramp else []
        self.title.setText(f"Ramp: {ramp.title}" if ramp else "Ramp")
        lock = ws.ops.record_block("pdsa_ramp", self.ramp_id) if ramp else None
        self.banner.show_block(lock)
        strip = QWidget()
        row = QHBoxLayout(strip)
        self.cards: list[QFrame] = []
        for k, c in enumerate(cycles):
            if k:
                arrow = QLabel("→")
                arrow.setStyleSheet("font-size: 20pt; color: #777777;")
                row.addWidget(arrow, 0, Qt.AlignmentFlag.AlignTop)
            card = QFrame()
            card.setObjectName("cycleCard")
            card.setFrameShape(QFrame.Shape.StyledPanel)
            card.setFixedWidth(220)
            # a light card keeps dark text in dark themes too (its labels inherit it)
            card.setStyleSheet("#cycleCard { background: #F5F8FC; border: 1px solid #8AA4C0;"
                               " border-radius: 6px; } #cycleCard QLabel { color: #1A1A1A; }")
            v = QVBoxLayout(card)
            v.addWidget(QLabel(f"<b>Cycle {c.cycle_number}</b>"))
            for text in (c.scale or "(scale not set)",
                         f"{c.start_date or '?'} – {c.end_date or '?'}",
                         f"Decision: {c.decision or '—'}"):
                label = QLabel(text)
                label.setWordWrap(True)
                v.addWidget(label)
            buttons = QHBoxLayout()
            for text, delta in (("◀", -1), ("▶", 1)):
                b = QPushButton(text)
                b.setFixedWidth(32)
                b.setToolTip("Move earlier" if delta < 0 else "Move later")
                b.clicked.connect(lambda _c=False, cid=c.id, d=delta: self._move(cid, d))
                set_read_only(b, lock)
                buttons.addWidget(b)
            open_button = QPushButton("Open")
            open_button.clicked.connect(lambda _c=False, cid=c.id: self.shell.open_cycle(cid))
            buttons.addWidget(open_button)
            v.addLayout(buttons)
            row.addWidget(card, 0, Qt.AlignmentFlag.AlignTop)
            self.cards.append(card)
        row.addStretch(1)
        self.ladder.setWidget(strip)

    def _move(self, cycle_id: str, delta: int) -> None:
        self.shell.runner.run(ops.move_in_ramp, self.shell.workspace, cycle_id, delta)


#: a model index as Qt hands it to a model's overrides
Index: TypeAlias = QModelIndex | QPersistentModelIndex

COLUMNS = (("site", "Site"), ("change_idea", "Change idea"), ("title", "Cycle"),
           ("scale", "Scale"), ("start", "Start"), ("end", "End"), ("stage", "Stage"),
           ("decision", "Decision"))


class CycleModel(QAbstractTableModel):
    """Rows of `store.pdsa.cycle_rows`; a model, so thousands of cycles stay instant."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[views.CycleRow] = []

    def set_rows(self, rows: list[views.CycleRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        row = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            value = getattr(row, key)
            if key == "stage" and row.overdue:
                return "overdue: study it"
            if key == "title" and row.incomplete:
                return f"{value}  (⚠ {row.incomplete} to finish)"
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.BackgroundRole and row.overdue:
            return QColor("#FDE9C8")
        if role == Qt.ItemDataRole.ForegroundRole and row.overdue:
            return QColor("#1A1A1A")  # dark on the light overdue tint, in dark themes too
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None


class CycleFilter(QSortFilterProxyModel):
    def __init__(self, cycles: CycleModel) -> None:
        super().__init__()
        self.cycles = cycles
        self.setSourceModel(cycles)
        self.stage = self.idea = self.decision = ""
        self.since: dt.date | None = None

    def filterAcceptsRow(self, source_row: int, _parent: Index) -> bool:  # noqa: N802
        row = self.cycles.rows[source_row]
        if self.stage == "overdue" and not row.overdue:
            return False
        if self.stage and self.stage != "overdue" and row.stage != self.stage:
            return False
        if self.idea and row.change_idea != self.idea:
            return False
        if self.decision and row.decision != self.decision:
            return False
        return not (self.since and (row.start is None or row.start < self.since))


class CycleListPage(QWidget):
    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        self.shell = shell
        self.scope: tuple[str | None, str | None] = (None, None)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        self.title = page_title()
        outer.addWidget(self.title)
        self.filters = QWidget()  # hidden while there is no cycle to filter
        bar = QHBoxLayout(self.filters)
        bar.setContentsMargins(0, 0, 0, 0)
        self.stage = QComboBox()
        self.stage.setObjectName("stageFilter")
        self.stage.addItem("All stages", "")
        for st in STAGES:
            self.stage.addItem(st.capitalize(), st)
        self.stage.addItem("Overdue", "overdue")
        self.idea = QComboBox()
        self.idea.setObjectName("ideaFilter")
        self.decision = QComboBox()
        self.decision.setObjectName("decisionFilter")
        self.decision.addItem("Any decision", "")
        for d in PdsaDecision:
            if d is not PdsaDecision.UNDECIDED:
                self.decision.addItem(d.capitalize(), d)
        for label, combo in (("Stage:", self.stage), ("Change idea:", self.idea),
                             ("Decision:", self.decision)):
            bar.addWidget(QLabel(label))
            bar.addWidget(combo)
            combo.currentIndexChanged.connect(self._filter)
        self.use_since = QCheckBox("Started since")
        self.use_since.setObjectName("sinceFilter")
        self.since = QDateEdit()
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("yyyy-MM-dd")
        self.since.setDate(QDate.currentDate().addMonths(-6))
        self.since.setEnabled(False)
        self.use_since.toggled.connect(self.since.setEnabled)
        self.use_since.toggled.connect(lambda _on: self._filter())
        self.since.dateChanged.connect(lambda _d: self._filter())
        bar.addWidget(self.use_since)
        bar.addWidget(self.since)
        bar.addStretch(1)
        self.new_button = QPushButton("New PDSA cycle")
        self.new_button.setObjectName("newCycle")
        self.new_button.setToolTip("Start a PDSA cycle here and open it to plan "
                                   "(PDSA → New PDSA cycle, Ctrl+Shift+P)")
        self.new_button.clicked.connect(
            lambda _checked=False: self.shell.new_cycle(*self.scope))
        bar.addWidget(self.new_button)
        outer.addWidget(self.filters)
        self.model = CycleModel()
        self.proxy = CycleFilter(self.model)
        self.table = QTableView()
        self.table.setObjectName("cycleTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.doubleClicked.connect(self._open)
        outer.addWidget(self.table, 1)
        from ..common.empty_states import EmptyState

        # no cycle yet: what a PDSA cycle is for, and the button starting the first
        self.empty = EmptyState("pdsa", lambda: self.shell.new_cycle(*self.scope))
        outer.addWidget(self.empty, 1)
        # no site yet (the network's list): a cycle belongs to a site, so add one first
        self.no_site = EmptyState("pdsa_no_site", self._add_site)
        outer.addWidget(self.no_site, 1)
        self.count = QLabel()
        outer.addWidget(self.count)

    def bind(self, site_id: str | None, network_id: str | None) -> None:
        self.scope = (site_id, network_id)
        self.reload()

    def reload(self) -> None:
        site_id, network_id = self.scope
        rows = views.cycle_list(open_workspace(self.shell), site_id=site_id,
                                network_id=None if site_id else network_id)
        self.title.setText("PDSA cycles" + ("" if site_id else " across the network"))
        self.model.set_rows(rows)
        current = self.idea.currentData()
        self.idea.blockSignals(True)
        self.idea.clear()
        self.idea.addItem("Any change idea", "")
        for idea in sorted({r.change_idea for r in rows if r.change_idea}):
            self.idea.addItem(idea, idea)
        self.idea.setCurrentIndex(max(self.idea.findData(current), 0))
        self.idea.blockSignals(False)
        self.table.resizeColumnsToContents()
        self._filter()
        no_site = not rows and self._no_site()
        self.empty.setVisible(not rows and not no_site)
        self.no_site.setVisible(no_site)
        for widget in (self.filters, self.table, self.count):
            widget.setVisible(bool(rows))

    def _no_site(self) -> bool:
        """The network's list, with no site that may start a cycle ("New PDSA cycle"
        would only say so)."""
        from ...store.views.records import create_block, sites_in_network

        site_id, network_id = self.scope
        if site_id is not None or network_id is None:
            return False
        ws = open_workspace(self.shell)
        return not any(create_block(ws, "pdsa_cycle", s.id) is None
                       for s in sites_in_network(ws, network_id))

    def _add_site(self) -> None:
        network_id = self.scope[1]
        if network_id is not None and self.shell.add_site(network_id, None) is None:
            self.reload()  # cancelled: still no site

    def _filter(self) -> None:
        self.proxy.stage = self.stage.currentData() or ""
        self.proxy.idea = self.idea.currentData() or ""
        self.proxy.decision = self.decision.currentData() or ""
        q = self.since.date()
        self.proxy.since = (dt.date(q.year(), q.month(), q.day())
                            if self.use_since.isChecked() else None)
        self.proxy.invalidate()
        overdue = sum(1 for r in self.model.rows if r.overdue)
        self.count.setText(f"{self.proxy.rowCount()} of {len(self.model.rows)} cycles"
                           + (f" · {overdue} overdue (end date passed, nothing studied yet)"
                              if overdue else ""))

    def _open(self, index: QModelIndex) -> None:
        row = self.proxy.data(index, Qt.ItemDataRole.UserRole)
        if row is not None:
            self.shell.open_cycle(row.id)
