"""The meeting packet: one PDF to print or send before a meeting.

Cover, contents, then the chosen sections in the chosen order, each a level-one PDF
bookmark and a contents line; "page X of Y" and the network's name in every footer.
Diagrams and charts are reportlab vector drawings from the same layout and view-model
code the screen uses (no raster images), text uses an embedded Unicode font, and every
figure reads in black and white.  A network packet applies small-cell suppression
exactly as the network views do.

`build_packet` writes to a temporary file next to the target and renames it only when
the whole packet is built, so a cancelled or failed build leaves no partial file.  The
CLI (`nicdesk packet`) and the GUI's packet dialog both call it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from reportlab.platypus import CondPageBreak, NextPageTemplate, PageBreak

from ..store.views.packet import read_choices, read_packet
from ..store.workspace import Workspace
from .layout import (
    PAPERS,
    RECENT_CYCLES,
    SECTION_TITLES,
    SECTIONS,
    Heading,
    PacketCancelled,
    PacketDoc,
    PacketOptions,
    PacketResult,
    Progress,
    label,
    numbered_canvas,
)  # fmt: skip
from .sections import FULL_PAGE, LANDSCAPE, MAKERS, Context, cover

# what callers (CLI, packet dialog, tests) take from here
__all__ = ["RECENT_CYCLES", "SECTIONS", "PacketCancelled", "PacketOptions", "PacketResult",
           "build_packet", "packet_choices"]


def _story(ctx: Context, sections: list[str]) -> list[Any]:
    story = cover(ctx)  # ends in a page break
    for i, key in enumerate(sections):
        ctx.tick(i, len(sections), f"Gathering {SECTION_TITLES[key].lower()}")
        wide = key in LANDSCAPE  # diagrams: on landscape pages of their own
        if not i and wide:
            story.insert(len(story) - 1, NextPageTemplate("wide"))
        elif i and (wide or sections[i - 1] in LANDSCAPE):
            story += [NextPageTemplate("wide" if wide else "page"), PageBreak()]
        elif i:
            story.append(PageBreak() if key in FULL_PAGE else CondPageBreak(ctx.height * 0.3))
        story.append(Heading(SECTION_TITLES[key], 0, ctx.key()))
        story += MAKERS[key](ctx)
    return story


def packet_choices(ws: Workspace, meeting_id: str) -> tuple[list[tuple[str, str]],
                                                               list[tuple[str, str]]]:
    """The measures and sites a meeting's packet can show: (id, name) pairs."""
    return read_choices(ws, meeting_id)


def build_packet(ws: Workspace, meeting_id: str, out: str | os.PathLike[str],
                 options: PacketOptions | None = None,
                 progress: Progress | None = None) -> PacketResult:
    """Build the packet PDF; raises PacketCancelled (nothing written) if `progress`
    returns False.  Everything is read first (`store.views.packet.read_packet`),
    then laid out with the workspace left alone."""
    options = (options or PacketOptions()).checked()
    target = Path(out)
    pagesize = PAPERS[options.paper]

    def tick(done: int, total: int, what: str) -> None:
        if progress is not None and not progress(done, total, what):
            raise PacketCancelled()

    data = read_packet(ws, meeting_id, options.sections, measure_ids=options.measures,
                       site_ids=options.sites, recent_cycles=options.recent_cycles,
                       tick=tick)
    meeting = data.meeting
    footer = f"{label(data.network_name, 60)} — {label(meeting.title, 60) or 'Meeting'}" + (
        f", {meeting.date}" if meeting.date else "")
    fd, tmp = tempfile.mkstemp(prefix=".packet-", suffix=".pdf.part",
                               dir=target.parent if target.parent.exists() else None)
    os.close(fd)
    try:
        doc = PacketDoc(tmp, pagesize=pagesize, title=f"{label(meeting.title)} — meeting packet",
                        footer=footer, progress=progress)
        ctx = Context(data, doc.width, doc.height, progress, doc.wide_width, doc.wide_height)
        doc.multiBuild(_story(ctx, options.sections), canvasmaker=numbered_canvas(footer))
        pages = doc.page
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return PacketResult(target, pages, list(options.sections))
