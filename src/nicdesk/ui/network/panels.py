"""Small multiples: one light run chart per site, painted with QPainter.

300 pyqtgraph plots would take seconds to build; these panels are plain widgets that
paint only when Qt asks (visible ones, as the grid scrolls), so the grid stays quick at
network scale.  Signals are marked as on the site chart: improvement green ▲, concern
orange ▼ (shape and colour), centre line grey, dashed when a runs rule fired.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QGridLayout, QScrollArea, QSizePolicy, QWidget

from ...core.formatting import axis_value
from ...core.safe_text import html_text, isolate, shorten
from ...core.signals import SeriesAnalysis
from ...core.states import Assessment
from ...store.views.network import Panel, SmallMultiples

BLUE, ORANGE, GREEN, GREY, INK = "#0072B2", "#E69F00", "#009E73", "#999999", "#222222"
PANEL_W, PANEL_H = 300, 170


class MiniChart(QWidget):
    clicked = Signal(str)  # site id

    def __init__(self, panel: Panel, percent: bool) -> None:
        super().__init__()
        self.panel, self.percent = panel, percent
        self.y_range: tuple[float, float] | None = None
        self._cache: QPixmap | None = None
        self.setFixedSize(PANEL_W, PANEL_H)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        name = isolate(shorten(panel.name))  # the painted title is elided to the panel
        self.setAccessibleName(f"{name}: {panel.status}")
        sig = panel.latest_signal
        self.setToolTip(html_text(f"{name}\n" + (sig.text if sig else panel.explanation
                                                 or "No signal: common-cause variation")
                                  + "\nClick to open this site's chart."))

    def fmt(self, v: float) -> str:
        return axis_value(v, self.percent)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.panel.site_id)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        """Painted once into a pixmap, then blitted (scrolling repaints are free)."""
        ratio = self.devicePixelRatioF()
        if self._cache is None or self._cache.devicePixelRatio() != ratio:
            self._cache = QPixmap(int(PANEL_W * ratio), int(PANEL_H * ratio))
            self._cache.setDevicePixelRatio(ratio)
            painter = QPainter(self._cache)
            self._paint(painter)
        screen = QPainter(self)
        screen.drawPixmap(0, 0, self._cache)
        screen.end()

    def _paint(self, p: QPainter) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setFont(self.font())
        p.fillRect(self.rect(), QColor("#FFFFFF"))
        p.setPen(QPen(QColor("#C8C8C8"), 1))
        p.drawRect(self.rect().adjusted(0, 0, -1, -1))
        font = QFont(self.font())
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor(INK))
        title = p.fontMetrics().elidedText(self.panel.name, Qt.TextElideMode.ElideRight,
                                           PANEL_W - 70)
        p.drawText(QPointF(8, 17), title)
        font.setBold(False)
        p.setFont(font)
        panel = self.panel
        if panel.latest is not None:
            p.drawText(QRectF(PANEL_W - 68, 4, 60, 16), Qt.AlignmentFlag.AlignRight,
                       self.fmt(panel.latest))
        area = QRectF(36, 26, PANEL_W - 46, PANEL_H - 48)
        if panel.analysis is None or not panel.points:
            p.setPen(QColor("#555555"))
            p.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       panel.explanation or panel.status)
            p.end()
            return
        self._paint_chart(p, area, panel.analysis)
        p.end()

    def _paint_chart(self, p: QPainter, area: QRectF, analysis: SeriesAnalysis) -> None:
        panel = self.panel
        ys = analysis.y
        lo, hi = self.y_range or (min(v for v in ys if v is not None),
                                  max(v for v in ys if v is not None))
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        pad = (hi - lo) * 0.08
        lo, hi = lo - pad, hi + pad
        n = len(ys)

        def at(i: int, v: float) -> QPointF:
            x = area.left() + (area.width() * i / max(n - 1, 1))
            return QPointF(x, area.bottom() - (v - lo) / (hi - lo) * area.height())

        p.setPen(QColor("#666666"))
        small = QFont(self.font())
        small.setPointSizeF(max(small.pointSizeF() * 0.8, 6))
        p.setFont(small)
        for v in (lo + pad, hi - pad):
            p.drawText(QRectF(0, at(0, v).y() - 7, 33, 14), Qt.AlignmentFlag.AlignRight,
                       self.fmt(v))
        first, last = panel.points[0].period, panel.points[-1].period
        p.drawText(QRectF(area.left(), area.bottom() + 3, 120, 14), Qt.AlignmentFlag.AlignLeft,
                   first.strftime("%b %Y"))
        p.drawText(QRectF(area.right() - 120, area.bottom() + 3, 120, 14),
                   Qt.AlignmentFlag.AlignRight, last.strftime("%b %Y"))
        runs_signal = any(s.kind in ("shift", "trend", "long run", "few crossings",
                                     "few runs", "many runs") for s in analysis.signals)
        for seg in analysis.segments:
            pen = QPen(QColor(GREY), 1.2, Qt.PenStyle.DashLine if runs_signal
                       else Qt.PenStyle.SolidLine)
            p.setPen(pen)
            c = [(i, mid) for i in range(seg.first, seg.last + 1)
                 if (mid := seg.centre[i - seg.first]) is not None]
            if c:
                p.drawLine(at(c[0][0], c[0][1]), at(c[-1][0], c[-1][1]))
        # one polyline per unbroken stretch, built in one pass (260 weekly points × 300
        # sites must paint quickly)
        width, left, bottom, span = area.width(), area.left(), area.bottom(), hi - lo
        xs = [left + width * i / max(n - 1, 1) for i in range(n)]
        pts = [None if v is None else QPointF(xs[i], bottom - (v - lo) / span * area.height())
               for i, v in enumerate(ys)]
        p.setPen(QPen(QColor(BLUE), 1.2))
        p.setBrush(Qt.BrushStyle.NoBrush)
        stretch: list[QPointF] = []
        for pt in [*pts, None]:
            if pt is None:
                if len(stretch) > 1:
                    p.drawPolyline(QPolygonF(stretch))
                stretch = []
            else:
                stretch.append(pt)
        dense = n > 80  # too many points for markers: mark signals as a thick band
        for s in analysis.signals:
            if s.assessment not in (Assessment.IMPROVEMENT, Assessment.CONCERN):
                continue
            colour = QColor(GREEN if s.assessment == Assessment.IMPROVEMENT else ORANGE)
            marked = [q for i in s.points if i < n and (q := pts[i]) is not None]
            if dense:
                band = QColor(colour)
                band.setAlpha(150)
                p.setPen(QPen(band, 4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                p.drawPolyline(QPolygonF(marked))
                p.setPen(QPen(colour.darker(130), 1))
                p.setBrush(colour)
                for pt in (marked[0], marked[-1]) if marked else ():
                    self._marker(p, pt, s.assessment == Assessment.IMPROVEMENT)
                continue
            p.setPen(QPen(colour.darker(130), 1))
            p.setBrush(colour)
            for pt in marked:
                self._marker(p, pt, s.assessment == Assessment.IMPROVEMENT)
        label = panel.latest_signal
        p.setFont(small)
        p.setPen(QColor(INK))
        unusual = any(s.assessment == Assessment.UNUSUAL for s in analysis.signals)
        text = ("▲ improvement" if label and label.assessment == Assessment.IMPROVEMENT else
                "▼ concern" if label else "unusual variation" if unusual else "no signal")
        if panel.suppressed_points:
            text += f" · {panel.suppressed_points} suppressed"
        room = area.width() - 2 * 64  # between the two date labels
        p.drawText(QRectF(area.left() + 64, area.bottom() + 3, room, 14),
                   Qt.AlignmentFlag.AlignHCenter,
                   p.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, int(room)))

    @staticmethod
    def _marker(p: QPainter, c: QPointF, up: bool) -> None:
        r = 3.5
        if up:
            pts = [QPointF(c.x(), c.y() - r), QPointF(c.x() - r, c.y() + r),
                   QPointF(c.x() + r, c.y() + r)]
        else:
            pts = [QPointF(c.x(), c.y() + r), QPointF(c.x() - r, c.y() - r),
                   QPointF(c.x() + r, c.y() - r)]
        p.drawPolygon(QPolygonF(pts))


class SmallMultiplesGrid(QScrollArea):
    """The panels in a grid that reflows with the width."""

    open_site = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setObjectName("smallMultiples")
        self.inner = QWidget()
        self.grid = QGridLayout(self.inner)
        self.grid.setSpacing(8)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setWidget(self.inner)
        self.panels: list[MiniChart] = []
        self._columns = 0
        self.inner.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def show_panels(self, model: SmallMultiples, order: str, common: bool) -> None:
        for w in self.panels:
            w.setParent(None)
            w.deleteLater()
        self.panels = []
        scale = model.y_range if common else None
        for panel in model.sorted(order):
            w = MiniChart(panel, model.percent)
            w.y_range = scale
            w.clicked.connect(self.open_site)
            self.panels.append(w)
        self._columns = 0
        self._reflow()

    def _reflow(self) -> None:
        columns = max(1, (self.viewport().width() - 8) // (PANEL_W + 8))
        if columns == self._columns:
            return
        self._columns = columns
        for i, w in enumerate(self.panels):
            self.grid.addWidget(w, i // columns, i % columns)
        rows = (len(self.panels) + columns - 1) // columns
        spacing = self.grid.spacing()
        margins = self.grid.contentsMargins()
        # fixed-size panels: tell the scroll area how tall the grid is, or Qt squeezes the
        # rows on top of each other (and then every panel paints at once)
        self.inner.setMinimumHeight(rows * (PANEL_H + spacing) + margins.top()
                                    + margins.bottom())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._reflow()
