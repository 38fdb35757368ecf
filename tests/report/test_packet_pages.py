"""Meeting packets read page by page (issue 19, item 10): bookmarks and contents lines
open their own pages; diagrams on landscape pages with no text under 8 pt; a measure
whose every value is suppressed prints one line; a PDSA title printed once."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from nicdesk.report.packet import build_packet
from nicdesk.store.ops.meetings import find_meeting
from nicdesk.store.workspace import Workspace


@pytest.fixture(scope="module")
def winter(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> PdfReader:
    path = tmp_path_factory.mktemp("pages") / "winter.pdf"
    with Workspace.open(demo_file) as ws:
        with ws.read() as s:
            meeting = find_meeting(s, "Winter convening")
        build_packet(ws, meeting.id, path)
    return PdfReader(str(path))


def _flat(outline: list) -> list:
    return [x for item in outline for x in (_flat(item) if isinstance(item, list) else [item])]


def _texts(reader: PdfReader) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in reader.pages]


def test_each_bookmark_opens_the_page_of_its_heading(winter: PdfReader) -> None:
    texts = _texts(winter)
    items = _flat(winter.outline)
    assert len(items) > 15
    targets = [winter.get_destination_page_number(item) for item in items]
    assert len(set(targets)) > 8  # not all page 1
    last = 2  # after the cover and the contents
    for item, page in zip(items, targets, strict=True):
        title = " ".join(item.title.split())
        expected = next(i for i in range(last, len(texts)) if title in texts[i])
        assert page == expected, (item.title, page, expected)
        last = expected


def test_contents_lines_link_to_those_pages(winter: PdfReader) -> None:
    targets = {winter.get_destination_page_number(item) for item in _flat(winter.outline)}
    links = []
    for annot in winter.pages[1].get("/Annots") or []:
        annot = annot.get_object()
        if annot.get("/Subtype") != "/Link":
            continue
        dest = annot.get("/Dest") or annot["/A"].get("/D")
        if isinstance(dest, str) or hasattr(dest, "encode"):
            dest = winter.named_destinations[str(dest)]
            links.append(winter.get_destination_page_number(dest))
        else:
            links.append(winter.get_page_number(dest[0].get_object()))
    assert len(targets) > 8 and len(links) >= len(targets)  # not all on page 1
    assert set(links) == targets


def _font_sizes(page) -> list[float]:
    """The size of every piece of text on a page as printed: the Tf size times the
    text and transformation matrices' vertical scale."""
    sizes: list[float] = []

    def visit(text, cm, tm, _font, size) -> None:
        if text.strip():
            a, b, c, d = (tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                          tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
            sizes.append(size * abs(a * d - b * c) ** 0.5)

    page.extract_text(visitor_text=visit)
    return sizes


def test_diagram_pages_are_landscape_with_text_of_at_least_8_points(winter) -> None:
    texts = _texts(winter)
    pages = [i for i, t in enumerate(texts)
             if "Theory of improvement: 9th grade on track" in t and "Primary drivers" in t
             or "Why do 9th graders fall off track?" in t and "Part " in t]
    assert len(pages) >= 2
    driver = pages[0]
    assert all(w in texts[driver] for w in ("Aim", "Primary drivers", "Secondary drivers",
                                            "Change ideas"))
    for i in pages:
        box = winter.pages[i].mediabox
        assert float(box.width) > float(box.height), i  # landscape
        sizes = _font_sizes(winter.pages[i])
        assert sizes and min(sizes) >= 8 - 0.01, (i, min(sizes))
    # the diagram fills its page: its nodes' text is set larger than the minimum
    assert max(_font_sizes(winter.pages[driver])) >= 9


def test_a_measure_whose_values_are_all_suppressed_prints_one_line(winter) -> None:
    texts = _texts(winter)
    text = " ".join(texts)
    heading = text.index("Office discipline referrals (9th grade) All values suppressed")
    assert "All values suppressed: fewer than 10 at every site" in text[heading:]
    # no empty chart per site ("suppressed (n < 10)" in five boxes)
    assert max(t.count("suppressed (n < 10)") for t in texts) <= 1


def test_a_numbered_pdsa_title_is_printed_once(winter) -> None:
    text = " ".join(_texts(winter))
    assert "PDSA: Advisory check-ins, cycle 2" in text
    assert "cycle 2 (cycle 2)" not in text and "cycle 1 (cycle 1)" not in text


def test_site_pages_chart_every_measure_with_ramps_and_decisions(winter) -> None:
    texts = _texts(winter)
    site = next(t for t in texts if t.startswith("Eastside High School")
                or "Eastside High School Aim:" in t)
    for words in ("9th graders on track", "Weekly advisory check-ins",
                  "Office discipline referrals (9th grade): all values suppressed",
                  "Current ramps", "Recent decisions"):
        assert words in site, words
