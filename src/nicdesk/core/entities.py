"""Every entity kind of DOMAIN.md described once: its fields and what each may hold.

For each kind (`ENTITIES`, keyed like `nicdesk.store.schema.MODELS`) the description says,
per field: its type, the vocabulary it is chosen from, its numeric range, its length limit,
whether a new record needs it, whether it may be empty (null), whether it stays on the
site's machine (private) — and, per kind, how the record's owning site is decided.

Everything that checks or converts values is derived from the description, so a form, the
command line, an edit, a CSV import and a bundle import accept and refuse the same things:

- `problems(kind, values, partial=...)`: what is wrong, in a person's words;
- `observation_problems(values, value_type)`: the one rule that needs the measure
  (a proportion's numerator cannot exceed its denominator);
- `coerce(kind, field, value)`: text from a form or the command line → the Python value;
- `decode(kind, field, json_value)`: a value from a bundle's JSON → the Python value,
  checked (type, range, length, vocabulary, shape);
- `decode_record(kind, raw)`: the same for every described field of one record.

Field types: ``text``, ``int``, ``float``, ``bool``, ``date``, ``json-list``,
``json-dict`` and ``ref`` (a reference to a record of the kind in `Field.ref`).

Owner rules (`Entity.owner`): ``"network"`` — a network-level record, owned by the
coordinator's site; ``"self"`` — the site record itself; ``"site_id"`` — the site named in
its ``site_id`` field (where that field may be empty, an empty one makes it a network-level
record); ``"parent:<field>"`` — the same owner as the record that field refers to (where
that field may be empty, an empty one makes the record the writing site's own).

Pure Python: no Qt, no SQL, no files.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from .states import (
    ChartKind,
    Direction,
    DriverLevel,
    Frequency,
    PdsaDecision,
    PhaseKind,
    ValueType,
)

# ------------------------------------------------------------------ vocabularies
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
EVIDENCE_KINDS: tuple[str, ...] = ("", "data", "empathy interview", "observation", "research",
                                   "hunch")
DRIVER_LEVELS: tuple[str, ...] = tuple(x.value for x in DriverLevel)
NODE_STATUSES: tuple[str, ...] = (
    "hypothesis",
    "testing",
    "evidence of improvement",
    "not supported",
)
MEASURE_KINDS: tuple[str, ...] = ("outcome", "process", "balancing")
# the vocabularies compared in code are `StrEnum`s of `core.states`; stored as plain strings
VALUE_TYPES: tuple[str, ...] = tuple(x.value for x in ValueType)
FREQUENCIES: tuple[str, ...] = tuple(x.value for x in Frequency)
DIRECTIONS: tuple[str, ...] = tuple(x.value for x in Direction)
CHART_KINDS: tuple[str, ...] = tuple(x.value for x in ChartKind)
PDSA_DECISIONS: tuple[str, ...] = tuple(x.value for x in PdsaDecision)
PHASE_KINDS: tuple[str, ...] = tuple(x.value for x in PhaseKind)
RULE_SETS: tuple[str, ...] = ("IHI run-chart rules", "Anhøj", "Making Data Count")
# equity (issue #21): how a gap between two groups is measured
GAP_KINDS: tuple[str, ...] = ("", "difference", "ratio")
SCHOOL_YEAR = r"[0-9]{4}-[0-9]{2}"  # "2025-26"
# learning routines (issue #22)
COMMENT_SUBJECTS: tuple[str, ...] = ("pdsa_cycle", "measure", "driver_node", "cause",
                                     "meeting", "site", "change_idea", "aim")
#: IHI's progress scale (0.5 intent to participate ... 5.0 outstanding sustainable results)
PROGRESS_SCORES: tuple[str, ...] = ("0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0",
                                    "4.5", "5.0")
ADOPTION_STATUSES: tuple[str, ...] = ("testing", "adapting", "adopted", "abandoned")
MILESTONE_KINDS: tuple[str, ...] = ("charter agreed", "members named", "first convening",
                                    "first cycles", "mid-year review", "sustainability plan",
                                    "other")
TIMESTAMP = (r"[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]"
             r"(:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?")

# ------------------------------------------------------------------ limits
TEXT, INT, FLOAT, BOOL, DATE, JSON_LIST, JSON_DICT, REF = (
    "text", "int", "float", "bool", "date", "json-list", "json-dict", "ref")
TYPES = (TEXT, INT, FLOAT, BOOL, DATE, JSON_LIST, JSON_DICT, REF)

NAME_MAX = 500  # names, titles and other one-line texts
TEXT_MAX = 100_000  # notes, descriptions and other long texts
ID_MAX = 36  # record ids (UUIDs)
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)
JSON_DEPTH = 8  # containers inside containers
JSON_MAX = 100_000  # characters of a JSON field written out
SNAPSHOT_MAX = 5_000_000  # a whole driver diagram
COUNT_MAX = 1_000_000_000_000  # numerators and denominators
POSITION_MAX = 1_000_000
TIME_OF_DAY = r"([01]\d|2[0-3]):[0-5]\d"

#: sync metadata every record carries; described by ARCHITECTURE.md, not here
SYNC_FIELDS = frozenset({"id", "owner_site_id", "hlc", "field_clocks", "deleted"})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a value a person typed, in words they understand."""

    field: str
    message: str


@dataclass(frozen=True)
class Field:
    """One field of an entity kind."""

    name: str
    type: str
    label: str = ""  # the words a person reads; derived from the name when empty
    ref: str | None = None  # type "ref": the kind referred to
    foreign_key: bool = True  # type "ref": the database enforces the reference
    nullable: bool = False  # may be empty (None)
    required: bool = False  # a new record needs it (text: not blank)
    private: bool = False  # stays on the site's machine, never exported
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None  # text: characters; json: characters written out
    items: str | None = None  # json-list: item type; json-dict: value type ("text|number")
    item_length: int | None = None  # longest text item (and dict key)
    pattern: str | None = None  # text: a regular expression the whole text must match
    pattern_hint: str = ""  # how to write it, for the message

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"unknown field type {self.type!r}")
        if not self.label:
            words = self.name.removesuffix("_id") if self.type == REF else self.name
            object.__setattr__(self, "label", words.replace("_", " "))


@dataclass(frozen=True)
class Entity:
    """One entity kind: its label, how its owner is decided, and its fields."""

    kind: str
    label: str
    owner: str  # "network" | "self" | "site_id" | "parent:<field>"
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def owner_field(self) -> str | None:
        """The field naming the site or the record whose owner this record shares."""
        if self.owner == "site_id":
            return "site_id"
        if self.owner.startswith("parent:"):
            return self.owner.removeprefix("parent:")
        return None

    @property
    def owner_kind(self) -> str | None:
        """For "parent:<field>", the kind of that parent record."""
        name = self.owner_field
        return self.fields[name].ref if name and self.owner != "site_id" else None


# ------------------------------------------------------------------ field builders
def _name(name: str, **kw: Any) -> Field:
    return Field(name, TEXT, max_length=NAME_MAX, **kw)


def _text(name: str, **kw: Any) -> Field:
    return Field(name, TEXT, max_length=TEXT_MAX, **kw)


def _choice(name: str, choices: tuple[str, ...], length: int, **kw: Any) -> Field:
    return Field(name, TEXT, choices=choices, max_length=length, **kw)


def _ref(name: str, kind: str, *, nullable: bool = False, **kw: Any) -> Field:
    return Field(name, REF, ref=kind, nullable=nullable, required=not nullable,
                 max_length=ID_MAX, **kw)


def _int(name: str, low: int, high: int, **kw: Any) -> Field:
    return Field(name, INT, minimum=low, maximum=high, **kw)


def _float(name: str, low: float | None = None, high: float | None = None, **kw: Any) -> Field:
    return Field(name, FLOAT, nullable=True, minimum=low, maximum=high, **kw)


def _date(name: str, *, required: bool = False, **kw: Any) -> Field:
    return Field(name, DATE, nullable=not required, required=required, **kw)


def _bool(name: str, **kw: Any) -> Field:
    return Field(name, BOOL, **kw)


def _position() -> Field:
    return _int("position", 0, POSITION_MAX)


def _entity(kind: str, label: str, owner: str, *fields: Field) -> Entity:
    return Entity(kind, label, owner, {f.name: f for f in fields})


_ENTITIES = [
    # ------------------------------------------------------------ network and people
    _entity(
        "network", "Network", "network",
        _name("name", required=True),
        _text("common_aim"),
        _text("description"),
        _int("suppression_threshold", 1, 1000, label="small-count threshold"),
        _choice("rule_set", RULE_SETS, 64, label="run-chart rule set"),
        _name("coordinator_public_key", label="coordinator's public key"),
        _date("created"),
    ),
    _entity(
        "site", "Site", "self",
        _ref("network_id", "network"),
        _ref("parent_id", "site", nullable=True, label="parent site"),
        _name("name", required=True),
        _choice("kind", SITE_KINDS, 32),
        Field("public_keys", JSON_LIST, items=TEXT, item_length=NAME_MAX,
              max_length=JSON_MAX, label="public keys"),
        Field("context_tags", JSON_DICT, items="text|number", item_length=NAME_MAX,
              max_length=JSON_MAX, label="context tags"),
        _text("private_notes", private=True, label="private notes"),
    ),
    _entity(
        "member", "Member", "site_id",
        _ref("site_id", "site"),
        _name("name", required=True),
        _choice("role", MEMBER_ROLES, 32),
        _text("responsibilities"),
        _name("email", private=True),
        _bool("norms_accepted", label="norms accepted"),
    ),
    _entity(
        "charter", "Charter", "network",
        _ref("network_id", "network"),
        _text("roles"),
        _text("norms"),
        _text("cadence"),
    ),
    # ------------------------------------------------------------ equity (issue #21)
    _entity(
        "group_dimension", "Student group dimension", "network",
        _ref("network_id", "network"),
        _name("name", required=True),
        _text("description"),
        _position(),
    ),
    _entity(
        "student_group", "Student group", "parent:dimension_id",
        _ref("dimension_id", "group_dimension", label="dimension"),
        _name("name", required=True),
        _position(),
    ),
    _entity(
        # a site's numbers for fair comparisons, dated by school year: its enrolment
        # (no group) and the students in each group
        "site_enrolment", "Site enrolment", "site_id",
        _ref("site_id", "site"),
        Field("school_year", TEXT, max_length=7, required=True, label="school year",
              pattern=SCHOOL_YEAR,
              pattern_hint="is not a school year: write it as 2025-26."),
        _ref("group_id", "student_group", nullable=True, label="student group"),
        _int("students", 0, 10_000_000),
    ),
    # ------------------------------------------------------------ problem and theory
    _entity(
        "aim", "Aim", "site_id",
        _ref("network_id", "network"),
        _ref("site_id", "site", nullable=True),
        _text("statement", required=True),
        _ref("measure_id", "measure", nullable=True),
        _float("baseline_value", label="baseline value"),
        _date("baseline_date", label="baseline date"),
        _float("target_value", label="target value"),
        _date("deadline"),
        _text("population"),
        # a gap-closing aim (issue #21): the gap between a focus group and a reference
        # group (empty: all students), from a baseline gap to a target gap by the deadline
        _ref("focus_group_id", "student_group", nullable=True, label="focus group"),
        _ref("reference_group_id", "student_group", nullable=True,
             label="reference group"),
        _choice("gap_kind", GAP_KINDS, 16, label="kind of gap"),
        _float("baseline_gap", label="baseline gap"),
        _float("target_gap", label="target gap"),
    ),
    _entity(
        "fishbone", "Fishbone", "site_id",
        _ref("network_id", "network"),
        _ref("site_id", "site", nullable=True),
        _name("title"),
        _text("problem", required=True),
    ),
    _entity(
        "fishbone_category", "Fishbone category", "parent:fishbone_id",
        _ref("fishbone_id", "fishbone"),
        _name("name", required=True),
        _position(),
    ),
    _entity(
        "cause", "Cause", "parent:fishbone_id",
        _ref("fishbone_id", "fishbone"),
        _ref("category_id", "fishbone_category", label="category"),
        _ref("parent_id", "cause", nullable=True, label="parent cause"),
        _text("text", required=True),
        _text("evidence"),
        _choice("evidence_kind", EVIDENCE_KINDS, 24, label="kind of evidence"),
        _int("votes", 0, POSITION_MAX),
        _bool("is_root", label="root cause"),
        Field("whys", JSON_LIST, items=TEXT, item_length=TEXT_MAX, max_length=JSON_MAX,
              label="5 whys"),
        _position(),
    ),
    _entity(
        "cause_driver_link", "Cause → driver link", "parent:cause_id",
        _ref("cause_id", "cause"),
        _ref("node_id", "driver_node", label="driver"),
    ),
    _entity(
        "driver_diagram", "Driver diagram", "site_id",
        _ref("network_id", "network"),
        _ref("site_id", "site", nullable=True),
        _name("name", required=True),
        _ref("aim_id", "aim", nullable=True),
        _ref("adopted_from_id", "driver_diagram", nullable=True, label="adopted diagram"),
        _bool("order_pinned", label="pinned order"),
    ),
    _entity(
        "driver_node", "Driver diagram node", "parent:diagram_id",
        _ref("diagram_id", "driver_diagram"),
        _choice("level", DRIVER_LEVELS, 16),
        _text("text", required=True),
        _text("description"),
        _choice("status", NODE_STATUSES, 32),
        _position(),
        # the network node it was adopted from: lives in another diagram, not enforced
        _ref("source_node_id", "driver_node", nullable=True, foreign_key=False,
             label="network node"),
    ),
    _entity(
        "driver_link", "Driver diagram link", "parent:diagram_id",
        _ref("diagram_id", "driver_diagram"),
        _ref("parent_node_id", "driver_node", label="parent node"),
        _ref("child_node_id", "driver_node", label="child node"),
    ),
    _entity(
        "node_measure", "Node → measure link", "parent:node_id",
        _ref("node_id", "driver_node"),
        _ref("measure_id", "measure"),
    ),
    _entity(
        "diagram_snapshot", "Diagram snapshot", "parent:diagram_id",
        _ref("diagram_id", "driver_diagram"),
        _name("name"),
        _date("taken"),
        Field("content", JSON_DICT, max_length=SNAPSHOT_MAX),
    ),
    _entity(
        "change_idea", "Change idea", "parent:node_id",
        _ref("network_id", "network"),
        _ref("node_id", "driver_node", nullable=True),
        _name("title", required=True),
        _text("description"),
    ),
    # ------------------------------------------------------------ testing changes
    _entity(
        "pdsa_ramp", "PDSA ramp", "site_id",
        _ref("site_id", "site"),
        _ref("change_idea_id", "change_idea", nullable=True, label="change idea"),
        _name("title", required=True),
    ),
    _entity(
        "pdsa_cycle", "PDSA cycle", "site_id",
        _ref("ramp_id", "pdsa_ramp", nullable=True),
        _ref("site_id", "site"),
        _ref("change_idea_id", "change_idea", nullable=True, label="change idea"),
        _name("title", required=True),
        _int("cycle_number", 0, 10_000, label="cycle number"),
        _name("scale"),
        _date("start_date", label="start date"),
        _date("end_date", label="end date"),
        _text("conditions"),
        _text("objective"),
        _text("logistics"),
        _text("data_collection", label="data to collect"),
        _text("do_what_happened", label="what happened"),
        _text("do_observations", label="observations"),
        _text("do_problems", label="problems"),
        _text("do_deviations", label="deviations from plan"),
        _text("study_learned", label="what was learned"),
        _text("study_surprises", label="surprises"),
        _choice("decision", PDSA_DECISIONS, 16),
        _text("act_next", label="next cycle"),
        _text("private_notes", private=True, label="private notes"),
    ),
    _entity(
        "pdsa_question", "PDSA question", "parent:cycle_id",
        _ref("cycle_id", "pdsa_cycle"),
        _position(),
        _text("question"),
        _text("prediction"),
        _text("result"),
    ),
    _entity(
        "pdsa_measure", "PDSA → measure link", "parent:cycle_id",
        _ref("cycle_id", "pdsa_cycle"),
        _ref("measure_id", "measure"),
    ),
    _entity(
        "measure", "Measure", "site_id",
        _ref("network_id", "network"),
        _ref("site_id", "site", nullable=True),
        _name("name", required=True),
        _choice("kind", MEASURE_KINDS, 16),
        _text("definition"),
        _name("unit"),
        _text("data_source", label="data source"),
        _choice("frequency", FREQUENCIES, 16),
        _choice("direction", DIRECTIONS, 8),
        _float("target"),
        _choice("value_type", VALUE_TYPES, 16, label="value type"),
        _choice("chart_kind", CHART_KINDS, 8, label="chart kind"),
    ),
    _entity(
        "observation", "Observation", "site_id",
        _ref("measure_id", "measure"),
        _ref("site_id", "site"),
        _date("period", required=True),
        _float("value"),
        _float("numerator", 0, COUNT_MAX),
        _float("denominator", 0, COUNT_MAX),
        _text("note"),
        _bool("excluded"),
        _text("exclusion_reason", label="reason for the exclusion"),
        # a person's mark: IHI's astronomical data point (the note says why)
        _bool("astronomical", label="astronomical point"),
        # the student group the value is for (issue #21); empty: all students
        _ref("group_id", "student_group", nullable=True, label="student group"),
    ),
    _entity(
        "chart_phase", "Chart phase", "site_id",
        _ref("measure_id", "measure"),
        _ref("site_id", "site"),
        _choice("kind", PHASE_KINDS, 16),
        _date("start", required=True),
        _text("reason"),
        _ref("pdsa_cycle_id", "pdsa_cycle", nullable=True, label="PDSA cycle"),
    ),
    _entity(
        "annotation", "Annotation", "site_id",
        _ref("measure_id", "measure"),
        _ref("site_id", "site"),
        _date("date", required=True),
        _text("text"),
    ),
    # ------------------------------------------------------------ learning together
    _entity(
        "meeting", "Meeting", "site_id",
        _ref("network_id", "network"),
        _ref("site_id", "site", nullable=True),
        _name("title", required=True),
        _date("date"),
        Field("start_time", TEXT, max_length=5, label="start time", pattern=TIME_OF_DAY,
              pattern_hint="is not a time of day: write it as 24-hour HH:MM, for example "
                           "15:30."),
        _name("place"),
        Field("attendees", JSON_LIST, items=TEXT, item_length=NAME_MAX, max_length=JSON_MAX),
        _text("notes"),
        _text("decisions"),
    ),
    _entity(
        "agenda_item", "Agenda item", "parent:meeting_id",
        _ref("meeting_id", "meeting"),
        _position(),
        _name("title", required=True),
        _int("minutes", 0, 1440),
        _name("owner"),
        _text("material"),
    ),
    _entity(
        "action_item", "Action item", "parent:meeting_id",
        _ref("meeting_id", "meeting"),
        _text("text", required=True),
        _name("owner"),
        _date("due"),
        _bool("done"),
    ),
    # ------------------------------------------------------------ learning routines (#22)
    _entity(
        # a comment on any record, owned by the author's site; a reply names its parent
        "comment", "Comment", "site_id",
        _ref("network_id", "network"),
        _ref("site_id", "site", label="author's site"),
        _ref("author_id", "member", nullable=True, label="author"),
        _choice("subject_kind", COMMENT_SUBJECTS, 32, required=True,
                label="kind of record discussed"),
        # any kind of record, so not a database reference: a thread whose record has not
        # arrived (or was deleted) is shown as such
        Field("subject_id", TEXT, max_length=ID_MAX, required=True, label="record discussed"),
        _date("point_period", label="chart point"),
        # a network-wide measure has a chart per site: the one discussed (empty: all)
        _ref("chart_site_id", "site", nullable=True, label="site's chart"),
        _ref("parent_id", "comment", nullable=True, label="replies to"),
        _text("text", required=True),
        Field("mentions", JSON_LIST, items=TEXT, item_length=ID_MAX, max_length=JSON_MAX,
              label="mentioned members"),
        Field("posted", TEXT, max_length=40, pattern=TIMESTAMP,
              pattern_hint="is not a time: write it as 2026-11-26T15:30:00Z."),
        _bool("resolved"),
    ),
    _entity(
        # a coach's or facilitator's structured feedback on a PDSA cycle
        "coaching_feedback", "Coaching feedback", "site_id",
        _ref("cycle_id", "pdsa_cycle", label="PDSA cycle"),
        _ref("site_id", "site", label="coach's site"),
        _ref("author_id", "member", nullable=True, label="coach"),
        _date("given"),
        _text("strengths", label="what was strong"),
        _text("question"),
        _text("suggestion"),
        _text("next_step", label="next step"),
    ),
    _entity(
        # IHI progress score of a site (or of the network when no site is named)
        "progress_score", "Progress score", "site_id",
        _ref("network_id", "network"),
        _ref("site_id", "site", nullable=True),
        _choice("score", PROGRESS_SCORES, 4, required=True),
        _date("date", required=True),
        _text("note"),
    ),
    _entity(
        # where a change idea stands at one site: testing, adapting, adopted, abandoned
        "change_adoption", "Change idea spread", "site_id",
        _ref("change_idea_id", "change_idea", label="change idea"),
        _ref("site_id", "site"),
        _choice("status", ADOPTION_STATUSES, 16, required=True),
        _date("since", required=True),
        _text("note"),
    ),
    _entity(
        # a formation or running milestone of the network (or of one site)
        "milestone", "Milestone", "site_id",
        _ref("network_id", "network"),
        _ref("site_id", "site", nullable=True),
        _name("title", required=True),
        _choice("kind", MILESTONE_KINDS, 32),
        _date("planned"),
        _date("done"),
        _name("responsible", label="who is responsible"),
        _text("note"),
    ),
]

#: entity kind -> its description
ENTITIES: dict[str, Entity] = {e.kind: e for e in _ENTITIES}


# ------------------------------------------------------------------ look-ups
def entity(kind: str) -> Entity:
    """The description of a kind; ValueError for a kind NICdesk does not know."""
    try:
        return ENTITIES[kind]
    except KeyError:
        raise ValueError(f"Unknown kind of record: {kind}") from None


def field_of(kind: str, name: str) -> Field:
    """One field's description; ValueError when the kind has no such field."""
    e = entity(kind)
    try:
        return e.fields[name]
    except KeyError:
        raise ValueError(f"{_cap(_a(_lower(e.label)))} has no field {name}.") from None


def field_names(kind: str) -> list[str]:
    """The described fields of a kind, in order (the sync metadata excluded)."""
    return list(entity(kind).fields)


def choices(kind: str, name: str) -> tuple[str, ...] | None:
    """The allowed values of a field, or None when it is free (or not described)."""
    e = ENTITIES.get(kind)
    f = e.fields.get(name) if e else None
    return f.choices if f else None


def private_fields() -> dict[str, frozenset[str]]:
    """kind -> the fields that stay on the site's machine (only kinds that have any)."""
    out = {}
    for e in _ENTITIES:
        names = frozenset(f.name for f in e.fields.values() if f.private)
        if names:
            out[e.kind] = names
    return out


def kind_labels() -> dict[str, str]:
    return {e.kind: e.label for e in _ENTITIES}


def counted(n: int, kind: str, label: str = "") -> str:
    """"3 observations", "1 fishbone category", "2 PDSA cycles" (`label` in place of the
    kind's own)."""
    label = label or _lower(kind_labels().get(kind, kind))
    if n != 1:
        label = label[:-1] + "ies" if label.endswith("y") and label[-2:-1] not in "aeiou" \
            else label + "s"
    return f"{n} {label}"


def in_sentence(label: str) -> str:
    """A label or undo step inside a sentence: 'Add site' -> 'add site' (as in "Undo add
    site"); a label that starts with an abbreviation ('PDSA cycle') stays as it is."""
    return _lower(label)


def edit_label(kind: str, names: Iterable[str]) -> str:
    """The undo step of editing fields of a record, in the words the form shows:
    'Change idea of PDSA cycle', 'Name and kind of site'."""
    e = ENTITIES.get(kind)
    labels: list[str] = []
    for name in names:
        f = e.fields.get(name) if e is not None else None
        label = f.label if f is not None else name.removesuffix("_id").replace("_", " ")
        if label not in labels:
            labels.append(label)
    what = (", ".join(labels[:-1]) + " and " + labels[-1]) if len(labels) > 1 else (
        labels[0] if labels else "edit")
    return _cap(f"{what} of {_lower(e.label if e is not None else kind.replace('_', ' '))}")


# ------------------------------------------------------------------ checking values
def problems(kind: str, values: Mapping[str, Any], *, partial: bool = False) -> list[Problem]:
    """What is wrong with values for a record of `kind`, in a person's words.

    With `partial`, only the given fields are checked (an edit of some fields); otherwise
    the record is new, and the fields it needs must be there.  Sync metadata (id, clocks,
    tombstone…) is not checked here.  The rule that needs the record's measure is in
    `observation_problems`."""
    e = ENTITIES.get(kind)
    if e is None:
        return [Problem("", f"Unknown kind of record: {kind}")]
    out: list[Problem] = []
    unknown = sorted(set(values) - set(e.fields) - SYNC_FIELDS)
    if unknown:
        out.append(Problem(unknown[0], f"{_cap(_a(_lower(e.label)))} has no field "
                                       + ", ".join(unknown) + "."))
    for f in e.fields.values():
        if f.name not in values:
            if not partial and f.required:
                out.append(Problem(f.name, _needs(e, f)))
            continue
        message = check(f, values[f.name], kind=kind)
        if message:
            out.append(Problem(f.name, message))
    return out


def observation_problems(values: Mapping[str, Any], value_type: str | None) -> list[Problem]:
    """The rule an observation cannot check alone: of a proportion, the numerator cannot be
    larger than the denominator.  `values` holds the observation's numerator and
    denominator (give the stored one when only the other changes); `value_type` is its
    measure's."""
    num, den = values.get("numerator"), values.get("denominator")
    if value_type != ValueType.PROPORTION or not _is_number(num) or not _is_number(den):
        return []
    if _finite(num) and _finite(den) and num > den:
        return [Problem("numerator", f"{num:g} out of {den:g} is not possible for a "
                        "proportion: the numerator cannot be larger than the denominator.")]
    return []


def check(f: Field, value: Any, *, kind: str = "") -> str | None:
    """The problem with one value of one field, or None when it is fine."""
    label = f.label
    if value is None:
        if f.nullable:
            return None
        if f.required and kind in ENTITIES:
            return _needs(ENTITIES[kind], f)
        return f"The {label} cannot be left empty."
    if f.type in (TEXT, REF):
        return _check_text(f, value, kind)
    if f.type == INT:
        if not isinstance(value, int) or isinstance(value, bool):
            return f"The {label} must be a whole number, not {_show(value)}."
        return _check_range(f, value)
    if f.type == FLOAT:
        if not _is_number(value):
            return f"The {label} must be a number, not {_show(value)}."
        if not _finite(value):
            return (f"The {label} must be an ordinary number; {_show(value)} (not a number "
                    "or infinity) cannot be charted.")
        return _check_range(f, value)
    if f.type == BOOL:
        return None if isinstance(value, bool) else \
            f"The {label} must be yes or no, not {_show(value)}."
    if f.type == DATE:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            return f"The {label} must be a date like 2026-09-01, not {_show(value)}."
        if not EARLIEST <= value <= LATEST:
            return (f"The {label} {value.isoformat()} is not a plausible date: dates must lie "
                    f"between {EARLIEST.year} and {LATEST.year}.")
        return None
    return _check_json(f, value)


def _check_text(f: Field, value: Any, kind: str) -> str | None:
    label = f.label
    if not isinstance(value, str):
        what = "an id" if f.type == REF else "text"
        return f"The {label} must be {what}, not {_show(value)}."
    if not value.strip() and (f.required or f.type == REF):
        if f.required and kind in ENTITIES:
            return _needs(ENTITIES[kind], f)
        return f"The {label} is blank; choose one or leave it unset."
    if f.choices is not None and value not in f.choices:
        return (f"{_show(value)} is not a {label}; choose one of: "
                + ", ".join(a for a in f.choices if a))
    if f.pattern and value and not re.fullmatch(f.pattern, value):
        return f"{_show(value)} {f.pattern_hint}"
    if f.max_length is not None and len(value) > f.max_length:
        return (f"The {label} is {len(value):,} characters long; it can be at most "
                f"{f.max_length:,}.")
    bad = _bad_characters(value)
    if bad:
        return f"The {label} {bad}"
    return None


def _bad_characters(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character, which cannot be stored."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a broken character (half of a surrogate pair)."
    return None


def _check_range(f: Field, value: float) -> str | None:
    low, high = f.minimum, f.maximum
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    if low is not None and high is not None:
        return f"The {f.label} must be between {_num(low)} and {_num(high)}, not {_num(value)}."
    if low is not None:
        return f"The {f.label} must be {_num(low)} or more, not {_num(value)}."
    return f"The {f.label} must be {_num(high)} or less, not {_num(value)}."  # type: ignore[arg-type]  # high is set: with neither bound the value passed above


def _check_json(f: Field, value: Any) -> str | None:
    label = f.label
    if f.type == JSON_LIST and not isinstance(value, list):
        return f"The {label} must be a list, not {_show(value)}."
    if f.type == JSON_DICT and not isinstance(value, dict):
        return f"The {label} must be a set of named values, not {_show(value)}."
    shape = _json_shape(value)
    if shape:
        return f"The {label} {shape}"
    if f.items is not None:
        if isinstance(value, list):
            entries: list[tuple[str | None, Any]] = [(None, v) for v in value]
        else:
            entries = list(value.items())
        for key, item in entries:
            if key is not None and f.item_length and len(key) > f.item_length:
                return (f"The {label} has a name {len(key):,} characters long; names can be "
                        f"at most {f.item_length:,}.")
            is_text = isinstance(item, str)
            if not is_text and not ("number" in f.items and _is_number(item)):
                what = "text or a number" if "number" in f.items else "text"
                where = f"{key!r}" if key is not None else "each entry"
                return f"In the {label}, {where} must be {what}, not {_show(item)}."
            if is_text and f.item_length and len(item) > f.item_length:
                return (f"The {label} has an entry {len(item):,} characters long; entries "
                        f"can be at most {f.item_length:,}.")
    if f.max_length is not None:
        size = len(json.dumps(value, ensure_ascii=False))
        if size > f.max_length:
            return (f"The {label} is too large ({size:,} characters written out; at most "
                    f"{f.max_length:,}).")
    return None


def _json_shape(value: Any) -> str | None:
    """None when `value` is plain JSON (objects with text names, lists, text, finite numbers,
    yes/no, null) nested at most JSON_DEPTH deep; otherwise the end of a sentence."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > JSON_DEPTH:
                return f"is nested too deeply (more than {JSON_DEPTH} levels)."
            if isinstance(item, dict):
                if not all(isinstance(k, str) for k in item):
                    return "has a name that is not text."
                children: Iterable[Any] = item.values()
            else:
                children = item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, float) and not math.isfinite(item):
            return f"holds {_show(item)}, which is not an ordinary number."
        elif isinstance(item, str):
            bad = _bad_characters(item)
            if bad:
                return bad
        elif not (item is None or isinstance(item, bool | int | float)):
            return f"holds {_show(item)}, which cannot be stored."
    return None


# ------------------------------------------------------------------ converting values
_TRUE = ("1", "true", "yes", "y", "on")
_FALSE = ("0", "false", "no", "n", "off", "")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def coerce(kind: str, name: str, value: Any) -> Any:
    """A value from a form or the command line (often text) → the field's Python type.

    Raises ValueError with a plain message when the text cannot be that type.  Only the
    type is settled here; `problems` checks ranges, lengths and vocabularies."""
    f = field_of(kind, name)
    if value is None:
        return None
    try:
        if f.type == DATE:
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, dt.date):
                return value
            if isinstance(value, str):
                return None if not value.strip() else dt.date.fromisoformat(value.strip())
            raise ValueError
        if f.type == BOOL:
            if isinstance(value, str):
                word = value.strip().lower()
                if word in _TRUE or word in _FALSE:
                    return word in _TRUE
                raise ValueError
            if isinstance(value, bool | int):
                return bool(value)
            raise ValueError
        if f.type == INT:
            if value == "" and f.nullable:
                return None
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, float):
                if not value.is_integer():
                    raise ValueError
                return int(value)
            return int(value) if isinstance(value, int | str) else _raise()
        if f.type == FLOAT:
            if isinstance(value, str):
                return None if not value.strip() else float(value)
            if isinstance(value, bool):
                raise ValueError
            return float(value) if isinstance(value, int | float) else _raise()
        if f.type == REF:
            return None if value == "" and f.nullable else value
        if f.type in (JSON_LIST, JSON_DICT) and isinstance(value, str):
            return json.loads(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{_show(value)} is not a valid {f.label} ({_wanted(f)} is "
                         "needed).") from exc
    return value


def decode(kind: str, name: str, value: Any) -> Any:
    """A value from a bundle's JSON → the field's Python value, checked.

    Dates come as ISO text (2026-09-01), whole numbers as JSON integers (not true/false),
    numbers as finite JSON numbers.  Raises ValueError with a plain message for a value of
    the wrong type, out of range, too long, not in the vocabulary or of the wrong shape.
    Whether a new record has the fields it needs is `problems`' business."""
    f = field_of(kind, name)
    converted = value
    if value is not None:
        if f.type == DATE:
            if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
                raise ValueError(f"The {f.label} must be a date written like 2026-09-01, "
                                 f"not {_show(value)}.")
            try:
                converted = dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"The {f.label} {value} is not a real date.") from None
        elif f.type == FLOAT and isinstance(value, int) and not isinstance(value, bool):
            try:
                converted = float(value)
            except OverflowError:
                raise ValueError(f"The {f.label} is far too large a number.") from None
    message = check(f, converted, kind=kind)
    if message and f.type == TEXT and f.required and isinstance(converted, str) \
            and not converted.strip():
        message = None  # blank but present: for `problems` to judge on a new record
    if message:
        raise ValueError(message)
    return converted


def decode_record(kind: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """`decode` applied to every described field of one record from a bundle; other keys
    (the sync metadata) are passed through untouched.  ValueError names the field."""
    e = entity(kind)
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name in e.fields:
            try:
                out[name] = decode(kind, name, value)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        else:
            out[name] = value
    return out


# ------------------------------------------------------------------ words
def _a(words: str) -> str:
    return ("an " if words[:1].lower() in "aeiou" else "a ") + words


def _lower(label: str) -> str:
    """'Site' -> 'site' for use inside a sentence; 'PDSA cycle' stays as it is."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _needs(e: Entity, f: Field) -> str:
    what = "some text" if f.name == "text" else _a(f.label)
    return f"{_cap(_a(_lower(e.label)))} needs {what}."


def _wanted(f: Field) -> str:
    return {DATE: "a date like 2026-09-01", BOOL: "yes or no", INT: "a whole number",
            FLOAT: "a number", JSON_LIST: "a JSON list", JSON_DICT: "a JSON object"}.get(
        f.type, "text")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _num(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finite(value: float) -> bool:
    """A number a float column can hold: not NaN, not infinite, not an int beyond floats."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _raise() -> Any:
    raise ValueError
