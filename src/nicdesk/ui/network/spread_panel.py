"""The Network view's "Spread" tab: for a chosen change idea, where each site stands with
it and since when — the sentence ("adopted by 3 of 5 schools by February 2026"), the site
× time adoption chart, the count month by month, and a table of each site's status and
where it comes from (its PDSA cycles, or its own record).

Renders `store.views.spread.NetworkSpread` only.  A site's status is set in
`SpreadStatusDialog`, offered for the sites this workspace writes for; other sites' rows
are read-only and say so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.safe_text import isolate, shorten
from ...store.views.spread import IdeaSpread, NetworkSpread
from ..common.widgets import hint_colour, problem_label, quiet
from .spread_charts import AdoptionChart, SpreadCountChart, legend_html

if TYPE_CHECKING:
    from ..shell.context import ShellContext
    from .spread_dialog import SpreadStatusDialog

COLUMNS = ("Site", "Status", "Since", "From", "Note or cycle")


class SpreadPanel(QWidget):
    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        self.setObjectName("spreadPanel")
        self.shell = shell
        self.model: NetworkSpread | None = None
        self.writable: dict[str, str] = {}  # site id -> name, the sites written here
        self.dialog: SpreadStatusDialog | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 4, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Change idea:"))
        self.idea = QComboBox()
        self.idea.setObjectName("spreadIdeaChoice")
        self.idea.setMinimumWidth(260)
        self.idea.activated.connect(lambda _i: self._show_idea())
        bar.addWidget(self.idea)
        bar.addStretch(1)
        self.set_button = QPushButton("Set a site's status…")
        self.set_button.setObjectName("spreadSet")
        self.set_button.clicked.connect(lambda: self.open_dialog())
        bar.addWidget(self.set_button)
        outer.addLayout(bar)
        self.sentence = QLabel()
        self.sentence.setObjectName("spreadSentence")
        self.sentence.setTextFormat(Qt.TextFormat.PlainText)  # the idea's title is typed
        font = self.sentence.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.sentence.setFont(font)
        self.sentence.setWordWrap(True)
        outer.addWidget(self.sentence)
        legend = QLabel(legend_html() + " &nbsp; — dashed line: the chart's end")
        legend.setTextFormat(Qt.TextFormat.RichText)  # our own words and colours only
        quiet(legend)
        outer.addWidget(legend)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        self.chart = AdoptionChart()
        column.addWidget(self.chart)
        self.count_chart = SpreadCountChart()
        column.addWidget(self.count_chart)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("spreadTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.cellDoubleClicked.connect(lambda r, _c: self._row_activated(r))
        column.addWidget(self.table)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.note = problem_label(QLabel())
        self.note.setObjectName("spreadNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        outer.addWidget(self.note)
        hint = QLabel("Statuses come from each site's PDSA decisions (adopt, adapt, abandon); "
                      "a site can set its own from a date. Double-click your site's row to "
                      "set it; other sites' rows are theirs to set.")
        hint.setWordWrap(True)
        quiet(hint)
        outer.addWidget(hint)

    # ------------------------------------------------------------------ showing
    def show_spread(self, model: NetworkSpread, writable: dict[str, str]) -> None:
        """Show a network's spread; `writable`: the sites (id → name) this workspace
        sets statuses for."""
        self.model, self.writable = model, writable
        current = self.idea.currentData()
        self.idea.clear()
        for idea in model.ideas:
            self.idea.addItem(shorten(idea.title), idea.id)
        if current is not None and self.idea.findData(current) >= 0:
            self.idea.setCurrentIndex(self.idea.findData(current))
        self.set_button.setEnabled(bool(model.ideas) and bool(writable))
        self.set_button.setToolTip("" if writable else
                                   "This workspace sets no site's status: each site sets "
                                   "its own, and it arrives in its bundle.")
        self._show_idea()

    def current_idea(self) -> IdeaSpread | None:
        if self.model is None or self.idea.currentData() is None:
            return None
        return self.model.idea(self.idea.currentData())

    def _show_idea(self) -> None:
        model, idea = self.model, self.current_idea()
        self.note.setText("")
        if model is None:
            return
        if idea is None:
            self.sentence.setText("This network has no change ideas yet: add them to a "
                                  "driver diagram, then test them in PDSA cycles.")
        else:
            self.sentence.setText(f"{shorten(idea.title)}: {idea.sentence}"
                                  f" (as of {model.end:%d %b %Y})")
        self.chart.show_idea(model, idea)
        self.count_chart.show_idea(model, idea)
        rows = idea.rows if idea else ()
        self.table.setRowCount(len(rows))
        hint = hint_colour(self.table.palette(), on_base=True)
        for i, row in enumerate(rows):
            source = ("" if row.status is None else
                      "its own record" if row.explicit else "PDSA cycles")
            cells = [isolate(shorten(row.site_name)),
                     row.status.value if row.status else "not tested",
                     row.since.isoformat() if row.since else "",
                     source, shorten(row.note, 200)]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.site_id)
                if row.site_id not in self.writable:
                    item.setForeground(hint)
                    item.setToolTip(f"{row.site_name} sets its own status; it arrives in "
                                    "its bundle.")
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self.table.setFixedHeight(self.table.horizontalHeader().height()
                                  + sum(self.table.rowHeight(i) for i in range(len(rows)))
                                  + 4)

    # ------------------------------------------------------------------ editing
    def _row_activated(self, row: int) -> None:
        item = self.table.item(row, 0)
        site_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if item is None or site_id is None:
            return
        if site_id not in self.writable:
            self.note.setText(f"{item.text()} sets its own spread status in its own "
                              "workspace; it arrives here in its bundle.")
            return
        self.open_dialog(site_id)

    def open_dialog(self, site_id: str | None = None) -> SpreadStatusDialog | None:
        """The dialog for a site (default: the first this workspace writes for) and the
        idea shown, modal; returns it once closed."""
        from .spread_dialog import SpreadStatusDialog

        if self.model is None:
            return None
        writable = sorted(self.writable.items(), key=lambda x: (x[1].lower(), x[0]))
        dialog = SpreadStatusDialog(self, self.shell, self.model, writable, site_id,
                                    self.idea.currentData())
        self.dialog = dialog
        try:  # a save redraws the page (the runner's change reloads the network view)
            dialog.exec()
        finally:
            self.dialog = None
        return dialog

    def show_problem(self, message: str) -> None:
        """A refused change: in the dialog when it is open, else under the chart."""
        if self.dialog is not None:
            self.dialog.show_problem(message)
        else:
            self.note.setText(message)
