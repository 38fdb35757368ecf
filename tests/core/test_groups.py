"""Rules of student groups (core.groups): the usual dimensions, how a file's cell names a
group, and each site's group shares for a school year."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.csvdata import parse_csv
from nicdesk.core.groups import (
    USUAL_GROUPS,
    Enrolment,
    GroupChoice,
    group_shares,
    match_group,
    missing_usual,
    school_year_of,
)

GROUPS = [GroupChoice(f"g{i}", name, f"d{d}", dim)
          for d, (dim, _desc, names) in enumerate(USUAL_GROUPS)
          for i, name in enumerate(names, start=10 * d)]


def _respell(draw: st.DrawFn, text: str) -> str:
    """The same name as a person might type it: any capitals, extra spaces."""
    cased = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in text)
    pad = draw(st.sampled_from(["", " ", "  "]))
    return pad + "  ".join(cased.split(" ")) + pad if draw(st.booleans()) else cased


@given(st.data())
def test_a_group_is_found_however_its_name_is_cased_or_spaced(data) -> None:
    group = data.draw(st.sampled_from(GROUPS))
    typed = _respell(data.draw, group.name)
    assert match_group(typed, GROUPS) == (group, "")
    assert match_group(f"{_respell(data.draw, group.dimension)}:{typed}", GROUPS)[0] == group


@given(st.sampled_from(["", "all", "All Students", " TOTAL "]))
def test_all_students_is_no_group(text) -> None:
    assert match_group(text, GROUPS) == (None, "")


def test_a_name_two_dimensions_share_needs_its_dimension() -> None:
    twin = GroupChoice("t", "Female", "p", "Programme")
    group, problem = match_group("female", [*GROUPS, twin])
    assert group is None and "write it as “Gender: Female”" in problem
    assert match_group("programme: FEMALE", [*GROUPS, twin])[0] == twin


def test_unknown_and_foreign_groups_say_what_to_do() -> None:
    assert "did you mean English learners?" in match_group("English learner", GROUPS)[1]
    elsewhere = [GroupChoice("x", "Robotics club", "dx", "Programme", "other")]
    assert "group of another network" in match_group("robotics CLUB", GROUPS, elsewhere)[1]
    assert "has no student groups" in match_group("English learners", [])[1]


def test_usual_dimensions_missing_compare_names_loosely() -> None:
    assert [d[0] for d in missing_usual([" gender", "ENGLISH  learners"])] == [
        "Race/ethnicity", "Students with disabilities", "Economically disadvantaged"]
    assert missing_usual(d[0] for d in USUAL_GROUPS) == []


@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from(["2024-25", "2025-26"]),
                          st.sampled_from([None, "el", "swd"]), st.integers(0, 2000))))
def test_shares_are_shares_and_need_a_total(rows) -> None:
    enrolments = [Enrolment(*r) for r in rows]
    shares = group_shares(enrolments, "2025-26")
    totals = {e.site_id: e.students for e in enrolments
              if e.school_year == "2025-26" and e.group_id is None}
    assert set(shares) == {s for s, n in totals.items() if n > 0}
    for site, by_group in shares.items():
        for group, share in by_group.items():
            assert 0 <= share <= 1
            last = [e.students for e in enrolments if (e.site_id, e.school_year, e.group_id)
                    == (site, "2025-26", group)][-1]
            assert share == min(1.0, last / totals[site])


def test_school_year_names() -> None:
    assert school_year_of(2025) == "2025-26" and school_year_of(2099) == "2099-00"


def test_a_group_column_lets_one_period_appear_once_per_group() -> None:
    text = ("date,group,value\n2025-09-01,,50%\n2025-09-01,English learners,40%\n"
            "2025-09-01,ENGLISH LEARNERS,41%\n")
    parsed = parse_csv(text, proportion=True, today=dt.date(2026, 6, 30))
    assert [r.group for r in parsed.rows] == ["", "English learners", "ENGLISH LEARNERS"]
    assert [r.ok for r in parsed.rows] == [True, True, False]
    assert parsed.rows[2].problems == [
        "2025-09-01 appears twice in the file for ENGLISH LEARNERS (also line 3)"]


@given(st.lists(st.tuples(st.integers(1, 4), st.sampled_from(
    ["", "English learners", "english LEARNERS ", "Female", "Gender: Female"])),
    min_size=1, max_size=12))
def test_a_row_is_refused_exactly_when_its_period_and_group_came_before(rows) -> None:
    """The reader compares groups as written (case and spacing aside); the store then
    catches two spellings of one group ("Female", "Gender: Female")."""
    text = "date,group,value\n" + "".join(f"2025-0{m}-01,{g},50%\n" for m, g in rows)
    parsed = parse_csv(text, proportion=True, today=dt.date(2026, 6, 30))
    seen: set[tuple[int, str]] = set()
    for (month, group), row in zip(rows, parsed.rows, strict=True):
        key = (month, " ".join(group.casefold().split()))
        assert row.ok == (key not in seen), (rows, row.problems)
        seen.add(key)
