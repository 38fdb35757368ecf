"""Run and control charts drawn with pyqtgraph (imported only when a chart is first shown).

What UI.md asks for: points with a thin line (blue), centre line solid grey (dashed when
the runs rules signal), limits dashed grey, target dotted green, signal points as larger
filled markers whose colour *and* shape say improvement (green ▲) or concern (orange ▼),
unusual signals of a measure with no preferred direction in purple (▲/▼), points
outside limits as vermillion diamonds, a point a person marked astronomical as a
reddish-purple star, trends as a thick highlighted segment,
phase boundaries as labelled vertical lines, annotations and PDSA starts as labelled
ticks.  Hovering a point shows its date, value and note.  Proportions are drawn in %.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeyEvent, QPen
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.formatting import format_value
from ...core.signals import Signal
from ...core.states import CHART_NAMES, ChartKind, SignalKind
from ...store.views.series import MeasureSeries
from .widgets import quiet, tone

BLUE, ORANGE, GREEN, VERMILLION, GREY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#999999"
# unusual with no preferred direction: Making Data Count's purple (NHSRplotthedots'
# special_cause_neutral); a person's astronomical mark: a reddish-purple star
PURPLE, ASTRONOMICAL = "#490092", "#CC79A7"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def stamp(day: dt.date) -> float:
    """Seconds since the epoch at noon UTC, so local time zones never shift the day."""
    return (dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC) - _EPOCH).total_seconds()


class ChartView(QWidget):
    """The chart with its signals listed in words beside it."""

    def __init__(self) -> None:
        super().__init__()
        pg.setConfigOptions(antialias=True, background="w", foreground="k")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.plot.setObjectName("chart")
        self.plot.setAccessibleName("Run chart")
        self.plot.showGrid(x=False, y=True, alpha=0.15)
        # one grid level: the major ticks only (three levels of faint lines cost a third
        # of every repaint and add nothing a reader sees)
        self.plot.getAxis("left").setStyle(maxTickLevel=0)
        self.plot.getAxis("left").setTickDensity(2)  # labelled as often as before
        self.plot.setMouseEnabled(x=True, y=False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # for the zoom keys
        self.legend = self.plot.addLegend(offset=(10, 10), labelTextSize="9pt")
        layout.addWidget(self.plot, 3)
        side = QVBoxLayout()
        title = QLabel("What the chart says")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        side.addWidget(title)
        # the series' judgement (`core.summary`): word for word what the CLI prints and
        # the packet's measures summary shows beside its icons
        self.judgement = QLabel()
        self.judgement.setObjectName("judgement")
        self.judgement.setAccessibleName("Judgement")
        self.judgement.setWordWrap(True)
        side.addWidget(self.judgement)
        self.signals = QListWidget()
        self.signals.setObjectName("signals")
        self.signals.setAccessibleName("Signals")
        self.signals.setWordWrap(True)
        self.signals.setMinimumWidth(240)
        side.addWidget(self.signals, 1)
        self.rules = QLabel()
        self.rules.setWordWrap(True)
        quiet(self.rules)
        side.addWidget(self.rules)
        layout.addLayout(side, 1)
        self.series: MeasureSeries | None = None
        self._items = {}
        self._used = {}
        self._scatters = {}
        self._legend_now = []
        self._legend_shown = []
        self._axis_label = ""
        self._note: pg.TextItem | None = None
        # set by the page that shows the chart: opens the PDSA cycle of this id
        self.open_cycle: Callable[[str], None] = lambda _cycle_id: None

    # ------------------------------------------------------------------ drawing
    def show_series(self, series: MeasureSeries) -> None:
        """Draw `series`, reusing the items of the last drawing: each role (the data line,
        centre lines, limits, markers of one style, phase lines, notes, PDSA ticks) keeps
        its items and gets new data with `setData`/`setPos`; items a role no longer needs
        are removed, and the legend is rebuilt only when its entries change."""
        self.series = series
        self._used = {}
        self._legend_now = []
        analysis = series.analysis
        assert analysis is not None, "load_series analyses every series it loads"
        scale = 100.0 if series.percent else 1.0
        points = series.points
        xs = [stamp(p.period) for p in points]
        ys = [None if v is None else v * scale for v in analysis.y]
        unit = "%" if series.percent else (series.measure.unit or "")
        name = series.measure.name
        self._label(f"{name} (%)" if series.percent else f"{name} ({unit})" if unit else name)
        self.signals.clear()
        summary = series.summary
        self.judgement.setText(f"Variation: {summary.variation_words}\n"
                               f"Assurance: {summary.assurance_words}" if summary else "")
        self.judgement.setToolTip(summary.line if summary else "")
        chart_name = CHART_NAMES.get(analysis.chart_kind, analysis.chart_kind)
        self.rules.setText(f"Judged by {analysis.rule_set} · {chart_name}"
                           if analysis.chart_kind != ChartKind.RUN else f"Judged by {analysis.rule_set}")
        if not points:
            self._finish()
            self._say(analysis.summary())
            self._empty_axes(series.percent)
            return
        present = [(x, y, i) for i, (x, y) in enumerate(zip(xs, ys, strict=True)) if y is not None]
        px, py = [p[0] for p in present], [p[1] for p in present]
        # width 1: a wider antialiased polyline is fifty times slower to draw in Qt
        self._curve("data", px, py, pg.mkPen(BLUE, width=1), legend="Data", antialias=True)
        excluded = {i for i, p in enumerate(points) if p.excluded}
        astronomical = {i for i, p in enumerate(points) if p.astronomical}
        step = (xs[-1] - xs[0]) / max(1, len(xs) - 1) if len(xs) > 1 else 7 * 86400
        # centre lines and limits, per phase; the last extended into the future
        runs_dashed = False
        for seg in analysis.segments:
            a, b = seg.first, seg.last
            seg_x = xs[a:b + 1]
            end = seg_x[-1] + (step * 4 if seg is analysis.segments[-1] else step / 2)
            centre = [c for c in seg.centre if c is not None]
            if centre:
                dashed = seg.analysis.runs_signal
                runs_dashed |= dashed
                pen = pg.mkPen(GREY, width=2,
                               style=Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)
                if len(set(centre)) == 1:
                    self._curve("centre", [seg_x[0], end], [centre[0] * scale] * 2, pen,
                                legend="Mean" if seg.control else "Median")
            if seg.control is not None:
                lim_pen = pg.mkPen(GREY, width=1, style=Qt.PenStyle.DashLine)
                for limits, label in ((seg.upper, "Limits"), (seg.lower, None)):
                    lx = [x for x, v in zip(seg_x, limits, strict=True) if v is not None]
                    ly = [v * scale for v in limits if v is not None]
                    if lx:
                        # dashed antialiased paths are slow to stroke in Qt; limits are
                        # straight or stepped, so aliasing does not show
                        self._curve("limits", lx, ly, lim_pen, legend=label)
            if seg.baseline_end is not None:
                self._vline("frozen", (xs[seg.baseline_end]
                                       + xs[min(seg.baseline_end + 1, len(xs) - 1)]) / 2,
                            pg.mkPen(GREY, width=1, style=Qt.PenStyle.DotLine),
                            "baseline frozen", 0.95, "#555555")
            if a > 0:
                self._vline("phase", (xs[a - 1] + xs[a]) / 2, pg.mkPen("#555555", width=1.5),
                            _short(seg.reason or "new phase"), 0.95, "#333333")
        if series.measure.target is not None:
            self._curve("target", [xs[0], xs[-1] + step * 4],
                        [series.measure.target * scale] * 2,
                        pg.mkPen(GREEN, width=1.5, style=Qt.PenStyle.DotLine), legend="Target")
        # signals
        for sig in analysis.signals:
            if sig.kind == "trend":
                tx = [xs[i] for i in range(sig.first, sig.last + 1) if ys[i] is not None]
                ty = [ys[i] for i in range(sig.first, sig.last + 1) if ys[i] is not None]
                self._curve("trend", tx, ty, pg.mkPen(_colour(sig.assessment), width=5),
                            antialias=True)
        marks: dict[int, Signal] = {}
        for sig in analysis.signals:
            if sig.kind in ("shift", "long run"):
                for i in sig.points:
                    if ys[i] is not None and i not in marks:
                        marks[i] = sig
            if sig.kind == SignalKind.OUTSIDE_LIMITS:
                for i in sig.points:
                    marks[i] = sig
        # one scatter item per style (vectorised): plain points, then the few marked ones
        styles: dict[tuple[str, str, int], list[int]] = {}
        for _x, _y, i in present:
            mark = marks.get(i)
            if i in excluded:
                style = ("w", "x", 9)
            elif i in astronomical:  # a person's mark shows whatever the rules say
                style = (ASTRONOMICAL, "star", 17)
            elif mark is None:
                style = (BLUE, "o", 7)
            elif mark.kind == SignalKind.OUTSIDE_LIMITS:
                style = (VERMILLION, "d", 13)
            else:
                style = (_colour(mark.assessment), "t1" if mark.direction > 0 else "t", 12)
            styles.setdefault(style, []).append(i)
        for style, members in styles.items():
            self._scatter(style, [xs[i] for i in members], [ys[i] for i in members], members)
        # annotations and PDSA starts as labelled ticks
        for day, text in series.annotations:
            self._vline("note", stamp(day), pg.mkPen("#777777", width=1,
                                                     style=Qt.PenStyle.DashDotLine),
                        _short(text), 0.08, "#333333")
        for k, (day, title, cycle_id) in enumerate(series.pdsa_starts):
            tick = self._vline("pdsa", stamp(day), pg.mkPen("#000000", width=3), f"P{k + 1}",
                               0.06 + 0.05 * (k % 3), "#000000")
            tick.setToolTip(f"PDSA cycle started {day:%d %b %Y}: {title} (click to open)")
            tick.cycle_id = cycle_id  # read by the click handler connected once
        self._finish()
        lines = analysis.summary()
        if runs_dashed:
            lines.append("Dashed centre line: the runs rules signal non-random variation.")
        if analysis.suggest_rebase:
            lines.append(f"A sustained shift suggests a new phase from "
                         f"{analysis.suggest_rebase:%d %b %Y}. Add one (with a written reason) "
                         "only if the process has really changed.")
        if series.summary is not None:  # last: the judgement, as CLI and packet word it
            lines.append(series.summary.line)
        self._say(lines)
        self.plot.enableAutoRange()

    # the items of the last drawing, by role, in the order they were drawn; `_used`
    # counts how many of each role this drawing has taken so far
    _items: dict[str, list[pg.GraphicsObject]]
    _used: dict[str, int]
    _scatters: dict[tuple[str, str, int], pg.ScatterPlotItem]
    _legend_now: list[tuple[str, pg.GraphicsObject]]
    _legend_shown: list[tuple[str, int]]

    def _take(self, role: str) -> pg.GraphicsObject | None:
        """The next item of `role` from the last drawing, or None (then add one)."""
        k = self._used.get(role, 0)
        self._used[role] = k + 1
        items = self._items.setdefault(role, [])
        return items[k] if k < len(items) else None

    def _keep(self, role: str, item: pg.GraphicsObject) -> None:
        self._items[role].append(item)
        self.plot.addItem(item)

    def _curve(self, role: str, x: Sequence[float], y: Sequence[float | None], pen: QPen,
               legend: str | None = None, antialias: bool = False) -> None:
        item = self._take(role)
        if item is None:
            item = pg.PlotDataItem(x, y, pen=pen, antialias=antialias)
            self._keep(role, item)
        else:
            if item.opts["pen"] != pen:
                item.setPen(pen)
            item.setData(x, y)
        if legend and all(name != legend for name, _ in self._legend_now):
            self._legend_now.append((legend, item))

    def _vline(self, role: str, pos: float, pen: QPen, label: str, position: float,
               colour: str) -> pg.InfiniteLine:
        text = label.replace("{", "{{").replace("}", "}}")  # a format string to pyqtgraph
        line = self._take(role)
        if line is None:
            opts: dict[str, Any] = {"angle": 90, "pen": pen, "label": text,
                                    "labelOpts": {"position": position, "color": colour}}
            if role == "pdsa":
                opts |= {"span": (0, 0.04), "hoverPen": pg.mkPen(BLUE, width=5)}
            line = pg.InfiniteLine(pos=pos, **opts)
            if role == "pdsa":
                line.sigClicked.connect(self._tick_clicked)
            self._keep(role, line)
        else:
            line.setPos(pos)
            line.setPen(pen)
            line.label.setFormat(text)
            line.label.setPosition(position)
        return line

    def _tick_clicked(self, line: pg.InfiniteLine, _ev: object = None) -> None:
        self.open_cycle(line.cycle_id)

    def _scatter(self, style: tuple[str, str, int], x: Sequence[float],
                 y: Sequence[float | None],
                 members: list[int]) -> None:
        brush, symbol, size = style
        item = self._scatters.get(style)
        if item is None:
            item = self._scatters[style] = pg.ScatterPlotItem(
                symbol=symbol, size=size, brush=pg.mkBrush(brush),
                pen=pg.mkPen(BLUE if brush == BLUE else "k", width=1),
                hoverable=True, tip=self._tip)
            self.plot.addItem(item)
        item.setData(x=x, y=y, data=members)
        self._used[f"scatter {style}"] = 1

    def _finish(self) -> None:
        """Remove what this drawing did not use; rebuild the legend if it changed."""
        for role, items in self._items.items():
            keep = self._used.get(role, 0)
            for item in items[keep:]:
                self._drop(item)
            del items[keep:]
        for style in [s for s in self._scatters if f"scatter {s}" not in self._used]:
            self._drop(self._scatters.pop(style))
        if self._note is not None:
            self._drop(self._note)
            self._note = None
        shown = [(name, id(item)) for name, item in self._legend_now]
        if shown != self._legend_shown:
            self.legend.clear()
            for name, item in self._legend_now:
                self.legend.addItem(item, name)
            self._legend_shown = shown

    def _drop(self, item: pg.GraphicsObject) -> None:
        self.plot.removeItem(item)
        # free removed items now: left to the garbage collector at interpreter exit
        # they crash PySide6 (refcount bug)
        item.deleteLater()

    def _label(self, text: str) -> None:
        if text != self._axis_label:
            self.plot.getAxis("left").setLabel(text)
            self._axis_label = text

    def _empty_axes(self, percent: bool) -> None:
        """No data yet: the axes still read as dates and values (the last twelve weeks,
        0–100 % or 0–1), not as fractions of a second after 1970."""
        today = dt.date.today()
        self.plot.setXRange(stamp(today - dt.timedelta(weeks=12)), stamp(today), padding=0)
        self.plot.setYRange(0, 100 if percent else 1, padding=0)
        note = pg.TextItem("No data yet: type the first period in the table", color="#555555",
                           anchor=(0.5, 0.5))
        note.setPos(stamp(today - dt.timedelta(weeks=6)), 50 if percent else 0.5)
        self.plot.addItem(note)
        self._note = note

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Ctrl+= / Ctrl+− zoom the time axis, Ctrl+0 shows everything (UI.md)."""
        from PySide6.QtGui import QKeySequence

        box = self.plot.getViewBox()
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if event.matches(QKeySequence.StandardKey.ZoomIn) or (
                ctrl and event.key() in (Qt.Key.Key_Equal, Qt.Key.Key_Plus)):
            box.scaleBy(x=0.8, y=1.0)
        elif event.matches(QKeySequence.StandardKey.ZoomOut) or (
                ctrl and event.key() == Qt.Key.Key_Minus):
            box.scaleBy(x=1.25, y=1.0)
        elif ctrl and event.key() == Qt.Key.Key_0:
            box.autoRange()
        else:
            super().keyPressEvent(event)

    def _tip(self, x: float, y: float, data: int | None) -> str:
        if self.series is None or data is None:
            return ""
        p = self.series.points[int(data)]
        value = format_value(y, self.series.percent, scaled=True)  # y is as plotted
        parts = [p.period.strftime("%d %b %Y"), value]
        if p.denominator:
            parts.append(f"{p.numerator:g} of {p.denominator:g}")
        if p.excluded:
            parts.append("excluded")
        if p.astronomical:
            parts.append("marked as an astronomical point")
        if p.note:
            parts.append(p.note)
        return "\n".join(parts)

    def _say(self, lines: list[str]) -> None:
        palette = self.signals.palette()  # colours that read on it, light or dark
        for line in lines:
            item = QListWidgetItem(line)
            if line.startswith("Astronomical point"):  # before the words: its note is free text
                item.setForeground(tone("special", palette))
                item.setText("★ " + line)
            elif line.endswith("— unusual variation"):
                item.setForeground(tone("unusual", palette))
                item.setText("● " + line)
            elif "improvement" in line:
                item.setForeground(tone("improvement", palette))
                item.setText("▲ " + line)
            elif "concern" in line:
                item.setForeground(tone("concern", palette))
                item.setText("▼ " + line)
            font = QFont(item.font())
            item.setFont(font)
            self.signals.addItem(item)

    # ------------------------------------------------------------------ export
    def export(self, path: str | Path) -> Path:
        import pyqtgraph.exporters as exporters

        path = Path(path)
        item = self.plot.getPlotItem()
        if path.suffix.lower() == ".svg":
            # Qt's own SVG generator: pyqtgraph's SVG exporter cannot parse the paths that
            # current Qt versions write
            from PySide6.QtGui import QPainter
            from PySide6.QtSvg import QSvgGenerator

            generator = QSvgGenerator()
            generator.setFileName(str(path))
            generator.setSize(self.plot.size())
            generator.setViewBox(self.plot.rect())
            generator.setTitle(self.series.measure.name if self.series else "Chart")
            painter = QPainter(generator)
            self.plot.render(painter)
            painter.end()
        else:
            exporter = exporters.ImageExporter(item)
            exporter.parameters()["width"] = 1600
            exporter.export(str(path))
        return path


def _colour(assessment: str) -> str:
    return {"improvement": GREEN, "concern": ORANGE, "unusual": PURPLE}.get(assessment, GREY)


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
