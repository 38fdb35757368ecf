"""The packet's Equity section read back with pypdf: a bookmark that leads to its page,
each gap-closing aim's network and site gaps with the target and progress in words, and
no suppressed small cell anywhere in its text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pypdf import PdfReader

from nicdesk.core.gaps import format_gap
from nicdesk.report.packet import PacketOptions, build_packet
from nicdesk.store.schema import Observation
from nicdesk.store.workspace import Workspace

from ..equity_data import SWD, SWD_ON_TRACK, WEEKS, add_gap_aim, build


def _packet(tmp_path: Path, *, swd_aim: bool) -> tuple[PdfReader, dict, Path]:
    path = tmp_path / "equity.nicdesk"
    with Workspace.create(path) as ws:
        ids = build(ws)
        add_gap_aim(ws, ids, site=None)  # the network's aim
        if swd_aim:
            ws.ops.create("aim", network_id=ids["net"], statement="Close the disability gap",
                          measure_id=ids["m"], focus_group_id=ids["SWD"],
                          gap_kind="difference", baseline_gap=-0.2, target_gap=-0.05)
        meeting = ws.ops.create("meeting", network_id=ids["net"], title="Spring convening",
                                date=dt.date(2026, 3, 2)).id
        pdf = tmp_path / "packet.pdf"
        build_packet(ws, meeting, pdf, PacketOptions(sections=["aim", "equity", "notes"]))
    return PdfReader(str(pdf)), ids, pdf


def _equity_pages(reader: PdfReader) -> tuple[int, str]:
    top = next(item for item in reader.outline
               if not isinstance(item, list) and item.title == "Equity")
    first = reader.get_destination_page_number(top)
    texts = [p.extract_text() or "" for p in reader.pages]
    return first, "\n".join(texts[first:first + 3])


def test_the_section_shows_network_and_site_gaps_with_the_target(tmp_path: Path) -> None:
    reader, _ids, _pdf = _packet(tmp_path, swd_aim=False)
    first, text = _equity_pages(reader)
    page = reader.pages[first].extract_text()
    assert page.lstrip().startswith("Equity") or "\nEquity\n" in page
    assert "Halve the on-track gap for English learners" in text
    assert "Aim: gap from −24.0 points to −10.0 points by 30 Jun 2026; latest" in text
    assert "Network (sites pooled)" in text and "Alpha" in text and "Beta" in text
    flat = " ".join(text.split())
    assert "Gap between English learners and all students narrowed" in flat
    assert "Gap between English learners and all students widened" in flat
    # the axes mark the gap with "%": the section says those are percentage points
    assert "Charts: the gap in percentage points" in flat and "0 is no gap" in flat


def test_no_suppressed_cell_reaches_the_text(tmp_path: Path) -> None:
    reader, ids, _pdf = _packet(tmp_path, swd_aim=True)
    first, text = _equity_pages(reader)
    flat = " ".join(text.split())
    assert "Close the disability gap" in flat
    assert "Gap between Students with disabilities and all students: not shown" in flat
    # what the hidden cells would have given: the group's rate and its gap each week
    rate = SWD_ON_TRACK / SWD
    leaks = {f"{rate * 100:.1f}", f"{rate * 100:.0f}%", f"{rate:.3g}"}
    with Workspace.open(tmp_path / "equity.nicdesk") as ws, ws.read() as s:
        totals = [o.numerator / o.denominator for o in s.query(Observation).filter(
            Observation.group_id.is_(None), Observation.site_id.in_([ids["Alpha"], ids["Beta"]]))]
    assert len(totals) == 2 * len(WEEKS)
    leaks |= {format_gap(rate - t, "difference", True) for t in totals}
    whole = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    found = sorted(x for x in leaks if x in whole)
    assert not found, found
