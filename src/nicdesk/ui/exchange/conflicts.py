"""Network menu dialogs: conflicts to resolve, and the history of imported bundles."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ...store.ops import conflicts as ops
from ...store.views.conflicts import bundle_history, open_conflicts
from .common import ExchangeWindow, open_workspace_of


class ConflictsDialog(QDialog):
    """Two people changed the same thing offline: the later edit is shown, the other kept
    here until someone decides."""

    def __init__(self, window: ExchangeWindow) -> None:
        super().__init__(window.window())
        self.window_ = window
        self.setWindowTitle("Conflicts to resolve")
        self.resize(900, 420)
        layout = QVBoxLayout(self)
        intro = QLabel("When two people edited the same field without seeing each other's "
                       "change, NICdesk shows the later one and keeps the other here. "
                       "Nothing is dropped until you decide.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("conflicts")
        self.table.setHorizontalHeaderLabels(["Record", "Field", "Shown now", "Other version"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        layout.addWidget(self.table, 1)
        from ..common.empty_states import EmptyState

        self.empty = EmptyState("conflicts")  # none: what a conflict would be
        layout.addWidget(self.empty, 1)
        row = QHBoxLayout()
        keep = self.keep = QPushButton("Keep what is shown")
        keep.clicked.connect(lambda: self._resolve(False))
        take = QPushButton("Use the other version")
        take.clicked.connect(lambda: self._resolve(True))
        self.take = take
        row.addWidget(keep)
        row.addWidget(take)
        row.addStretch(1)
        layout.addLayout(row)
        # one writer per record: another site's conflict is shown, and settled by its owner
        from ..common.widgets import LockBanner

        self.owner_note = LockBanner()
        layout.addWidget(self.owner_note)
        self.table.itemSelectionChanged.connect(self._selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        self.rows = open_conflicts(open_workspace_of(self.window_))
        self.table.setRowCount(len(self.rows))
        for r, c in enumerate(self.rows):
            for col, value in enumerate((c.record, c.field.replace("_", " "), c.current,
                                         c.other)):
                self.table.setItem(r, col, QTableWidgetItem("" if value is None else str(value)))
        self.table.resizeColumnsToContents()
        self.empty.setVisible(not self.rows)
        self.table.setVisible(bool(self.rows))
        for button in (self.keep, self.take):
            button.setVisible(bool(self.rows))
        self._selected()

    def _selected(self) -> None:
        row = self.table.currentRow()
        block = None
        if 0 <= row < len(self.rows):
            c = self.rows[row]
            block = open_workspace_of(self.window_).ops.record_block(c.kind, c.record_id, {c.field})
        self.take.setEnabled(block is None)
        self.owner_note.show_block(block, "You can keep what is shown; the owner decides "
                                   "which version stays." if block else "")

    def _resolve(self, take_other: bool) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            ops.resolve(open_workspace_of(self.window_), self.rows[row].id, take_other=take_other)
            self.window_.notify_external_change("Conflict resolved")
            self.reload()


class HistoryDialog(QDialog):
    def __init__(self, window: ExchangeWindow) -> None:
        super().__init__(window.window())
        self.setWindowTitle("Imported bundles")
        self.resize(900, 380)
        layout = QVBoxLayout(self)
        rows = bundle_history(open_workspace_of(window))
        columns = ["site", "sequence", "kind", "created", "imported", "new", "updated",
                   "unchanged", "conflicts", "signer"]
        table = QTableWidget(len(rows), len(columns))
        table.setObjectName("history")
        table.setHorizontalHeaderLabels([c.capitalize() for c in columns])
        table.verticalHeader().hide()
        for r, row in enumerate(rows):
            for c, key in enumerate(columns):
                table.setItem(r, c, QTableWidgetItem(str(row.get(key, ""))))
        table.resizeColumnsToContents()
        from ..common.empty_states import EmptyState

        self._commands = getattr(window.window(), "commands", None)
        self.empty = EmptyState("history", self._import if self._commands is not None
                                else None)
        layout.addWidget(table if rows else self.empty, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _import(self) -> None:
        """The empty state's button: this dialog closes and File → Import Bundles… opens."""
        self.accept()
        if self._commands is not None:
            self._commands.import_bundles()
