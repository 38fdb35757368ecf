"""Diagrams as reportlab vector drawings, from the same layout the screen uses.

`driver_drawing` turns a `core.layout.Layout` into a `reportlab.graphics.shapes.Drawing`
(points = layout units, y flipped because PDF's origin is bottom-left).  The same drawing
goes into meeting packets and into `nicdesk diagram --out FILE.pdf|.svg`.  Status is shown
by border style and a letter badge as well as colour, so it reads in black and white.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reportlab.graphics import renderPDF, renderSVG
from reportlab.graphics.shapes import Drawing, Group, Rect, String
from reportlab.graphics.shapes import Path as RPath
from reportlab.lib import colors

from ..core.layout import LINE_HEIGHT, PADDING, Layout
from .charts import clip_text
from .fonts import BOLD, REGULAR

MARGIN = 24.0
LEVEL_TINTS = {0: "#DCEBF7", 1: "#E3F2EC", 2: "#FFF3D6", 3: "#F2F2F2"}
STATUS_STYLE = {  # dash pattern, badge letter
    "hypothesis": ((3, 2), "H"),
    "testing": ((6, 3), "T"),
    "evidence of improvement": (None, "E"),
    "not supported": ((1, 2), "×"),
}


def _canvas(layout: Layout, title: str) -> tuple[Drawing, Callable[[float], float]]:
    """A drawing sized for the layout (plus margins and an optional title line) and the
    function turning layout y (down) into PDF y (up)."""
    head = 28.0 if title else 0.0
    height = layout.height + 2 * MARGIN + head
    drawing = Drawing(layout.width + 2 * MARGIN, height)
    if title:  # a diagram's name, kept inside the drawing
        drawing.add(String(MARGIN, height - MARGIN - 12,
                           clip_text(title, layout.width + MARGIN, 14, BOLD), fontName=BOLD,
                           fontSize=14))

    def flip(y: float) -> float:
        return height - MARGIN - head - y

    return drawing, flip


def driver_drawing(layout: Layout, statuses: dict[str, str], title: str = "") -> Drawing:
    drawing, flip = _canvas(layout, title)
    width = drawing.width
    edges = Group()
    for parent, child in layout.edges:
        a, b = layout.boxes[parent], layout.boxes[child]
        x1, y1 = a.right, flip(a.centre_y)
        x2, y2 = b.x, flip(b.centre_y)
        mid = (x1 + x2) / 2
        path = RPath(strokeColor=colors.HexColor("#666666"), strokeWidth=1, fillColor=None)
        path.moveTo(x1, y1)
        path.curveTo(mid, y1, mid, y2, x2, y2)
        edges.add(path)
    drawing.add(edges)
    for box in layout.boxes.values():
        dash, badge = STATUS_STYLE.get(statuses.get(box.id, ""), (None, ""))
        if box.column == 0:
            dash = None  # the aim has no status
        top = flip(box.y)
        rect = Rect(box.x + MARGIN * 0, top - box.height, box.width, box.height, rx=8, ry=8,
                    fillColor=colors.HexColor(LEVEL_TINTS.get(box.column, "#FFFFFF")),
                    strokeColor=colors.HexColor("#333333"), strokeWidth=1.2,
                    strokeDashArray=dash)
        drawing.add(rect)
        for i, line in enumerate(box.lines):
            drawing.add(String(box.x + PADDING, top - PADDING - (i + 1) * LINE_HEIGHT + 4,
                               line, fontName=REGULAR, fontSize=11))
        if badge and box.column > 0:
            drawing.add(String(box.right - 14, top - 14, badge, fontName=BOLD,
                               fontSize=9, fillColor=colors.HexColor("#333333")))
    # shift everything right by the margin (boxes start at x = 0)
    drawing.translate(MARGIN, 0)
    drawing.width = width + MARGIN
    return drawing


def save_drawing(drawing: Drawing, path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() == ".svg":
        renderSVG.drawToFile(drawing, str(path))
    elif path.suffix.lower() == ".pdf":
        renderPDF.drawToFile(drawing, str(path))
    else:
        raise ValueError(f"Cannot write {path.suffix or 'files without an extension'} here; "
                         "use .pdf or .svg (or .png from the desktop app).")
    return path


def fishbone_drawing(layout: Layout, title: str = "") -> Drawing:
    """A fishbone from its layout: head box, spine and bones as lines, causes as text on
    their ribs (their labels already carry votes '●n', evidence '[D]' and 'ROOT')."""
    drawing, flip = _canvas(layout, title)

    def x(v: float) -> float:
        return v + MARGIN

    for x1, y1, x2, y2, kind in layout.lines:
        widthpt = {"spine": 3, "bone": 2}.get(kind, 0.8)
        line = RPath(strokeColor=colors.HexColor("#444444"), strokeWidth=widthpt)
        line.moveTo(x(x1), flip(y1))
        line.lineTo(x(x2), flip(y2))
        drawing.add(line)
    for box in layout.boxes.values():
        top = flip(box.y)
        if box.kind in ("head", "category"):
            drawing.add(Rect(x(box.x), top - box.height, box.width, box.height, rx=6, ry=6,
                             fillColor=colors.HexColor("#DCEBF7" if box.kind == "head"
                                                       else "#F2F2F2"),
                             strokeColor=colors.HexColor("#333333"),
                             strokeWidth=2 if box.kind == "head" else 1))
            pad = PADDING
        else:
            pad = 4
        font = BOLD if box.kind in ("head", "category") else REGULAR
        for i, line_text in enumerate(box.lines):
            drawing.add(String(x(box.x) + pad, top - (pad if pad > 4 else 0)
                               - (i + 1) * LINE_HEIGHT + 4, line_text, fontName=font,
                               fontSize=10 if box.kind == "cause" else 11))
    return drawing
