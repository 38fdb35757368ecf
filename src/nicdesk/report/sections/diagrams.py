"""Driver diagrams (the scope's own, else the network's) and fishbones, each on landscape
pages of its own as a vector drawing from the same layout the screen uses.

A diagram is scaled to fill its page, but its text is never set below `MIN_TEXT` points
(readable on paper): a diagram too large for one page at that size is split across
pages — cut between boxes where it can be — and each part says which part it is.  A
driver diagram is re-wrapped for paper first (`drawings.paper_driver_layout`), at the
width that lets the page show it largest."""

from __future__ import annotations

import math
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.platypus import Flowable, PageBreak

from ..drawings import (
    driver_drawing,
    extents,
    fishbone_drawing,
    paper_driver_layout,
    smallest_text,
)  # fmt: skip
from ..layout import SMALL, Heading, label, nothing, para
from .base import Context

MIN_TEXT = 8.0  # points: the smallest text a diagram page may hold
MAX_ZOOM = 1.6  # a small diagram is enlarged, but not to poster size
PAPER_WRAPS = (28, 24, 20, 16)  # characters per line tried for a driver diagram on paper
TOP_ROOM = 30.0  # the section's heading above the first diagram
NOTE_ROOM = 30.0  # the key or the "part n of m" note below a diagram
KEY = ("Border and letter show status: H hypothesis (dashed), T testing, "
       "E evidence of improvement (solid), × not supported.")


class Tile(Flowable):  # type: ignore[misc]  # reportlab has no types
    """A drawing at `scale`, or the part of it from (x0, y0) (scaled points, from the
    bottom left) that is `width` × `height` points."""

    def __init__(self, drawing: Drawing, scale: float, x0: float, y0: float, width: float,
                 height: float) -> None:
        super().__init__()
        self.drawing, self.scale = drawing, scale
        self.x0, self.y0, self.width, self.height = x0, y0, width, height
        self.hAlign = "CENTER"

    def wrap(self, *_: Any) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        clip = c.beginPath()
        clip.rect(0, 0, self.width, self.height)
        c.clipPath(clip, stroke=0, fill=0)
        c.translate(-self.x0, -self.y0)
        c.scale(self.scale, self.scale)
        renderPDF.draw(self.drawing, c, 0, 0)
        c.restoreState()


def _room(ctx: Context, heading: Heading) -> tuple[float, float]:
    """The width and height a diagram has on its landscape page below `heading`."""
    width = ctx.wide_width or ctx.width
    height = ctx.wide_height or ctx.height
    _w, h = heading.wrap(width, height)
    used = h + heading.getSpaceBefore() + heading.getSpaceAfter()
    return width, height - TOP_ROOM - used - NOTE_ROOM


def _fill(drawing: Drawing, width: float, height: float) -> float:
    return float(min(width / drawing.width, height / drawing.height, MAX_ZOOM))


def _cuts(length: float, room: float, spans: list[tuple[float, float]]) -> list[float]:
    """Where to cut `length` into as few pieces of at most `room` as it can, of about
    equal size: just after a box or a line of text ends where one does, else at `room`."""
    cuts = [0.0]
    while length - cuts[-1] > room + 0.5:
        start = cuts[-1]
        even = start + (length - start) / math.ceil((length - start) / room)
        free = [end + 2 for _a, end in spans if start + 0.3 * room <= end + 2 <= start + room
                and not any(a < end + 2 < b for a, b in spans)]
        cuts.append(min(free, key=lambda c: abs(c - even)) if free else start + room)
    return [*cuts, length]


def place(drawing: Drawing, width: float, height: float, note: str) -> list[Any]:
    """A diagram on one page, filling it; or, when its text would be smaller than
    `MIN_TEXT` there, its parts on consecutive pages with `MIN_TEXT` text."""
    smallest = smallest_text(drawing)
    scale = _fill(drawing, width, height)
    if scale * smallest >= MIN_TEXT - 1e-6:
        out: list[Any] = [Tile(drawing, scale, 0, 0, drawing.width * scale,
                               drawing.height * scale)]
        return out + ([para(note, SMALL)] if note else [])
    scale = MIN_TEXT / smallest
    w, h = drawing.width * scale, drawing.height * scale
    boxes = [(x0 * scale, y0 * scale, x1 * scale, y1 * scale)
             for x0, y0, x1, y1 in extents(drawing)]
    xs = _cuts(w, width, [(x0, x1) for x0, _y0, x1, _y1 in boxes])
    # rows from the top: measured downwards from the drawing's top edge
    ys = _cuts(h, height, [(h - y1, h - y0) for _x0, y0, _x1, y1 in boxes])
    rows, cols = len(ys) - 1, len(xs) - 1
    total = rows * cols
    out = []
    for r in range(rows):
        for k in range(cols):
            n = r * cols + k + 1
            if n > 1:
                out.append(PageBreak())
            where = []
            if rows > 1:
                where.append(f"row {r + 1} of {rows} from the top")
            if cols > 1:
                where.append(f"column {k + 1} of {cols} from the left")
            out += [Tile(drawing, scale, xs[k], h - ys[r + 1], xs[k + 1] - xs[k],
                         ys[r + 1] - ys[r]),
                    para(f"Part {n} of {total} ({', '.join(where)}): this diagram is too "
                         f"large for one page with text of at least {MIN_TEXT:g} pt, so it "
                         f"is printed on {total} pages"
                         + (" and continues on the next page." if n < total else ".")
                         + (f" {note}" if note else ""), SMALL)]
    return out


def _best_driver(layout: Any, statuses: dict[str, str], width: float,
                 height: float) -> Drawing:
    """The paper re-wrap of a driver diagram that the page shows largest."""
    best: tuple[float, Drawing] | None = None
    for wrap in PAPER_WRAPS:
        drawing = driver_drawing(paper_driver_layout(layout, wrap), statuses)
        scale = _fill(drawing, width, height) * smallest_text(drawing)
        if best is None or scale > best[0] + 1e-6:
            best = (scale, drawing)
    assert best is not None
    return best[1]


def driver_diagrams(ctx: Context) -> list[Any]:
    if not ctx.data.driver_diagrams:
        return [nothing("no driver diagram")]
    out: list[Any] = []
    for i, d in enumerate(ctx.data.driver_diagrams):
        heading = Heading(label(d.name), 1, ctx.key())
        width, height = _room(ctx, heading)
        if i:
            out.append(PageBreak())
        out += [heading, *place(_best_driver(d.layout, d.statuses, width, height), width,
                                height, KEY)]
    return out


def fishbones(ctx: Context) -> list[Any]:
    if not ctx.data.fishbones:
        return [nothing("no fishbone")]
    out: list[Any] = []
    for i, f in enumerate(ctx.data.fishbones):
        heading = Heading(f"{label(f.title) or 'Fishbone'} ({label(f.where)})", 1, ctx.key())
        width, height = _room(ctx, heading)
        if i:
            out.append(PageBreak())
        out += [heading, *place(fishbone_drawing(f.layout), width, height, "")]
    return out

