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

from reportlab.platypus import CondPageBreak, PageBreak

from ..store.schema import Meeting, Network
from ..store.views import network as nv
from ..store.workspace import Workspace
from .packet_layout import (
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
from .packet_sections import Sections

# what callers (CLI, packet dialog, tests) take from here
__all__ = ["RECENT_CYCLES", "SECTIONS", "PacketCancelled", "PacketOptions", "PacketResult",
           "build_packet", "packet_choices"]


def _story(b: Sections, sections: list[str]) -> list[Any]:
    makers = {"agenda": b.agenda, "aim": b.aim, "measures": b.measures_summary,
              "driver_diagram": b.driver_diagrams, "fishbone": b.fishbones,
              "run_charts": b.run_charts, "funnel": b.funnels, "pdsa": b.pdsa,
              "actions": b.actions, "notes": b.notes, "site_pages": b.site_pages}
    story = b.cover()
    for i, key in enumerate(sections):
        b._tick(i, len(sections), f"Gathering {SECTION_TITLES[key].lower()}")
        if i:
            story.append(PageBreak() if key in ("driver_diagram", "fishbone", "run_charts",
                                                "funnel", "pdsa", "site_pages", "measures")
                         else CondPageBreak(b.height * 0.3))
        story.append(Heading(SECTION_TITLES[key], 0, b.key()))
        story += makers[key]()
    return story


def packet_choices(ws: Workspace, meeting_id: str) -> tuple[list[tuple[str, str]],
                                                               list[tuple[str, str]]]:
    """The measures and sites a meeting's packet can show: (id, name) pairs."""
    with ws.read() as s:
        meeting = s.get(Meeting, meeting_id)
        b = Sections(s, meeting, 500, 700, None)
        sites = [x for x in nv.participating_sites(s, meeting.network_id) if x.id in b.scope]
        return ([(m.id, m.name) for m in b.measures], [(x.id, x.name) for x in sites])


def build_packet(ws: Workspace, meeting_id: str, out: str | os.PathLike[str],
                 options: PacketOptions | None = None,
                 progress: Progress | None = None) -> PacketResult:
    """Build the packet PDF; raises PacketCancelled (nothing written) if `progress`
    returns False."""
    options = (options or PacketOptions()).checked()
    target = Path(out)
    pagesize = PAPERS[options.paper]
    with ws.read() as s:
        meeting = s.get(Meeting, meeting_id)
        if meeting is None or meeting.deleted:
            from ..store.errors import NotFoundError

            raise NotFoundError("That meeting no longer exists.")
        network = s.get(Network, meeting.network_id)
        footer = f"{label(network.name, 60)} — {label(meeting.title, 60) or 'Meeting'}" + (
            f", {meeting.date}" if meeting.date else "")
        fd, tmp = tempfile.mkstemp(prefix=".packet-", suffix=".pdf.part",
                                   dir=target.parent if target.parent.exists() else None)
        os.close(fd)
        try:
            doc = PacketDoc(tmp, pagesize=pagesize,
                            title=f"{label(meeting.title)} — meeting packet",
                       footer=footer, progress=progress)
            builder = Sections(s, meeting, doc.width, doc.height, progress, options)
            story = _story(builder, options.sections)
            doc.multiBuild(story, canvasmaker=numbered_canvas(footer))
            pages = doc.page
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    return PacketResult(target, pages, list(options.sections))
