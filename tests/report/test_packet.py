"""Meeting packets read back with pypdf: pages, outline, footers, vector-only charts,
embedded fonts, text, Unicode names, suppression, cancellation."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from nicdesk.report.packet import (
    SECTIONS,
    PacketCancelled,
    PacketOptions,
    build_packet,
)  # fmt: skip
from nicdesk.store.ops.meetings import actions_for, find_meeting
from nicdesk.store.schema import AgendaItem, Site
from nicdesk.store.workspace import Workspace


@pytest.fixture(scope="module")
def sample_packet(demo_file: Path, tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("packet") / "winter.pdf"
    with Workspace.open(demo_file) as ws:
        with ws.read() as s:
            meeting = find_meeting(s, "Winter convening")
            agenda = [a.title for a in s.query(AgendaItem).filter_by(meeting_id=meeting.id)]
            schools = [x.name for x in s.query(Site).filter_by(kind="school")
                       if x.network_id == meeting.network_id]
        result = build_packet(ws, meeting.id, path)
    return result, PdfReader(str(path)), agenda, schools


def _text(reader: PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in reader.pages]


def test_pages_outline_and_footers(sample_packet) -> None:
    result, reader, _agenda, _schools = sample_packet
    assert len(reader.pages) == result.pages >= 15
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top == [title for _key, title in SECTIONS]
    nested = [x for item in reader.outline if isinstance(item, list) for x in item]
    assert {"Theory of improvement: 9th grade on track", "Lincoln High School",
            "9th graders on track"} <= {x.title for x in nested}
    texts = _text(reader)
    for number, text in enumerate(texts, start=1):
        assert f"page {number} of {len(texts)}" in text
        assert "Great Lakes Focus Schools NIC — Winter convening" in text
    assert reader.page_labels[0] == "Cover" and reader.page_labels[1] == "2"
    assert "Contents" in texts[1] and "Site one-pagers" in texts[1]


def test_vector_charts_and_embedded_fonts(sample_packet) -> None:
    _result, reader, _agenda, _schools = sample_packet
    fonts = set()
    for page in reader.pages:
        assert not page.images  # charts and diagrams are vector drawings
        resources = page["/Resources"]
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            face = descendants[0].get_object() if descendants else font
            descriptor = face["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]))
    assert fonts and all("Helvetica" not in f for f in fonts)


def test_text_names_every_site_and_agenda_item(sample_packet) -> None:
    _result, reader, agenda, schools = sample_packet
    text = " ".join(" ".join(t.split()) for t in _text(reader))
    for title in agenda:
        assert title in text
    for school in schools:
        assert school in text
    assert "Interview Pine Valley advisors" in text  # carried over from the fall convening
    assert "carried over" in text
    assert "Send the check-in script" not in text  # done at the fall convening


def test_options_paper_and_sections(demo_file: Path, tmp_path: Path) -> None:
    with Workspace.open(demo_file) as ws:
        with ws.read() as s:
            mid = find_meeting(s, "Winter").id
        result = build_packet(ws, mid, tmp_path / "a4.pdf",
                              PacketOptions(sections=["actions", "agenda"], paper="a4"))
    reader = PdfReader(str(result.path))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert [i.title for i in reader.outline] == ["Action items", "Agenda"]
    with pytest.raises(ValueError, match="Unknown section"):
        PacketOptions(sections=["agendas"]).checked()


def _small_network(ws: Workspace) -> str:
    with ws.ops.batch("build") as t:
        net = t.create("network", name="Ngā Kura NIC", suppression_threshold=10)
        big = t.create("site", network_id=net, name="Nguyễn Trãi High")
        tiny = t.create("site", network_id=net, name="Şükrü Saracoğlu Academy")
        rtl = t.create("site", network_id=net, name="مدرسة النور")
        m = t.create("measure", network_id=net, name="On track", value_type="proportion",
                     unit="%", chart_kind="p", target=0.8)
        for k in range(12):
            period = dt.date(2025, 1 + k, 1)
            t.create("observation", measure_id=m, site_id=big, period=period,
                     numerator=60 + k, denominator=100)
            t.create("observation", measure_id=m, site_id=rtl, period=period,
                     numerator=50, denominator=90)
            t.create("observation", measure_id=m, site_id=tiny, period=period,
                     numerator=3, denominator=7)
        meeting = t.create("meeting", network_id=net, title="Hui — kōrero", date=dt.date(
            2026, 1, 20), start_time="10:00", attendees=[
            "Şükrü Yılmaz", "Nguyễn Văn An", "Ngā Tamariki", "سارا أحمد",
            "Zoe\u0308 Combining"])
        t.create("agenda_item", meeting_id=meeting, title="Whakatau — welcome", owner="Ngā "
                 "Tamariki", minutes=10)
        t.create("agenda_item", meeting_id=meeting, title="נתונים: data review " + "long " * 60,
                 owner="Nguyễn Văn An", minutes=20)
        for i in range(70):
            t.create("action_item", meeting_id=meeting, text=f"Action number {i} " + "x" * i,
                     owner="Şükrü Yılmaz", due=dt.date(2026, 2, 1))
    return meeting


def test_unicode_names_suppression_and_repeated_headers(workspace: Workspace,
                                                        tmp_path: Path) -> None:
    meeting = _small_network(workspace)
    result = build_packet(workspace, meeting, tmp_path / "u.pdf")
    reader = PdfReader(str(result.path))
    texts = _text(reader)
    text = " ".join(texts)
    for name in ("Şükrü Yılmaz", "Nguyễn Văn An", "Ngā Tamariki", "Nguyễn Trãi High",
                 "Şükrü Saracoğlu Academy", "Hui — kōrero"):
        assert name in text, name
    assert "suppressed (n < 10)" in text
    assert "42.9" not in text and "3/7" not in text  # the tiny school's 3 of 7
    action_pages = [t for t in texts if "Action number" in t]
    assert len(action_pages) >= 2
    assert all("Agreed at" in t for t in action_pages)  # the header repeats


def test_empty_meeting_says_nothing_recorded(workspace: Workspace, tmp_path: Path) -> None:
    net = workspace.ops.create("network", name="New NIC").id
    mid = workspace.ops.create("meeting", network_id=net, title="First meeting").id
    result = build_packet(workspace, mid, tmp_path / "e.pdf")
    text = " ".join(_text(PdfReader(str(result.path))))
    assert text.count("Nothing recorded yet") >= 8
    with workspace.read() as s:
        assert actions_for(s, find_meeting(s, "First")) == []


def test_cancelled_build_leaves_no_file(demo_file: Path, tmp_path: Path) -> None:
    work = tmp_path / "w.nicdesk"
    shutil.copyfile(demo_file, work)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    calls = []

    def progress(done: int, total: int, what: str) -> bool:
        calls.append(what)
        return len(calls) < 40  # cancel part-way through the layout

    with Workspace.open(work) as ws:
        with ws.read() as s:
            mid = find_meeting(s, "Winter").id
        with pytest.raises(PacketCancelled):
            build_packet(ws, mid, out_dir / "p.pdf", progress=progress)
    assert "Laying out pages" in calls
    assert list(out_dir.iterdir()) == []


def test_chosen_measures_sites_and_cycles(demo_file: Path, tmp_path: Path) -> None:
    from nicdesk.report.packet import packet_choices

    with Workspace.open(demo_file) as ws:
        with ws.read() as s:
            mid = find_meeting(s, "Winter").id
        measures, sites = packet_choices(ws, mid)
        assert [m[1] for m in measures][0] == "9th graders on track"
        lincoln = next(i for i, n in sites if n == "Lincoln High School")
        eastside = next(i for i, n in sites if n == "Eastside High School")
        result = build_packet(ws, mid, tmp_path / "few.pdf", PacketOptions(
            sections=["run_charts", "pdsa", "site_pages"], measures=[measures[0][0]],
            sites=[lincoln, eastside], recent_cycles=2))
    reader = PdfReader(str(result.path))
    nested = [x.title for item in reader.outline if isinstance(item, list) for x in item]
    assert nested == ["9th graders on track", "Eastside High School", "Lincoln High School"]
    text = " ".join(_text(reader))
    assert "Pine Valley High School" not in text and "Weekly advisory" not in text
    assert "The 2 most recent cycles" in text
