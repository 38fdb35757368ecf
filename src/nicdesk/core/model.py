"""The words of improvement science as NICdesk stores them.

The entities themselves — every field, its type, vocabulary, range and owner rule — are
described once in `nicdesk.core.entities`; this module keeps the names the rest of NICdesk
has always used (vocabularies as plain tuples, `PRIVATE_FIELDS`, `KIND_LABELS`, `choices`,
`validate`) so that the store, the forms and the CLI offer the same choices, and validation
is testable without Qt or SQL.  `PRIVATE_FIELDS` names the fields that never leave a site's
machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import entities
from .entities import (
    CHART_KINDS,
    DIRECTIONS,
    DRIVER_LEVELS,
    EVIDENCE_KINDS,
    FREQUENCIES,
    MEASURE_KINDS,
    MEMBER_ROLES,
    NODE_STATUSES,
    PDSA_DECISIONS,
    PHASE_KINDS,
    RULE_SETS,
    SITE_KINDS,
    VALUE_TYPES,
    Problem,
)

__all__ = [
    "CHART_KINDS", "DEFAULT_FISHBONE_CATEGORIES", "DIRECTIONS", "DRIVER_LEVELS",
    "EVIDENCE_KINDS", "FREQUENCIES", "KIND_LABELS", "MEASURE_KINDS", "MEMBER_ROLES",
    "NODE_STATUSES", "PDSA_DECISIONS", "PHASE_KINDS", "PRIVATE_FIELDS", "RULE_SETS",
    "SITE_KINDS", "VALUE_TYPES", "Problem", "Validation", "choices", "validate",
]

DEFAULT_FISHBONE_CATEGORIES: tuple[str, ...] = (
    "Students",
    "Teachers & Instruction",
    "Curriculum & Materials",
    "Families & Community",
    "School Systems & Policies",
    "Leadership & Culture",
)

#: entity kind -> fields that stay on the site's machine (never exported, never merged out)
PRIVATE_FIELDS: dict[str, frozenset[str]] = entities.private_fields()

#: the label a person reads for each entity kind
KIND_LABELS: dict[str, str] = entities.kind_labels()


@dataclass
class Validation:
    problems: list[Problem] = field(default_factory=list)

    def add(self, field_name: str, message: str) -> None:
        self.problems.append(Problem(field_name, message))

    @property
    def ok(self) -> bool:
        return not self.problems

    def text(self) -> str:
        return "; ".join(p.message for p in self.problems)


def choices(kind: str, field_name: str) -> tuple[str, ...] | None:
    """The allowed values of a field, or None if it is free."""
    return entities.choices(kind, field_name)


def validate(kind: str, values: dict[str, object], *, partial: bool = False) -> Validation:
    """Check values for an entity kind.  With `partial`, only the given fields are checked
    (an edit of one field); otherwise required fields must be present (a new record).
    The rules are those of `nicdesk.core.entities.problems`."""
    return Validation(entities.problems(kind, values, partial=partial))
