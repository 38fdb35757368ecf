"""Graphics items: a node (rounded box with wrapped text) and an edge (smooth curve).

Items mirror stored records; they never own them.  A node shows its level by a subtle
tint and its status by border style plus a letter badge, so print and colour-blind
readers see the same thing.  Dragging from a node onto another asks the scene for a link
(unless the diagram is read-only here).  Items are never movable: the layout places them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import QPointF, QRectF, Qt, SignalInstance
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsObject,
    QGraphicsPathItem,
    QGraphicsSceneMouseEvent,
    QStyle,
    QStyleOptionGraphicsItem,
    QWidget,
)

from ...core.layout import LINE_HEIGHT, PADDING, Box

TINTS = ("#DCEBF7", "#E3F2EC", "#FFF3D6", "#F2F2F2")
STATUS = {  # pen style, badge, tooltip
    "hypothesis": (Qt.PenStyle.DashLine, "H", "Hypothesis"),
    "testing": (Qt.PenStyle.DashDotLine, "T", "Testing"),
    "evidence of improvement": (Qt.PenStyle.SolidLine, "E", "Evidence of improvement"),
    "not supported": (Qt.PenStyle.DotLine, "×", "Not supported"),
}
HIGHLIGHT = {"added": "#009E73", "reworded": "#E69F00", "relinked": "#0072B2",
             "removed": "#D55E00"}


@runtime_checkable
class LinkScene(Protocol):
    """What a node asks of its scene (`scene.DiagramScene`, which imports this module)."""

    read_only: bool

    @property
    def node_activated(self) -> SignalInstance: ...

    def drag_link(self, source: NodeItem, pos: QPointF) -> None: ...

    def drop_link(self, source: NodeItem, pos: QPointF) -> None: ...


def fitted(font: QFont, lines: tuple[str, ...] | list[str], rooms: list[float],
           smallest: int = 9) -> QFont:
    """The font, a pixel smaller at a time (not below `smallest`), until every line fits
    the room it has (the layout wraps by characters, so a wide word or a bold face can
    run past a box; past the smallest size a line is elided, its full text in the
    tooltip)."""
    out = QFont(font)
    out.setPixelSize(_fitted_size(out.toString(), tuple(lines), tuple(rooms), smallest))
    return out


@lru_cache(maxsize=4096)
def _fitted_size(font_key: str, lines: tuple[str, ...], rooms: tuple[float, ...],
                 smallest: int) -> int:
    """The pixel size `fitted` settles on (cached: a redraw paints every node again)."""
    font = QFont()
    font.fromString(font_key)
    size = font.pixelSize()
    while size > smallest:
        metrics = QFontMetricsF(font)
        if all(metrics.horizontalAdvance(line) <= room for line, room in
               zip(lines, rooms, strict=False)):
            break
        size -= 1
        font.setPixelSize(size)
    return size


class NodeItem(QGraphicsObject):
    def __init__(self, box: Box, status: str = "", extra: str = "") -> None:
        super().__init__()
        self.node_id = box.id
        self.box = box
        self.status, self.extra = "", ""
        self.highlight: str | None = None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsFocusable, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, False)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._drag_from: QPointF | None = None
        self.set_content(box, status, extra, None)

    def set_content(self, box: Box, status: str, extra: str, highlight: str | None) -> None:
        """Mirror the stored node again (reused across redraws: an edit of one node does
        not rebuild the other 499)."""
        if (box, status, extra, highlight) == (self.box, self.status, self.extra,
                                               self.highlight) and self.scene() is not None:
            return
        if (box.width, box.height) != (self.box.width, self.box.height):
            self.prepareGeometryChange()
        self.box, self.status, self.extra, self.highlight = box, status, extra, highlight
        self.setPos(box.x, box.y)
        tip = " ".join(box.lines)
        if status and box.column > 0:
            tip += f"\nStatus: {STATUS.get(status, (None, '', status))[2]}"
        if extra:
            tip += f"\n{extra}"
        self.setToolTip(tip)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return QRectF(-3, -3, self.box.width + 6, self.box.height + 6)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if self.box.kind != "node":
            self._paint_fishbone(painter)
            return
        rect = QRectF(0, 0, self.box.width, self.box.height)
        style, badge, _tip = STATUS.get(self.status, (Qt.PenStyle.SolidLine, "", ""))
        if self.box.column == 0:
            style = Qt.PenStyle.SolidLine  # the aim has no status
        colour = QColor(HIGHLIGHT[self.highlight]) if self.highlight else QColor("#333333")
        pen = QPen(colour, 3 if self.highlight else 1.4, style)
        if self.isSelected():
            pen = QPen(QColor("#0072B2"), 3, Qt.PenStyle.SolidLine)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(pen)
        painter.setBrush(QBrush(QColor(TINTS[min(self.box.column, len(TINTS) - 1)])))
        painter.drawRoundedRect(rect, 8, 8)
        painter.setPen(QColor("#111111"))
        font = QFont(painter.font())
        text_room = self.box.width - 2 * PADDING
        rooms = [text_room] * len(self.box.lines)
        if badge and self.box.column > 0 and rooms:  # the first line stops before the badge
            rooms[0] = self.box.width - PADDING - 24
        font.setPixelSize(13)
        font = fitted(font, self.box.lines, rooms)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        lift = 0.0
        if self.extra and self.box.lines:  # a count under the text: when the last line
            # reaches it, the text moves up into the padding and the count to the bottom
            small = QFont(font)
            small.setPixelSize(10)
            beside = text_room - QFontMetricsF(small).horizontalAdvance(self.extra) - 8
            if metrics.horizontalAdvance(self.box.lines[-1]) > beside:
                lift = 5.0
        for i, line in enumerate(self.box.lines):
            shown = metrics.elidedText(line, Qt.TextElideMode.ElideRight, rooms[i])
            painter.drawText(QPointF(PADDING, PADDING + (i + 1) * LINE_HEIGHT - 4 - lift),
                             shown)
        font = QFont(painter.font())
        if badge and self.box.column > 0:
            font.setBold(True)
            font.setPixelSize(11)
            painter.setFont(font)
            painter.drawText(QRectF(self.box.width - 22, 3, 18, 16),
                             Qt.AlignmentFlag.AlignCenter, badge)
        if self.extra:
            font.setBold(False)
            font.setPixelSize(10)
            painter.setFont(font)
            painter.setPen(QColor("#444444"))
            painter.drawText(QRectF(PADDING, self.box.height - 14 + lift / 2,
                                    self.box.width - 2 * PADDING, 12),
                             Qt.AlignmentFlag.AlignRight, self.extra)

    def _paint_fishbone(self, painter: QPainter) -> None:
        """Head and category boxes; causes as text on their rib (the rib is a line item)."""
        rect = QRectF(0, 0, self.box.width, self.box.height)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(painter.font())
        boxed = self.box.kind in ("head", "category")
        if boxed:
            painter.setPen(QPen(QColor("#333333"), 2.5 if self.box.kind == "head" else 1.2))
            painter.setBrush(QBrush(QColor("#DCEBF7" if self.box.kind == "head"
                                           else "#F2F2F2")))
            painter.drawRoundedRect(rect, 6, 6)
        if self.isSelected() or self.highlight:
            colour = ("#0072B2" if self.isSelected() or not self.highlight
                      else HIGHLIGHT[self.highlight])
            painter.setPen(QPen(QColor(colour), 2.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-2, -2, 2, 2), 4, 4)
        font.setPixelSize(12 if self.box.kind == "cause" else 13)
        font.setBold(boxed)
        pad = PADDING if boxed else 4
        top = PADDING if boxed else 0
        if boxed:  # the head's and categories' words stay inside their box
            font = fitted(font, self.box.lines, [self.box.width - 2 * pad] * len(self.box.lines))
        painter.setFont(font)
        painter.setPen(QColor("#111111"))
        metrics = QFontMetricsF(font)
        for i, line in enumerate(self.box.lines):
            shown = (metrics.elidedText(line, Qt.TextElideMode.ElideRight,
                                        self.box.width - 2 * pad) if boxed else line)
            painter.drawText(QPointF(pad, top + (i + 1) * LINE_HEIGHT - 4), shown)

    # -- drag to link
    def _link_scene(self) -> LinkScene | None:
        scene = self.scene()
        return scene if isinstance(scene, LinkScene) else None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt override
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not getattr(
                self.scene(), "read_only", False):
            self._drag_from = event.scenePos()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt override
        scene = self._link_scene()
        if self._drag_from is not None and scene is not None:
            scene.drag_link(self, event.scenePos())

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt override
        scene = self._link_scene()
        if self._drag_from is not None and scene is not None:
            scene.drop_link(self, event.scenePos())
        self._drag_from = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt override
        scene = self._link_scene()
        if scene is not None:
            scene.node_activated.emit(self.node_id)


class EdgeItem(QGraphicsPathItem):
    """A smooth curve from a parent's right side to a child's left side."""

    def __init__(self, parent: Box, child: Box) -> None:
        super().__init__()
        self.parent_id, self.child_id = parent.id, child.id
        self.ends: tuple[Box, Box] | None = None
        self.set_ends(parent, child)
        self.setPen(QPen(QColor("#666666"), 1.3))
        self.setZValue(-1)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setToolTip("Link (select it and press Delete to remove)")

    def set_ends(self, parent: Box, child: Box) -> None:
        if self.ends == (parent, child):
            return
        self.ends = (parent, child)
        start = QPointF(parent.right, parent.centre_y)
        end = QPointF(child.x, child.centre_y)
        mid = (start.x() + end.x()) / 2
        path = QPainterPath(start)
        path.cubicTo(QPointF(mid, start.y()), QPointF(mid, end.y()), end)
        self.setPath(path)

    def shape(self) -> QPainterPath:
        from PySide6.QtGui import QPainterPathStroker

        stroker = QPainterPathStroker()
        stroker.setWidth(8)
        return stroker.createStroke(self.path())

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange,  # noqa: N802 - Qt override
                   value: Any) -> Any:  # a QVariant: its type depends on `change`
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.setPen(QPen(QColor("#0072B2"), 3) if value else QPen(QColor("#666666"), 1.3))
        return super().itemChange(change, value)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        option.state &= ~QStyle.StateFlag.State_Selected  # the thick pen shows selection
        super().paint(painter, option, widget)
