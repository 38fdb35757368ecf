"""The packet's "Spread of change ideas" section read back with pypdf: its bookmarks (one
per tested idea, leading to its page), the sentence and table as stored on the meeting's
day (a status set after the meeting is not in it), vector charts, and a site meeting's
scope."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from nicdesk.report.packet import PacketOptions, build_packet
from nicdesk.store.ops.meetings import find_meeting
from nicdesk.store.workspace import Workspace


def _packet(demo_file: Path, out: Path, meeting: str) -> PdfReader:
    with Workspace.open(demo_file) as ws:
        with ws.read() as s:
            meeting_id = find_meeting(s, meeting).id
        build_packet(ws, meeting_id, out, PacketOptions(sections=["spread"]))
    return PdfReader(str(out))


@pytest.fixture(scope="module")
def winter(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> PdfReader:
    return _packet(demo_file, tmp_path_factory.mktemp("spread") / "winter.pdf",
                   "Winter convening")


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def test_bookmarks_lead_to_each_tested_idea(winter: PdfReader) -> None:
    top = [x for x in winter.outline if not isinstance(x, list)]
    assert [x.title for x in top] == ["Spread of change ideas"]
    nested = [x for item in winter.outline if isinstance(item, list) for x in item]
    # as known on 12 Feb 2026: the ideas some school had tested, most adopted first
    assert [x.title for x in nested] == ["Advisory check-ins", "Grade-check huddles",
                                         "Positive phone calls home",
                                         "Missing-work Wednesdays"]
    for item in nested:
        page = winter.get_destination_page_number(item)
        assert item.title in (winter.pages[page].extract_text() or "")


def test_the_sentences_and_table_say_what_was_stored_then(winter: PdfReader) -> None:
    text = " ".join(_text(winter).split())
    assert "Advisory check-ins: adopted by 3 of 5 schools by October 2025." in text
    assert "from 1 January 2025 to 12 February 2026" in text
    assert "Positive phone calls home: adopted by 1 of 5 schools by November 2025" in text
    assert "the site's own record" in text  # Cedar Creek's calls home, its own word
    # Cedar Creek's check-in trial was set on 2 March 2026, after the meeting
    assert "first PDSA form is being written" not in text
    assert "Missing-work Wednesdays: abandoned at 1 of 5 schools" in text
    for page in winter.pages:  # charts are vector drawings, never pictures
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        assert not any(xobjects[k].get("/Subtype") == "/Image" for k in xobjects)


def test_a_site_meeting_shows_the_sites_in_its_scope(demo_file: Path, tmp_path: Path) -> None:
    reader = _packet(demo_file, tmp_path / "hub.pdf", "Hub call")
    text = " ".join(_text(reader).split())
    assert "Monthly data meeting protocol: adopted by 2 of 6 regional centres by " \
        "February 2025" in text
    assert "Central Regional Centre adapting" in text
