"""The diagram scene and view: mirror a `core.layout.Layout`, keep the selection across
redraws, zoom and fit, rubber-band selection, drag-to-link (not on a read-only diagram),
PNG and SVG export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsLineItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from ...core.layout import Layout
from .items import EdgeItem, NodeItem


class DiagramScene(QGraphicsScene):
    link_requested = Signal(str, str)  # dragged node id, target node id
    node_activated = Signal(str)  # double-click
    HEADING_GAP = 30.0  # from a column heading's top to the highest box of the diagram

    def __init__(self) -> None:
        super().__init__()
        self.nodes: dict[str, NodeItem] = {}
        self.edges: list[EdgeItem] = []
        self.lines: list[QGraphicsLineItem] = []
        self._ghost: QGraphicsLineItem | None = None
        self.read_only = False  # another's diagram: select and read, never drag to link
        #: column headings drawn above the columns that hold boxes (a driver diagram's
        #: "Aim · Primary drivers · Secondary drivers · Change ideas"); none for a fishbone
        self.headings: tuple[str, ...] = ()
        self.heading_items: list[QGraphicsSimpleTextItem] = []

    def show_layout(self, layout: Layout, statuses: dict[str, str] | None = None,
                    extras: dict[str, str] | None = None,
                    highlight: dict[str, str] | None = None) -> None:
        statuses, extras, highlight = statuses or {}, extras or {}, highlight or {}
        if self._ghost is not None:
            self.removeItem(self._ghost)
            self._ghost = None
        nodes: dict[str, NodeItem] = {}
        for box in layout.boxes.values():
            item = self.nodes.get(box.id)
            if item is None:
                item = NodeItem(box, statuses.get(box.id, ""), extras.get(box.id, ""))
                item.highlight = highlight.get(box.id)
                self.addItem(item)
            else:
                item.set_content(box, statuses.get(box.id, ""), extras.get(box.id, ""),
                                 highlight.get(box.id))
            nodes[box.id] = item
        for node_id, item in self.nodes.items():
            if node_id not in nodes:
                self.removeItem(item)
        old_edges = {(e.parent_id, e.child_id): e for e in self.edges}
        edges = []
        for parent, child in layout.edges:
            edge = old_edges.pop((parent, child), None)
            if edge is None:
                edge = EdgeItem(layout.boxes[parent], layout.boxes[child])
                self.addItem(edge)
            else:
                edge.set_ends(layout.boxes[parent], layout.boxes[child])
            edges.append(edge)
        for edge in old_edges.values():
            self.removeItem(edge)
        self.nodes, self.edges = nodes, edges
        for line in self.lines:
            self.removeItem(line)
        self.lines = []
        widths = {"spine": 4.0, "bone": 2.5}
        for x1, y1, x2, y2, kind in layout.lines:
            line = self.addLine(x1, y1, x2, y2, QPen(QColor("#444444"), widths.get(kind, 1.0)))
            line.setZValue(-2)
            self.lines.append(line)
        top = self._show_headings(layout)
        self.setSceneRect(QRectF(-30, top - 30, layout.width + 60, layout.height - top + 60))

    def _show_headings(self, layout: Layout) -> float:
        """The headings over the columns in use, at each column's left edge; returns the
        top of the drawing (0, or above the boxes when headings are shown)."""
        for item in self.heading_items:
            self.removeItem(item)
        self.heading_items = []
        if not self.headings or not layout.boxes:
            return 0.0
        left: dict[int, float] = {}
        for box in layout.boxes.values():
            left[box.column] = min(left.get(box.column, box.x), box.x)
        top = min(0.0, min(b.y for b in layout.boxes.values())) - self.HEADING_GAP
        font = QFont()
        font.setPixelSize(14)
        font.setBold(True)
        for column, x in sorted(left.items()):
            heading = self.headings[min(column, len(self.headings) - 1)]
            item = self.addSimpleText(heading, font)
            item.setBrush(QColor("#333333"))  # on the view's white page, as on paper
            item.setPos(x, top)
            item.setZValue(-1)
            item.setData(0, "heading")
            self.heading_items.append(item)
        return top

    def selected_ids(self) -> list[str]:
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_edges(self) -> list[EdgeItem]:
        return [i for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def select_only(self, node_id: str) -> None:
        self.clearSelection()
        item = self.nodes.get(node_id)
        if item is not None:
            item.setSelected(True)
            item.setFocus()
            for view in self.views():
                view.ensureVisible(item, 40, 40)

    # -- drag to link
    def drag_link(self, source: NodeItem, pos: QPointF) -> None:
        if self.read_only:
            return
        start = source.sceneBoundingRect().center()
        if self._ghost is None:
            self._ghost = self.addLine(start.x(), start.y(), pos.x(), pos.y(),
                                       QPen(QColor("#0072B2"), 2, Qt.PenStyle.DashLine))
        else:
            self._ghost.setLine(start.x(), start.y(), pos.x(), pos.y())

    def drop_link(self, source: NodeItem, pos: QPointF) -> None:
        if self._ghost is not None:
            self.removeItem(self._ghost)
            self._ghost = None
            target = next((i for i in self.items(pos) if isinstance(i, NodeItem)
                           and i is not source), None)
            if target is not None and not self.read_only:
                self.link_requested.emit(source.node_id, target.node_id)

    # -- export
    def export(self, path: str | Path, scale: float = 300 / 96) -> Path:
        """PNG at print resolution (300 dpi for 96-dpi scene units) or SVG (vector)."""
        path = Path(path)
        rect = self.itemsBoundingRect().adjusted(-20, -20, 20, 20)
        selected = self.selectedItems()
        self.clearSelection()
        try:
            if path.suffix.lower() == ".svg":
                from PySide6.QtSvg import QSvgGenerator

                gen = QSvgGenerator()
                gen.setFileName(str(path))
                gen.setSize(rect.size().toSize())
                gen.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
                painter = QPainter(gen)
                self.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
                painter.end()
            else:
                image = QImage(int(rect.width() * scale), int(rect.height() * scale),
                               QImage.Format.Format_ARGB32)
                image.setDotsPerMeterX(round(96 * scale / 0.0254))
                image.setDotsPerMeterY(round(96 * scale / 0.0254))
                image.fill(QColor("white"))
                painter = QPainter(image)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
                self.render(painter, QRectF(0, 0, image.width(), image.height()), rect)
                painter.end()
                if not image.save(str(path)):
                    raise OSError(f"could not write {path}")
        finally:
            for item in selected:
                item.setSelected(True)
        return path


class DiagramView(QGraphicsView):
    """Zoom with Ctrl+wheel, Ctrl+= / Ctrl+− and fit with Ctrl+0; rubber-band selection."""

    def __init__(self, scene: DiagramScene) -> None:
        super().__init__(scene)
        self.setObjectName("diagramView")
        self.setAccessibleName("Diagram")
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(QColor("white"))
        self.setMinimumSize(160, 120)
        self.zoom = 1.0
        #: refit whenever the view is resized, from opening a diagram until a person
        #: zooms or fits by hand (the view gets its real size only once laid out)
        self.auto_fit = False

    def set_zoom(self, factor: float) -> None:
        self.auto_fit = False
        self._scale_to(factor)

    def _scale_to(self, factor: float) -> None:
        factor = max(0.2, min(4.0, factor))
        self.resetTransform()
        self.scale(factor, factor)
        self.zoom = factor

    def fit(self) -> None:
        """The whole diagram in the view, never enlarged past 100 % (a small diagram
        stays at its natural size, centred)."""
        rect = self.scene().itemsBoundingRect().adjusted(-20, -20, 20, 20)
        port = self.viewport().rect()
        if rect.isValid() and port.width() > 1 and port.height() > 1:
            scale = min(port.width() / rect.width(), port.height() / rect.height(), 1.0)
            self._scale_to(scale * 0.98)
            self.centerOn(rect.center())

    def fit_on_open(self) -> None:
        """Fit now and again as the view takes its size, until a person zooms."""
        self.auto_fit = True
        self.fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.auto_fit:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.set_zoom(self.zoom * (1.15 if event.angleDelta().y() > 0 else 1 / 1.15))
        else:
            super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.matches(QKeySequence.StandardKey.ZoomIn) or (
                event.modifiers() & Qt.KeyboardModifier.ControlModifier
                and event.key() in (Qt.Key.Key_Equal, Qt.Key.Key_Plus)):
            self.set_zoom(self.zoom * 1.2)
        elif event.matches(QKeySequence.StandardKey.ZoomOut):
            self.set_zoom(self.zoom / 1.2)
        elif event.modifiers() & Qt.KeyboardModifier.ControlModifier and event.key() == Qt.Key.Key_0:
            self.auto_fit = False
            self.fit()
        else:
            super().keyPressEvent(event)
