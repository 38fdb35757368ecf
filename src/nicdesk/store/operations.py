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
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, Date, Float, Integer, select
from sqlalchemy.orm import Session

from ..core.model import KIND_LABELS, validate
from .errors import InvalidChangeError, NotFoundError
from .schema import MODELS, SYNC_COLUMNS, WorkspaceMeta, editable_fields

if TYPE_CHECKING:
    from .workspace import Workspace

UNDO_LIMIT = 100
_NOT_THERE = object()  # the "old value" of a field of a record that did not exist yet


@dataclass(frozen=True)
class FieldChange:
    kind: str
    id: str
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class OpChanges:
    """What one operation changed: enough for a screen to decide whether to redraw."""

    label: str
    kinds: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    created: tuple[str, ...] = ()

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
    by_table = {cls.__tablename__: kind for kind, cls in MODELS.items()}  # type: ignore[attr-defined]
    index: dict[str, list[tuple[str, str]]] = {k: [] for k in MODELS}
    for kind, cls in MODELS.items():
        for column in cls.__table__.columns:  # type: ignore[attr-defined]
            if column.nullable and column.key not in _CONTAINMENT:
                continue
            for fk in column.foreign_keys:
                parent = by_table.get(fk.column.table.name)
                if parent is not None:
                    index[parent].append((kind, column.key))
    return index


_CHILDREN = _children_index()


def coerce(kind: str, name: str, value: Any) -> Any:
    """Turn a value from a form or the command line into the column's Python type."""
    column = MODELS[kind].__table__.columns[name]  # type: ignore[attr-defined]
    ctype = column.type
    if value is None:
        return None
    try:
        if isinstance(ctype, Date):
            if value == "":
                return None
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        if isinstance(ctype, Boolean):
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "y", "on")
            return bool(value)
        if isinstance(ctype, Integer):
            return None if value == "" and column.nullable else int(value)
        if isinstance(ctype, Float):
            return None if value == "" else float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidChangeError(
            f"{value!r} is not a valid {name.replace('_', ' ')} "
            f"({'a date like 2026-09-01' if isinstance(ctype, Date) else 'a number'} is needed)."
        ) from exc
    return value


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
        if name in clocks:
            clocks["~" + name] = clocks[name]
        clocks[name] = stamp
        obj.field_clocks = clocks
        obj.hlc = stamp

    def _set(self, kind: str, obj: Any, name: str, value: Any) -> None:
        old = getattr(obj, name)
        if old == value:
            return
        setattr(obj, name, value)
        self._stamp(obj, name)
        self.changes.append(FieldChange(kind, obj.id, name, old, value))

    def _clean(self, kind: str, values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
        allowed = set(editable_fields(kind))
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

    def _owner(self, kind: str, values: dict[str, Any]) -> str | None:
        if values.get("site_id"):
            return values["site_id"]
        table = MODELS[kind].__table__  # type: ignore[attr-defined]
        for column in table.columns:
            if column.foreign_keys and values.get(column.key):
                parent_table = next(iter(column.foreign_keys)).column.table.name
                parent = next(
                    (c for c in MODELS.values() if c.__tablename__ == parent_table), None  # type: ignore[attr-defined]
                )
                if parent is not None:
                    row = self.session.get(parent, values[column.key])
                    if row is not None and row.owner_site_id:
                        return row.owner_site_id
        return self.ops.ws.meta().get("local_site_id") or None

    # -------------------------------------------------------------- operations
    def create(self, kind: str, /, *, owner_site_id: str | None = None, **values: Any) -> str:
        if kind not in MODELS:
            raise InvalidChangeError(f"Unknown kind of record: {kind}")
        values = self._clean(kind, values, partial=False)
        revived = self._revive(kind, values)
        if revived:
            return revived
        model = MODELS[kind]
        record_id = values.pop("id", None) or self.ops.ws.id_factory()
        if kind == "site":  # a site owns its own record (its name, tags, keys)
            owner_site_id = owner_site_id or record_id
        obj = model(id=record_id, owner_site_id=owner_site_id or self._owner(kind, values))
        stamp = self.ops.ws.clock.now_str()
        # defaults from the column definitions, so every field has a value and a clock
        for name in editable_fields(kind):
            column = model.__table__.columns[name]  # type: ignore[attr-defined]
            if name in values:
                setattr(obj, name, values[name])
            elif column.default is not None:
                default = column.default.arg
                setattr(obj, name, default(None) if callable(default) else default)
        obj.deleted = False
        obj.field_clocks = {name: stamp for name in [*editable_fields(kind), "deleted"]}
        obj.hlc = stamp
        self.session.add(obj)
        self.session.flush()
        self.changes.append(FieldChange(kind, record_id, "deleted", _NOT_THERE, False))
        self.created.append(record_id)
        return record_id

    def _revive(self, kind: str, values: dict[str, Any]) -> str | None:
        """A new observation for a period that has a tombstoned one reuses that record
        (one value per measure, site and period)."""
        if kind != "observation":
            return None
        model = MODELS[kind]
        existing = self.session.scalars(
            select(model).where(
                model.measure_id == values.get("measure_id"),  # type: ignore[attr-defined]
                model.site_id == values.get("site_id"),  # type: ignore[attr-defined]
                model.period == values.get("period"),  # type: ignore[attr-defined]
            )
        ).first()
        if existing is None:
            return None
        if not existing.deleted:
            raise InvalidChangeError(
                f"There is already a value for {values.get('period')}; edit that one instead."
            )
        for name, value in values.items():
            self._set(kind, existing, name, value)
        self._set(kind, existing, "deleted", False)
        self.created.append(existing.id)
        return existing.id

    def _check_owner(self, kind: str, obj: Any) -> None:
        """In a site's workspace (joined, with its own key), records of other sites and of
        the coordinator arrive by digest and are read-only: only their owner changes them,
        so no edit is made that could never travel back.  The coordinator may change all."""
        meta = self.ops.ws.meta()
        local = meta.get("local_site_id")
        if not local or not meta.get("signing_key") or meta.get("role") == "coordinator":
            return
        if obj.owner_site_id not in (None, local):
            from .schema import Site

            owner = self.session.get(Site, obj.owner_site_id)
            raise InvalidChangeError(
                f"This {KIND_LABELS.get(kind, kind).lower()} belongs to "
                f"{owner.name if owner else 'another site'}; only they can change it "
                "(their changes reach you in the network digest).")

    def update(self, kind: str, record_id: str, /, **values: Any) -> None:
        values = self._clean(kind, values, partial=True)
        obj = self.get(kind, record_id)
        self._check_owner(kind, obj)
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
        self._check_owner(kind, obj)
        self._set(kind, obj, "deleted", True)
        for child_kind, column in _CHILDREN[kind]:
            model = MODELS[child_kind]
            rows = self.session.scalars(
                select(model).where(
                    getattr(model, column) == record_id, model.deleted.is_(False)  # type: ignore[attr-defined]
                )
            ).all()
            for row in rows:
                self.delete(child_kind, row.id)

    def apply_changes(self, changes: list[FieldChange], *, backwards: bool) -> None:
        """Write back the old (undo) or new (redo) side of recorded changes."""
        sequence = reversed(changes) if backwards else changes
        for ch in sequence:
            value = ch.old if backwards else ch.new
            if value is _NOT_THERE:
                value = True  # undoing a creation tombstones the record
            obj = self.get(ch.kind, ch.id)
            self._set(ch.kind, obj, ch.field, value)


class Operations:
    """The operations of one open workspace, with its undo/redo log."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._undo: list[_Entry] = []
        self._redo: list[_Entry] = []

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
        label = label or f"Add {KIND_LABELS.get(kind, kind).lower()}"
        return self.run(label, lambda t: t.create(kind, **values))

    def update(
        self, kind: str, record_id: str, /, *, label: str | None = None, **values: Any
    ) -> OpChanges:
        if not label:
            names = ", ".join(k.replace("_", " ") for k in values)
            label = f"Edit {KIND_LABELS.get(kind, kind).lower()} {names}"
        return self.run(label, lambda t: t.update(kind, record_id, **values))

    def delete(self, kind: str, record_id: str, *, label: str | None = None) -> OpChanges:
        label = label or f"Delete {KIND_LABELS.get(kind, kind).lower()}"
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
        changes = self._replay(f"Undo {entry.label}", entry.changes, backwards=True)
        self._redo.append(entry)
        return changes

    def redo(self) -> OpChanges | None:
        if not self._redo:
            return None
        entry = self._redo.pop()
        changes = self._replay(f"Redo {entry.label}", entry.changes, backwards=False)
        self._undo.append(entry)
        return changes

    def _replay(self, label: str, changes: list[FieldChange], *, backwards: bool) -> OpChanges:
        with self.batch(label, undoable=False) as txn:
            txn.apply_changes(changes, backwards=backwards)
        return self._last


def record_values(obj: Any, *, with_sync: bool = False) -> dict[str, Any]:
    """A record as a plain dict (for summaries, exports and tests)."""
    columns = obj.__table__.columns
    return {
        c.key: getattr(obj, c.key)
        for c in columns
        if with_sync or c.key not in SYNC_COLUMNS or c.key == "id"
    }


