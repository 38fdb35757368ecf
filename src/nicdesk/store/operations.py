"""Operations: every user-visible change is one function, one transaction, one undo step.

Anki's pattern (ARCHITECTURE.md): the GUI and the CLI never touch the database directly;
they call `create`, `update`, `delete` or a `batch` of them, and get back `OpChanges`
saying what changed, so each screen can decide whether to redraw.  Every field written is
stamped with a fresh hybrid-logical-clock value, so edits merge per field across sites.

Undo and redo live here, not in the GUI.  Each operation is recorded as a list of field
changes (kind, id, field, old, new); creation and deletion are changes of the tombstone
field `deleted`.  Undo writes the old values back as a *new* operation with new clocks, so
an undo made after a bundle went out still travels to the network like any other edit.
The log is kept in memory for the session only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..core import entities
from ..core.authority import binds, owner_source, wholes
from ..core.authority import write_block as authority_write_block
from ..core.clock import HybridClock
from ..core.entities import in_sentence
from ..core.merge import device_of
from ..core.model import KIND_LABELS, validate
from ..core.safe_text import name_key
from ..core.states import ValueType
from .errors import InvalidChangeError, NotFoundError
from .natural_keys import NATURAL_KEYS, natural_id
from .schema import (
    MODELS,
    DriverLink,
    DriverNode,
    GroupDimension,
    Measure,
    Observation,
    Site,
    StudentGroup,
    WorkspaceMeta,
    column_default,
    editable_fields,
    table_of,
)

UNDO_LIMIT = 100
_NOT_THERE = object()  # the "old value" of a field of a record that did not exist yet


@dataclass(frozen=True)
class FieldChange:
    kind: str
    id: str
    field: str
    old: Any
    new: Any
    stamp: str = ""  # the clock this write gave the field: undo touches only its own writes


@dataclass(frozen=True)
class OpChanges:
    """What one operation changed: enough for a screen to decide whether to redraw."""

    label: str
    kinds: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    created: tuple[str, ...] = ()
    #: what a person should be told (e.g. an undo that left a newer change alone)
    notes: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The first record created (convenience for single creates)."""
        return self.created[0]

    def touches(self, *kinds: str) -> bool:
        return bool(self.kinds.intersection(kinds))


@dataclass
class _Entry:
    label: str
    changes: list[FieldChange]


_CONTAINMENT = frozenset({"parent_id", "ramp_id"})  # nullable, yet "part of" the parent


def _children_index() -> dict[str, list[tuple[str, str]]]:
    """kind -> [(child kind, fk column)]: what a tombstone cascades to.  Required
    references and nesting cascade; optional links (an aim's measure) are left dangling
    and read as "none" rather than deleting the record that points there."""
    by_table = {cls.__tablename__: kind for kind, cls in MODELS.items()}
    index: dict[str, list[tuple[str, str]]] = {k: [] for k in MODELS}
    for kind, cls in MODELS.items():
        for column in table_of(cls).columns:
            if column.nullable and column.key not in _CONTAINMENT:
                continue
            for fk in column.foreign_keys:
                parent = by_table.get(fk.column.table.name)
                if parent is not None:
                    index[parent].append((kind, column.key))
    return index


_CHILDREN = _children_index()


def coerce(kind: str, name: str, value: Any) -> Any:
    """Turn a value from a form or the command line into the field's Python type, as the
    entity's description says (`nicdesk.core.entities.coerce`)."""
    try:
        return entities.coerce(kind, name, value)
    except ValueError as exc:
        raise InvalidChangeError(str(exc)) from exc


class Transaction:
    """The changes of one operation, inside one database transaction."""

    def __init__(self, ops: Operations, session: Session) -> None:
        self.ops = ops
        self.session = session
        self.changes: list[FieldChange] = []
        self.created: list[str] = []

    # -------------------------------------------------------------- primitives
    def get(self, kind: str, record_id: str) -> Any:
        obj = self.session.get(MODELS[kind], record_id)
        if obj is None:
            raise NotFoundError(f"The {KIND_LABELS.get(kind, kind).lower()} no longer exists.")
        return obj

    def _stamp(self, obj: Any, name: str) -> None:
        """A new clock for the field, remembering the one it replaces (its base: what this
        edit saw, which tells a later merge apart from a concurrent one)."""
        stamp = self.ops.ws.clock.now_str()
        clocks = dict(obj.field_clocks or {})
        replaced = clocks.get(name)
        if replaced is not None and device_of(replaced) != self.ops.ws.clock.device:
            clocks["~" + name] = replaced
        # replacing this device's own earlier edit keeps the base that edit saw: a second
        # edit here has still not seen what other devices did meanwhile (found by the
        # convergence simulation: the other device's edit was taken for "already seen")
        clocks[name] = stamp
        obj.field_clocks = clocks
        obj.hlc = stamp

    def _set(self, kind: str, obj: Any, name: str, value: Any) -> None:
        old = getattr(obj, name)
        if old == value:
            return
        setattr(obj, name, value)
        self._stamp(obj, name)
        self.changes.append(FieldChange(kind, obj.id, name, old, value, obj.hlc))

    def _clean(self, kind: str, values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
        """Values typed and checked against the entity's description (core.entities)."""
        if kind not in entities.ENTITIES:
            raise InvalidChangeError(f"Unknown kind of record: {kind}")
        allowed = set(entities.field_names(kind))
        unknown = set(values) - allowed - {"deleted"}
        if unknown:
            raise InvalidChangeError(
                f"A {KIND_LABELS.get(kind, kind).lower()} has no field "
                + ", ".join(sorted(unknown))
                + "."
            )
        cleaned = {k: coerce(kind, k, v) if k != "deleted" else bool(v) for k, v in values.items()}
        check = validate(kind, cleaned, partial=partial)
        if not check.ok:
            raise InvalidChangeError(check.text())
        return cleaned

    def _check_with_stored(self, kind: str, values: dict[str, Any], obj: Any = None) -> None:
        """Rules a record's own values cannot settle: of an observation of a proportion
        measure, the numerator cannot exceed the denominator — checked against the measure's
        value type, and against the stored numerator or denominator when only the other
        changes (`obj`: the stored record of an update)."""
        if kind == "measure" and obj is not None:
            self._check_becoming_proportion(values, obj)
        if kind in _GROUP_FIELDS:
            self._check_groups(kind, values, obj)
        if kind != "observation" or not {"numerator", "denominator", "measure_id"} & set(values):
            return
        merged = {} if obj is None else {
            n: getattr(obj, n) for n in ("measure_id", "numerator", "denominator")}
        merged.update(values)
        measure = self.session.get(Measure, merged["measure_id"]) \
            if merged.get("measure_id") else None
        found = entities.observation_problems(merged, measure.value_type) if measure else []
        if found:
            raise InvalidChangeError("; ".join(p.message for p in found))

    def _check_groups(self, kind: str, values: dict[str, Any], obj: Any) -> None:
        """A student group named by an observation, an enrolment or a gap aim is one of
        the network's own live groups: a value filed under another network's group (or a
        removed one) would be shown, suppressed and compared with nothing it belongs to."""
        names, via = _GROUP_FIELDS[kind]
        if not (set(names) | {via}) & set(values):
            return
        merged = {} if obj is None else {n: getattr(obj, n) for n in (*names, via)}
        merged.update(values)
        groups = [merged.get(n) for n in names if merged.get(n)]
        if not groups:
            return
        network = _network_of(self.session, via, merged.get(via))
        for group_id in groups:
            row = self.session.execute(
                select(GroupDimension.network_id, StudentGroup.deleted, GroupDimension.deleted)
                .join(GroupDimension, GroupDimension.id == StudentGroup.dimension_id)
                .where(StudentGroup.id == group_id)).first()
            if row is None or row[1] or row[2]:
                raise InvalidChangeError(
                    "That student group is not in this workspace (it may have been removed "
                    "meanwhile). Choose one of the network's groups, or all students.")
            if network is not None and row[0] != network:
                raise InvalidChangeError(
                    "That student group belongs to another network. Choose one of this "
                    "network's groups (Student groups lists them), or all students.")

    def _check_becoming_proportion(self, values: dict[str, Any], obj: Any) -> None:
        """A measure made a proportion keeps only values that are possible proportions
        (its bundle would be refused otherwise, and every site would stop taking digests)."""
        if values.get("value_type") != ValueType.PROPORTION or \
                obj.value_type == ValueType.PROPORTION:
            return
        row = self.session.execute(
            select(Observation.period, Observation.numerator, Observation.denominator).where(
                Observation.measure_id == obj.id, Observation.deleted.is_(False),
                Observation.numerator > Observation.denominator)
            .order_by(Observation.period).limit(1)).first()
        if row is not None:
            raise InvalidChangeError(
                f"This measure cannot become a proportion: its value of {row[0]} is "
                f"{row[1]:g} out of {row[2]:g}, and a proportion's numerator cannot be larger "
                "than its denominator. Correct those values first, or keep its type.")

    def _owner(self, kind: str, values: dict[str, Any]) -> str | None:
        """The owning site a new record gets (nicdesk.core.authority's rules): the site it
        names, the owner of the whole it is part of, the network's owner for
        network-level records, else the writing site."""
        source, ref, parent_kind = owner_source(kind, values)
        local = self.ops.ws.meta().get("local_site_id") or None
        if source == "site":
            return ref
        if source == "parent" and ref:
            row = self.session.get(MODELS[parent_kind], ref)
            return row.owner_site_id if row is not None and row.owner_site_id else local
        if source == "network" and ref:
            net = self.session.get(MODELS["network"], ref)
            if kind == "network":  # a new network: this workspace's site draws it up
                return net.owner_site_id if net is not None and net.owner_site_id else local
            # the network's own records share its owner; a network made before any site
            # has none yet, and gets it when the workspace starts exchanging
            return net.owner_site_id if net is not None else None
        return local

    # -------------------------------------------------------------- operations
    def create(self, kind: str, /, *, owner_site_id: str | None = None, **values: Any) -> str:
        if kind not in MODELS:
            raise InvalidChangeError(f"Unknown kind of record: {kind}")
        values = self._clean(kind, values, partial=False)
        self._check_with_stored(kind, values)
        revived = self._revive(kind, values)
        if revived:
            return revived
        model = MODELS[kind]
        record_id = values.pop("id", None) or natural_id(kind, values) \
            or self.ops.ws.id_factory()
        if kind == "site":  # a site owns its own record (its name, tags, keys)
            owner_site_id = owner_site_id or record_id
        owner = owner_site_id or self._owner(kind, values)
        self._check_owner(kind, owner, set(values), creating=True)
        self._check_wholes(kind, owner, values)
        self._check_site_name(kind, values, None)
        self._check_link(kind, values, None)
        obj = model(id=record_id, owner_site_id=owner)
        stamp = self.ops.ws.clock.now_str()
        # defaults from the column definitions, so every field has a value and a clock
        for name in editable_fields(kind):
            column = table_of(model).columns[name]
            if name in values:
                setattr(obj, name, values[name])
            elif column.default is not None:
                setattr(obj, name, column_default(column))
        obj.deleted = False
        obj.field_clocks = {name: stamp for name in [*editable_fields(kind), "deleted"]}
        obj.hlc = stamp
        self.session.add(obj)
        self.session.flush()
        self.changes.append(FieldChange(kind, record_id, "deleted", _NOT_THERE, False, stamp))
        self.created.append(record_id)
        return record_id

    def _revive(self, kind: str, values: dict[str, Any]) -> str | None:
        """A new record for a point that has a tombstoned one reuses that record (one
        value per measure, site, period and student group; one enrolment figure per site,
        school year and group: `NATURAL_KEYS`)."""
        if kind not in NATURAL_KEYS:
            return None
        model = MODELS[kind]
        *fields, group = NATURAL_KEYS[kind]
        existing = self.session.scalars(
            select(model).where(
                *(getattr(model, f) == values.get(f) for f in fields),
                getattr(model, group).is_(None) if not values.get(group)
                else getattr(model, group) == values[group],
            )
        ).first()
        if existing is None:
            return None
        if not existing.deleted:
            when = values.get("period") or values.get("school_year")
            raise InvalidChangeError(
                f"There is already a value for {when}; edit that one instead."
            )
        for name, value in values.items():
            self._set(kind, existing, name, value)
        self._set(kind, existing, "deleted", False)
        self.created.append(existing.id)
        return existing.id

    def _check_owner(self, kind: str, owner: str | None, fields: set[str], *,
                     creating: bool = False) -> None:
        """One writer per record (nicdesk.core.authority): in a workspace that takes part
        in an exchange, only the owner's records are written here, so no edit is made
        that could never travel; other sites' records arrive by their bundles."""
        problem = self.ops.write_block(kind, owner, fields, creating=creating,
                                       session=self.session)
        if problem:
            raise InvalidChangeError(problem)

    def _check_wholes(self, kind: str, owner: str | None, values: dict[str, Any]) -> None:
        """A part stays inside wholes of its own owner (a cycle never joins another
        site's ramp), once the workspace exchanges."""
        if not binds(self.ops.ws.meta()):
            return
        for field, whole_kind in wholes(kind):
            whole_id = values.get(field)
            if not whole_id:
                continue
            whole = self.session.get(MODELS[whole_kind], whole_id)
            if whole is not None and whole.owner_site_id != owner:
                whose = (self.ops._site_name(whole.owner_site_id, self.session)  # noqa: SLF001
                         if whole.owner_site_id else "the network")
                raise InvalidChangeError(
                    f"That {in_sentence(KIND_LABELS.get(whole_kind, whole_kind))} belongs to "
                    f"{whose}; a {in_sentence(KIND_LABELS.get(kind, kind))} can only go in "
                    "one of its own site's.")

    def _check_link(self, kind: str, values: dict[str, Any], obj: Any) -> None:
        """A driver-diagram link joins two nodes of its own diagram (a link in a school's
        diagram never rewires the network's theory — and its bundle would be refused)."""
        if kind == "driver_node" and obj is not None and values.get(
                "diagram_id", obj.diagram_id) != obj.diagram_id:
            if self.session.scalar(select(DriverLink.id).where(
                    DriverLink.deleted.is_(False),
                    (DriverLink.parent_node_id == obj.id) | (DriverLink.child_node_id == obj.id)
            ).limit(1)) is not None:
                raise InvalidChangeError("This box is linked to others in its diagram; remove "
                                         "its links before moving it to another diagram.")
        if kind != "driver_link":
            return
        diagram = values.get("diagram_id") or (obj.diagram_id if obj is not None else None)
        for end in ("parent_node_id", "child_node_id"):
            node_id = values.get(end) or (getattr(obj, end) if obj is not None else None)
            node = self.session.get(DriverNode, node_id) if node_id else None
            if node is not None and node.diagram_id != diagram:
                raise InvalidChangeError("A link joins two boxes of the same driver diagram.")

    def _check_site_name(self, kind: str, values: dict[str, Any], obj: Any) -> None:
        """Sites of one network have distinct names (case and spacing aside): a site named
        like another would receive the other's key at enrolment, or its invitation."""
        if kind != "site" or not isinstance(values.get("name"), str):
            return
        from .schema import Site

        network = values.get("network_id") or (obj.network_id if obj is not None else None)
        mine = name_key(values["name"])
        for other_id, other_name in self.session.execute(
                select(Site.id, Site.name).where(Site.network_id == network)):
            if (obj is None or other_id != obj.id) and name_key(other_name) == mine:
                raise InvalidChangeError(f"The network already has a site called "
                                         f"{other_name}; give this one another name.")

    def update(self, kind: str, record_id: str, /, **values: Any) -> None:
        values = self._clean(kind, values, partial=True)
        obj = self.get(kind, record_id)
        self._check_with_stored(kind, values, obj)
        self._check_owner(kind, obj.owner_site_id, set(values))
        self._check_wholes(kind, obj.owner_site_id, values)
        self._check_site_name(kind, values, obj)
        self._check_link(kind, values, obj)
        if obj.deleted and values.get("deleted", True):
            raise NotFoundError(
                f"The {KIND_LABELS.get(kind, kind).lower()} was deleted; undo the deletion first."
            )
        for name, value in values.items():
            self._set(kind, obj, name, value)
        self.session.flush()

    def delete(self, kind: str, record_id: str) -> None:
        obj = self.get(kind, record_id)
        if obj.deleted:
            return
        self._check_owner(kind, obj.owner_site_id, {"deleted"})
        self._set(kind, obj, "deleted", True)
        for child_kind, column in _CHILDREN[kind]:
            model = MODELS[child_kind]
            rows = self.session.scalars(
                select(model).where(
                    getattr(model, column) == record_id, model.deleted.is_(False)
                )
            ).all()
            for row in rows:
                self.delete(child_kind, row.id)

    def apply_changes(self, changes: list[FieldChange], *, backwards: bool
                      ) -> tuple[list[FieldChange], list[FieldChange]]:
        """Write back the old (undo) or new (redo) side of recorded changes — but only
        where the field still holds what that change wrote (its clock is the change's
        own).  A field changed since, by an imported bundle or another window, is left as
        it is: undo never overwrites a change it did not make.  Returns (the changes
        written, with their new clocks; the changes skipped)."""
        done: list[FieldChange] = []
        skipped: list[FieldChange] = []
        sequence = list(reversed(changes)) if backwards else changes
        for ch in sequence:
            value = ch.old if backwards else ch.new
            if value is _NOT_THERE:
                value = True  # undoing a creation tombstones the record
            obj = self.session.get(MODELS[ch.kind], ch.id)
            current = dict(obj.field_clocks or {}).get(ch.field) if obj is not None else None
            if obj is None or (ch.stamp and current != ch.stamp):
                skipped.append(ch)
                continue
            self._check_owner(ch.kind, obj.owner_site_id, {ch.field})
            before = len(self.changes)
            self._set(ch.kind, obj, ch.field, value)
            stamp = self.changes[-1].stamp if len(self.changes) > before else ch.stamp
            done.append(FieldChange(ch.kind, ch.id, ch.field, ch.old, ch.new, stamp))
        if backwards:
            done.reverse()
        return done, skipped


class Host(Protocol):
    """What operations need of the open workspace (`workspace.Workspace`, which makes
    them: this module never imports it, so the two form no import circle)."""

    clock: HybridClock
    sessions: sessionmaker[Session]
    id_factory: Callable[[], str]

    def meta(self) -> dict[str, str]: ...

    def read(self) -> AbstractContextManager[Session]: ...


class Operations:
    """The operations of one open workspace, with its undo/redo log."""

    def __init__(self, ws: Host) -> None:
        self.ws = ws
        self._undo: list[_Entry] = []
        self._redo: list[_Entry] = []

    def write_block(self, kind: str, owner: str | None, fields: set[str] | frozenset[str]
                    = frozenset(), *, creating: bool = False, session: Session | None = None
                    ) -> str | None:
        """Why this workspace may not write these fields of a record owned by `owner`
        (a sentence for a person), or None when it may.  Screens use it to show records
        read-only with the owner's name instead of letting an edit be refused."""
        return authority_write_block(
            self.ws.meta(), kind, owner, set(fields), creating=creating,
            site_name=lambda site_id: self._site_name(site_id, session))

    def _site_name(self, site_id: str, session: Session | None) -> str:
        from .schema import Site

        def lookup(s: Session) -> str:
            site = s.get(Site, site_id)
            return site.name if site is not None else "another site"

        if session is not None:
            return lookup(session)
        with self.ws.read() as s:
            return lookup(s)

    def record_block(self, kind: str, record_id: str, fields: set[str] | frozenset[str]
                     = frozenset()) -> str | None:
        """`write_block` for a stored record, looked up by id."""
        with self.ws.read() as s:
            obj = s.get(MODELS[kind], record_id)
            if obj is None:
                return None
            return self.write_block(kind, obj.owner_site_id, fields, session=s)

    @contextlib.contextmanager
    def batch(self, label: str, *, undoable: bool = True) -> Iterator[Transaction]:
        """Several changes as one operation: all or nothing, one undo step."""
        with self.ws.sessions.begin() as session:
            txn = Transaction(self, session)
            yield txn
            session.merge(WorkspaceMeta(key="clock_last", value=self.ws.clock.last.encode()))
        self._last = self._finish(label, txn, undoable)

    def _finish(self, label: str, txn: Transaction, undoable: bool) -> OpChanges:
        if undoable and txn.changes:
            self._undo.append(_Entry(label, txn.changes))
            del self._undo[:-UNDO_LIMIT]
            self._redo.clear()
        return OpChanges(
            label,
            frozenset(c.kind for c in txn.changes),
            frozenset(c.id for c in txn.changes),
            tuple(txn.created),
        )

    def run(self, label: str, fn: Any, *args: Any, **kwargs: Any) -> OpChanges:
        with self.batch(label) as txn:
            fn(txn, *args, **kwargs)
        return self._last

    # -------------------------------------------------------------- single-step ops
    def create(self, kind: str, /, *, label: str | None = None, **values: Any) -> OpChanges:
        label = label or f"Add {in_sentence(KIND_LABELS.get(kind, kind))}"
        return self.run(label, lambda t: t.create(kind, **values))

    def update(
        self, kind: str, record_id: str, /, *, label: str | None = None, **values: Any
    ) -> OpChanges:
        if not label:  # in the form's words: "Change idea of PDSA cycle"
            label = entities.edit_label(kind, values)
        return self.run(label, lambda t: t.update(kind, record_id, **values))

    def delete(self, kind: str, record_id: str, *, label: str | None = None) -> OpChanges:
        label = label or f"Delete {in_sentence(KIND_LABELS.get(kind, kind))}"
        return self.run(label, lambda t: t.delete(kind, record_id))

    # -------------------------------------------------------------- undo / redo
    def undo_status(self) -> tuple[str | None, str | None]:
        """Labels of what Undo and Redo would do now (None when nothing)."""
        return (
            self._undo[-1].label if self._undo else None,
            self._redo[-1].label if self._redo else None,
        )

    def undo(self) -> OpChanges | None:
        if not self._undo:
            return None
        entry = self._undo.pop()
        changes, written = self._replay(f"Undo {in_sentence(entry.label)}", entry, backwards=True)
        if written.changes:
            self._redo.append(written)
        return changes

    def redo(self) -> OpChanges | None:
        if not self._redo:
            return None
        entry = self._redo.pop()
        changes, written = self._replay(f"Redo {in_sentence(entry.label)}", entry, backwards=False)
        if written.changes:
            self._undo.append(written)
        return changes

    def _replay(self, label: str, entry: _Entry, *, backwards: bool
                ) -> tuple[OpChanges, _Entry]:
        with self.batch(label, undoable=False) as txn:
            done, skipped = txn.apply_changes(entry.changes, backwards=backwards)
        notes: tuple[str, ...] = ()
        if skipped:
            what = ", ".join(sorted({KIND_LABELS.get(c.kind, c.kind).lower() + " "
                                     + c.field.replace("_", " ") for c in skipped}))
            verb = "Undo" if backwards else "Redo"
            notes = (f"{verb} left {len(skipped)} change(s) alone ({what}): they were changed "
                     "again since — by an imported bundle or another window — and that newer "
                     "change is kept.",)
        last = self._last
        changes = OpChanges(last.label, last.kinds, last.ids, last.created, notes)
        self._last = changes
        return changes, _Entry(entry.label, done)


#: kind -> (its student-group fields, the field that leads to its network)
_GROUP_FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    "observation": (("group_id",), "measure_id"),
    "site_enrolment": (("group_id",), "site_id"),
    "aim": (("focus_group_id", "reference_group_id"), "network_id"),
}


def _network_of(session: Session, via: str, record_id: Any) -> str | None:
    """The network a measure, a site or a network id (`via` names which) belongs to."""
    if not record_id:
        return None
    if via == "network_id":
        return str(record_id)
    row = session.get(Measure, record_id) if via == "measure_id" \
        else session.get(Site, record_id)
    return row.network_id if row is not None else None
