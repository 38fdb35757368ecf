"""The network view's funnel and the meeting packet's funnel on the sample workspace:
over the same period (up to the meeting) they draw the same limits, put every site in
the same place and print the same caption — adjusted for over-dispersion, with φ, τ²
and the χ² test, from the one `core.variation.funnel_limits`."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import QDate

from nicdesk.core.variation import FunnelLimits, funnel_limits
from nicdesk.report.packet import PacketOptions, build_packet
from nicdesk.store.ops.meetings import find_meeting
from nicdesk.store.views.packet import read_packet
from nicdesk.store.workspace import Workspace

from .conftest import window_on


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_screen_and_packet_funnels_agree(qtbot, demo_file: Path, tmp_path: Path) -> None:
    with Workspace.open(demo_file) as ws:
        with ws.read() as s:
            meeting = find_meeting(s, "Winter convening")
            meeting_id, day = meeting.id, meeting.date
        data = read_packet(ws, meeting_id, {"funnel"})
        paper: dict[str, tuple[FunnelLimits, dict[str, str]]] = {}
        for md in data.measures:
            f = md.funnel.funnel if md.funnel else None
            if f is not None and f.mean is not None:
                paper[md.measure.id] = (funnel_limits(f), {r.site_id: r.name for r in f.rows})
        result = build_packet(ws, meeting_id, tmp_path / "funnels.pdf",
                              PacketOptions(sections=["funnel"]))
    assert len(paper) >= 2  # 9th graders on track and the advisory check-ins
    pdf = _words(" ".join(p.extract_text() or "" for p in PdfReader(str(result.path)).pages))

    w = window_on(qtbot, demo_file, "Great Lakes Focus Schools NIC/Network view")
    page = w.stack.currentWidget()
    page.tabs.setCurrentIndex(1)
    page.end.setDate(QDate(day.year, day.month, day.day))
    page.limit_period.setChecked(True)  # the packet's period: everything up to the meeting
    for measure_id, (limits, names) in paper.items():
        index = page.measure.findData(measure_id)
        assert index >= 0
        page.measure.setCurrentIndex(index)
        page.measure.activated.emit(index)
        screen = page.funnel.limits
        assert screen is not None
        assert screen.adjusted and limits.adjusted  # the sample's schools are overdispersed
        assert screen.flags == limits.flags
        assert screen.caption == limits.caption
        numbers = re.findall(r"\d[\d,.]*", limits.caption)
        assert {"2005", "95", "99.8"} <= set(numbers) and len(numbers) >= 8
        shown = _words(page.funnel.caption.text())
        assert all(n in shown for n in numbers)
        assert limits.caption in pdf  # the packet prints the same caption, word for word
        for site_id, flag in limits.flags.items():
            assert f"{names[site_id]}" in pdf and flag in pdf
    # the packet no longer flags a school the screen shows within
    assert "below 95 %" not in pdf and "above 95 %" not in pdf
