"""A measure at a site: chart with signals, data grid, definition — one page, three tabs.

Selecting a network measure without a site shows its definition only (data belong to
sites).  Everything here goes through the operation runner, so undo covers it all.

Who may write what (single-writer authority): the data of a series belong to its site,
so another site's series is read-only under a lock banner, while a site's own series of
a network measure stays editable; the definition belongs to the measure's owner, so the
Definition tab (and the chart type) may be read-only while the data are not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, QUrl
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
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...core.states import PhaseKind
from ...store.views.measures import measure_page
from ...store.views.pdsa import site_cycles
from ...store.views.records import create_block
from ...store.views.series import MeasureSeries
from ..common.widgets import LockBanner, page_title, problem_label, quiet, set_read_only
from ..records.forms import CHART_CHOICES, MeasureForm, open_workspace

if TYPE_CHECKING:
    from ...core.explain import Explanation
    from ...store.workspace import Workspace
    from ..common.chart_view import ChartView
    from ..shell.context import ShellContext

BADGES = {"outcome": ("OUTCOME", "#0072B2"), "process": ("PROCESS", "#009E73"),
          "balancing": ("BALANCING", "#B35C00")}


class MeasurePage(QWidget):
    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        self.shell = shell
        self.measure_id: str | None = None
        self.site_id: str | None = None
        self.series: MeasureSeries | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        head = QHBoxLayout()
        self.title = page_title(scale=1.35)
        self.badge = QLabel()
        self.badge.setObjectName("kindBadge")
        self.where = QLabel()
        quiet(self.where)
        head.addWidget(self.title)
        head.addWidget(self.badge)
        head.addSpacing(8)
        head.addWidget(self.where)
        head.addStretch(1)
        outer.addLayout(head)
        self.banner = LockBanner()  # the series (data) is another site's
        outer.addWidget(self.banner)
        self.prompt = QLabel()
        self.prompt.setWordWrap(True)
        self.prompt.setStyleSheet("background: #FFF4D6; color: #3D2C00; padding: 6px;"
                                  " border: 1px solid #E69F00;")
        self.prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.prompt.linkActivated.connect(self._show_definition)
        outer.addWidget(self.prompt)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Chart:"))
        self.chart_kind = QComboBox()
        self.chart_kind.setObjectName("chartKind")
        for text, value in CHART_CHOICES:
            self.chart_kind.addItem(text, value)
        self.chart_kind.setToolTip("The chart used for this measure at every site")
        self.chart_kind.activated.connect(self._chart_kind_chosen)
        bar.addWidget(self.chart_kind)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, tip, slot in [
            ("import", "Import data…", "Bring in data from an Excel workbook (.xlsx) or a "
             "spreadsheet saved as CSV",
             self.import_csv),
            ("freeze", "Freeze baseline…", "Compute the centre line from the first points "
             "and judge later ones against it",
             lambda: self.add_phase(PhaseKind.BASELINE_FREEZE)),
            ("rebase", "New phase…", "Start a new centre line after a real change in the "
             "process", lambda: self.add_phase(PhaseKind.REBASE)),
            ("note", "Add note…", "A dated note on the chart", self.add_note),
            ("export", "Export chart…", "Save the chart as PNG or SVG", self.export_chart),
        ]:
            button = QPushButton(text)
            button.setToolTip(tip)
            button.setStatusTip(tip)
            button.clicked.connect(slot)
            self.buttons[key] = button
            bar.addWidget(button)
        from .group_view import GroupSwitch

        self.groups = GroupSwitch(self)  # all students, or a dimension's groups and gap
        bar.addSpacing(8)
        bar.addWidget(QLabel("Students:"))
        bar.addWidget(self.groups.box)
        bar.addStretch(1)
        outer.addLayout(bar)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("measureTabs")
        self.chart_holder = QWidget()
        self.chart_layout = QVBoxLayout(self.chart_holder)
        self.chart_layout.setContentsMargins(0, 4, 0, 0)
        self.chart: ChartView | None = None
        # below the chart: why each signal fired, with this chart's numbers, each linked
        # to the guide page of its rule (`core.explain`, `nicdesk.guide`)
        self.explanations: list[Explanation] = []
        self.why_title = QLabel("Why these signals?")
        self.why_title.setObjectName("whyTitle")
        bold = self.why_title.font()
        bold.setBold(True)
        self.why_title.setFont(bold)
        self.why = QTextBrowser()
        self.why.setObjectName("signalExplanations")
        self.why.setAccessibleName("Why these signals")
        self.why.setOpenLinks(False)
        self.why.anchorClicked.connect(self._open_rule)
        self.why.setMaximumHeight(150)
        self.chart_layout.addWidget(self.why_title)
        self.chart_layout.addWidget(self.why)
        self.last_dialog: QDialog | None = None  # kept alive (and findable) while shown
        self.data_holder = QWidget()
        data_layout = QVBoxLayout(self.data_holder)
        data_layout.setContentsMargins(0, 4, 0, 0)
        from .data_grid import DataGrid

        self.grid = DataGrid(shell)
        from .grid_group import GridGroupChoice

        self.grid_group = GridGroupChoice(self.grid)  # all students or one group's values
        data_layout.addWidget(self.grid_group)
        data_layout.addWidget(self.grid)
        self.grid_problem = QLabel()
        problem_label(self.grid_problem)
        self.grid_problem.setWordWrap(True)
        data_layout.addWidget(self.grid_problem)
        hint = QLabel("Type a date in the last row to add a period. Paste from a spreadsheet "
                      "with Ctrl+V. Delete removes the selected values (Edit → Undo brings "
                      "them back).")
        quiet(hint)
        hint.setWordWrap(True)
        data_layout.addWidget(hint)
        self.grid_hint = hint
        self.grid.problem.connect(self.grid_problem.setText)
        self.form = MeasureForm(shell)
        self.tabs.addTab(self.chart_holder, "Chart")
        self.tabs.addTab(self.data_holder, "Data")
        self.tabs.addTab(self.form, "Definition")
        from .discussion_tab import MeasureDiscussion

        self.discussion = MeasureDiscussion(shell)  # comments on the chart (issue #22)
        self.tabs.addTab(self.discussion, "Discussion")
        from ..common.empty_states import EmptyState

        # no data yet at this site: what a run chart needs, and the way to the first row
        self.empty = EmptyState("measure_data", self.type_first_value, compact=True)
        self.empty.hide()
        outer.addWidget(self.empty)
        outer.addWidget(self.tabs, 1)

    # ------------------------------------------------------------------ binding
    def bind(self, measure_id: str, site_id: str | None) -> None:
        changed = (measure_id, site_id) != (self.measure_id, self.site_id)
        self.measure_id, self.site_id = measure_id, site_id
        self.form.bind(measure_id)
        self.grid_problem.clear()
        self.reload()
        if changed:
            self.tabs.setCurrentWidget(self.chart_holder if site_id else self.form)

    def reload(self) -> None:
        ws = self.shell.workspace
        if ws is None or self.measure_id is None:
            return
        self.form.reload()
        view = measure_page(ws, self.measure_id, self.site_id)
        if view is None:
            self.setEnabled(False)
            return
        self.setEnabled(True)
        measure, self.series = view.measure, view.series
        has_site = view.site_id is not None
        data_lock = series_block(ws, view.site_id) if view.site_id is not None else None
        self.title.setText(measure.name)
        text, colour = BADGES.get(measure.kind, (measure.kind.upper(), "#555555"))
        self.badge.setText(f" {text} ")
        self.badge.setStyleSheet(f"color: white; background: {colour}; border-radius: 3px;"
                                 " font-weight: bold; padding: 1px 4px;")
        self.badge.setAccessibleName(f"{measure.kind} measure")
        self.where.setText(f"at {view.site_name}" if has_site else "network measure: choose a "
                           "site under Sites to see its data")
        self.chart_kind.setCurrentIndex(max(self.chart_kind.findData(measure.chart_kind), 0))
        set_read_only(self.chart_kind, self.form.lock)  # the chart type is the definition's
        if not measure.definition.strip():
            self.prompt.setText(
                "This measure has no operational definition yet; only its owner can write "
                "one." if self.form.lock else
                "This measure has no operational definition yet. Write one before entering "
                "data, so every site counts the same way. <a href='#'>Write it now</a>")
            self.prompt.show()
        else:
            self.prompt.hide()
        self.banner.show_block(data_lock)
        for key in ("import", "freeze", "rebase", "note"):
            set_read_only(self.buttons[key], data_lock)
            if not has_site:
                self.buttons[key].setEnabled(False)
        self.buttons["export"].setEnabled(has_site)
        self.tabs.setTabEnabled(0, has_site)
        self.tabs.setTabEnabled(1, has_site)
        self.grid.set_locked(data_lock)
        self.grid_hint.setVisible(not data_lock)
        self.empty.setVisible(has_site and not data_lock and (
            self.series is None or not self.series.points))
        self.discussion.bind(self.measure_id, [p.period for p in self.series.points]
                             if self.series is not None else [], self.site_id)
        self.tabs.setTabText(self.tabs.indexOf(self.discussion), self.discussion.tab_label())
        if self.series is not None:
            self._chart().show_series(self.series)
            self._explain(self.series)
            self.grid_group.load(ws, self.series)  # fills the grid with the chosen group's
        self.groups.refresh()

    def _chart(self) -> ChartView:
        if self.chart is None:
            from ..common.chart_view import ChartView  # pyqtgraph: imported on first use

            self.chart = ChartView()
            self.chart.open_cycle = self.shell.open_cycle
            self.chart_layout.insertWidget(0, self.chart, 1)  # above the explanations
            # a signal chosen in the list shows its explanation; Enter or a double click
            # opens its rule's guide page
            self.chart.signals.currentRowChanged.connect(self._show_why)
            self.chart.signals.itemActivated.connect(
                lambda item: self._rule_page(self.chart.signals.row(item)))
        return self.chart

    # ------------------------------------------------------------------ help
    def guide_page(self) -> str:
        """The guide page for F1 here: the measure's chart, or how to define a measure."""
        if self.tabs.currentWidget() is self.form:
            return "measures"
        return "gaps" if self.groups.box.currentData() else "run-charts"

    def _explain(self, series: MeasureSeries) -> None:
        """Each signal explained with this chart's numbers, and a link to its rule."""
        from html import escape

        from ... import guide
        from ...core.explain import explain_series

        analysis = series.analysis
        self.explanations = (explain_series(analysis, percent=series.percent)
                             if analysis is not None else [])
        shown = bool(self.explanations)
        self.why_title.setVisible(shown)
        self.why.setVisible(shown)
        self.why.setHtml("".join(
            f"<p><a name='signal{i}'></a><b>{escape(e.title)}.</b> {escape(e.text)} "
            f"<a href='{guide.link(guide.rule_page(e.rule))}'>How this rule works →</a></p>"
            for i, e in enumerate(self.explanations)))
        signals = self.chart.signals if self.chart is not None else None
        if signals is not None and analysis is not None:  # each signal's line says why too
            for row, (signal, e) in enumerate(zip(analysis.signals, self.explanations,
                                                  strict=True)):
                item = signals.item(row)
                if item is not None and item.text().endswith(signal.text):
                    item.setToolTip(f"{e.text}\n\nEnter or double-click: how this rule works")

    def _show_why(self, row: int) -> None:
        if 0 <= row < len(self.explanations):
            self.why.scrollToAnchor(f"signal{row}")

    def _rule_page(self, row: int) -> None:
        """Open the guide page of the rule behind the signal in row `row`."""
        from ... import guide

        if 0 <= row < len(self.explanations):
            self._open_guide(guide.rule_page(self.explanations[row].rule))

    def _open_rule(self, url: QUrl) -> None:
        from ... import guide

        slug = guide.slug_of_link(url.toString())
        if slug is not None:
            self._open_guide(slug)

    def _open_guide(self, slug: str) -> None:
        from ..help import open_guide

        open_guide(slug, self)

    def type_first_value(self) -> None:
        """The empty state's button: the Data tab, the cursor in the new row's date."""
        self.tabs.setCurrentWidget(self.data_holder)
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        self.grid.setCurrentCell(self.grid.rowCount() - 1, 0)

    def _show_definition(self, _link: str = "") -> None:
        self.tabs.setCurrentWidget(self.form)

    # ------------------------------------------------------------------ actions
    def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self.shell.runner.run(fn, *args, **kwargs)

    def _chart_kind_chosen(self) -> None:
        ws = open_workspace(self.shell)
        self._run(ws.ops.update, "measure", self.measure_id,
                  chart_kind=self.chart_kind.currentData(), label="Change chart type")

    def import_csv(self, path: Path | None = None) -> None:
        from ...services.exchange import import_measure_csv, preview_measure_csv
        from ...store.ops.csv_import import CsvImportError
        from ..shell.runner import show_error
        from .dialogs import CsvPreviewDialog, csv_file_dialog

        ws = open_workspace(self.shell)
        if self.measure_id is None or self.site_id is None:
            return  # the button is off while no site's series is shown
        path = path or csv_file_dialog(self)
        if path is None:
            return
        try:
            preview = preview_measure_csv(ws, self.measure_id, self.site_id, path)
        except CsvImportError as exc:
            show_error(self, exc.title, exc.message)
            return
        measure_id, site_id = self.measure_id, self.site_id
        dialog = CsvPreviewDialog(self, preview, lambda sheet: preview_measure_csv(
            ws, measure_id, site_id, path, sheet=sheet))
        self.last_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            result = import_measure_csv(ws, self.measure_id, self.site_id, path,
                                        replace=dialog.duplicates == "replace",
                                        skip_bad_rows=dialog.skip_bad.isChecked(),
                                        sheet=dialog.sheet)
        except CsvImportError as exc:
            show_error(self, exc.title, exc.message)
            return
        self.shell.notify_external_change(
            f"Imported {result.added} values from {Path(path).name}")

    def add_phase(self, kind: PhaseKind) -> None:
        from .dialogs import PhaseDialog

        ws = open_workspace(self.shell)
        cycles = site_cycles(ws, self.site_id)
        analysis = self.series.analysis if self.series else None
        suggested = analysis.suggest_rebase if analysis is not None else None
        dialog = PhaseDialog(self, kind, suggested, cycles)
        self.last_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self._run(ws.ops.create, "chart_phase", measure_id=self.measure_id,
                  site_id=self.site_id, kind=kind, **dialog.values(),
                  label="Freeze baseline" if kind == PhaseKind.BASELINE_FREEZE
                  else "Start new phase")

    def add_note(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("Add a note to the chart")
        form = QFormLayout(dialog)
        date = QDateEdit()
        date.setCalendarPopup(True)
        date.setDisplayFormat("yyyy-MM-dd")
        today = dt.date.today()
        date.setDate(QDate(today.year, today.month, today.day))
        text = QLineEdit()
        text.setPlaceholderText("Snow days: school closed Tuesday to Thursday")
        form.addRow("Date:", date)
        form.addRow("Note:", text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        self.last_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted or not text.text().strip():
            return
        q = date.date()
        ws = open_workspace(self.shell)
        self._run(ws.ops.create, "annotation", measure_id=self.measure_id,
                  site_id=self.site_id, date=dt.date(q.year(), q.month(), q.day()),
                  text=text.text().strip())

    def export_chart(self) -> None:
        if self.chart is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, "Export chart", "chart.png",
                                              "PNG image (*.png);;SVG drawing (*.svg)")
        if name:
            self.chart.export(name)
            self.shell.show_status(f"Chart saved to {name}", 5000)


def series_block(ws: Workspace, site_id: str) -> str | None:
    """Why this workspace may not add or change values of `site_id`'s series (None when
    it may): a site writes its own data only, even of a network measure."""
    why = create_block(ws, "observation", site_id)
    head = "This observation is "
    if why and why.startswith(head):  # said of the whole series on this page
        why = "These data are " + why[len(head):].replace("change it here", "change them here")
    return why
