"""Student groups as data (issue #21, item 1): the usual dimensions, how a file's group
cell names a group, and a site's group shares for a school year.

A network's *dimensions* (race/ethnicity, English learners, ...) each hold *groups*; a
value for no group is the value for all students.  Nothing here touches a database: the
store reads the network's groups into `GroupChoice`s and these rules decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .safe_text import name_key

#: The usual dimensions (US federal reporting categories: ESSA subgroups; race/ethnicity
#: in the 2007 federal categories), offered by one action, never created unasked.
USUAL_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Race/ethnicity", "Federal race/ethnicity categories (each student in one).", (
        "American Indian or Alaska Native", "Asian", "Black or African American",
        "Hispanic or Latino", "Native Hawaiian or Other Pacific Islander", "White",
        "Two or more races")),
    ("English learners", "Students identified as English learners.", ("English learners",)),
    ("Students with disabilities", "Students with an IEP.", ("Students with disabilities",)),
    ("Economically disadvantaged", "Students eligible for free or reduced-price meals.",
     ("Economically disadvantaged",)),
    ("Gender", "Gender as the school records it (each student in one).",
     ("Female", "Male", "Nonbinary")),
)

#: Words a file may use for "no group": the value for all students.
ALL_STUDENTS_WORDS = ("", "all", "all students", "everyone", "total", "school")
ALL_STUDENTS_LABEL = "All students"


@dataclass(frozen=True)
class GroupChoice:
    """One group as a file, a grid or a view names it."""

    id: str
    name: str
    dimension_id: str
    dimension: str  # the dimension's name
    network_id: str = ""

    @property
    def label(self) -> str:
        """"Dimension: group", or just the group when both are called alike."""
        if name_key(self.name) == name_key(self.dimension):
            return self.name
        return f"{self.dimension}: {self.name}"


def missing_usual(dimension_names: Iterable[str]
                  ) -> list[tuple[str, str, tuple[str, ...]]]:
    """The usual dimensions a network lacks (compared by name, case and spacing aside),
    so "Add the usual groups" never doubles one the coordinator already made."""
    have = {name_key(n) for n in dimension_names}
    return [d for d in USUAL_GROUPS if name_key(d[0]) not in have]


def _key(text: str) -> str:
    return name_key(text.strip().strip('"'))


def match_group(text: str, groups: Sequence[GroupChoice],
                elsewhere: Sequence[GroupChoice] = ()) -> tuple[GroupChoice | None, str]:
    """The group a cell names: (group, '') or (None, '') for all students, or
    (None, problem) in words saying what to write instead.

    A name is matched without regard to case and spacing; "Dimension: group" picks one
    of two groups called alike in different dimensions.  `elsewhere` are other networks'
    groups, named in the message when the cell names one of them."""
    key = _key(text)
    if key in ALL_STUDENTS_WORDS:
        return None, ""
    hits = [g for g in groups if name_key(g.name) == key]
    if not hits and ":" in text:
        dim, _, name = text.partition(":")
        hits = [g for g in groups
                if name_key(g.dimension) == _key(dim) and name_key(g.name) == _key(name)]
    if len(hits) == 1:
        return hits[0], ""
    shown = text.strip()
    if hits:
        return None, (f"“{shown}” is a group of " + " and of ".join(
            g.dimension for g in hits) + f"; write it as “{hits[0].label}”")
    other = next((g for g in elsewhere if name_key(g.name) == key), None)
    if other is not None:
        return None, (f"“{shown}” is a group of another network, not of this measure's; "
                      "use this network's groups")
    if not groups:
        return None, (f"the network has no student groups, so “{shown}” is unknown; add "
                      "them under Student groups first")
    close = [g.name for g in groups if key[:3] and name_key(g.name).startswith(key[:3])]
    hint = f" (did you mean {close[0]}?)" if len(close) == 1 else ""
    return None, (f"“{shown}” is not one of the network's student groups{hint}; write "
                  "a name from its Student groups page, or add the group there")


# ------------------------------------------------------------------ enrolment shares
@dataclass(frozen=True)
class Enrolment:
    """One site's students in one school year: all of them (group None) or one group."""

    site_id: str
    school_year: str
    group_id: str | None
    students: int


def group_shares(enrolments: Iterable[Enrolment], school_year: str
                 ) -> dict[str, dict[str, float]]:
    """Each site's share of students in each group for `school_year` (site id -> group
    id -> share between 0 and 1), for comparing a school with schools like it.

    A share needs the site's total enrolment that year; a site without one (or with 0
    students) is left out rather than guessed.  A group count above the total (a typing
    slip) is capped at 1 so a share is always a share."""
    totals: dict[str, int] = {}
    counts: dict[str, dict[str, int]] = {}
    for e in enrolments:
        if e.school_year != school_year:
            continue
        if e.group_id is None:
            totals[e.site_id] = e.students
        else:
            counts.setdefault(e.site_id, {})[e.group_id] = e.students
    return {site: {g: min(1.0, n / totals[site]) for g, n in counts.get(site, {}).items()}
            for site in sorted(totals) if totals[site] > 0}


def school_year_of(year_start: int) -> str:
    """2025 -> "2025-26" (the form `entities.SCHOOL_YEAR` holds)."""
    return f"{year_start}-{(year_start + 1) % 100:02d}"


def group_counts(labels: Iterable[str | None]) -> dict[str, int]:
    """How many rows each group has, all students first then by first appearance: the
    CSV preview's per-group line."""
    out: dict[str, int] = {}
    items = list(labels)
    if any(x is None for x in items):
        out[ALL_STUDENTS_LABEL] = 0
    for label in items:
        key = label or ALL_STUDENTS_LABEL
        out[key] = out.get(key, 0) + 1
    return out


def describe_counts(counts: Mapping[str, int]) -> str:
    """"All students 12 rows, English learners 12 rows"."""
    return ", ".join(f"{k} {n} row{'s' if n != 1 else ''}" for k, n in counts.items())
