"""Diagrams as reportlab vector drawings, from the same layout the screen uses.

`driver_drawing` turns a `core.layout.Layout` into a `reportlab.graphics.shapes.Drawing`
(points = layout units, y flipped because PDF's origin is bottom-left).  The same drawing
goes into meeting packets and into `nicdesk diagram --out FILE.pdf|.svg`.  Status is shown
by border style and a letter badge as well as colour, so it reads in black and white.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

from reportlab.graphics import renderPDF, renderSVG
from reportlab.graphics.shapes import Drawing, Group, Rect, String
from reportlab.graphics.shapes import Path as RPath
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from ..core.layout import COLUMN_HEADINGS, LINE_HEIGHT, PADDING, ROW_GAP, Box, Layout
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
TEXT_SIZE = 11.0  # a driver diagram node's text; its badge is as large (paper: ≥ 8 pt)
PAPER_GAP = 40.0  # between a paper layout's columns


def _canvas(layout: Layout, title: str, extra: float = 0.0
            ) -> tuple[Drawing, Callable[[float], float]]:
    """A drawing sized for the layout (plus margins, an optional title line and `extra`
    room above the layout) and the function turning layout y (down) into PDF y (up)."""
    head = (28.0 if title else 0.0) + extra
    height = layout.height + 2 * MARGIN + head
    drawing = Drawing(layout.width + 2 * MARGIN, height)
    if title:  # a diagram's name, kept inside the drawing
        drawing.add(String(MARGIN, height - MARGIN - 12,
                           clip_text(title, layout.width + MARGIN, 14, BOLD), fontName=BOLD,
                           fontSize=14))

    def flip(y: float) -> float:
        return height - MARGIN - head - y

    return drawing, flip


def driver_drawing(layout: Layout, statuses: dict[str, str], title: str = "",
                   headings: bool = True) -> Drawing:
    """A driver diagram, its columns headed "Aim · Primary drivers · Secondary drivers ·
    Change ideas" (unless `headings` is False)."""
    drawing, flip = _canvas(layout, title, 24.0 if headings and layout.boxes else 0.0)
    width = drawing.width
    if headings and layout.boxes:
        columns: dict[int, float] = {}
        for b in layout.boxes.values():
            columns[b.column] = min(columns.get(b.column, b.x), b.x)
        for column, x in sorted(columns.items()):
            name = COLUMN_HEADINGS[min(column, len(COLUMN_HEADINGS) - 1)]
            drawing.add(String(x, flip(0) + 8, name, fontName=BOLD, fontSize=TEXT_SIZE,
                               fillColor=colors.HexColor("#333333")))
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
                               line, fontName=REGULAR, fontSize=TEXT_SIZE))
        if badge and box.column > 0:
            drawing.add(String(box.right - 15, top - 15, badge, fontName=BOLD,
                               fontSize=TEXT_SIZE, fillColor=colors.HexColor("#333333")))
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
                               fontSize=TEXT_SIZE))
    return drawing


def paper_driver_layout(layout: Layout, wrap: int) -> Layout:
    """The same driver diagram re-wrapped for paper: each node's text wrapped at `wrap`
    characters, every box as wide as the widest line (plus room for its status badge),
    columns closer together; the order in each column and the links are kept.  A
    narrower wrap makes a taller, narrower diagram, so a page can show it larger."""
    boxes = sorted(layout.boxes.values(), key=lambda b: (b.column, b.y))
    lines = {b.id: tuple(textwrap.wrap(" ".join(b.lines), width=wrap,
                                       break_long_words=True)) or ("",) for b in boxes}
    widest = max((stringWidth(line, REGULAR, TEXT_SIZE) for ls in lines.values()
                  for line in ls), default=0.0)
    heading = max(stringWidth(h, BOLD, TEXT_SIZE) for h in COLUMN_HEADINGS)
    box_width = max(widest + 2 * PADDING + 16, heading + 4)
    out = Layout(edges=list(layout.edges), lines=list(layout.lines))
    tops: dict[int, float] = {}
    for b in boxes:
        y = tops.get(b.column, 0.0)
        height = len(lines[b.id]) * LINE_HEIGHT + 2 * PADDING
        out.boxes[b.id] = Box(b.id, b.column * (box_width + PAPER_GAP), y, box_width, height,
                              b.column, lines[b.id], b.kind, b.depth)
        tops[b.column] = y + height + ROW_GAP
        out.height = max(out.height, y + height)
    if out.boxes:
        last = max(b.column for b in out.boxes.values())
        out.width = (last + 1) * box_width + last * PAPER_GAP
    return out


def _strings(node: object, dx: float = 0.0, dy: float = 0.0, k: float = 1.0
             ) -> Iterator[tuple[String | Rect, float, float, float]]:
    """Every String and Rect of a drawing with the offset and scale it is drawn at
    (translations and uniform scales only, which is all these drawings use)."""
    transform = getattr(node, "transform", None)
    if transform is not None and tuple(transform) != (1, 0, 0, 1, 0, 0):
        a, _b, _c, _d, e, f = transform
        dx, dy, k = dx + e * k, dy + f * k, k * a
    for child in getattr(node, "contents", []):
        if isinstance(child, String | Rect):
            yield child, dx, dy, k
        else:
            yield from _strings(child, dx, dy, k)


def smallest_text(drawing: Drawing) -> float:
    """The smallest font size in a drawing, as drawn (its scale applied)."""
    return min((s.fontSize * k for s, _x, _y, k in _strings(drawing)
                if isinstance(s, String)), default=TEXT_SIZE)


def extents(drawing: Drawing) -> list[tuple[float, float, float, float]]:
    """(x0, y0, x1, y1) of each text and box of a drawing in its own coordinates (its
    scale applied): where a page break must not cut it."""
    out = []
    for s, dx, dy, k in _strings(drawing):
        if isinstance(s, String):
            w = stringWidth(s.text, s.fontName, s.fontSize)
            x0 = s.x - (w if s.textAnchor == "end" else w / 2 if s.textAnchor == "middle"
                        else 0)
            out.append((dx + k * x0, dy + k * (s.y - 0.25 * s.fontSize),
                        dx + k * (x0 + w), dy + k * (s.y + s.fontSize)))
        else:
            out.append((dx + k * s.x, dy + k * s.y, dx + k * (s.x + s.width),
                        dy + k * (s.y + s.height)))
    return out
