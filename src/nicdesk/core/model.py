"""The words of improvement science as NICdesk stores them.

Vocabularies (site kinds, roles, node statuses...) live here as plain tuples so that the
store, the forms and the CLI offer the same choices, and validation is testable without
Qt or SQL.  `PRIVATE_FIELDS` names the fields that never leave a site's machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SITE_KINDS: tuple[str, ...] = (
    "school",
    "district",
    "intermediate agency",
    "regional centre",
    "state agency",
    "research partner",
)

MEMBER_ROLES: tuple[str, ...] = (
    "principal",
    "teacher",
    "coach",
    "district lead",
    "state lead",
    "researcher",
    "coordinator",
    "facilitator",
)

DEFAULT_FISHBONE_CATEGORIES: tuple[str, ...] = (
    "Students",
    "Teachers & Instruction",
    "Curriculum & Materials",
    "Families & Community",
    "School Systems & Policies",
    "Leadership & Culture",
)

EVIDENCE_KINDS: tuple[str, ...] = ("", "data", "empathy interview", "observation", "research",
                                   "hunch")

DRIVER_LEVELS: tuple[str, ...] = ("aim", "primary", "secondary", "change idea")
NODE_STATUSES: tuple[str, ...] = (
    "hypothesis",
    "testing",
    "evidence of improvement",
    "not supported",
)

MEASURE_KINDS: tuple[str, ...] = ("outcome", "process", "balancing")
VALUE_TYPES: tuple[str, ...] = ("proportion", "count", "rate", "continuous")
FREQUENCIES: tuple[str, ...] = ("weekly", "monthly", "quarterly", "termly", "yearly")
DIRECTIONS: tuple[str, ...] = ("up", "down")
CHART_KINDS: tuple[str, ...] = ("run", "p", "u", "c", "i")

PDSA_DECISIONS: tuple[str, ...] = ("", "adopt", "adapt", "abandon", "expand", "spread")
PHASE_KINDS: tuple[str, ...] = ("baseline freeze", "rebase")
RULE_SETS: tuple[str, ...] = ("IHI run-chart rules", "Anhøj", "Making Data Count")

#: entity kind -> fields that stay on the site's machine (never exported, never merged out)
PRIVATE_FIELDS: dict[str, frozenset[str]] = {
    "member": frozenset({"email"}),
    "site": frozenset({"private_notes"}),
    "pdsa_cycle": frozenset({"private_notes"}),
}

#: the label a person reads for each entity kind
KIND_LABELS: dict[str, str] = {
    "network": "Network",
    "site": "Site",
    "member": "Member",
    "charter": "Charter",
    "aim": "Aim",
    "fishbone": "Fishbone",
    "fishbone_category": "Fishbone category",
    "cause": "Cause",
    "cause_driver_link": "Cause → driver link",
    "driver_diagram": "Driver diagram",
    "driver_node": "Driver diagram node",
    "driver_link": "Driver diagram link",
    "node_measure": "Node → measure link",
    "diagram_snapshot": "Diagram snapshot",
    "change_idea": "Change idea",
    "pdsa_ramp": "PDSA ramp",
    "pdsa_cycle": "PDSA cycle",
    "pdsa_question": "PDSA question",
    "pdsa_measure": "PDSA → measure link",
    "measure": "Measure",
    "observation": "Observation",
    "chart_phase": "Chart phase",
    "annotation": "Annotation",
    "meeting": "Meeting",
    "agenda_item": "Agenda item",
    "action_item": "Action item",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a value a person typed, in words they understand."""

    field: str
    message: str


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


_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("site", "kind"): SITE_KINDS,
    ("member", "role"): MEMBER_ROLES,
    ("driver_node", "level"): DRIVER_LEVELS,
    ("driver_node", "status"): NODE_STATUSES,
    ("measure", "kind"): MEASURE_KINDS,
    ("cause", "evidence_kind"): EVIDENCE_KINDS,
    ("measure", "value_type"): VALUE_TYPES,
    ("measure", "frequency"): FREQUENCIES,
    ("measure", "direction"): DIRECTIONS,
    ("measure", "chart_kind"): CHART_KINDS,
    ("pdsa_cycle", "decision"): PDSA_DECISIONS,
    ("chart_phase", "kind"): PHASE_KINDS,
    ("network", "rule_set"): RULE_SETS,
}

_REQUIRED_TEXT: dict[str, tuple[str, ...]] = {
    "network": ("name",),
    "site": ("name",),
    "member": ("name",),
    "aim": ("statement",),
    "fishbone": ("problem",),
    "fishbone_category": ("name",),
    "cause": ("text",),
    "driver_diagram": ("name",),
    "driver_node": ("text",),
    "change_idea": ("title",),
    "pdsa_ramp": ("title",),
    "pdsa_cycle": ("title",),
    "measure": ("name",),
    "meeting": ("title",),
    "agenda_item": ("title",),
    "action_item": ("text",),
}


def choices(kind: str, field_name: str) -> tuple[str, ...] | None:
    """The allowed values of a field, or None if it is free."""
    return _CHOICES.get((kind, field_name))


def validate(kind: str, values: dict[str, object], *, partial: bool = False) -> Validation:
    """Check values for an entity kind.  With `partial`, only the given fields are checked
    (an edit of one field); otherwise required fields must be present (a new record)."""
    result = Validation()
    for name in _REQUIRED_TEXT.get(kind, ()):
        if name in values or not partial:
            text = values.get(name)
            if not isinstance(text, str) or not text.strip():
                label = KIND_LABELS.get(kind, kind).lower()
                what = "some text" if name == "text" else f"a {name.replace('_', ' ')}"
                result.add(name, f"A {label} needs {what}.")
    for (k, name), allowed in _CHOICES.items():
        if k == kind and name in values and values[name] is not None:
            if values[name] not in allowed:
                result.add(
                    name,
                    f"{values[name]!r} is not a {name.replace('_', ' ')}; choose one of: "
                    + ", ".join(a for a in allowed if a),
                )
    start = values.get("start_time")
    if kind == "meeting" and start:
        import re

        if not isinstance(start, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", start):
            result.add("start_time", f"{start!r} is not a time of day: write it as 24-hour "
                       "HH:MM, for example 15:30.")
    threshold = values.get("suppression_threshold")
    if kind == "network" and threshold is not None:
        if not isinstance(threshold, int) or threshold < 1:
            result.add("suppression_threshold", "The small-count threshold must be 1 or more.")
    return result
