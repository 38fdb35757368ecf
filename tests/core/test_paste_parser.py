"""Blocks pasted from a spreadsheet (issue 19, item 6): a header row is recognised by its
words, never at the cost of a data row, and a block parses the same with or without one;
dates moved to the start of their period are described in one sentence."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.csvdata import (
    alignment_note,
    header_columns,
    parse_paste,
    split_paste,
)

TODAY = dt.date(2026, 1, 1)
LABELS = {"value": ["9th graders on track", "%"], "numerator": ["Numerator"]}

days = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2025, 12, 31))
formats = st.sampled_from(["%Y-%m-%d", "%m/%d/%Y", "%d %b %Y", "%Y/%m/%d"])
counts = st.integers(min_value=0, max_value=500)
notes = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=12).map(
    lambda t: t.replace("\t", " ").strip())


@st.composite
def proportion_rows(draw) -> list[list[str]]:
    dates = draw(st.lists(days, min_size=1, max_size=12, unique=True))
    fmt = draw(formats)
    rows = []
    for d in dates:
        den = draw(st.integers(min_value=1, max_value=500))
        num = draw(st.integers(min_value=0, max_value=den))
        rows.append([d.strftime(fmt), str(num), str(den), draw(notes)])
    return rows


HEADERS = st.sampled_from([
    ["Date", "Numerator", "Denominator", "Note"],
    ["Week ending", "Count", "Total", "Comments"],
    ["Period", "Met", "Students", "Notes"],
    ["week of", "num", "denom", "remark"],
])


def block_text(rows: list[list[str]]) -> str:
    return "\n".join("\t".join(r) for r in rows)


@given(proportion_rows(), HEADERS)
def test_a_header_never_drops_a_row_and_changes_nothing(rows, header) -> None:
    bare = split_paste(block_text(rows), LABELS)
    headed = split_paste(block_text([header, *rows]), LABELS)
    assert bare.header is None and len(bare.rows) == len(rows)
    assert headed.header is not None and headed.header_words
    assert headed.rows == bare.rows
    a = parse_paste(bare, proportion=True, today=TODAY)
    b = parse_paste(headed, proportion=True, today=TODAY)
    key = [(r.line, r.period, r.numerator, r.denominator, r.value, r.note, r.problems)
           for r in a.rows]
    assert key == [(r.line, r.period, r.numerator, r.denominator, r.value, r.note, r.problems)
                   for r in b.rows]
    assert len(a.rows) == len(rows) and a.ok


@given(st.lists(st.one_of(
    days.map(lambda d: d.isoformat()),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: f"{x:g}"),
    counts.map(lambda n: f"{n}%"),
    st.sampled_from(["Week", "Date", "Value", "On track", "%", "n", "Total", ""]),
), min_size=1, max_size=5))
def test_a_line_with_a_number_or_a_date_is_data(cells) -> None:
    has_data = any(c and c not in ("Week", "Date", "Value", "On track", "%", "n", "Total")
                   for c in cells)
    if has_data:
        assert header_columns(cells, LABELS) is None
        block = split_paste("\t".join(cells) + "\n" + "\t".join(cells), LABELS)
        assert len(block.rows) == 2


def test_the_measures_own_words_make_a_header() -> None:
    block = split_paste("Week ending\tOn track\n02/07/2025\t85%\n02/14/2025\t87%\n", LABELS)
    assert block.header == ("date", "value") and len(block.rows) == 2
    parsed = parse_paste(block, proportion=True, today=TODAY)
    assert [r.value for r in parsed.rows] == [0.85, 0.87]
    # "On track" beside a total is the count that met the definition
    block = split_paste("Week\tOn track\tEnrolled\n2025-02-07\t100\t120", {
        **LABELS, "denominator": ["Enrolled"]})
    parsed = parse_paste(block, proportion=True, today=TODAY)
    assert (parsed.rows[0].numerator, parsed.rows[0].denominator) == (100, 120)


def test_a_header_of_unknown_words_is_read_by_position() -> None:
    block = split_paste("Semaine\tÉlèves\tTotal\n2025-02-03\t5\t10")
    assert block.header is not None and not block.header_words and block.dated
    parsed = parse_paste(block, proportion=True, today=TODAY)
    assert parsed.ok and parsed.rows[0].value == 0.5
    # a column of notes is data, even when one reads like a word
    assert split_paste("Assembly\nSnow day").header is None


def test_alignment_notes() -> None:
    fri = [dt.date(2025, 2, 7) + dt.timedelta(weeks=k) for k in range(3)]
    note = alignment_note([(d, d - dt.timedelta(days=4)) for d in fri], "weekly")
    assert note.startswith("The dates were week-ending Fridays; each is stored as the week "
                           "starting the Monday before (Fri 7 Feb 2025 → Mon 3 Feb 2025)")
    one = alignment_note([(fri[0], dt.date(2025, 2, 3))], "weekly")
    assert "week starting Monday 3 Feb 2025" in one
    assert alignment_note([(dt.date(2025, 1, 31), dt.date(2025, 1, 1))], "monthly") == (
        "Fri 31 Jan 2025 is stored as the start of its month, Wed 1 Jan 2025.")
    assert "2 dates were moved to the start of their month" in alignment_note(
        [(dt.date(2025, 1, 31), dt.date(2025, 1, 1)),
         (dt.date(2025, 2, 3), dt.date(2025, 2, 1))], "monthly")
    assert alignment_note([], "weekly") == ""
