"""A packet from a workspace with absurd names still builds: a 5,000-character site name,
measure name, change idea title and meeting title (an imported or legacy file can hold
them; the editing operations may refuse them, so they are written with SQL) are
shortened in headings, bookmarks, table cells, chart titles and footers, and names that
look like markup are shown as typed."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader

from nicdesk.report.packet import build_packet
from nicdesk.report.sections.pdsa import write_pdsa_summary
from nicdesk.store.schema import Meeting
from nicdesk.store.workspace import Workspace

SITE, MEASURE, IDEA, TITLE = "S" * 5000, "M" * 5000, "I" * 5000, "T" * 5000
MARKUP = "<b>Eastside & </a> High</b>"  # the contents page and headings parse markup


def _outline(reader: PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


@pytest.fixture(scope="module")
def long_packet(demo_file: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("long")
    work = folder / "long.nicdesk"
    shutil.copyfile(demo_file, work)
    with sqlite3.connect(work) as con:
        for sql, args in (
                ("UPDATE sites SET name = ? WHERE name = 'Lincoln High School'", (SITE,)),
                ("UPDATE sites SET name = ? WHERE name = 'Eastside High School'", (MARKUP,)),
                ("UPDATE measures SET name = ? WHERE name = '9th graders on track'",
                 (MEASURE,)),
                ("UPDATE change_ideas SET title = ? WHERE title = 'Advisory check-ins'",
                 (IDEA,)),
                ("UPDATE meetings SET title = ? WHERE title = 'Winter convening'", (TITLE,))):
            assert con.execute(sql, args).rowcount >= 1, sql
    con.close()
    with Workspace.open(work) as ws:
        with ws.read() as s:
            meeting = s.query(Meeting).filter_by(title=TITLE).one().id
        result = build_packet(ws, meeting, folder / "long.pdf")
    with Workspace.open(demo_file) as ws:  # the same packet with ordinary names
        with ws.read() as s:
            winter = s.query(Meeting).filter_by(title="Winter convening").one().id
        ordinary = build_packet(ws, winter, folder / "ordinary.pdf")
    reader = PdfReader(str(result.path))
    text = "".join("".join((page.extract_text() or "").split()) for page in reader.pages)
    return result, ordinary, reader, text


def test_packet_builds_with_a_sane_page_count(long_packet) -> None:
    result, ordinary, reader, _text = long_packet
    assert result.path.read_bytes().startswith(b"%PDF")
    assert len(reader.pages) == result.pages
    # shortened names cost a few lines, not pages of S's
    assert ordinary.pages <= result.pages <= ordinary.pages + 3


def test_long_names_appear_shortened(long_packet) -> None:
    _result, _ordinary, reader, text = long_packet
    for letter in "SMT":
        runs = re.findall(f"{letter}{{20,}}", text)
        assert runs, letter  # each long name is in the packet …
        assert max(len(r) for r in runs) <= 119, letter  # … never more than 119 of it
        assert f"{letter * 60}…" in text
    outline = _outline(reader)
    assert "S" * 119 + "…" in outline and "M" * 119 + "…" in outline  # bookmarks
    assert max(len(t) for t in outline) <= 240


def test_idea_title_cut_and_markup_names_shown_as_typed(long_packet) -> None:
    _result, _ordinary, reader, text = long_packet
    assert "I" * 100 in text and "I" * 120 not in text  # PDSA summaries: "testing “II…”"
    assert "".join(MARKUP.split()) in text  # headings, cells and the contents page
    assert MARKUP in _outline(reader)


def test_pdsa_summary_with_long_title_and_write_up(tmp_path: Path) -> None:
    from nicdesk.store.views.packet import PdsaCycleInfo, PdsaQuestionInfo, PdsaSummary

    long = "W" * 5000
    cycle = PdsaCycleInfo(
        title=long + " <b>&", cycle_number=1, scale="", start_date=None, end_date=None,
        objective=long, logistics="", data_collection="", conditions="",
        do_what_happened=long, do_observations="", do_problems="", do_deviations="",
        study_learned="", study_surprises="", decision="adopt", act_next="")
    question = PdsaQuestionInfo(question=long, prediction="up", result=long)
    path = write_pdsa_summary(tmp_path / "p.pdf", PdsaSummary(cycle, (question,), IDEA, SITE))
    reader = PdfReader(str(path))
    text = "".join("".join((p.extract_text() or "").split()) for p in reader.pages)
    assert 2 <= len(reader.pages) <= 30
    assert "W" * 119 + "…" in text  # the title, shortened …
    assert text.count("W") > 3 * 5000  # … the write-up in full
