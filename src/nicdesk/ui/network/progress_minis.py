"""Small multiples of progress scores: one light step chart per site, painted with
QPainter and cached in a pixmap, as `panels.MiniChart` paints run charts — 300
pyqtgraph plots take about four seconds to build, these take a fraction of that, so
the Progress scores tab opens quickly at network scale.  The full-size chart of the
chosen site is a pyqtgraph step plot (`progress_tab.step_plot`)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from ...core.progress import HIGHEST, LEVELS, LOWEST
from ...core.safe_text import html_text, isolate, shorten
from ...store.views.progress import SiteProgress

BLUE, INK, GRID = "#0072B2", "#222222", "#DDDDDD"
MINI_W, MINI_H = 300, 150


class StepMini(QWidget):
    """One row's scores as a step line on the full 0.5–5.0 scale; click to choose it."""

    clicked = Signal(object)  # the row's site id (None: the network's own)

    def __init__(self, row: SiteProgress, first: dt.date, last: dt.date) -> None:
        super().__init__()
        self.row, self.first, self.last = row, first, last
        self.site_id = row.site_id
        self._cache: QPixmap | None = None
        self.chosen = False  # the row shown full size below: a heavier frame
        self.setFixedSize(MINI_W, MINI_H)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        name = isolate(shorten(row.name))
        self.setAccessibleName(f"Progress scores of {row.name}")
        now = row.latest
        self.setToolTip(html_text(
            f"{name}\n" + (f"{LEVELS[now.score].title} since {now.date}"
                           + (f"\n{shorten(now.note, 300)}" if now.note else "")
                           if now is not None and now.score in LEVELS else "No score yet")
            + "\nClick to see its scores."))

    def set_chosen(self, chosen: bool) -> None:
        if chosen != self.chosen:
            self.chosen, self._cache = chosen, None
            self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.site_id)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        """Painted once into a pixmap, then blitted (scrolling repaints are free)."""
        ratio = self.devicePixelRatioF()
        if self._cache is None or self._cache.devicePixelRatio() != ratio:
            self._cache = QPixmap(int(MINI_W * ratio), int(MINI_H * ratio))
            self._cache.setDevicePixelRatio(ratio)
            painter = QPainter(self._cache)
            self._paint(painter)
            painter.end()
        screen = QPainter(self)
        screen.drawPixmap(0, 0, self._cache)
        screen.end()

    def _paint(self, p: QPainter) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(QRectF(0, 0, MINI_W, MINI_H), QColor("#FFFFFF"))
        p.setPen(QPen(QColor(BLUE), 3) if self.chosen else QPen(QColor("#C8C8C8"), 1))
        p.drawRect(QRectF(1, 1, MINI_W - 2, MINI_H - 2) if self.chosen
                   else QRectF(0, 0, MINI_W - 1, MINI_H - 1))
        font = QFont(self.font())
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor(INK))
        p.drawText(QRectF(8, 4, MINI_W - 16, 18), Qt.AlignmentFlag.AlignLeft,
                   p.fontMetrics().elidedText(self.row.name, Qt.TextElideMode.ElideRight,
                                              MINI_W - 16))
        p.setFont(self.font())
        left, right, top, bottom = 24.0, MINI_W - 10.0, 28.0, MINI_H - 22.0
        span = max((self.last - self.first).days, 1)

        def x(day: dt.date) -> float:
            return left + (right - left) * min(max((day - self.first).days, 0), span) / span

        def y(v: float) -> float:
            return bottom - (bottom - top) * (v - LOWEST) / (HIGHEST - LOWEST)

        small = QFont(self.font())
        small.setPointSizeF(max(6.0, small.pointSizeF() - 2))
        p.setFont(small)
        for v in (1, 2, 3, 4, 5):
            p.setPen(QPen(QColor(GRID), 1))
            p.drawLine(QPointF(left, y(v)), QPointF(right, y(v)))
            p.setPen(QColor(INK))
            p.drawText(QRectF(2, y(v) - 7, left - 6, 14), Qt.AlignmentFlag.AlignRight
                       | Qt.AlignmentFlag.AlignVCenter, str(v))
        p.drawText(QRectF(left, bottom + 4, 80, 14), Qt.AlignmentFlag.AlignLeft,
                   self.first.strftime("%b %Y"))
        p.drawText(QRectF(right - 80, bottom + 4, 80, 14), Qt.AlignmentFlag.AlignRight,
                   self.last.strftime("%b %Y"))
        edges, values = self.row.steps(self.last)
        if not values:
            p.drawText(QRectF(left, top, right - left, bottom - top),
                       Qt.AlignmentFlag.AlignCenter, "No score yet")
            return
        pen = QPen(QColor(INK if self.row.site_id else BLUE), 2)
        if self.row.site_id is None:
            pen.setStyle(Qt.PenStyle.DashLine)  # the network's own, as on paper
        p.setPen(pen)
        points: list[QPointF] = []
        for k, score in enumerate(values):
            points += [QPointF(x(edges[k]), y(score)), QPointF(x(edges[k + 1]), y(score))]
        p.drawPolyline(points)
        font.setPointSizeF(small.pointSizeF() + 1)
        p.setFont(font)
        p.setPen(QColor(INK))
        p.drawText(QPointF(min(points[-1].x() - 18, right - 18), y(values[-1]) - 4),
                   f"{values[-1]:.1f}")
