"""Student-group and enrolment rows as screens show them, and their display order:
plain dataclasses without SQLAlchemy, so the shell's first look (`store.first_look`,
plain sqlite3) and the open workspace (`views.groups`) build the same rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ...core.groups import GroupChoice


@dataclass(frozen=True)
class DimensionRow:
    """One dimension with its groups, both in display order."""

    id: str
    name: str
    description: str
    position: int
    groups: tuple[GroupChoice, ...]
    owner_site_id: str | None


def order_dimensions(network_id: str, dims: Iterable[Any], groups: Iterable[Any]
                     ) -> list[DimensionRow]:
    """Live dimension and group rows (ORM objects, or the first look's plain tuples with
    the same attribute names) as `DimensionRow`s in display order."""
    def key(r: Any) -> tuple[int, str, str]:
        return (r.position or 0, r.name.casefold(), r.id)

    by_dim: dict[str, list[Any]] = {}
    for g in groups:
        by_dim.setdefault(g.dimension_id, []).append(g)
    return [DimensionRow(
        d.id, d.name, d.description or "", d.position or 0,
        tuple(GroupChoice(g.id, g.name, d.id, d.name, network_id)
              for g in sorted(by_dim.get(d.id, []), key=key)),
        d.owner_site_id) for d in sorted(dims, key=key)]


@dataclass(frozen=True)
class EnrolmentRow:
    """One stored enrolment figure of a site."""

    id: str
    school_year: str
    group_id: str | None
    group_label: str  # "All students" for the total
    students: int


def order_enrolments(groups: list[GroupChoice], rows: Iterable[Any]) -> list[EnrolmentRow]:
    """Live enrolment rows (ORM objects or plain tuples) as `EnrolmentRow`s: newest school
    year first, then all students, then the groups in display order."""
    labels = {g.id: g.label for g in groups}
    order = {gid: i for i, gid in enumerate(labels)}
    out = [EnrolmentRow(e.id, e.school_year, e.group_id,
                        labels.get(e.group_id, "?") if e.group_id else "All students",
                        e.students) for e in rows]
    return sorted(out, key=lambda r: (_desc(r.school_year),
                                      order.get(r.group_id, -1) if r.group_id else -1))


def _desc(year: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in year)
