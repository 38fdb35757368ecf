"""Small groups protected: which student-group cells a view may show (issue #21, item 5).

One *cell* is one value of a measure for one site, one period and one student group
("all students" is the total).  The rules, written for people in docs/equity.md:

1. **Primary suppression.**  A cell built from fewer than the network's threshold T
   students is hidden: its *size* is the denominator of a proportion or rate, the value
   of a count, and the denominator (the students averaged), when recorded, of a
   continuous measure (`cell_size`).  A size of 0 is shown (nobody to identify), as
   `core.variation.is_suppressed` has always ruled.  A *group* cell whose size is
   unknown is hidden too: nobody can check that it is large enough.  The all-students
   cell without a size follows the older rule and is shown.
2. **Complementary suppression.**  The groups of one dimension (race/ethnicity, gender,
   ...) split all students, so "all students" minus the shown groups gives away a hidden
   one.  Within one site × period, every dimension with two or more recorded group cells
   forms a *relation*: all students = the sum of its groups (for numerators and for
   denominators alike).  Whenever a relation holds exactly one hidden cell, the next
   smallest shown cell of that relation is hidden too (groups by size, smallest first,
   cells of size 0 last; all students only when no group is left), and the check is
   repeated over every relation until none holds exactly one hidden cell.  All students
   is shared by every dimension, so once it is hidden each other dimension must hide a
   group as well, or its groups would add up to it.  A dimension with one recorded group
   (English learners, say, with no "not English learners" group) is no relation: all
   students minus English learners is nobody's shown cell.

With every relation holding zero or at least two hidden cells, no hidden numerator or
denominator is a difference of shown ones (tests/core/test_suppression.py proves it for
any table, by linear algebra over the relations, with hypothesis).  What the rules do
not hide: when all students are at 0 % or 100 %, every group is as well — a property of
the data that no subtraction is needed for.

`suppress_groups` is the one function views, packets, CSV exports and digests call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from .states import WITH_DENOMINATOR, ValueType
from .variation import is_suppressed, suppression_label

#: (dimension id, group id) of a group cell
GroupKey = tuple[str, str]
#: the key of the all-students cell in `SuppressedCells.hidden`
ALL_STUDENTS: GroupKey = ("", "")


class Cell(Protocol):
    """What suppression needs of a value: `core.signals.Point` and `GroupCell` fit."""

    @property
    def value(self) -> float | None: ...
    @property
    def denominator(self) -> float | None: ...


@dataclass(frozen=True)
class GroupCell:
    """A plain cell, for callers that hold no `Point`."""

    value: float | None
    denominator: float | None = None


def cell_size(cell: Cell, value_type: str) -> float | None:
    """The number of students a value is built from (None: unknown)."""
    if value_type in WITH_DENOMINATOR or value_type == ValueType.CONTINUOUS:
        return cell.denominator
    if value_type == ValueType.COUNT:
        return cell.value
    return cell.denominator


@dataclass(frozen=True)
class SuppressedCells:
    """The verdict for one site × period: which keys are hidden and why.

    `hidden` holds group keys and, when all students is hidden, `ALL_STUDENTS`;
    `primary` the cells too small (or of unknown size) themselves, `complementary`
    those hidden so that no primary one can be worked out by subtraction."""

    hidden: frozenset[GroupKey]
    primary: frozenset[GroupKey]
    complementary: frozenset[GroupKey]
    threshold: int

    def shows(self, key: GroupKey) -> bool:
        """Whether the cell at `key` (a group key or `ALL_STUDENTS`) may be shown."""
        return key not in self.hidden

    @property
    def total_hidden(self) -> bool:
        """Whether the all-students value is hidden too."""
        return ALL_STUDENTS in self.hidden

    def describe(self) -> str:
        """The verdict in words for a note under a view ('' when nothing is hidden)."""
        if not self.hidden:
            return ""
        n, c = len(self.primary), len(self.complementary)
        words = f"{n} cell{'s' if n != 1 else ''} {suppression_label(self.threshold)}"
        if c:
            words += (f"; {c} more hidden so that "
                      f"{'it' if n == 1 else 'they'} cannot be worked out by subtraction")
        return words


def _order(key: GroupKey, size: float | None) -> tuple[bool, bool, float, GroupKey]:
    """Which shown cell to hide next: groups before all students, sized before
    size 0, the smallest first; the key breaks ties so the choice is repeatable."""
    return key == ALL_STUDENTS, not size or size <= 0, size or 0.0, key


def suppress_groups(cells: Mapping[GroupKey, Cell], total: Cell | None, threshold: int,
                    value_type: str, *, hidden: Iterable[GroupKey] = ()) -> SuppressedCells:
    """Which cells of one site × period may be shown (rules in the module docstring).

    `cells` are the group cells keyed by (dimension id, group id); `total` the
    all-students cell (None: not recorded); `threshold` the network's
    (`core.network.network_threshold`); `value_type` the measure's.  `hidden` are keys
    already hidden for another reason (a view hiding more): they count as hidden in the
    relations, and the result is a fixed point — passing its own `hidden` back hides
    nothing more."""
    sizes: dict[GroupKey, float | None] = {k: cell_size(c, value_type) for k, c in cells.items()}
    primary = {k for k, s in sizes.items() if s is None or is_suppressed(s, threshold)}
    if total is not None:
        sizes[ALL_STUDENTS] = cell_size(total, value_type)
        if is_suppressed(sizes[ALL_STUDENTS], threshold):
            primary.add(ALL_STUDENTS)
    given = {k for k in hidden if k in sizes}
    out = primary | given
    relations = _relations(cells, with_total=total is not None)
    changed = True
    while changed:
        changed = False
        for relation in relations:
            inside = [k for k in relation if k in out]
            if len(inside) != 1:
                continue
            shown = [k for k in relation if k not in out]
            out.add(min(shown, key=lambda k: _order(k, sizes[k])))
            changed = True
    return SuppressedCells(frozenset(out), frozenset(primary),
                           frozenset(out - primary - given), threshold)


def _relations(cells: Iterable[GroupKey], *, with_total: bool) -> list[list[GroupKey]]:
    """all students = Σ groups, per dimension with two or more recorded groups (sorted
    keys, so the result does not depend on the order cells were read in); none without
    an all-students cell."""
    by_dimension: dict[str, list[GroupKey]] = {}
    for key in cells:
        by_dimension.setdefault(key[0], []).append(key)
    if not with_total:  # no all-students value to subtract from
        return []
    return [[ALL_STUDENTS, *sorted(keys)] for _, keys in sorted(by_dimension.items())
            if len(keys) >= 2]
