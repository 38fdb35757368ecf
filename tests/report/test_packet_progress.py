"""The meeting packet's "Progress scores" and "Network timeline" sections: charts and
tables up to the meeting's date, bookmarks that lead to their pages."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from nicdesk.report.packet import PacketOptions, build_packet
from nicdesk.store.ops.meetings import find_meeting
from nicdesk.store.workspace import Workspace


def test_progress_and_timeline_sections(demo_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "p.pdf"
    with Workspace.open(demo_file) as ws:
        with ws.read() as s:
            meeting = find_meeting(s, "Winter convening").id  # 2026-02-12
        result = build_packet(ws, meeting, out, PacketOptions(sections=["progress",
                                                                         "timeline"]))
    reader = PdfReader(out)
    top = [i for i in reader.outline if not isinstance(i, list)]
    assert [i.title for i in top] == ["Progress scores", "Network timeline"]
    texts = [(p.extract_text() or "").replace("\n", " ") for p in reader.pages]
    for item in top:
        assert item.title in texts[reader.get_destination_page_number(item)]
    text = " ".join(texts)
    # the scores standing on the meeting's day: Lincoln's April 4.5 came later
    assert "4.0 Significant improvement (2026-01-19)" in text
    assert "2026-04-20" not in text
    assert "from 1.0 to 4.0" in text  # Lincoln's climb, in words
    assert "Source: IHI Breakthrough Series" in text
    assert "Launch convening" in text and "Sustainability plan agreed" in text
    assert "○ planned" in text
    assert result.pages == len(reader.pages)
