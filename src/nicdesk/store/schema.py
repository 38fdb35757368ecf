"""SQLAlchemy 2.0 models for every entity of DOMAIN.md.

Every shared record carries the sync metadata of ARCHITECTURE.md through `SharedMixin`:
a UUID `id`, the owning site (`owner_site_id`), the HLC of its last change (`hlc`), one
clock per field (`field_clocks`, as cr-sqlite keeps a version per column; the tombstone's
clock sits under ``"deleted"``) and the tombstone flag `deleted`.  Records are never removed
from the table, only tombstoned, so a deletion can travel in a bundle and be undone.

`MODELS` maps the entity kind used by operations, the CLI and bundles to its class.
"""



import datetime as dt
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .errors import NotFoundError

M = TypeVar("M")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: columns every shared table has that a person never edits directly
SYNC_COLUMNS = frozenset({"id", "owner_site_id", "hlc", "field_clocks", "deleted"})


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class SharedMixin:
    """Sync metadata carried by every record that can travel between sites."""

    if TYPE_CHECKING:  # what `Base` gives each model; code handling any kind uses them
        __tablename__: str

        def __init__(self, **values: Any) -> None: ...

    __kind__: str = ""
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_site_id: Mapped[str | None] = mapped_column(String(36), index=True)
    hlc: Mapped[str] = mapped_column(String(64), default="")
    field_clocks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


def _fk(target: str, *, nullable: bool = False) -> Any:
    """A reference; deferrable so an import can check all references at commit
    (SQLite: PRAGMA defer_foreign_keys, PostgreSQL: SET CONSTRAINTS ALL DEFERRED)."""
    return mapped_column(String(36), ForeignKey(f"{target}.id", deferrable=True,
                                                initially="IMMEDIATE"),
                         nullable=nullable, index=True)


def _text(default: str = "") -> Any:
    return mapped_column(Text, default=default, nullable=False)


# ---------------------------------------------------------------- network and people
class Network(SharedMixin, Base):
    __tablename__ = "networks"
    __kind__ = "network"
    name: Mapped[str] = _text()
    common_aim: Mapped[str] = _text()
    description: Mapped[str] = _text()
    suppression_threshold: Mapped[int] = mapped_column(Integer, default=10)
    rule_set: Mapped[str] = mapped_column(String(64), default="IHI run-chart rules")
    coordinator_public_key: Mapped[str] = _text()
    created: Mapped[dt.date | None] = mapped_column(Date)


class Site(SharedMixin, Base):
    __tablename__ = "sites"
    __kind__ = "site"
    network_id: Mapped[str] = _fk("networks")
    parent_id: Mapped[str | None] = _fk("sites", nullable=True)
    name: Mapped[str] = _text()
    kind: Mapped[str] = mapped_column(String(32), default="school")
    public_keys: Mapped[list[Any]] = mapped_column(JSON, default=list)
    context_tags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    private_notes: Mapped[str] = _text()


class Member(SharedMixin, Base):
    __tablename__ = "members"
    __kind__ = "member"
    site_id: Mapped[str] = _fk("sites")
    name: Mapped[str] = _text()
    role: Mapped[str] = mapped_column(String(32), default="teacher")
    responsibilities: Mapped[str] = _text()
    email: Mapped[str] = _text()
    norms_accepted: Mapped[bool] = mapped_column(Boolean, default=False)


class Charter(SharedMixin, Base):
    __tablename__ = "charters"
    __kind__ = "charter"
    network_id: Mapped[str] = _fk("networks")
    roles: Mapped[str] = _text()
    norms: Mapped[str] = _text()
    cadence: Mapped[str] = _text()


# ---------------------------------------------------------------- problem and theory
class Aim(SharedMixin, Base):
    __tablename__ = "aims"
    __kind__ = "aim"
    network_id: Mapped[str] = _fk("networks")
    site_id: Mapped[str | None] = _fk("sites", nullable=True)
    statement: Mapped[str] = _text()
    measure_id: Mapped[str | None] = _fk("measures", nullable=True)
    baseline_value: Mapped[float | None] = mapped_column(Float)
    baseline_date: Mapped[dt.date | None] = mapped_column(Date)
    target_value: Mapped[float | None] = mapped_column(Float)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    population: Mapped[str] = _text()
    # a gap-closing aim (0008): the gap between a focus and a reference group
    focus_group_id: Mapped[str | None] = _fk("student_groups", nullable=True)
    reference_group_id: Mapped[str | None] = _fk("student_groups", nullable=True)
    gap_kind: Mapped[str] = mapped_column(String(16), default="")
    baseline_gap: Mapped[float | None] = mapped_column(Float)
    target_gap: Mapped[float | None] = mapped_column(Float)


class Fishbone(SharedMixin, Base):
    __tablename__ = "fishbones"
    __kind__ = "fishbone"
    network_id: Mapped[str] = _fk("networks")
    site_id: Mapped[str | None] = _fk("sites", nullable=True)
    title: Mapped[str] = _text()
    problem: Mapped[str] = _text()


class FishboneCategory(SharedMixin, Base):
    __tablename__ = "fishbone_categories"
    __kind__ = "fishbone_category"
    fishbone_id: Mapped[str] = _fk("fishbones")
    name: Mapped[str] = _text()
    position: Mapped[int] = mapped_column(Integer, default=0)


class Cause(SharedMixin, Base):
    __tablename__ = "causes"
    __kind__ = "cause"
    fishbone_id: Mapped[str] = _fk("fishbones")
    category_id: Mapped[str] = _fk("fishbone_categories")
    parent_id: Mapped[str | None] = _fk("causes", nullable=True)
    text: Mapped[str] = _text()
    evidence: Mapped[str] = _text()
    evidence_kind: Mapped[str] = mapped_column(String(24), default="", server_default="")
    votes: Mapped[int] = mapped_column(Integer, default=0)
    is_root: Mapped[bool] = mapped_column(Boolean, default=False)
    whys: Mapped[list[Any]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)


class CauseDriverLink(SharedMixin, Base):
    __tablename__ = "cause_driver_links"
    __kind__ = "cause_driver_link"
    cause_id: Mapped[str] = _fk("causes")
    node_id: Mapped[str] = _fk("driver_nodes")


class DriverDiagram(SharedMixin, Base):
    __tablename__ = "driver_diagrams"
    __kind__ = "driver_diagram"
    network_id: Mapped[str] = _fk("networks")
    site_id: Mapped[str | None] = _fk("sites", nullable=True)
    name: Mapped[str] = _text()
    aim_id: Mapped[str | None] = _fk("aims", nullable=True)
    adopted_from_id: Mapped[str | None] = _fk("driver_diagrams", nullable=True)
    order_pinned: Mapped[bool] = mapped_column(Boolean, default=False,
                                               server_default=sa_false())


class DriverNode(SharedMixin, Base):
    __tablename__ = "driver_nodes"
    __kind__ = "driver_node"
    diagram_id: Mapped[str] = _fk("driver_diagrams")
    level: Mapped[str] = mapped_column(String(16), default="primary")
    text: Mapped[str] = _text()
    description: Mapped[str] = _text()
    status: Mapped[str] = mapped_column(String(32), default="hypothesis")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # the network node this one was adopted from (network-wide counts need it)
    source_node_id: Mapped[str | None] = mapped_column(String(36), index=True)


class DriverLink(SharedMixin, Base):
    __tablename__ = "driver_links"
    __kind__ = "driver_link"
    diagram_id: Mapped[str] = _fk("driver_diagrams")
    parent_node_id: Mapped[str] = _fk("driver_nodes")
    child_node_id: Mapped[str] = _fk("driver_nodes")


class NodeMeasure(SharedMixin, Base):
    __tablename__ = "node_measures"
    __kind__ = "node_measure"
    node_id: Mapped[str] = _fk("driver_nodes")
    measure_id: Mapped[str] = _fk("measures")


class DiagramSnapshot(SharedMixin, Base):
    __tablename__ = "diagram_snapshots"
    __kind__ = "diagram_snapshot"
    diagram_id: Mapped[str] = _fk("driver_diagrams")
    name: Mapped[str] = _text()
    taken: Mapped[dt.date | None] = mapped_column(Date)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ChangeIdea(SharedMixin, Base):
    __tablename__ = "change_ideas"
    __kind__ = "change_idea"
    network_id: Mapped[str] = _fk("networks")
    node_id: Mapped[str | None] = _fk("driver_nodes", nullable=True)
    title: Mapped[str] = _text()
    description: Mapped[str] = _text()


# ---------------------------------------------------------------- testing changes
class PdsaRamp(SharedMixin, Base):
    __tablename__ = "pdsa_ramps"
    __kind__ = "pdsa_ramp"
    site_id: Mapped[str] = _fk("sites")
    change_idea_id: Mapped[str | None] = _fk("change_ideas", nullable=True)
    title: Mapped[str] = _text()


class PdsaCycle(SharedMixin, Base):
    __tablename__ = "pdsa_cycles"
    __kind__ = "pdsa_cycle"
    ramp_id: Mapped[str | None] = _fk("pdsa_ramps", nullable=True)
    site_id: Mapped[str] = _fk("sites")
    change_idea_id: Mapped[str | None] = _fk("change_ideas", nullable=True)
    title: Mapped[str] = _text()
    cycle_number: Mapped[int] = mapped_column(Integer, default=1)
    scale: Mapped[str] = _text()
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    conditions: Mapped[str] = _text()
    objective: Mapped[str] = _text()
    logistics: Mapped[str] = _text()
    data_collection: Mapped[str] = _text()
    do_what_happened: Mapped[str] = _text()
    do_observations: Mapped[str] = _text()
    do_problems: Mapped[str] = _text()
    do_deviations: Mapped[str] = _text()
    study_learned: Mapped[str] = _text()
    study_surprises: Mapped[str] = _text()
    decision: Mapped[str] = mapped_column(String(16), default="")
    act_next: Mapped[str] = _text()
    private_notes: Mapped[str] = _text()


class PdsaQuestion(SharedMixin, Base):
    __tablename__ = "pdsa_questions"
    __kind__ = "pdsa_question"
    cycle_id: Mapped[str] = _fk("pdsa_cycles")
    position: Mapped[int] = mapped_column(Integer, default=0)
    question: Mapped[str] = _text()
    prediction: Mapped[str] = _text()
    result: Mapped[str] = _text()


class PdsaMeasure(SharedMixin, Base):
    __tablename__ = "pdsa_measures"
    __kind__ = "pdsa_measure"
    cycle_id: Mapped[str] = _fk("pdsa_cycles")
    measure_id: Mapped[str] = _fk("measures")


class Measure(SharedMixin, Base):
    __tablename__ = "measures"
    __kind__ = "measure"
    network_id: Mapped[str] = _fk("networks")
    site_id: Mapped[str | None] = _fk("sites", nullable=True)
    name: Mapped[str] = _text()
    kind: Mapped[str] = mapped_column(String(16), default="outcome")
    definition: Mapped[str] = _text()
    unit: Mapped[str] = _text()
    data_source: Mapped[str] = _text()
    frequency: Mapped[str] = mapped_column(String(16), default="monthly")
    direction: Mapped[str] = mapped_column(String(8), default="up")
    target: Mapped[float | None] = mapped_column(Float)
    value_type: Mapped[str] = mapped_column(String(16), default="continuous")
    chart_kind: Mapped[str] = mapped_column(String(8), default="run")


class Observation(SharedMixin, Base):
    __tablename__ = "observations"
    __kind__ = "observation"
    measure_id: Mapped[str] = _fk("measures")
    site_id: Mapped[str] = _fk("sites")
    period: Mapped[dt.date] = mapped_column(Date, nullable=False)
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = _text()
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    exclusion_reason: Mapped[str] = _text()
    # IHI's astronomical data point, as a person's mark (the note says why); 0007
    astronomical: Mapped[bool] = mapped_column(Boolean, default=False)
    # the student group the value is for; empty: all students (0008)
    group_id: Mapped[str | None] = _fk("student_groups", nullable=True)


# one value per measure, site, period and student group ("all students" is the empty
# group, which a plain unique constraint would not hold to one row: NULLs never collide)
Index("uq_observations_point", Observation.measure_id, Observation.site_id,
      Observation.period, func.coalesce(Observation.group_id, ""), unique=True)


class ChartPhase(SharedMixin, Base):
    __tablename__ = "chart_phases"
    __kind__ = "chart_phase"
    measure_id: Mapped[str] = _fk("measures")
    site_id: Mapped[str] = _fk("sites")
    kind: Mapped[str] = mapped_column(String(16), default="rebase")
    start: Mapped[dt.date] = mapped_column(Date, nullable=False)
    reason: Mapped[str] = _text()
    pdsa_cycle_id: Mapped[str | None] = _fk("pdsa_cycles", nullable=True)


class Annotation(SharedMixin, Base):
    __tablename__ = "annotations"
    __kind__ = "annotation"
    measure_id: Mapped[str] = _fk("measures")
    site_id: Mapped[str] = _fk("sites")
    date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    text: Mapped[str] = _text()


# ---------------------------------------------------------------- learning together
class Meeting(SharedMixin, Base):
    __tablename__ = "meetings"
    __kind__ = "meeting"
    network_id: Mapped[str] = _fk("networks")
    site_id: Mapped[str | None] = _fk("sites", nullable=True)
    title: Mapped[str] = _text()
    date: Mapped[dt.date | None] = mapped_column(Date)
    start_time: Mapped[str] = mapped_column(String(5), default="", server_default="")
    place: Mapped[str] = mapped_column(Text, default="", server_default="")
    attendees: Mapped[list[Any]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = _text()
    decisions: Mapped[str] = _text()


class AgendaItem(SharedMixin, Base):
    __tablename__ = "agenda_items"
    __kind__ = "agenda_item"
    meeting_id: Mapped[str] = _fk("meetings")
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = _text()
    minutes: Mapped[int] = mapped_column(Integer, default=10)
    owner: Mapped[str] = _text()
    material: Mapped[str] = mapped_column(Text, default="", server_default="")


class ActionItem(SharedMixin, Base):
    __tablename__ = "action_items"
    __kind__ = "action_item"
    meeting_id: Mapped[str] = _fk("meetings")
    text: Mapped[str] = _text()
    owner: Mapped[str] = _text()
    due: Mapped[dt.date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)


# ---------------------------------------------------------------- equity (0008)
class GroupDimension(SharedMixin, Base):
    __tablename__ = "group_dimensions"
    __kind__ = "group_dimension"
    network_id: Mapped[str] = _fk("networks")
    name: Mapped[str] = _text()
    description: Mapped[str] = _text()
    position: Mapped[int] = mapped_column(Integer, default=0)


class StudentGroup(SharedMixin, Base):
    __tablename__ = "student_groups"
    __kind__ = "student_group"
    dimension_id: Mapped[str] = _fk("group_dimensions")
    name: Mapped[str] = _text()
    position: Mapped[int] = mapped_column(Integer, default=0)


class SiteEnrolment(SharedMixin, Base):
    __tablename__ = "site_enrolments"
    __kind__ = "site_enrolment"
    site_id: Mapped[str] = _fk("sites")
    school_year: Mapped[str] = mapped_column(String(7), default="")
    group_id: Mapped[str | None] = _fk("student_groups", nullable=True)
    students: Mapped[int] = mapped_column(Integer, default=0)


# one figure per site, school year and group (all students: the empty group)
Index("uq_site_enrolments_point", SiteEnrolment.site_id, SiteEnrolment.school_year,
      func.coalesce(SiteEnrolment.group_id, ""), unique=True)


# ---------------------------------------------------------------- learning routines (0008)
class Comment(SharedMixin, Base):
    __tablename__ = "comments"
    __kind__ = "comment"
    network_id: Mapped[str] = _fk("networks")
    site_id: Mapped[str] = _fk("sites")
    author_id: Mapped[str | None] = _fk("members", nullable=True)
    subject_kind: Mapped[str] = mapped_column(String(32), default="")
    subject_id: Mapped[str] = mapped_column(String(36), default="", index=True)
    point_period: Mapped[dt.date | None] = mapped_column(Date)
    chart_site_id: Mapped[str | None] = _fk("sites", nullable=True)
    parent_id: Mapped[str | None] = _fk("comments", nullable=True)
    text: Mapped[str] = _text()
    mentions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    posted: Mapped[str] = mapped_column(String(40), default="")
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)


class CoachingFeedback(SharedMixin, Base):
    __tablename__ = "coaching_feedback"
    __kind__ = "coaching_feedback"
    cycle_id: Mapped[str] = _fk("pdsa_cycles")
    site_id: Mapped[str] = _fk("sites")
    author_id: Mapped[str | None] = _fk("members", nullable=True)
    given: Mapped[dt.date | None] = mapped_column(Date)
    strengths: Mapped[str] = _text()
    question: Mapped[str] = _text()
    suggestion: Mapped[str] = _text()
    next_step: Mapped[str] = _text()


class ProgressScore(SharedMixin, Base):
    __tablename__ = "progress_scores"
    __kind__ = "progress_score"
    network_id: Mapped[str] = _fk("networks")
    site_id: Mapped[str | None] = _fk("sites", nullable=True)
    score: Mapped[str] = mapped_column(String(4), default="")
    date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    note: Mapped[str] = _text()


class ChangeAdoption(SharedMixin, Base):
    __tablename__ = "change_adoptions"
    __kind__ = "change_adoption"
    change_idea_id: Mapped[str] = _fk("change_ideas")
    site_id: Mapped[str] = _fk("sites")
    status: Mapped[str] = mapped_column(String(16), default="")
    since: Mapped[dt.date] = mapped_column(Date, nullable=False)
    note: Mapped[str] = _text()


class Milestone(SharedMixin, Base):
    __tablename__ = "milestones"
    __kind__ = "milestone"
    network_id: Mapped[str] = _fk("networks")
    site_id: Mapped[str | None] = _fk("sites", nullable=True)
    title: Mapped[str] = _text()
    kind: Mapped[str] = mapped_column(String(32), default="other")
    planned: Mapped[dt.date | None] = mapped_column(Date)
    done: Mapped[dt.date | None] = mapped_column(Date)
    responsible: Mapped[str] = _text()
    note: Mapped[str] = _text()


# ---------------------------------------------------------------- local-only tables
class RecordVersion(Base):
    """A value that lost a concurrent edit: kept so a person can see and restore it."""

    __tablename__ = "record_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    field: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    hlc: Mapped[str] = mapped_column(String(64))
    kept_hlc: Mapped[str] = mapped_column(String(64))
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)


class BundleImport(Base):
    """A signed bundle this workspace has applied: (signer, sequence) is never applied twice."""

    __tablename__ = "bundle_imports"
    __table_args__ = (UniqueConstraint("signer", "sequence"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    signer: Mapped[str] = mapped_column(String(32))
    sequence: Mapped[int] = mapped_column(Integer)
    site_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(16))
    created: Mapped[str] = mapped_column(String(40))
    imported: Mapped[str] = mapped_column(String(40))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: SHA-256 of the signed manifest: the same (signer, sequence) with other content is
    #: a restored backup reusing numbers, not a replay
    manifest_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)


class WorkspaceMeta(Base):
    """Facts about this copy of the workspace (device id, local site, clock); never shared."""

    __tablename__ = "workspace_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


MODELS: dict[str, type[SharedMixin]] = {
    cls.__kind__: cls
    for cls in (
        Network, Site, Member, Charter, Aim, Fishbone, FishboneCategory, Cause,
        CauseDriverLink, DriverDiagram, DriverNode, DriverLink, NodeMeasure,
        DiagramSnapshot, ChangeIdea, PdsaRamp, PdsaCycle, PdsaQuestion, PdsaMeasure,
        Measure, Observation, ChartPhase, Annotation, Meeting, AgendaItem, ActionItem,
        GroupDimension, StudentGroup, SiteEnrolment, Comment, CoachingFeedback,
        ProgressScore, ChangeAdoption, Milestone,
    )
}  # fmt: skip


# parents before children: bundles, copies and dumps follow the references in this order
KIND_ORDER = ["network", "site", "member", "charter", "group_dimension", "student_group",
              "site_enrolment", "measure", "aim", "fishbone",
              "fishbone_category", "cause", "driver_diagram", "driver_node", "driver_link",
              "cause_driver_link", "node_measure", "diagram_snapshot", "change_idea",
              "pdsa_ramp", "pdsa_cycle", "pdsa_question", "pdsa_measure", "observation",
              "chart_phase", "annotation", "meeting", "agenda_item", "action_item",
              "comment", "coaching_feedback", "progress_score", "change_adoption",
              "milestone"]


def table_of(model: type[SharedMixin] | type[Base]) -> Table:
    """A model's table (`Base` gives every model one; the mixin alone declares none)."""
    table: Table = model.__table__  # type: ignore[union-attr, assignment]  # each model's is a Table (Base sets it); the mixin declares none
    return table


def stored(session: Session, model: type[M], key: object) -> M:
    """The record `key` of `model`, which the caller knows is there; one that is not (gone
    meanwhile, or a damaged file) is a plain refusal rather than a failure further on."""
    row = session.get(model, key)
    if row is None:
        raise NotFoundError(f"The {model.__name__} asked for is not in this workspace (it "
                            "may have been deleted meanwhile).")
    return row


def column_default(column: Column[Any]) -> Any:
    """The value a column's Python-side default gives (its function called), or None."""
    default = getattr(column.default, "arg", None)  # scalar and callable defaults have it
    return default(None) if callable(default) else default


def editable_fields(kind: str) -> list[str]:
    """The fields of a kind that a person (or an operation) may set."""
    table = table_of(MODELS[kind])
    return [c.key for c in table.columns if c.key not in SYNC_COLUMNS]


def column_type(kind: str, name: str) -> Any:
    return table_of(MODELS[kind]).columns[name].type


def record_values(obj: Any, *, with_sync: bool = False) -> dict[str, Any]:
    """A record as a plain dict (for summaries, exports and tests)."""
    columns = obj.__table__.columns
    return {
        c.key: getattr(obj, c.key)
        for c in columns
        if with_sync or c.key not in SYNC_COLUMNS or c.key == "id"
    }
