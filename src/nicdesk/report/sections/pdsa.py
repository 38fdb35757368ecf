"""PDSA cycles on paper: a packet's "Recent PDSA cycles" section and the one-page
summary of one cycle (`nicdesk pdsa --out`).  Plan, Do, Study and Act as four boxes and
the predictions next to the results, as reportlab flowables (so a packet can put several
on its pages) or as a PDF of its own.  Names (cycle, idea, site) are shortened to one
line's worth; the write-up is never cut: boxes and rows longer than a page are split."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ...core.safe_text import shorten
from ...store.views.coaching import FeedbackRow
from ...store.views.packet import PdsaSummary
from ..fonts import BOLD, REGULAR
from ..layout import SMALL, nothing, para
from .base import Context

_styles = getSampleStyleSheet()
BODY = ParagraphStyle("pdsa", parent=_styles["BodyText"], fontName=REGULAR, fontSize=9.5,
                      leading=12)
HEAD = ParagraphStyle("pdsahead", parent=_styles["Heading4"], fontName=BOLD, spaceAfter=2,
                      spaceBefore=0)
#: the parts of coaching feedback, in the words the cycle page uses
FEEDBACK_PARTS = (("strengths", "What was strong"), ("question", "A question"),
                  ("suggestion", "A suggestion"), ("next_step", "Next step"))
TITLE = ParagraphStyle("pdsatitle", parent=_styles["Heading2"], fontName=BOLD, spaceAfter=2)


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text or "—").replace("\n", "<br/>"), style)


def _box(title: str, parts: list[tuple[str, str]]) -> list[Any]:
    out: list[Any] = [Paragraph(title, HEAD)]
    for label, text in parts:
        if text and text.strip():
            out.append(_p(f"{label}: {text}" if label else text))
    if len(out) == 1:
        out.append(_p("(nothing written yet)"))
    return out


def _name(text: str | None) -> str:
    return shorten(" ".join((text or "").split()), 120)


def cycle_title(title: str, number: int) -> str:
    """A cycle's title with its number, the number once: "Check-ins, cycle 2" stays as
    it is, "Check-ins" becomes "Check-ins (cycle 2)"."""
    name = _name(title)
    numbered = re.search(rf"\bcycle\s*#?\s*{number}\b", name, re.IGNORECASE)
    return name if numbered else f"{name} (cycle {number})".lstrip()


def pdsa_flowables(summary: PdsaSummary, width: float) -> list[Any]:
    """One cycle's page: title, where and when, the four boxes, then the questions."""
    cycle, questions = summary.cycle, summary.questions
    idea, site = _name(summary.idea), _name(summary.site)
    meta = " · ".join(x for x in (site, f"testing “{idea}”" if idea else "",
                                   f"scale: {cycle.scale}" if cycle.scale else "",
                                   f"{cycle.start_date or '?'} – {cycle.end_date or '?'}") if x)
    plan = _box("Plan", [("Objective", cycle.objective), ("Who, what, when, where",
                                                          cycle.logistics),
                         ("Data", cycle.data_collection), ("Context", cycle.conditions)])
    do = _box("Do", [("What happened", cycle.do_what_happened),
                     ("Observations", cycle.do_observations), ("Problems", cycle.do_problems),
                     ("Deviations", cycle.do_deviations)])
    study = _box("Study", [("Learned", cycle.study_learned),
                           ("Surprises", cycle.study_surprises)])
    act = _box("Act", [("Decision", (cycle.decision or "not decided").upper()),
                       ("", cycle.act_next)])
    half = (width - 6 * mm) / 2
    grid = Table([[plan, do], [act, study]], colWidths=[half, half], splitInRow=1)
    grid.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("BOX", (0, 0), (-1, -1), 1, colors.black),
        ("INNERGRID", (0, 0), (-1, -1), 0.75, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ]))
    rows = [[_p("Question", HEAD), _p("Prediction", HEAD), _p("Result", HEAD)]]
    rows += [[_p(q.question), _p(q.prediction), _p(q.result)] for q in questions]
    table = Table(rows, colWidths=[width * 0.34, width * 0.33, width * 0.33], repeatRows=1,
                  splitInRow=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E6E6E6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    title = _p(f"PDSA: {cycle_title(cycle.title, cycle.cycle_number)}", TITLE)
    return [KeepTogether([title,
                          _p(meta), Spacer(1, 4 * mm), grid]), Spacer(1, 5 * mm),
            Paragraph("Predictions and results", HEAD), table,
            *coaching_flowables(summary.feedback)]


def coaching_flowables(feedback: Sequence[FeedbackRow]) -> list[Any]:
    """The coaching feedback on a cycle (issue #22): who gave it, when, and its four
    parts; nothing at all when none was given."""
    if not feedback:
        return []
    out: list[Any] = [Spacer(1, 4 * mm), Paragraph("Coaching feedback", HEAD)]
    for f in feedback:
        parts = [(label, getattr(f, key)) for key, label in FEEDBACK_PARTS]
        out.append(KeepTogether(_box(f"{escape(_name(f.coach))} ({escape(_name(f.site))})"
                                     f" · {f.given or 'undated'}", parts)))
    return out


def write_pdsa_summary(path: str | Path, summary: PdsaSummary) -> Path:
    """One cycle's summary as a landscape A4 PDF of its own."""
    path = Path(path)
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=14 * mm,
                            rightMargin=14 * mm, topMargin=12 * mm, bottomMargin=12 * mm,
                            title=f"PDSA {_name(summary.cycle.title)}")
    doc.build(pdsa_flowables(summary, doc.width))
    return path


def pdsa(ctx: Context) -> list[Any]:
    """The packet section: the most recent cycles in scope before the meeting."""
    cycles = ctx.data.cycles
    if not cycles:
        return [nothing("no PDSA cycles before this meeting")]
    out: list[Any] = [para(f"The {len(cycles)} most recent cycles before this meeting, "
                           "newest first.", SMALL)]
    for summary in cycles:
        out += [CondPageBreak(ctx.height * 0.45), *pdsa_flowables(summary, ctx.width),
                Spacer(1, 6 * mm)]
    return out

