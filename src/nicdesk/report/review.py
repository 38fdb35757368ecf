"""The year-in-review report: one PDF for a state agency or a funder about a network's
period — built with the meeting packet's machinery (`layout.PacketDoc`: contents page,
one PDF bookmark per section and per measure, "page X of Y" footers; vector charts;
small-count suppression from the same network views).  The CLI (`nicdesk review`) and
the GUI's "Year in review…" action both call `build_review`.

Like the packet, everything is read first (`store.views.review.read_review`), then laid
out with the workspace left alone, into a temporary file renamed only when the whole
report is built."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, PageBreak, Spacer

from ..store.views.review import ReviewData, read_review, refuse_empty
from ..store.workspace import Workspace
from .layout import PAPERS, Heading, PacketDoc, Progress, label, numbered_canvas
from .sections.review import ReviewContext, cover, sections_of

#: sections that start on a page of their own
FULL_PAGE = frozenset({"aim", "gaps", "progress", "lessons"})


@dataclass
class ReviewResult:
    path: Path
    pages: int
    sections: list[str]  # titles, in order
    data: ReviewData


def _story(ctx: ReviewContext) -> list[Any]:
    story = cover(ctx)  # ends in a page break
    sections = sections_of(ctx.data)
    for i, (key, title, make) in enumerate(sections):
        ctx.tick(i, len(sections), f"Gathering {title.lower()}")
        if i:
            # a section going on mid-page is set apart from the last line above it (a
            # source, a footnote), which would otherwise read as the new section's own
            story += [PageBreak()] if key in FULL_PAGE else [
                Spacer(1, 8 * mm), CondPageBreak(ctx.height * 0.3)]
        story.append(Heading(title, 0, ctx.key()))
        story += make(ctx)
    return story


def build_review(ws: Workspace, network_id: str, start: dt.date, end: dt.date,
                 out: str | os.PathLike[str], *, paper: str = "letter",
                 progress: Progress | None = None) -> ReviewResult:
    """Build the report of [start, end]; raises `ReviewRangeError` (nothing written) for a
    period that ends before it starts or holds nothing, and `PacketCancelled` (nothing
    written) when `progress` says no."""
    if paper not in PAPERS:
        raise ValueError(f"Unknown paper size {paper!r}: use letter or a4.")
    data = read_review(ws, network_id, start, end)
    refuse_empty(data)  # before any file is made
    target = Path(out)
    footer = f"{label(data.network_name, 60)} — year in review {start} to {end}"
    fd, tmp = tempfile.mkstemp(prefix=".review-", suffix=".pdf.part",
                               dir=target.parent if target.parent.exists() else None)
    os.close(fd)
    try:
        doc = PacketDoc(tmp, pagesize=PAPERS[paper],
                        title=f"{label(data.network_name)} — year in review",
                        footer=footer, progress=progress)
        ctx = ReviewContext(data, doc.width, doc.height, progress)
        doc.multiBuild(_story(ctx), canvasmaker=numbered_canvas(footer))
        pages = doc.page
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return ReviewResult(target, pages, [t for _, t, _ in sections_of(data)], data)
