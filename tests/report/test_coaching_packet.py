"""Coaching feedback on paper: the cycle's one-page summary and the site's packet carry
it (read back with pypdf); a cycle without feedback prints no such heading."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from nicdesk.report.packet import PacketOptions, build_packet
from nicdesk.services.reports import pdsa_summary
from nicdesk.store.ops.discussion import give_feedback
from nicdesk.store.ops.meetings import find_meeting
from nicdesk.store.schema import Member, PdsaCycle, Site
from nicdesk.store.workspace import Workspace


def _text(path: Path) -> str:
    return " ".join(" ".join((p.extract_text() or "").split())
                    for p in PdfReader(str(path)).pages)


def test_cycle_summary_prints_the_feedback(demo_file: Path, tmp_path: Path) -> None:
    with Workspace.open(demo_file) as ws, ws.read() as s:
        harbor = s.scalars(select(Site.id).where(Site.name == "Harbor Early College")).one()
        given, bare = (s.scalars(select(PdsaCycle.id).where(
            PdsaCycle.site_id == harbor, PdsaCycle.title == title)).one()
            for title in ("Advisory check-ins, cycle 1", "Missing-work Wednesdays, cycle 1"))
    with Workspace.open(demo_file) as ws:
        text = _text(pdsa_summary(ws, given, tmp_path / "given.pdf"))
        plain = _text(pdsa_summary(ws, bare, tmp_path / "bare.pdf"))
    assert "Coaching feedback" in text
    assert "Priya Raman (Lakeshore ISD) · 2025-09-24" in text
    assert "What was strong: A clear prediction for every question" in text
    assert "Next step: Try three advisors for two weeks." in text
    assert "Coaching feedback" not in plain


def test_sites_packet_shows_feedback_given_on_its_latest_cycle(demo_file: Path,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "demo.nicdesk"
    shutil.copyfile(demo_file, path)
    with Workspace.open(path) as ws:
        with ws.read() as s:
            meeting = find_meeting(s, "Winter convening")
            lincoln = s.scalars(select(Site.id).where(Site.name == "Lincoln High School")).one()
            latest = max((c for c in s.scalars(select(PdsaCycle).where(
                PdsaCycle.site_id == lincoln)) if c.start_date and c.start_date <= meeting.date),
                key=lambda c: c.start_date)
            latest_id, latest_title = latest.id, latest.title
            mid = meeting.id
            coach = s.scalars(select(Member.id).where(Member.name == "Tom Haverkamp")).one()
        options = PacketOptions(sections=["pdsa"], sites=[lincoln], recent_cycles=1)
        before = _text(build_packet(ws, mid, tmp_path / "before.pdf", options).path)
        give_feedback(ws, latest_id, author_id=coach, given=dt.date(2026, 2, 1),
                      strengths="Huddles started on time every week.",
                      question="Which students moved off the list?")
        after = _text(build_packet(ws, mid, tmp_path / "after.pdf", options).path)
    assert latest_title.split(",")[0] in before and "Coaching feedback" not in before
    assert "Coaching feedback" in after
    assert "Tom Haverkamp (Riverbend ISD) · 2026-02-01" in after
    assert "What was strong: Huddles started on time every week." in after
    assert "A question: Which students moved off the list?" in after
