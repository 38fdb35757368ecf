"""Small groups protected (core.suppression): primary and complementary suppression.

The property tests build a site's students one by one (each in one group of every
dimension, on track or not), add them up into cells as a school's data would be, and
check with linear algebra what a reader of the shown cells could work out: every
dimension of two or more groups splits all students, so "all students = Σ groups" holds
for numerators and denominators; a hidden cell is given away exactly when its unit
vector lies in the row space of those equations restricted to the unknown cells."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nicdesk.core.suppression import ALL_STUDENTS, GroupCell, GroupKey, cell_size, suppress_groups

T = 10


@dataclass(frozen=True)
class Table:
    """One site × period: its recorded cells, and the dimensions' group counts."""

    cells: dict[GroupKey, GroupCell]
    total: GroupCell | None
    groups: dict[str, int]  # dimension -> how many groups it has
    value_type: str


def _cell(students: list[tuple[bool, ...]], value_type: str) -> GroupCell:
    den = len(students)
    num = sum(1 for s in students if s[0])
    if value_type == "count":
        return GroupCell(float(num))
    return GroupCell(num / den if den else None, float(den))


@st.composite
def tables(draw: st.DrawFn) -> Table:
    value_type = draw(st.sampled_from(["proportion", "count"]))
    groups = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    dims = {f"d{i}": n for i, n in enumerate(groups)}
    student = st.tuples(st.booleans(), *[st.integers(0, n - 1) for n in groups])
    students = draw(st.lists(student, max_size=80))
    cells: dict[GroupKey, GroupCell] = {}
    for i, (dim, n) in enumerate(dims.items()):
        for g in range(n):
            if draw(st.integers(0, 9)) == 0:  # now and then a group is not recorded
                continue
            cells[(dim, f"g{g}")] = _cell([s for s in students if s[i + 1] == g], value_type)
    total = _cell(students, value_type) if draw(st.integers(0, 7)) else None
    return Table(cells, total, dims, value_type)


def _equations(table: Table) -> tuple[list[GroupKey], np.ndarray]:
    """The unknowns' keys (every key of the table) and one row per dimension that splits
    all students: +1 for all students, -1 for each of its groups."""
    keys: list[GroupKey] = [ALL_STUDENTS] + [(d, f"g{g}") for d, n in table.groups.items()
                                             for g in range(n)]
    rows = []
    for dim, n in table.groups.items():
        if n < 2:
            continue
        row = np.zeros(len(keys))
        row[0] = 1
        for g in range(n):
            row[keys.index((dim, f"g{g}"))] = -1
        rows.append(row)
    return keys, np.array(rows).reshape(len(rows), len(keys))


def _given_away(table: Table, hidden: frozenset[GroupKey]) -> set[GroupKey]:
    """Hidden cells whose value follows from the shown ones by the equations."""
    keys, a = _equations(table)
    shown = {k for k in table.cells if k not in hidden}
    if table.total is not None and ALL_STUDENTS not in hidden:
        shown.add(ALL_STUDENTS)
    unknown = [i for i, k in enumerate(keys) if k not in shown]
    sub = a[:, unknown]
    rank = np.linalg.matrix_rank(sub) if sub.size else 0
    out = set()
    for j, i in enumerate(unknown):
        if keys[i] not in hidden:
            continue
        unit = np.zeros((1, len(unknown)))
        unit[0, j] = 1
        if np.linalg.matrix_rank(np.vstack([sub, unit])) == rank:
            out.add(keys[i])
    return out


@settings(max_examples=400, deadline=None)
@given(tables())
def test_no_suppressed_value_can_be_computed_from_what_is_shown(table: Table) -> None:
    verdict = suppress_groups(table.cells, table.total, T, table.value_type)
    assert _given_away(table, verdict.hidden) == set()


@settings(max_examples=300, deadline=None)
@given(tables())
def test_every_small_cell_is_hidden_and_every_hidden_cell_has_a_reason(table: Table) -> None:
    verdict = suppress_groups(table.cells, table.total, T, table.value_type)
    for key, cell in table.cells.items():
        size = cell_size(cell, table.value_type)
        if size is not None and 0 < size < T:
            assert key in verdict.primary and not verdict.shows(key)
    if table.total is not None and 0 < (cell_size(table.total, table.value_type) or 0) < T:
        assert verdict.total_hidden
    assert verdict.hidden == verdict.primary | verdict.complementary
    assert not verdict.primary & verdict.complementary


@settings(max_examples=300, deadline=None)
@given(tables())
def test_suppression_is_a_fixed_point(table: Table) -> None:
    first = suppress_groups(table.cells, table.total, T, table.value_type)
    again = suppress_groups(table.cells, table.total, T, table.value_type,
                            hidden=first.hidden)
    assert again.hidden == first.hidden
    assert again.complementary == frozenset()


@settings(max_examples=200, deadline=None)
@given(tables(), st.randoms())
def test_the_verdict_does_not_depend_on_the_order_cells_come_in(table: Table, rnd) -> None:
    items = list(table.cells.items())
    rnd.shuffle(items)
    assert (suppress_groups(dict(items), table.total, T, table.value_type)
            == suppress_groups(table.cells, table.total, T, table.value_type))


def _p(num: int, den: int) -> GroupCell:
    return GroupCell(num / den, float(den))


def test_one_small_group_hides_the_next_smallest_too() -> None:
    cells = {("race", "a"): _p(2, 5), ("race", "b"): _p(30, 40), ("race", "c"): _p(40, 55)}
    verdict = suppress_groups(cells, _p(72, 100), T, "proportion")
    assert verdict.primary == {("race", "a")}
    assert verdict.complementary == {("race", "b")}
    assert verdict.shows(("race", "c")) and verdict.shows(ALL_STUDENTS)
    assert "1 more hidden" in verdict.describe() and "n < 10" in verdict.describe()


def test_a_group_of_size_zero_is_not_the_one_chosen_to_protect_another() -> None:
    cells = {("g", "a"): _p(1, 4), ("g", "b"): GroupCell(None, 0.0), ("g", "c"): _p(50, 96)}
    verdict = suppress_groups(cells, _p(51, 100), T, "proportion")
    assert verdict.complementary == {("g", "c")}


def test_two_small_groups_protect_each_other() -> None:
    cells = {("g", "a"): _p(1, 4), ("g", "b"): _p(3, 6), ("g", "c"): _p(50, 90)}
    verdict = suppress_groups(cells, _p(54, 100), T, "proportion")
    assert verdict.hidden == {("g", "a"), ("g", "b")} and not verdict.complementary


def test_a_small_total_hides_a_group_in_every_dimension() -> None:
    cells = {("gender", "f"): _p(1, 3), ("gender", "m"): _p(2, 5),
             ("el", "el"): _p(1, 2)}
    verdict = suppress_groups(cells, _p(3, 8), T, "proportion")
    assert verdict.total_hidden and ("el", "el") in verdict.hidden


def test_a_dimension_of_one_group_is_no_subtraction() -> None:
    """English learners alone: all students minus them is nobody's shown cell."""
    cells = {("el", "el"): _p(2, 6), ("swd", "swd"): _p(9, 30)}
    verdict = suppress_groups(cells, _p(70, 100), T, "proportion")
    assert verdict.hidden == {("el", "el")}


def test_without_all_students_nothing_is_subtracted_from() -> None:
    cells = {("g", "a"): _p(2, 5), ("g", "b"): _p(30, 40)}
    assert suppress_groups(cells, None, T, "proportion").hidden == {("g", "a")}


def test_counts_are_their_own_size_and_a_zero_count_is_shown() -> None:
    cells = {("g", "a"): GroupCell(0.0), ("g", "b"): GroupCell(3.0), ("g", "c"): GroupCell(20.0)}
    verdict = suppress_groups(cells, GroupCell(23.0), T, "count")
    assert verdict.primary == {("g", "b")}
    assert verdict.complementary == {("g", "c")}  # size 0 is never the protector


def test_a_group_value_of_unknown_size_is_hidden() -> None:
    cells = {("el", "el"): GroupCell(0.4)}
    verdict = suppress_groups(cells, GroupCell(0.6), T, "proportion")
    assert verdict.primary == {("el", "el")} and verdict.shows(ALL_STUDENTS)


def test_nothing_small_hides_nothing() -> None:
    cells = {("g", "a"): _p(20, 40), ("g", "b"): _p(30, 60)}
    verdict = suppress_groups(cells, _p(50, 100), T, "proportion")
    assert verdict.hidden == frozenset() and verdict.describe() == ""
