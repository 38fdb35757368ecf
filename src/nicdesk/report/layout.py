"""Page machinery and options of the meeting packet: paragraph styles, the document
template that turns section headings into contents lines and PDF bookmarks, the canvas
that writes "page X of Y" footers, small flowables, and what a person can choose
(`PacketOptions`).  The sections themselves are in `sections/`, the build in
`packet`.

Names people typed (sites, measures, change ideas, meetings, ramps, diagrams) are
shortened with `label` wherever one line is expected — headings, bookmarks, contents
lines, table cells, footers, chart titles — so an imported or legacy record with a
5,000-character name still builds (a heading taller than a page cannot be laid out).
Free text (aims, notes, action items, PDSA write-ups) is never cut: paragraphs wrap,
long words included, and a table row taller than a page is split inside the row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from ..core.safe_text import shorten
from .fonts import BOLD, ITALIC, REGULAR

SECTIONS: list[tuple[str, str]] = [
    ("agenda", "Agenda"),
    ("measures", "Measures summary"),
    ("aim", "Aim"),
    ("driver_diagram", "Driver diagram"),
    ("fishbone", "Fishbone"),
    ("run_charts", "Run charts"),
    ("funnel", "Funnel plots"),
    ("equity", "Equity"),
    ("pdsa", "Recent PDSA cycles"),
    ("actions", "Action items"),
    ("notes", "Notes and decisions"),
    ("site_pages", "Site one-pagers"),
    ("progress", "Progress scores"),
    ("timeline", "Network timeline"),
    ("spread", "Spread of change ideas"),
]
SECTION_TITLES = dict(SECTIONS)
PAPERS = {"letter": LETTER, "a4": A4}
RECENT_CYCLES = 6
NAME_LIMIT = 120  # characters of a name in a heading, bookmark, table cell or chart title

INK = colors.HexColor("#222222")
BODY = ParagraphStyle("body", fontName=REGULAR, fontSize=9.5, leading=12.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10)
NOTE = ParagraphStyle("note", parent=BODY, fontName=ITALIC, textColor=colors.HexColor("#444444"))
H1 = ParagraphStyle("H1", fontName=BOLD, fontSize=17, leading=21, spaceAfter=8)
H2 = ParagraphStyle("H2", fontName=BOLD, fontSize=12.5, leading=16, spaceBefore=8,
                    spaceAfter=4)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=10.5)
CELL_HEAD = ParagraphStyle("cellhead", parent=CELL, fontName=BOLD)
COVER_TITLE = ParagraphStyle("cover", fontName=BOLD, fontSize=26, leading=31, spaceAfter=10)
COVER_SUB = ParagraphStyle("coversub", fontName=REGULAR, fontSize=14, leading=19)
TOC_STYLES = [ParagraphStyle("toc0", fontName=REGULAR, fontSize=11, leading=16),
              ParagraphStyle("toc1", fontName=REGULAR, fontSize=9.5, leading=12,
                             leftIndent=16)]


class PacketCancelled(Exception):
    """The person cancelled the build; nothing was written."""


@dataclass
class PacketOptions:
    sections: list[str] = field(default_factory=lambda: [k for k, _ in SECTIONS])
    paper: str = "letter"
    measures: list[str] | None = None  # measure ids to include (None: all)
    sites: list[str] | None = None  # site ids for charts and one-pagers (None: all in scope)
    recent_cycles: int = RECENT_CYCLES

    def checked(self) -> PacketOptions:
        if self.recent_cycles < 0:
            raise ValueError("The number of recent PDSA cycles cannot be negative.")
        unknown = [s for s in self.sections if s not in SECTION_TITLES]
        if unknown:
            raise ValueError(f"Unknown section(s): {', '.join(unknown)}. Choose from: "
                             + ", ".join(k for k, _ in SECTIONS))
        if self.paper not in PAPERS:
            raise ValueError(f"Unknown paper size {self.paper!r}: use letter or a4.")
        return self


@dataclass
class PacketResult:
    path: Path
    pages: int
    sections: list[str]


Progress = Callable[[int, int, str], bool]  # done, total, what → False cancels


def para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def label(name: str | None, limit: int = NAME_LIMIT) -> str:
    """A person-written name for one line of a packet: on one line, at most `limit`
    characters (ending in "…" when cut)."""
    return shorten(" ".join((name or "").split()), limit)


def nothing(what: str = "") -> Paragraph:
    return para(f"Nothing recorded yet{': ' + what if what else ''}.", NOTE)


def fit(drawing: Any, width: float, height: float) -> Any:
    """Scale a drawing down (never up) to fit the frame; it stays vector."""
    scale = min(width / drawing.width, height / drawing.height, 1.0)
    if scale < 1.0:
        drawing.scale(scale, scale)
        drawing.width *= scale
        drawing.height *= scale
    return drawing


class Heading(Paragraph):  # type: ignore[misc]  # reportlab has no types
    """A section heading that becomes a contents line and a PDF bookmark.  Its text is
    shortened (`label`), so it always fits a page and is never split across two."""

    def __init__(self, text: str, level: int, key: str) -> None:
        text = label(text, 2 * NAME_LIMIT)  # callers shorten the names inside it
        super().__init__(escape(text), H1 if level == 0 else H2)
        self.toc_text, self.level, self.key = text, level, key

    def split(self, avail_width: float, avail_height: float) -> list[Any]:
        return []  # move to the next page whole (a heading is a few lines at most)


class PacketDoc(BaseDocTemplate):  # type: ignore[misc]  # reportlab has no types
    def __init__(self, path: str, *, pagesize: Any, title: str, footer: str,
                 progress: Progress | None) -> None:
        super().__init__(path, pagesize=pagesize, leftMargin=16 * mm, rightMargin=16 * mm,
                         topMargin=15 * mm, bottomMargin=17 * mm, title=title,
                         author="NICdesk", subject=footer)
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        # diagrams get landscape pages of their own ("wide"); see `sections.diagrams`
        wide = landscape(pagesize)
        self.wide_width = wide[0] - self.leftMargin - self.rightMargin
        self.wide_height = wide[1] - self.topMargin - self.bottomMargin
        wide_frame = Frame(self.leftMargin, self.bottomMargin, self.wide_width,
                           self.wide_height, id="wide")
        self.addPageTemplates([PageTemplate("page", [frame], pagesize=pagesize),
                               PageTemplate("wide", [wide_frame], pagesize=wide)])
        self.footer = footer
        self._progress = progress
        self._estimate = 1
        if progress is not None:
            self.setProgressCallBack(self._report)

    def _report(self, what: str, value: int) -> None:
        if what == "SIZE_EST":
            self._estimate = max(1, value)
        elif what == "PROGRESS" and self._progress is not None and not self._progress(
                min(value, self._estimate), self._estimate, "Laying out pages"):
            raise PacketCancelled()

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - reportlab hook
        if isinstance(flowable, Heading):
            self.canv.bookmarkPage(flowable.key)
            self.canv.addOutlineEntry(flowable.toc_text, flowable.key, level=flowable.level,
                                      closed=flowable.level > 0)
            # the contents page parses its entries as markup: a name is text
            self.notify("TOCEntry", (flowable.level, escape(flowable.toc_text), self.page,
                                     flowable.key))


def numbered_canvas(footer: str) -> type[Canvas]:
    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no types
        """Holds pages back until the end so each footer can say 'page X of Y'.

        Bookmarks (the destinations of the outline and of the contents lines) are held
        back with their page: a destination names the page being written when it is
        set, and while pages are held back that is always the first one."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = REGULAR  # else every page names Helvetica
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self._marks: list[tuple[str, dict[str, Any]]] = []

        def bookmarkPage(self, key: str, **kwargs: Any) -> None:  # noqa: N802 - reportlab
            self._marks.append((key, kwargs))  # set on its own page in `save`

        def showPage(self) -> None:  # noqa: N802 - reportlab API
            self._pages.append(dict(self.__dict__))
            self._marks = []
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                for key, kwargs in self._marks:  # this page is the one being written
                    Canvas.bookmarkPage(self, key, **kwargs)
                self._footer(number, total)
                super().showPage()
            self.addPageLabel(0, prefix="Cover")
            if total > 1:
                self.addPageLabel(1, style="D", start=2)
            super().save()

        def _footer(self, number: int, total: int) -> None:
            width, _height = self._pagesize
            self.setFont(REGULAR, 8)
            self.setFillColor(INK)
            self.drawString(16 * mm, 9 * mm, label(footer, 110))
            self.drawRightString(width - 16 * mm, 9 * mm, f"page {number} of {total}")

    return NumberedCanvas


class RuledLines(Flowable):  # type: ignore[misc]  # reportlab has no types
    """Ruled lines: room for handwritten notes."""

    def __init__(self, width: float, count: int) -> None:
        super().__init__()
        self.width, self.count = width, count

    def wrap(self, *_: Any) -> tuple[float, float]:
        return self.width, self.count * 22.0

    def draw(self) -> None:
        self.canv.setStrokeColor(colors.HexColor("#999999"))
        self.canv.setLineWidth(0.5)
        for k in range(self.count):
            self.canv.line(0, k * 22.0 + 4, self.width, k * 22.0 + 4)


def grid_table(rows: list[list[Any]], widths: list[float], align_middle: bool = False) -> Table:
    """A table whose header row repeats on every page it spans; a row taller than a
    page (a very long action item, say) is split inside the row."""
    table = Table(rows, colWidths=widths, repeatRows=1, splitInRow=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#555555")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E6E6E6")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE" if align_middle else "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


