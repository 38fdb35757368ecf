"""A measure at a site by student group: one small chart per group on a common scale,
and the gap chart — the difference (or ratio) between a focus group and a reference
group (or all students), judged by the network's rules, with the gap-closing aim's
target as its target line and its progress in words.

Every value comes from `store.views.equity`, which has already hidden small cells
(primary and complementary suppression): nothing here can show or compute one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from ...core.gaps import DIFFERENCE, RATIO
from ...core.safe_text import isolate, shorten
from ...store.views.equity import GroupView, measure_group_view
from ..common.widgets import quiet

if TYPE_CHECKING:
    from ...core.explain import Explanation
    from ...store.workspace import Workspace
    from ..common.chart_view import ChartView
    from ..network.panels import SmallMultiplesGrid
    from ..shell.context import ShellContext


class GroupViewPanel(QWidget):
    """The "by group" content of the measure page's Chart tab."""

    def __init__(self) -> None:
        super().__init__()
        self.view: GroupView | None = None
        self._where: tuple[Workspace, str, str, str] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Gap of"))
        self.focus = QComboBox()
        self.focus.setObjectName("gapFocus")
        self.focus.setAccessibleName("Focus group")
        bar.addWidget(self.focus)
        bar.addWidget(QLabel("compared with"))
        self.reference = QComboBox()
        self.reference.setObjectName("gapReference")
        self.reference.setAccessibleName("Reference group")
        bar.addWidget(self.reference)
        bar.addWidget(QLabel("as"))
        self.kind = QComboBox()
        self.kind.setObjectName("gapKind")
        self.kind.addItem("difference (focus − reference)", DIFFERENCE)
        self.kind.addItem("ratio (focus ÷ reference)", RATIO)
        bar.addWidget(self.kind)
        bar.addStretch(1)
        for box in (self.focus, self.reference, self.kind):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            box.activated.connect(lambda _i: self.reload(chosen=True))
        layout.addLayout(bar)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("groupSplit")
        from ..network.panels import SmallMultiplesGrid

        self.grid: SmallMultiplesGrid = SmallMultiplesGrid()
        self.grid.setObjectName("groupMultiples")
        self.grid.open_site.connect(self._focus_on)
        split.addWidget(self.grid)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 4, 0, 0)
        self.gap_words = QLabel()
        self.gap_words.setObjectName("gapWords")
        self.gap_words.setWordWrap(True)
        self.gap_words.setTextFormat(Qt.TextFormat.PlainText)  # group names are typed
        bold = self.gap_words.font()
        bold.setBold(True)
        self.gap_words.setFont(bold)
        lower_layout.addWidget(self.gap_words)
        self.aim_words = QLabel()
        self.aim_words.setObjectName("gapAim")
        self.aim_words.setWordWrap(True)
        self.aim_words.setTextFormat(Qt.TextFormat.PlainText)
        lower_layout.addWidget(self.aim_words)
        from ..common.chart_view import ChartView  # pyqtgraph: imported on first use

        self.gap_chart: ChartView = ChartView()
        self.gap_chart.setObjectName("gapChart")
        self.gap_chart.plot.setAccessibleName("Gap chart")
        lower_layout.addWidget(self.gap_chart, 1)
        self.note = QLabel()
        quiet(self.note)
        self.note.setWordWrap(True)
        lower_layout.addWidget(self.note)
        split.addWidget(lower)
        split.setSizes([200, 420])
        layout.addWidget(split, 1)

    # ------------------------------------------------------------------ binding
    def show_groups(self, ws: Workspace, measure_id: str, site_id: str,
                    dimension_id: str) -> None:
        """Show `dimension_id`'s groups of the measure at the site; the gap's groups
        start as the gap-closing aim's (or the dimension's first group against all
        students) whenever the dimension changes."""
        fresh = self._where is None or self._where[1:] != (measure_id, site_id, dimension_id)
        self._where = (ws, measure_id, site_id, dimension_id)
        self.reload(chosen=not fresh)

    def reload(self, chosen: bool = True) -> None:
        if self._where is None:
            return
        ws, measure_id, site_id, dimension_id = self._where
        if chosen and self.focus.count():
            view = measure_group_view(ws, measure_id, site_id, dimension_id,
                                      self.focus.currentData(), self.reference.currentData(),
                                      self.kind.currentData())
        else:
            view = measure_group_view(ws, measure_id, site_id, dimension_id)
        self.view = view
        if view is None:
            self.gap_words.setText("This dimension has no groups any more.")
            return
        self._choices(view)
        self.grid.show_panels(view.as_multiples(), "name", True)
        gap = view.gap
        if gap is None:
            return
        if gap.focus_group_id == gap.reference_group_id:  # a group against itself
            self.gap_words.setText("Choose two different groups: a group compared with "
                                   "itself has no gap.")
            self.aim_words.setText("")
            self.gap_chart.hide()
            return
        self.gap_words.setText(gap.words)
        self.aim_words.setText(gap.aim.progress if gap.aim is not None else (
            "No gap-closing aim for these groups: write one on the aim (focus group, "
            "reference group, baseline and target gap) to see its target here."))
        series = gap.chart_series()
        self.gap_chart.show_series(series)
        self.gap_chart.setVisible(bool(series.points))  # no gap: the words say why
        hidden = sum(p.suppressed for p in view.panels)
        self.note.setText(
            f"One chart per group on a common scale. Small groups are hidden "
            f"(fewer than {view.threshold} students), and so is any group that could be "
            f"worked out from the others by subtraction: {hidden} value"
            f"{'s' if hidden != 1 else ''} hidden here. Click a group's chart to see its gap."
            if hidden else f"One chart per group on a common scale. Click a group's chart "
            f"to see its gap; groups of fewer than {view.threshold} students are hidden.")

    def _choices(self, view: GroupView) -> None:
        gap = view.gap
        groups = view.dimension.groups
        for box, items, current in (
                (self.focus, [(g.name, g.id) for g in groups], gap.focus_group_id if gap else None),
                (self.reference, [("All students", None), *((g.name, g.id) for g in groups)],
                 gap.reference_group_id if gap else None)):
            box.blockSignals(True)
            box.clear()
            for name, gid in items:
                box.addItem(isolate(shorten(name, 60)), gid)
            box.setCurrentIndex(max(0, box.findData(current)))
            box.blockSignals(False)
        if gap is not None:
            self.kind.setCurrentIndex(max(0, self.kind.findData(gap.kind)))

    def _focus_on(self, group_id: str) -> None:
        """A group's small chart clicked: its gap against the chosen reference."""
        index = self.focus.findData(group_id) if group_id else -1
        if index >= 0 and self.focus.currentIndex() != index:
            self.focus.setCurrentIndex(index)
            self.reload(chosen=True)


class MeasurePageLike(Protocol):
    """What `GroupSwitch` reads of the measure page."""

    shell: ShellContext
    measure_id: str | None
    site_id: str | None
    chart: ChartView | None
    chart_layout: QVBoxLayout
    why: QWidget
    why_title: QWidget
    explanations: list[Explanation]


class GroupSwitch:
    """The measure page's "Students:" choice: all students (the measure's own chart) or
    a dimension's groups (`GroupViewPanel` in place of the chart).  Kept apart from the
    page so the page only places the box and calls `refresh`."""

    def __init__(self, page: MeasurePageLike) -> None:
        self.page = page
        self.box = QComboBox()
        self.box.setObjectName("groupDimension")
        self.box.setAccessibleName("Students")
        self.box.setToolTip("All students, or one chart per student group with the gap "
                            "between two groups")
        self.box.addItem("All students", None)
        self.box.activated.connect(lambda _i: self.apply())
        self.panel: GroupViewPanel | None = None

    def refresh(self) -> None:
        """The measure or its data changed: offer the network's dimensions, redraw."""
        from ...store.views.equity import measure_dimensions

        page = self.page
        ws = page.shell.workspace
        if ws is None or page.measure_id is None:
            return
        current = self.box.currentData()
        self.box.blockSignals(True)
        self.box.clear()
        self.box.addItem("All students", None)
        for d in measure_dimensions(ws, page.measure_id):
            self.box.addItem(f"By {isolate(shorten(d.name, 60))}", d.id)
        self.box.setCurrentIndex(max(0, self.box.findData(current)))
        self.box.blockSignals(False)
        self.box.setEnabled(self.box.count() > 1 and page.site_id is not None)
        self.apply()

    def apply(self) -> None:
        page = self.page
        ws = page.shell.workspace
        dimension = self.box.currentData()
        grouped = bool(dimension) and page.site_id is not None and ws is not None
        if grouped and self.panel is None:
            self.panel = GroupViewPanel()
            page.chart_layout.insertWidget(0, self.panel, 1)
        if self.panel is not None:
            self.panel.setVisible(grouped)
        for widget in (page.chart, page.why, page.why_title):
            if widget is not None and grouped:
                widget.hide()
        if not grouped:
            if page.chart is not None:
                page.chart.show()
            page.why_title.setVisible(bool(page.explanations))
            page.why.setVisible(bool(page.explanations))
            return
        assert self.panel is not None and ws is not None and page.measure_id is not None
        assert page.site_id is not None  # `grouped` says so
        self.panel.show_groups(ws, page.measure_id, page.site_id, dimension)

