"""The coordinator's Network view: what works, where, and why.

One page per network with a filter bar (measure, period, site context) over five tabs:
small multiples, funnel/caterpillar, bright spots and concerns, the change idea × site
matrix and the combined driver diagram.  Every tab renders a view model from
`nicdesk.store.views.network`, built when the tab is first shown (and again when a filter
changes), so opening the page costs only the tab in front.

Names people typed are shortened (`shorten`, so a 5,000-character name cannot widen
the window) and, where other words follow them, isolated (`isolate`, so a right-to-left
name cannot reorder them); labels that show names are plain text, never HTML.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.network import SignalAfter, network_threshold
from ...core.safe_text import html_text, isolate, shorten
from ...core.states import Assessment, PdsaDecision
from ...core.variation import suppression_label
from ...store.views import evidence as ev
from ...store.views import network as nv
from ...store.views import network_page as npg
from ..common.widgets import hint_colour, page_title, quiet, tone

if TYPE_CHECKING:
    from ...store.workspace import Workspace
    from ..shell.context import ShellContext

DECISION_MARK: dict[str, str] = {PdsaDecision.ADOPT: "✔ adopt", PdsaDecision.ADAPT: "↻ adapt",
                                 PdsaDecision.ABANDON: "✖ abandon"}
AFTER_MARK = {SignalAfter.YES: "▲ improvement after", SignalAfter.NO: "– no signal after",
              SignalAfter.CONCERN: "▼ concern after", SignalAfter.SUPPRESSED: "suppressed",
              SignalAfter.NO_DATA: "no data",
              SignalAfter.NO_LINKED_MEASURE: "no linked measure"}
TABS = ("multiples", "funnel", "spots", "matrix", "diagram", "progress", "timeline",
        "spread")


class NetworkViewPage(QWidget):
    def __init__(self, shell: ShellContext) -> None:
        super().__init__()
        self.shell = shell
        self.network_id: str | None = None
        self.network_name = ""
        self._built: set[str] = set()
        self._multiples: dict[str, nv.SmallMultiples] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        head = QHBoxLayout()
        self.title = page_title(scale=1.35)
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # the network's name is not HTML
        self.title.setMinimumWidth(1)  # a long name is clipped, not widening the window
        head.addWidget(self.title)
        head.addStretch(1)
        self.review_button = QPushButton("Year in review…")
        self.review_button.setObjectName("yearInReview")
        self.review_button.setToolTip("A PDF report of a period for a state agency or a funder")
        self.review_button.clicked.connect(lambda: self.year_in_review())
        head.addWidget(self.review_button)
        self.privacy = QLabel()
        self.privacy.setObjectName("suppressionNote")
        quiet(self.privacy)
        self.privacy.setWordWrap(True)  # in a narrow window it wraps, the title stays whole
        head.addWidget(self.privacy, 1)
        outer.addLayout(head)
        outer.addLayout(self._filter_bar())
        outer.addLayout(self.context_bar)
        from .equity_bar import EquityFilters  # issue #21: one group, schools like it

        self.equity = EquityFilters(self.refresh)
        outer.addLayout(self.equity.row)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("networkTabs")
        self.multiples_tab = self._multiples_tab()
        from .funnel import FunnelPanel

        self.funnel = FunnelPanel()
        self.spots = QTreeWidget()
        self.spots.setObjectName("brightSpots")
        self.spots.setHeaderLabels(["Site / PDSA cycle", "Measure", "What the chart says"])
        self.spots.setColumnWidth(0, 300)
        self.spots.setColumnWidth(1, 220)
        self.spots.setWordWrap(True)
        self.spots.itemActivated.connect(self._open_spot)
        self.matrix_tab = self._matrix_tab()
        self.diagram_tab = self._diagram_tab()
        for widget, label in ((self.multiples_tab, "Small multiples"),
                              (self.funnel, "Funnel"),
                              (self.spots, "Bright spots && concerns"),
                              (self.matrix_tab, "Change ideas × sites"),
                              (self.diagram_tab, "Combined driver diagram")):
            self.tabs.addTab(widget, label)
        from .progress_tab import ProgressPanel  # issue #22: progress scores, timeline
        from .timeline_tab import TimelinePanel

        self.progress_panel = ProgressPanel(shell)
        self.timeline_panel = TimelinePanel(shell)
        self.tabs.addTab(self.progress_panel, "Progress scores")
        self.tabs.addTab(self.timeline_panel, "Timeline")
        from .spread_panel import SpreadPanel  # issue #22: spread of change ideas

        self.spread_panel = SpreadPanel(shell)
        self.tabs.addTab(self.spread_panel, "Spread")
        self.tabs.currentChanged.connect(lambda _i: self._build_current())
        from ..common.empty_states import EmptyState

        # nothing to compare yet: what this view is for, and the bundles that fill it
        self.empty = EmptyState("network_view", self._import_bundles, compact=True)
        self.empty.hide()
        outer.addWidget(self.empty)
        outer.addWidget(self.tabs, 1)

    def year_in_review(self) -> Path | None:
        """Ask for the period and file, build the report; its path, or None."""
        from .review_dialog import ReviewDialog

        dialog = ReviewDialog(self, self._ws(), self._network(), shorten(self.network_name))
        if dialog.exec() != ReviewDialog.DialogCode.Accepted or dialog.built is None:
            return None
        self.shell.show_status(f"Year in review: {dialog.built.pages} pages written to "
                               f"{dialog.built.path}", 8000)
        return dialog.built.path

    # ------------------------------------------------------------------ filter bar
    def _filter_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Measure:"))
        self.measure = QComboBox()
        self.measure.setObjectName("networkMeasure")
        self.measure.setMinimumWidth(240)
        self.measure.activated.connect(lambda _i: self.refresh())
        bar.addWidget(self.measure)
        self.limit_period = QCheckBox("Period:")
        self.limit_period.setToolTip("Only data from this period (funnel totals, charts)")
        self.start = QDateEdit()
        self.end = QDateEdit()
        for w in (self.start, self.end):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            w.setEnabled(False)
            w.dateChanged.connect(lambda _d: self.refresh() if self.limit_period.isChecked()
                                  else None)
        self.limit_period.toggled.connect(self._period_toggled)
        bar.addWidget(self.limit_period)
        bar.addWidget(self.start)
        bar.addWidget(QLabel("to"))
        bar.addWidget(self.end)
        bar.addSpacing(12)
        self.context_boxes: dict[str, QComboBox] = {}
        self.context_bar = QHBoxLayout()  # on a row of its own, under the measure
        bar.addStretch(1)
        return bar

    def _import_bundles(self) -> None:
        """The empty state's button: File → Import Bundles… of the window around."""
        commands = getattr(self.window(), "commands", None)
        if commands is not None:
            commands.import_bundles()

    def _period_toggled(self, on: bool) -> None:
        self.start.setEnabled(on)
        self.end.setEnabled(on)
        self.refresh()

    def context(self) -> nv.ContextFilter:
        return self.equity.restrict(nv.ContextFilter.of(**{
            k: box.currentData() for k, box in self.context_boxes.items()}))

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        if not self.limit_period.isChecked():
            return None, None
        return _day(self.start.date()), _day(self.end.date())

    def _ws(self) -> Workspace:
        ws = self.shell.workspace
        if ws is None:  # the shell shows pages only while a workspace is open
            raise RuntimeError("the network view needs an open workspace")
        return ws

    def _network(self) -> str:
        if self.network_id is None:  # tabs are built only once `bind` has run
            raise RuntimeError("the network view is not bound to a network yet")
        return self.network_id

    # ------------------------------------------------------------------ tabs
    def _multiples_tab(self) -> QWidget:
        from .panels import SmallMultiplesGrid

        tab, layout, bar = _tab_with_bar("Sort by:")
        self.sort = QComboBox()
        self.sort.setObjectName("multiplesSort")
        for text, key in (("Site name", "name"), ("Latest value", "latest"),
                          ("Signal", "signal")):
            self.sort.addItem(text, key)
        self.sort.activated.connect(lambda _i: self._show_multiples())
        bar.addWidget(self.sort)
        self.common = QCheckBox("Common scale")
        self.common.setObjectName("commonScale")
        self.common.setChecked(True)
        self.common.setToolTip("Same y-axis for every site (untick for each site's own)")
        self.common.toggled.connect(lambda _on: self._show_multiples())
        bar.addWidget(self.common)
        bar.addStretch(1)
        self.multiples_note = QLabel()
        self.multiples_note.setTextFormat(Qt.TextFormat.PlainText)  # tag values are typed
        quiet(self.multiples_note)
        bar.addWidget(self.multiples_note)
        self.grid = SmallMultiplesGrid()
        self.grid.open_site.connect(self.open_site_chart)
        layout.addWidget(self.grid, 1)
        return tab

    def _matrix_tab(self) -> QWidget:
        tab, layout, bar = _tab_with_bar("Driver:")
        self.driver = QComboBox()
        self.driver.setObjectName("matrixDriver")
        self.driver.activated.connect(lambda _i: self._show_matrix())
        bar.addWidget(self.driver)
        bar.addStretch(1)
        export = QPushButton("Export CSV…")
        export.setObjectName("matrixExport")
        export.clicked.connect(lambda: self.export_matrix())
        bar.addWidget(export)
        self.matrix = QTableWidget()
        self.matrix.setObjectName("changeMatrix")
        self.matrix.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.matrix.setWordWrap(True)
        self.matrix.cellDoubleClicked.connect(self._open_cell)
        layout.addWidget(self.matrix, 1)
        hint = QLabel("Each cell: PDSA cycles run, the latest decision, and what the linked "
                      "measure's chart shows after the first cycle. Double-click a cell to "
                      "open the ramp.")
        hint.setWordWrap(True)
        quiet(hint)
        layout.addWidget(hint)
        self._matrix_model: ev.ChangeMatrix | None = None
        return tab

    def _diagram_tab(self) -> QWidget:
        from ..diagram.scene import DiagramScene, DiagramView

        tab = QSplitter(Qt.Orientation.Vertical)
        top, layout, bar = _tab_with_bar("Diagram:")
        self.diagram_choice = QComboBox()
        self.diagram_choice.activated.connect(lambda _i: self._show_diagram())
        bar.addWidget(self.diagram_choice)
        legend = QLabel("On each node: sites testing or adopting it · PDSA cycles · latest "
                        "decisions (A adopt, D adapt, X abandon)")
        quiet(legend)
        bar.addWidget(legend)
        bar.addStretch(1)
        self.scene = DiagramScene()
        self.diagram_view = DiagramView(self.scene)
        self.diagram_view.setObjectName("combinedDiagram")
        layout.addWidget(self.diagram_view, 1)
        tab.addWidget(top)
        self.evidence = QTreeWidget()
        self.evidence.setObjectName("nodeEvidence")
        self.evidence.setHeaderLabels(["Node / site addition", "Sites", "Cycles", "Decisions"])
        self.evidence.setColumnWidth(0, 420)
        self.evidence.setColumnWidth(1, 320)
        tab.addWidget(self.evidence)
        tab.setSizes([520, 200])
        self._diagrams: list[ev.CombinedDiagram] = []
        return tab

    # ------------------------------------------------------------------ binding
    def bind(self, network_id: str) -> None:
        self.network_id = network_id
        net = npg.network_page(self._ws(), network_id)
        measures, choices, first, last = net.measures, net.tag_choices, net.first, net.last
        self.title.setText(f"Network view — {isolate(shorten(net.name))}")
        self.network_name = net.name
        self.title.setToolTip(html_text(shorten(net.name, 1000)))
        threshold = network_threshold(net.suppression_threshold)
        self.privacy.setText(f"Small numbers are hidden: {threshold - 1} or fewer → "
                             f"“{suppression_label(threshold)}”")
        current = self.measure.currentData()
        self.measure.clear()
        for m in measures:
            self.measure.addItem(f"{isolate(shorten(m.name))} ({m.kind})", m.id)
        self.empty.setVisible(not measures)
        if current:
            self.measure.setCurrentIndex(max(0, self.measure.findData(current)))
        self._context_boxes(choices)
        self.equity.bind(self._ws(), network_id)
        if first and last and not self.limit_period.isChecked():
            for w, d in ((self.start, first), (self.end, last)):
                w.blockSignals(True)
                w.setDate(QDate(d.year, d.month, d.day))
                w.blockSignals(False)
        self.refresh()

    def _context_boxes(self, choices: dict[str, list[str]]) -> None:
        kept = {k: box.currentData() for k, box in self.context_boxes.items()}
        while self.context_bar.count():
            item = self.context_bar.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget:
                widget.deleteLater()
        self.context_boxes = {}
        self.context_bar.addWidget(QLabel("Sites:"))
        for tag, values in choices.items():
            self.context_bar.addWidget(QLabel(f"{nv.TAG_LABELS.get(tag, tag)}:"))
            box = QComboBox()
            box.setObjectName(f"context_{tag}")
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            box.addItem("any", None)
            for v in values:
                box.addItem(v, v)
            if kept.get(tag):
                box.setCurrentIndex(max(0, box.findData(kept[tag])))
            box.activated.connect(lambda _i: self.refresh())
            self.context_bar.addWidget(box)
            self.context_boxes[tag] = box
        self.context_bar.addStretch(1)

    def refresh(self) -> None:
        """A filter changed: rebuild the tab in front, the others when shown."""
        self._built.clear()
        self._multiples.clear()
        self._build_current()

    def _build_current(self) -> None:
        if self.network_id is None:
            return
        key = TABS[self.tabs.currentIndex()]
        if key in self._built:
            return
        self._built.add(key)
        {"multiples": self._show_multiples, "funnel": self._show_funnel,
         "spots": self._show_spots, "matrix": self._build_matrix,
         "diagram": self._build_diagram,
         "progress": lambda: self.progress_panel.show_network(self._network()),
         "timeline": lambda: self.timeline_panel.show_network(self._network()),
         "spread": self._show_spread}[key]()

    # ------------------------------------------------------------------ spread (#22)
    def _show_spread(self) -> None:
        from ...store.views.spread import network_spread

        ws = self._ws()
        start, end = self.period()
        model = network_spread(ws, self._network(), start=start, end=end,
                               context=self.context())
        writable = {sid: name for sid, name in model.sites
                    if ws.ops.write_block("change_adoption", sid, creating=True) is None}
        self.spread_panel.show_spread(model, writable)

    def reload(self) -> None:
        """After a change (a spread status, a score or a milestone set, an undo): the
        tabs that show editable records are shown again."""
        self._built -= {"spread", "progress", "timeline"}
        if TABS[self.tabs.currentIndex()] in ("spread", "progress", "timeline"):
            self._build_current()

    def show_problem(self, message: str) -> None:
        """A refused change made from this page (a spread status, a score, a milestone)
        is said where it was made."""
        key = TABS[self.tabs.currentIndex()]
        if key == "progress":
            self.progress_panel.show_problem(message)
        elif key == "timeline":
            self.timeline_panel.show_problem(message)
        else:
            self.spread_panel.show_problem(message)

    def multiples_model(self, measure_id: str) -> nv.SmallMultiples:
        if measure_id not in self._multiples:
            start, end = self.period()
            self._multiples[measure_id] = npg.small_multiples(
                self._ws(), measure_id, self.context(), start, end, self.equity.group_id())
        return self._multiples[measure_id]

    # ------------------------------------------------------------------ small multiples
    def _show_multiples(self) -> None:
        measure_id = self.measure.currentData()
        if not measure_id:
            self.multiples_note.setText("This network has no common measures yet.")
            return
        model = self.multiples_model(measure_id)
        self.grid.show_panels(model, self.sort.currentData(), self.common.isChecked())
        ok = sum(1 for p in model.panels if p.analysis is not None)
        students = self.equity.group.currentText()  # "All students" or the group
        self.multiples_note.setText(
            f"{students}: {len(model.panels)} sites ({self.context().describe()}), {ok} "
            "with a chart; click a panel to open that site's chart")

    def open_site_chart(self, site_id: str) -> None:
        from ...store.views.nav_tree import NavNode

        measure_id = self.measure.currentData()
        if not self.shell.select_record("measure", measure_id, site_id):
            self.shell.show_node(NavNode("measure", "", measure_id, site_id=site_id))

    # ------------------------------------------------------------------ funnel
    def _show_funnel(self) -> None:
        measure_id = self.measure.currentData()
        if not measure_id:
            return
        start, end = self.period()
        model = self.multiples_model(measure_id)
        view = npg.funnel_view(self._ws(), measure_id, self.context(), start, end,
                               multiples=model)
        self.funnel.show_view(view)

    # ------------------------------------------------------------------ bright spots
    def _show_spots(self) -> None:
        measures = npg.network_measure_ids(self._ws(), self._network())
        models = {m: self.multiples_model(m) for m in measures}
        spots = npg.bright_spots(self._ws(), self._network(), self.context(),
                                 multiples=models, group_id=self.equity.group_id())
        self.spots.clear()
        bold = QFont(self.spots.font())
        bold.setBold(True)
        for b in spots:
            mark = "▲ Bright spot" if b.assessment == Assessment.IMPROVEMENT else "▼ Concern"
            group = self.equity.group_id() and self.equity.group.currentText()
            top = QTreeWidgetItem([f"{mark}: {isolate(shorten(b.site))}",
                                   shorten(b.measure) + (f" — {group}" if group else ""),
                                   b.signal])
            top.setFont(0, bold)
            top.setForeground(0, tone("improvement" if b.assessment == Assessment.IMPROVEMENT
                                      else "concern", self.spots.palette()))
            top.setData(0, Qt.ItemDataRole.UserRole, ("measure", b.measure_id, b.site_id))
            top.setToolTip(2, html_text(b.signal))
            if not b.cycles:
                child = QTreeWidgetItem(["No PDSA cycles recorded in the months before — "
                                         "ask what they are doing", "", ""])
                child.setForeground(0, hint_colour(self.spots.palette(), on_base=True))
                top.addChild(child)
            for cid, title, start, decision in b.cycles:
                child = QTreeWidgetItem([f"PDSA: {isolate(shorten(title))}",
                                         start.isoformat() if start else "",
                                         decision or "undecided"])
                child.setData(0, Qt.ItemDataRole.UserRole, ("pdsa_cycle", cid, None))
                top.addChild(child)
            self.spots.addTopLevelItem(top)
            top.setExpanded(True)
            for child_index in range(top.childCount()):  # a sentence reads across the row
                child_item = top.child(child_index)
                if child_item is not None and not child_item.text(1) and not child_item.text(2):
                    child_item.setFirstColumnSpanned(True)
        self.spots.resizeColumnToContents(0)  # a site's name is read whole
        self.spots.setColumnWidth(0, min(self.spots.columnWidth(0), 420))
        if not spots:
            self.spots.addTopLevelItem(QTreeWidgetItem(
                ["No site shows an improvement or concern signal yet.", "", ""]))

    def _open_spot(self, item: QTreeWidgetItem, _col: int) -> None:
        target = item.data(0, Qt.ItemDataRole.UserRole)
        if not target:
            return
        kind, rid, site_id = target
        if kind == "pdsa_cycle":
            self.shell.open_cycle(rid)
        else:
            index = self.measure.findData(rid)
            if index >= 0:
                self.measure.setCurrentIndex(index)
            self.open_site_chart(site_id)

    # ------------------------------------------------------------------ matrix
    def _build_matrix(self) -> ev.ChangeMatrix:
        model = npg.change_matrix(self._ws(), self._network(), self.context(),
                                  multiples=dict(self._multiples))
        self._matrix_model = model
        current = self.driver.currentData()
        self.driver.clear()
        self.driver.addItem("All drivers", None)
        for nid, text in model.drivers:
            self.driver.addItem(shorten(text), nid)
        self.driver.setCurrentIndex(max(0, self.driver.findData(current)))
        self._show_matrix()
        return model

    def _show_matrix(self) -> None:
        model = self._matrix_model
        if model is None:
            return
        rows = model.filtered(self.driver.currentData())
        table = self.matrix
        table.clear()
        table.setRowCount(len(rows))
        table.setColumnCount(len(model.sites))
        for j, (_id, name) in enumerate(model.sites):  # long names wrap, never cut
            lines = textwrap.wrap(shorten(name), 22, break_on_hyphens=False)
            header = QTableWidgetItem("\n".join(lines) or name)
            header.setToolTip(name)
            table.setHorizontalHeaderItem(j, header)
        table.setVerticalHeaderLabels([
            f"{isolate(shorten(r.title))} (local, {isolate(shorten(r.local_to))})"
            if r.local_to else shorten(r.title) for r in rows])
        for i, row in enumerate(rows):
            for j, (site_id, _name) in enumerate(model.sites):
                cell = row.cells.get(site_id)
                if cell is None:
                    item = QTableWidgetItem("—")
                    item.setForeground(hint_colour(table.palette(), on_base=True))
                    item.setToolTip("Not tested here")
                else:
                    text = (f"{cell.cycles} cycle{'s' if cell.cycles != 1 else ''}\n"
                            f"{DECISION_MARK.get(cell.decision, 'undecided')}\n"
                            f"{AFTER_MARK.get(cell.signal_after, cell.signal_after)}")
                    item = QTableWidgetItem(text)
                    item.setData(Qt.ItemDataRole.UserRole, cell.ramp_id)
                    if cell.signal_after == SignalAfter.YES:
                        item.setBackground(QColor("#E3F2EC"))
                        item.setForeground(QColor("#111111"))  # dark theme: not light on light
                    elif (cell.decision == PdsaDecision.ABANDON
                          or cell.signal_after == SignalAfter.CONCERN):
                        item.setBackground(QColor("#FFF1DC"))
                        item.setForeground(QColor("#111111"))
                    item.setToolTip(f"First cycle {cell.first_start or '—'}; double-click to "
                                    "open the ramp")
                table.setItem(i, j, item)
        table.resizeRowsToContents()
        table.horizontalHeader().setDefaultSectionSize(170)

    def _open_cell(self, row: int, column: int) -> None:
        item = self.matrix.item(row, column)
        ramp = item.data(Qt.ItemDataRole.UserRole) if item else None
        if ramp:
            self.shell.refresh_navigator()
            self.shell.select_record("pdsa_ramp", ramp)

    def export_matrix(self, path: str | None = None) -> Path | None:
        model = self._matrix_model
        if model is None:
            model = self._build_matrix()
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export change idea × site matrix",
                                                  "change-matrix.csv", "CSV files (*.csv)")
            if not path:
                return None
        target = Path(path)
        target.write_text(model.to_csv(self.driver.currentData()),
                          encoding="utf-8")
        return target

    # ------------------------------------------------------------------ combined diagram
    def _build_diagram(self) -> None:
        self._diagrams = npg.combined_diagrams(self._ws(), self._network(), self.context())
        current = self.diagram_choice.currentData()
        self.diagram_choice.clear()
        for d in self._diagrams:
            self.diagram_choice.addItem(shorten(d.name), d.diagram_id)
        self.diagram_choice.setCurrentIndex(max(0, self.diagram_choice.findData(current)))
        self._show_diagram()

    def _show_diagram(self) -> None:
        from ...store.views.diagrams import driver_diagram

        chosen = next((d for d in self._diagrams
                       if d.diagram_id == self.diagram_choice.currentData()), None)
        self.evidence.clear()
        if chosen is None:
            self.scene.clear()
            self.scene.nodes, self.scene.edges, self.scene.lines = {}, [], []
            return
        data = driver_diagram(self._ws(), chosen.diagram_id)
        statuses = {n.id: n.status for n in data.nodes.values()}
        extras = {nid: e.badge() for nid, e in chosen.evidence.items()}
        self.scene.show_layout(data.layout, statuses, extras)
        self.diagram_view.fit()
        for box in sorted(data.layout.boxes.values(), key=lambda b: (b.column, b.y)):
            e = chosen.evidence.get(box.id)
            if e is None:
                continue
            decisions = ", ".join(f"{k} {v}" for k, v in sorted(e.decisions.items()))
            sites = ", ".join(isolate(shorten(x)) for x in e.sites)
            item = QTreeWidgetItem([f"{e.level}: {isolate(shorten(e.text, 300))}",
                                    sites or "—", str(e.cycles), decisions])
            for site, text in e.local_additions:
                item.addChild(QTreeWidgetItem([
                    f"+ added at {isolate(shorten(site))}: {isolate(shorten(text, 300))}",
                    shorten(site), "", ""]))
            self.evidence.addTopLevelItem(item)
            item.setExpanded(True)


def _day(date: QDate) -> dt.date:
    return dt.date(date.year(), date.month(), date.day())


def _tab_with_bar(label: str) -> tuple[QWidget, QVBoxLayout, QHBoxLayout]:
    """A tab page with a labelled control bar on top (the caller fills the bar)."""
    tab = QWidget()
    layout = QVBoxLayout(tab)
    layout.setContentsMargins(0, 4, 0, 0)
    bar = QHBoxLayout()
    bar.addWidget(QLabel(label))
    layout.addLayout(bar)
    return tab, layout, bar
