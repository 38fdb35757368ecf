"""A site says where it stands with a change idea: the "Spread status" dialog.

The status its PDSA cycles imply is shown first; the site may override it from a date
(a practice taken up without a cycle, one quietly dropped).  Only sites this workspace
writes for are offered (`Operations.write_block`: in an exchanging workspace, its own
site), so a coordinator sees other sites' statuses in the Spread tab but sets only its
own.  The write goes through the runner (`store.ops.spread.set_adoption`), one undo
step; a refusal is shown inline and the dialog stays open with what was typed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.safe_text import isolate, shorten
from ...core.spread import ADOPTION_ORDER
from ...store.ops.spread import remove_adoption, set_adoption
from ...store.views.spread import NetworkSpread, SiteSpread
from ..common.widgets import problem_label, quiet

if TYPE_CHECKING:
    from ..shell.context import ShellContext


class SpreadStatusDialog(QDialog):
    """Set (or withdraw) a site's own spread status for one of the network's ideas."""

    def __init__(self, parent: QWidget, shell: ShellContext, spread: NetworkSpread,
                 writable: list[tuple[str, str]], site_id: str | None = None,
                 idea_id: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("spreadStatusDialog")
        self.setWindowTitle("Spread status of a change idea")
        self.shell, self.spread = shell, spread
        self._writing = False
        layout = QVBoxLayout(self)
        intro = QLabel("Where does your site stand with this change idea? NICdesk works it "
                       "out from your PDSA cycles; set it here when your cycles do not say "
                       "it (a practice taken up without a cycle, or dropped). Your status "
                       "holds from its date until a later PDSA decision says otherwise.")
        intro.setWordWrap(True)
        quiet(intro)
        layout.addWidget(intro)
        form = QFormLayout()
        self.site = QComboBox()
        self.site.setObjectName("spreadSite")
        for sid, name in writable:
            self.site.addItem(shorten(name), sid)
        self.idea = QComboBox()
        self.idea.setObjectName("spreadIdea")
        for idea in spread.ideas:
            self.idea.addItem(shorten(idea.title), idea.id)
        for box, wanted in ((self.site, site_id), (self.idea, idea_id)):
            if wanted is not None and box.findData(wanted) >= 0:
                box.setCurrentIndex(box.findData(wanted))
        self.derived = QLabel()
        self.derived.setObjectName("spreadDerived")
        self.derived.setTextFormat(Qt.TextFormat.PlainText)  # names people typed
        self.derived.setWordWrap(True)
        self.status = QComboBox()
        self.status.setObjectName("spreadStatus")
        for status in ADOPTION_ORDER:
            self.status.addItem(status.value, status.value)
        self.since = QDateEdit()
        self.since.setObjectName("spreadSince")
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("yyyy-MM-dd")
        today = dt.date.today()
        self.since.setDate(QDate(today.year, today.month, today.day))
        self.note = QPlainTextEdit()
        self.note.setObjectName("spreadNote")
        self.note.setPlaceholderText("Why, in a sentence (shown in the network view and "
                                     "packets)")
        self.note.setMaximumHeight(70)
        form.addRow("Site", self.site)
        form.addRow("Change idea", self.idea)
        form.addRow("Now", self.derived)
        form.addRow("Status", self.status)
        form.addRow("Since", self.since)
        form.addRow("Note", self.note)
        layout.addLayout(form)
        layout.addWidget(QLabel("Statuses this site set itself:"))
        self.records = QListWidget()
        self.records.setObjectName("spreadRecords")
        self.records.setMaximumHeight(90)
        layout.addWidget(self.records)
        row = QHBoxLayout()
        self.withdraw = QPushButton("Withdraw the selected status")
        self.withdraw.setObjectName("spreadWithdraw")
        self.withdraw.clicked.connect(self.withdraw_selected)
        row.addWidget(self.withdraw)
        row.addStretch(1)
        layout.addLayout(row)
        self.why = problem_label(QLabel())
        self.why.setObjectName("spreadWhy")
        self.why.setWordWrap(True)
        self.why.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.why)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.site.currentIndexChanged.connect(lambda _i: self._show_row())
        self.idea.currentIndexChanged.connect(lambda _i: self._show_row())
        shell.runner.failed.connect(self._refused)
        if not writable:
            self.why.setText("This workspace writes for no site of this network, so it "
                             "cannot set a spread status: each site sets its own.")
            self.save_button.setEnabled(False)
        self._show_row()
        self.resize(560, 520)

    # ------------------------------------------------------------------ showing
    def _row(self) -> SiteSpread | None:
        idea_id, site_id = self.idea.currentData(), self.site.currentData()
        if idea_id is None or site_id is None:
            return None
        return next((r for r in self.spread.idea(idea_id).rows if r.site_id == site_id),
                    None)

    def _show_row(self) -> None:
        row = self._row()
        self.records.clear()
        if row is None or row.status is None:
            self.derived.setText("Not tested here: no PDSA cycle on this idea and no "
                                 "status set.")
        else:
            since = f" since {row.since:%d %b %Y}" if row.since else ""
            source = ("set by this site" if row.explicit
                      else "from its PDSA cycles")
            self.derived.setText(f"{row.status}{since} ({source})")
            self.status.setCurrentIndex(max(0, self.status.findData(row.status.value)))
        if row is None:
            return
        wanted = set(row.record_ids)
        for change in row.changes:  # the records still in force show with their dates
            if change.ref_id in wanted:
                item = QListWidgetItem(f"{change.since:%Y-%m-%d}: {change.status}"
                                       + (f" — {isolate(shorten(change.label, 120))}"
                                          if change.label else ""))
                item.setData(Qt.ItemDataRole.UserRole, change.ref_id)
                self.records.addItem(item)
                wanted.discard(change.ref_id)
        for ref in row.record_ids:  # overruled by a later decision, or after the window
            if ref in wanted:
                item = QListWidgetItem("an earlier or later status (overruled by the "
                                       "cycles, or after the chart's end)")
                item.setData(Qt.ItemDataRole.UserRole, ref)
                self.records.addItem(item)
        self.withdraw.setEnabled(self.records.count() > 0)

    def _refused(self, message: str) -> None:
        if self._writing:
            self.why.setText(message)

    def show_problem(self, message: str) -> None:
        self.why.setText(message)

    # ------------------------------------------------------------------ writing
    def save(self) -> bool:
        """Store the status; True when saved (the dialog closes), else the reason shows."""
        ws = self.shell.workspace
        site_id, idea_id = self.site.currentData(), self.idea.currentData()
        if ws is None or site_id is None or idea_id is None:
            self.why.setText("Choose a site and a change idea first.")
            return False
        qd = self.since.date()
        since = dt.date(qd.year(), qd.month(), qd.day())
        self._writing = True
        try:
            done = self.shell.runner.run(set_adoption, ws, site_id, idea_id,
                                         self.status.currentData(), since,
                                         self.note.toPlainText().strip())
        finally:
            self._writing = False
        if done is None:
            return False
        self.accept()
        return True

    def withdraw_selected(self) -> bool:
        ws = self.shell.workspace
        item = self.records.currentItem() or (self.records.item(0)
                                              if self.records.count() == 1 else None)
        if ws is None or item is None:
            self.why.setText("Select the status to withdraw in the list first.")
            return False
        self._writing = True
        try:
            done = self.shell.runner.run(remove_adoption, ws,
                                         item.data(Qt.ItemDataRole.UserRole))
        finally:
            self._writing = False
        if done is None:
            return False
        self.accept()
        return True
