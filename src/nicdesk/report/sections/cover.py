"""The cover (network, meeting, when and where, scope, aim, attendees, the suppression
note) and the contents page that reportlab fills in on its second pass."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer, TableStyle
from reportlab.platypus.tableofcontents import TableOfContents

from ...core.variation import suppression_label
from ..fonts import REGULAR
from ..layout import BODY, COVER_SUB, COVER_TITLE, H1, H2, NAME_LIMIT, NOTE, TOC_STYLES, label, para
from .base import Context


def cover(ctx: Context) -> list[Any]:
    d = ctx.data
    m = d.meeting
    when = m.date.strftime("%A %d %B %Y") if m.date else "date to be set"
    if m.start_time:
        when += f", {m.start_time}"
    scope = label(d.site_name) if d.site_name is not None else "the whole network"
    out: list[Any] = [Spacer(1, 30 * mm), para(label(d.network_name), COVER_SUB),
                      Spacer(1, 4 * mm), para(label(m.title) or "Meeting", COVER_TITLE),
                      para(when, COVER_SUB)]
    if m.place:
        out.append(para(label(m.place, 3 * NAME_LIMIT), COVER_SUB))
    out += [Spacer(1, 3 * mm), para(f"Scope: {scope}", BODY), Spacer(1, 10 * mm)]
    if d.common_aim:
        out += [para("Our aim", H2), para(d.common_aim)]
    out += [para("Attendees", H2),
            para(", ".join(label(a) for a in m.attendees) if m.attendees
                 else "Nothing recorded yet.")]
    out += [Spacer(1, 8 * mm), para(
        f"Counts and proportions built from fewer than {d.threshold} people are "
        f"shown as “{suppression_label(d.threshold)}”.", NOTE), PageBreak()]
    toc = TableOfContents()
    toc.levelStyles = TOC_STYLES
    toc.tableStyle = TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR),
                                 ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    out += [para("Contents", H1), toc, PageBreak()]
    return out
