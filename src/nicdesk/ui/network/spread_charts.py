"""The two spread charts of a change idea, painted with QPainter like the small multiples:

- `AdoptionChart`: one row per site, coloured stretches of testing, adapting, adopted
  and abandoned over time, month ticks on top (the site × time adoption chart);
- `SpreadCountChart`: for each month, how many sites stood at each status, stacked, with
  the number adopted written on its part, out of the sites on the axis ("3 of 5").

Colours are `core.spread.ADOPTION_COLOURS` (the PDF's too); every bar wide enough also
carries its status in words, so the chart reads without colour.  Both paint a white
card whatever the theme, as the small multiples do.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QHelpEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ...core.safe_text import isolate, shorten
from ...core.spread import ADOPTION_COLOURS, ADOPTION_ORDER, Adoption, month_starts
from ...store.views.spread import IdeaSpread, NetworkSpread

INK, GRID, HINT = "#222222", "#DDDDDD", "#666666"
NAME_W, TOP, ROW_H, BAR_H, RIGHT = 220, 34, 26, 18, 16




def _tick_label(day: dt.date, first: bool) -> str:
    return f"{day:%b %Y}" if first or day.month == 1 else f"{day:%b}"


class _Card(QWidget):
    """A white chart card with the shared paint set-up."""

    def __init__(self) -> None:
        super().__init__()
        self.spread: NetworkSpread | None = None
        self.idea: IdeaSpread | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def show_idea(self, spread: NetworkSpread, idea: IdeaSpread | None) -> None:
        self.spread, self.idea = spread, idea
        self.setFixedHeight(self.wanted_height())
        self.update()

    def wanted_height(self) -> int:
        raise NotImplementedError

    def _x(self, day: dt.date, left: float, width: float) -> float:
        assert self.spread is not None
        span = (self.spread.end - self.spread.start).days + 1
        return left + width * (day - self.spread.start).days / span

    def _begin(self) -> QPainter:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#FFFFFF"))
        p.setPen(QPen(QColor("#C8C8C8"), 1))
        p.drawRect(self.rect().adjusted(0, 0, -1, -1))
        return p

    def _small(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 6))
        return font


class AdoptionChart(_Card):
    """Rows = sites, coloured stretches = the site's status over the window."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("adoptionChart")
        self.setMouseTracking(True)

    def wanted_height(self) -> int:
        rows = len(self.idea.rows) if self.idea else 0
        return TOP + max(rows, 1) * ROW_H + 10

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = self._begin()
        if self.spread is None or self.idea is None:
            p.end()
            return
        left, width = NAME_W, max(self.width() - NAME_W - RIGHT, 10)
        small = self._small()
        p.setFont(small)
        months = month_starts(self.spread.start, self.spread.end)
        for i, day in enumerate(months):  # month grid and ticks
            x = self._x(day, left, width)
            p.setPen(QPen(QColor(GRID), 1))
            p.drawLine(QPointF(x, TOP - 4), QPointF(x, self.height() - 6))
            p.setPen(QColor(HINT))
            text = _tick_label(day, i == 0)
            if len(months) > 14 and day.month not in (1, 4, 7, 10) and i:
                continue  # a long window: a tick every quarter, so labels never overlap
            p.drawText(QRectF(x + 2, 6, 80, 16), Qt.AlignmentFlag.AlignLeft, text)
        p.setFont(self.font())
        for r, row in enumerate(self.idea.rows):
            y = TOP + r * ROW_H
            p.setPen(QColor(INK))
            name = p.fontMetrics().elidedText(row.site_name, Qt.TextElideMode.ElideRight,
                                              NAME_W - 16)
            p.drawText(QRectF(8, y, NAME_W - 12, ROW_H), Qt.AlignmentFlag.AlignVCenter, name)
            if not row.segments:
                p.setPen(QColor(HINT))
                p.setFont(small)
                p.drawText(QRectF(left + 4, y, width, ROW_H), Qt.AlignmentFlag.AlignVCenter,
                           "not tested here" if row.status is None else
                           f"{row.status} (no dated cycle)")
                p.setFont(self.font())
                continue
            for seg in row.segments:
                x0 = self._x(seg.start, left, width)
                x1 = self._x(seg.end + dt.timedelta(days=1), left, width)
                bar = QRectF(x0, y + (ROW_H - BAR_H) / 2, max(x1 - x0, 2), BAR_H)
                p.fillRect(bar, QColor(ADOPTION_COLOURS[seg.status]))
                words = seg.status.value
                p.setFont(small)
                fits = p.fontMetrics().horizontalAdvance(words) + 6 < bar.width()
                if not fits:
                    words = words[0].upper()
                    fits = p.fontMetrics().horizontalAdvance(words) + 4 < bar.width()
                if fits:
                    p.setPen(QColor(INK))
                    p.drawText(bar.adjusted(3, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, words)
                p.setFont(self.font())
        end_x = self._x(self.spread.end + dt.timedelta(days=1), left, width)
        p.setPen(QPen(QColor(INK), 1, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(end_x, TOP - 4), QPointF(end_x, self.height() - 6))
        p.end()

    def row_at(self, y: float) -> int | None:
        """The index of the site row at `y` (None: the header or below the rows)."""
        if self.idea is None or y < TOP:
            return None
        r = int((y - TOP) // ROW_H)
        return r if 0 <= r < len(self.idea.rows) else None

    def describe(self, r: int) -> str:
        """A row in words: the tooltip, and what a screen reader can be given."""
        assert self.idea is not None
        row = self.idea.rows[r]
        name = isolate(shorten(row.site_name))
        if row.status is None:
            return f"{name}: not tested here"
        since = f" since {row.since:%d %b %Y}" if row.since else ""
        where = "the site's own record" if row.explicit else "its PDSA cycles"
        lines = [f"{name}: {row.status}{since} (from {where})"]
        if row.note:
            lines.append(shorten(row.note, 300))
        for seg in row.segments:
            lines.append(f"  {seg.start:%d %b %Y} – {seg.end:%d %b %Y}: {seg.status}")
        return "\n".join(lines)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            r = self.row_at(event.position().y() if hasattr(event, "position")
                            else event.pos().y())
            if r is not None:
                QToolTip.showText(event.globalPos(), self.describe(r), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


class SpreadCountChart(_Card):
    """For each month of the window, the sites at each status stacked (adopted at the
    bottom), the number adopted written at the top of its part."""

    HEIGHT = 170

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("spreadCountChart")

    def wanted_height(self) -> int:
        return self.HEIGHT

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = self._begin()
        if self.spread is None or self.idea is None or not self.idea.counts:
            p.end()
            return
        counts = self.idea.counts
        total = max(counts[-1].sites, 1)
        left, top, bottom = NAME_W, 22.0, self.height() - 24.0
        width = max(self.width() - NAME_W - RIGHT, 10)
        small = self._small()
        p.setFont(small)
        step = width / len(counts)
        bar_w = max(min(step * 0.7, 40), 2)

        def y_of(n: float) -> float:
            return bottom - (bottom - top) * n / total

        p.setPen(QColor(HINT))
        p.drawText(QRectF(8, top - 8, NAME_W - 20, 32), Qt.AlignmentFlag.AlignLeft
                   | Qt.TextFlag.TextWordWrap, f"sites at each status\n(of {total})")
        every = 1 if total <= 6 else 2 if total <= 12 else max(total // 5, 1)
        for n in sorted({*range(0, total, every), total}):
            p.setPen(QPen(QColor(GRID), 1))
            p.drawLine(QPointF(left, y_of(n)), QPointF(left + width, y_of(n)))
            p.setPen(QColor(HINT))
            p.drawText(QRectF(left - 30, y_of(n) - 8, 24, 16), Qt.AlignmentFlag.AlignRight,
                       str(n))
        order = (Adoption.ADOPTED, Adoption.ADAPTING, Adoption.TESTING, Adoption.ABANDONED)
        for i, count in enumerate(counts):
            x = left + step * i + (step - bar_w) / 2
            base = 0
            for status in order:
                n = count.of(status)
                if n:
                    rect = QRectF(x, y_of(base + n), bar_w, y_of(base) - y_of(base + n))
                    p.fillRect(rect, QColor(ADOPTION_COLOURS[status]))
                    base += n
            adopted = count.of(Adoption.ADOPTED)
            if adopted:  # the number adopted, at the top of the green part
                p.setPen(QColor(INK))
                p.drawText(QRectF(x - 10, y_of(adopted) + 1, bar_w + 20, 14),
                           Qt.AlignmentFlag.AlignHCenter, str(adopted))
            first = i == 0
            if first or count.day.month in ((1, 4, 7, 10) if len(counts) > 14 else
                                            range(1, 13)):
                p.setPen(QColor(HINT))
                p.drawText(QRectF(x - 12, bottom + 4, bar_w + 40, 16),
                           Qt.AlignmentFlag.AlignLeft, _tick_label(count.day, first))
        p.end()


def legend_html() -> str:
    """The colour key, as plain swatches and words (labels show it as rich text of our
    own making, no names people typed)."""
    return " &nbsp; ".join(
        f"<span style='background:{ADOPTION_COLOURS[s]}'>&nbsp;&nbsp;&nbsp;&nbsp;</span> {s}"
        for s in ADOPTION_ORDER)
