"""The year-in-review report read back with pypdf: its sections are the outline, each
bookmark leads to the page its section starts on, footers say "page X of Y"; only the
period's cycles are counted; bad input on the command line is refused and writes
nothing."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from nicdesk.cli.parser import main
from nicdesk.report.review import build_review
from nicdesk.report.sections.review import REVIEW_SECTIONS, sections_of
from nicdesk.services.workspaces import named_records
from nicdesk.store.schema import GroupDimension, PdsaCycle, Site
from nicdesk.store.views.review import ReviewRangeError, read_review
from nicdesk.store.workspace import Workspace

D = dt.date
YEAR = (D(2024, 8, 1), D(2025, 7, 31))


def _net(ws: Workspace) -> str:
    return next(n.id for n in named_records(ws, "network") if n.name.startswith("Great"))


@pytest.fixture(scope="module")
def review(demo_file: Path, tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("review") / "year.pdf"
    with Workspace.open(demo_file) as ws:
        result = build_review(ws, _net(ws), *YEAR, path)
    return result, PdfReader(path)


def test_sections_are_bookmarks_leading_to_their_pages(review) -> None:
    result, reader = review
    assert len(reader.pages) == result.pages >= 6
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert [i.title for i in top] == [title for _k, title, _m in sections_of(result.data)]
    assert [i.title for i in top] == result.sections
    texts = [p.extract_text() or "" for p in reader.pages]
    pages = [reader.get_destination_page_number(i) for i in top]
    assert pages == sorted(pages) and pages[0] >= 2  # after the cover and contents
    for item, page in zip(top, pages, strict=True):
        assert item.title in texts[page].replace("\n", " "), item.title
    nested = [x for item in reader.outline if isinstance(item, list) for x in item]
    measure = next(x for x in nested if x.title == "9th graders on track")
    assert "9th graders on track" in texts[reader.get_destination_page_number(measure)]
    for number, text in enumerate(texts, start=1):
        assert f"page {number} of {len(texts)}" in text
        assert "Great Lakes Focus Schools NIC — year in review 2024-08-01 to 2025-07-31" in text
    assert "Contents" in texts[1] and "Lessons from Study and Act" in texts[1]
    cover = texts[0].replace("\n", " ")
    assert "(s)" not in cover and " on the network's measures; " in cover


def test_gaps_only_when_the_network_has_student_groups(review, demo_copy: Path,
                                                       tmp_path: Path) -> None:
    result, _reader = review
    keys = [k for k, _t, _m in REVIEW_SECTIONS]
    assert keys[:2] == ["aim", "gaps"]
    with Workspace.open(demo_copy) as ws:
        net = _net(ws)
        with ws.read() as s:
            dims = [d.id for d in s.query(GroupDimension).filter_by(network_id=net,
                                                                    deleted=False)]
        for dim in dims:
            ws.ops.delete("group_dimension", dim)
        plain = read_review(ws, net, *YEAR)
    assert not plain.has_groups and not plain.equity
    assert "Gaps between student groups" not in [t for _k, t, _m in sections_of(plain)]
    if result.data.has_groups:  # the sample network defines groups (issue #21)
        assert "Gaps between student groups" in result.sections


def test_content_of_each_section(review) -> None:
    result, reader = review
    text = " ".join((p.extract_text() or "") for p in reader.pages).replace("\n", " ")
    assert "Bright spot: Lincoln High School" in text
    assert "Advisory check-ins" in text  # the spread table and the lessons
    assert "Intent to participate" in text and "Assessment Scale for Collaboratives" in text
    assert "Learned:" in text and "Next:" in text
    assert "Launch convening" in text and "Mid-year data review" in text
    assert "Sustainability plan agreed" not in text  # planned after the year
    data = result.data
    assert data.cycles == sum(c.total for c in data.cycle_counts) > 0


def _cycles_in(ws: Workspace, start: dt.date, end: dt.date) -> dict[str, int]:
    return {c.site: c.total for c in read_review(ws, _net(ws), start, end).cycle_counts}


def test_only_cycles_of_the_period_are_counted(demo_copy: Path) -> None:
    with Workspace.open(demo_copy) as ws:
        before = _cycles_in(ws, *YEAR)
        with ws.read() as s:
            lincoln = s.query(Site).filter_by(name="Lincoln High School").one().id
            dated = s.query(PdsaCycle).filter_by(site_id=lincoln).count()
        outside = ws.ops.create("pdsa_cycle", site_id=lincoln, title="Outside the year",
                                start_date=D(2025, 8, 1), decision="adopt",
                                act_next="Not in this report").id
        assert _cycles_in(ws, *YEAR) == before
        ws.ops.update("pdsa_cycle", outside, start_date=D(2025, 7, 31))  # its last day
        after = _cycles_in(ws, *YEAR)
        assert after["Lincoln High School"] == before["Lincoln High School"] + 1
        ws.ops.update("pdsa_cycle", outside, start_date=None, end_date=None)
        data = read_review(ws, _net(ws), *YEAR)
        assert data.undated_cycles == 1
        assert {c.site: c.total for c in data.cycle_counts} == before
        assert dated >= before["Lincoln High School"]
        lessons = [x.next_step for x in data.lessons]
        assert "Not in this report" not in lessons


def test_bad_periods_are_refused_and_write_nothing(demo_file: Path, tmp_path: Path) -> None:
    with Workspace.open(demo_file) as ws:
        with pytest.raises(ReviewRangeError, match="ends .* before it starts"):
            build_review(ws, _net(ws), D(2025, 7, 31), D(2024, 8, 1), tmp_path / "a.pdf")
        with pytest.raises(ReviewRangeError, match="Nothing was recorded"):
            build_review(ws, _net(ws), D(2010, 1, 1), D(2010, 12, 31), tmp_path / "b.pdf")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("extra", "message"), [
    (["--from", "2024-13-01", "--to", "2025-07-31", "--network", "Great"],
     "'2024-13-01' is not a date: write it as YYYY-MM-DD"),
    (["--from", "2025-07-31", "--to", "2024-08-01", "--network", "Great"],
     "before it starts"),
    (["--from", "2010-01-01", "--to", "2010-12-31", "--network", "Great"],
     "Nothing was recorded for Great Lakes Focus Schools NIC"),
    (["--from", "2024-08-01", "--to", "2025-07-31"], "several networks: name one with --network"),
    (["--from", "2024-08-01", "--to", "2025-07-31", "--network", "Great"],
     "The report is a PDF: name the file with .pdf (not r.txt)."),
    (["--from", "2024-08-01", "--to", "2025-07-31", "--network", "Atlantis"],
     "No network matches 'Atlantis'"),
])
def test_cli_bad_input(demo_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                       extra: list[str], message: str) -> None:
    out = tmp_path / ("r.txt" if "name the file with .pdf" in message else "r.pdf")
    with pytest.raises(SystemExit) if "not a date" in message else nullcontext():
        assert main(["review", str(demo_file), "--out", str(out), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_cli_writes_the_report(demo_file: Path, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.pdf"
    assert main(["review", str(demo_file), "--from", "2025-08-01", "--to", "2026-06-30",
                 "--network", "North", "--out", str(out), "--paper", "a4"]) == 0
    assert "Year in review of North Star Regional Centers NIC" in capsys.readouterr().out
    reader = PdfReader(out)
    assert abs(float(reader.pages[0].mediabox.width) - 595.3) < 1  # A4



@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dates(D(2024, 6, 1), D(2026, 8, 1)), st.integers(0, 500))
def test_cycle_counts_match_the_cycles_started_in_any_period(demo_file: Path,
                                                            start: dt.date,
                                                            days: int) -> None:
    end = start + dt.timedelta(days=days)
    with Workspace.open(demo_file) as ws:
        net = _net(ws)
        with ws.read() as s:
            sites = {x.id: x.name for x in s.query(Site).filter_by(network_id=net)}
            expected: dict[str, int] = {}
            for c in s.query(PdsaCycle).filter_by(deleted=False):
                day = c.start_date or c.end_date
                if c.site_id in sites and day is not None and start <= day <= end:
                    expected[sites[c.site_id]] = expected.get(sites[c.site_id], 0) + 1
        data = read_review(ws, net, start, end)
    assert {c.site: c.total for c in data.cycle_counts} == expected
    assert all(start <= x.day <= end for x in data.lessons)
    assert all(start <= e.date <= end for r in data.progress.rows for e in r.entries[1:])


def test_a_section_starting_mid_page_stands_apart_from_the_text_above(review) -> None:
    """A section that does not start a page of its own (spread, cycle counts, timeline)
    leaves a clear gap above its heading: the line before it (the scale's source, the
    last lesson) must not read as part of the new section."""
    result, reader = review
    top = [item for item in reader.outline if not isinstance(item, list)]
    checked = 0
    for item in top:
        number = reader.get_destination_page_number(item)
        lines: list[tuple[float, str]] = []

        def keep(text, cm, tm, _font, _size, lines=lines) -> None:
            if text.strip():  # the baseline's height on the page (text and page matrix)
                lines.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text.strip()))

        reader.pages[number].extract_text(visitor_text=keep)
        heading = max((y for y, t in lines if t.startswith(item.title)), default=None)
        assert heading is not None, item.title
        above = [y for y, _t in lines if y > heading + 1]
        if above:
            checked += 1
            assert min(above) - heading >= 30, f"{item.title}: {min(above) - heading:.0f} pt"
    assert checked, "no section starts mid-page in this report"
