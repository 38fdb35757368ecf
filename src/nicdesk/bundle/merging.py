"""How a bundle's records land, once every check has passed: the per-record merge (the
reference: every record already here loaded as an object and merged field by field) and
the fast path (docs/exchange.md "Fast path": stored rows read as tuples, records with
nothing to merge skipped, new rows inserted in bulk (`bulk.insert_rows`), only the others
merged by the same `_merge_one`).  Kept apart from `importer`, which decides *whether*
a bundle may be applied and in which transaction."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Date, insert, select
from sqlalchemy.orm import Session

from ..core.merge import merge_fields
from ..core.states import BundleKind
from ..store.bulk import (
    ColumnOf,
    insert_rows,
    json_value,
    owns_none,
    row_encoder,
    same_date,
    stored_rows,
)
from ..store.operations import OpChanges
from ..store.schema import MODELS, RecordVersion, column_default, table_of
from .format import ORDER
from .records import Records, field_values

try:  # stored clocks read fast (`_clocks`); any doubt merges the record
    from orjson import loads as _json_loads
except ImportError:  # pragma: no cover - a dependency; an old environment may lack it
    _json_loads = json.loads  # type: ignore[assignment]  # the same call, slower



@dataclass
class ImportSummary:
    site: str
    sequence: int
    kind: str
    already: bool = False
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    per_kind: dict[str, int] = field(default_factory=dict)
    #: what the import changed, as an operation's change set (screens redraw from it)
    changes: OpChanges = field(default_factory=lambda: OpChanges("Import bundle"))
    changed_kinds: set[str] = field(default_factory=set)
    changed_ids: set[str] = field(default_factory=set)

    def text(self) -> str:
        if self.already:
            return (f"{self.site}: bundle {self.sequence} was already imported; nothing "
                    "changed.")
        return (f"{self.site}: bundle {self.sequence} imported — {self.new} new, {self.updated} "
                f"updated, {self.unchanged} unchanged, {self.conflicts} conflicts kept for "
                "review.")


Progress = Callable[[int, int], bool]  # (records done, total) -> False to cancel


class _Cancelled(Exception):
    pass


def _apply_per_record(s: Any, records: list[tuple[str, dict[str, Any]]],
                      summary: ImportSummary, progress: Progress | None = None) -> None:
    """The reference path (`method="per-record"`): every record already here is loaded
    as an object and merged; new records go in as bulk inserts."""
    done, total = 0, len(records)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for kind, values in records:
        by_kind.setdefault(kind, []).append(values)
    for kind in ORDER:
        batch = by_kind.get(kind, [])
        if not batch:
            continue
        model = MODELS[kind]
        summary.per_kind[kind] = len(batch)
        existing: dict[str, Any] = {}
        ids = [v["id"] for v in batch]
        for i in range(0, len(ids), 900):  # SQLite's bound-parameter limit
            for row in s.scalars(select(model).where(model.id.in_(ids[i:i + 900]))):
                existing[row.id] = row
        fresh = []
        for values in batch:
            row = existing.get(values["id"])
            if row is None:
                fresh.append(_with_defaults(kind, values))
                summary.changed_ids.add(values["id"])
            elif _merge_one(s, kind, row, values, summary):
                summary.changed_ids.add(values["id"])
                summary.changed_kinds.add(kind)
        if fresh:
            summary.changed_kinds.add(kind)
        for i in range(0, len(fresh), 5000):
            s.execute(insert(model), fresh[i:i + 5000])
        summary.new += len(fresh)
        done += len(batch)
        if progress is not None and progress(done, total) is False:
            raise _Cancelled


def _with_defaults(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """Every column gets a value (a bulk insert does not apply Python-side defaults)."""
    out = dict(values)
    for column in table_of(MODELS[kind]).columns:
        if column.key not in out:
            out[column.key] = column_default(column)
    return out


def _merge_one(s: Any, kind: str, row: Any, values: dict[str, Any],
               summary: ImportSummary) -> bool:
    # a clock whose field is not in the record changes nothing (never a value to None)
    remote_clocks = {k: v for k, v in values["field_clocks"].items()
                     if k.removeprefix("~") in values}
    fields = [c for c in remote_clocks if c in values]
    local_values = {f: getattr(row, f) for f in fields}
    result = merge_fields(local_values, dict(row.field_clocks or {}),
                          {f: values[f] for f in fields}, remote_clocks,
                          remote_decides_ties=summary.kind == BundleKind.DIGEST)
    for conflict in result.conflicts:
        s.add(RecordVersion(kind=kind, record_id=row.id, field=conflict.field,
                            value=_plain(conflict.lost_value), hlc=conflict.lost_clock,
                            kept_hlc=conflict.kept_clock))
    summary.conflicts += len(result.conflicts)
    if result.changed or result.clocks != dict(row.field_clocks or {}):
        for name in result.changed:
            setattr(row, name, result.values[name])
        row.field_clocks = result.clocks
        row.hlc = result.hlc
    if result.changed:
        summary.updated += 1
        return True
    summary.unchanged += 1
    return False


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


# --------------------------------------------------------------------------- fast path
#: kind -> id -> the stored row (every column, in the table's order, as
#: `bulk.stored_rows` reads it) of each record of a bundle already here
Found = dict[str, dict[str, Sequence[Any]]]


class _Columns:
    """One kind's table, as the fast path reads and compares its rows."""

    def __init__(self, kind: str) -> None:
        self.table = table_of(MODELS[kind])
        self.index = {c.key: i for i, c in enumerate(self.table.columns)}
        self.kinds = {c.key: ("json" if isinstance(c.type, JSON) else
                              "date" if isinstance(c.type, Date) else "plain")
                      for c in self.table.columns}


@functools.cache
def _columns(kind: str) -> _Columns:
    """One kind's `_Columns`, built once per process."""
    return _Columns(kind)


class _Collided(Exception):
    """A record assumed new (`_find_stored`'s `assume_new`) is stored here after all."""


def _find_stored(s: Session, by_kind: Mapping[str, list[dict[str, Any]]],
                 signer_site: str | None, assume_new: bool = False
                 ) -> tuple[Found, frozenset[str]]:
    """The stored rows of every record of the bundle already here, as plain tuples
    (never ORM objects): for a site's bundle one scan of that site's rows, then one
    indexed lookup per id not among them — and the kinds taken as all new unlooked.

    With `assume_new`, a kind the signing site owns no row of yet (its first bundle)
    is not looked up at all: its records are taken as new (a site's new records carry
    fresh ids), and `_apply_fast` proves it — it inserts them leaving out any id
    already here and raises `_Collided` if one was (PostgreSQL's COPY refuses it:
    `IntegrityError`); the caller then starts the bundle again without the assumption,
    so what is kept or refused is as ever."""
    found: Found = {}
    assumed = set()
    for kind, batch in by_kind.items():
        table = _columns(kind).table
        if assume_new and signer_site is not None and owns_none(s, table, signer_site):
            found[kind] = {}
            assumed.add(kind)
            continue
        found[kind] = stored_rows(s, table, field_values(batch, "id"), signer_site)
    return found, frozenset(assumed)


def _owners(found: Found) -> dict[str, dict[str, str | None]]:
    """kind -> id -> stored owner, for `_authorise`."""
    out = {}
    for kind, rows in found.items():
        at = _columns(kind).index["owner_site_id"]
        out[kind] = {i: row[at] for i, row in rows.items()}
    return out


def _clocks(stored: Any) -> Any:
    """A stored `field_clocks` as the ORM reads it (None for damaged text: merge it)."""
    if not isinstance(stored, str):
        return stored
    try:
        return _json_loads(stored)
    except ValueError:
        return None


def _nothing_to_merge(cols: _Columns, row: Sequence[Any], values: dict[str, Any]) -> bool:
    """True when `_merge_one` would certainly change nothing and keep no conflict:
    every clock the record brings for a field it carries equals the stored one, and so
    does the field's value (an equal clock with another value is a conflict to settle).
    Any doubt is False, and the record is merged."""
    index, kinds = cols.index, cols.kinds
    remote = values["field_clocks"]
    local = _clocks(row[index["field_clocks"]])
    if local.__class__ is not dict:
        return False
    for name, stamp in remote.items():
        if name[0] == "~" or name not in values:
            continue
        i = index.get(name)
        if i is None or local.get(name) != stamp:
            return False
        stored, value = row[i], values[name]
        how = kinds[name]
        if how == "plain":
            if stored != value or stored.__class__ is not value.__class__ and not (
                    isinstance(value, bool | int | float) and
                    isinstance(stored, bool | int | float)):
                return False
        elif how == "date":
            if not same_date(stored, value):
                return False
        else:
            try:
                if json_value(stored) != value:
                    return False
            except ValueError:
                return False
    return True


def _columns_of(batch: list[dict[str, Any]]) -> ColumnOf | None:
    """The parser's columns of `batch` for `insert_rows`, when every record carries the
    same fields (a field none carries: None, its default)."""
    if not isinstance(batch, Records) or batch.fields is None:
        return None
    fields = batch.fields
    return lambda name: batch.column(name) if name in fields else None


def _apply_fast(s: Session, by_kind: Mapping[str, list[dict[str, Any]]], found: Found,
                summary: ImportSummary, progress: Progress | None = None,
                assumed: frozenset[str] = frozenset()) -> None:
    """The same result as `_apply_per_record`, without its cost: records already here
    with nothing to merge (`_nothing_to_merge`) are counted as unchanged and left alone;
    new records go in bulk, a few statements per kind (`bulk.insert_rows`); only
    the others are loaded as objects and merged field by field (`_merge_one`: conflicts,
    record versions and clock rules unchanged).  A kind in `assumed` was not looked up
    (`_find_stored`): `_Collided` when one of its records is stored here after all."""
    done, total = 0, sum(len(batch) for batch in by_kind.values())
    for kind in ORDER:
        batch = by_kind.get(kind, [])
        if not batch:
            continue
        cols = _columns(kind)
        stored = found.get(kind, {})
        summary.per_kind[kind] = len(batch)
        fresh: list[dict[str, Any]] = []
        merge: list[dict[str, Any]] = []
        encode = row_encoder(s, cols.table)
        # none of them stored here (a first import): every one is new, no lookup each
        for values in batch if stored else ():
            row = stored.get(values["id"])
            if row is None:
                fresh.append(values)
                continue
            try:  # the whole row as it would be written: the same, nothing to merge
                same = encode(values) == row
            except KeyError:  # a column the record does not carry
                same = False
            if same or _nothing_to_merge(cols, row, values):
                summary.unchanged += 1
            else:
                merge.append(values)
        if not stored:
            fresh = batch
        if fresh:
            summary.changed_kinds.add(kind)
            summary.changed_ids.update(field_values(fresh, "id"))
            went_in = insert_rows(s, cols.table, fresh, _columns_of(fresh),
                                  skip_stored=kind in assumed)
            if kind in assumed and went_in != len(fresh):
                raise _Collided(kind)
            summary.new += len(fresh)
        if merge:
            model = MODELS[kind]
            rows: dict[str, Any] = {}
            ids = [v["id"] for v in merge]
            for i in range(0, len(ids), 900):  # SQLite's bound-parameter limit
                for obj in s.scalars(select(model).where(model.id.in_(ids[i:i + 900]))):
                    rows[obj.id] = obj
            for values in merge:
                if _merge_one(s, kind, rows[values["id"]], values, summary):
                    summary.changed_ids.add(values["id"])
                    summary.changed_kinds.add(kind)
        done += len(batch)
        if progress is not None and progress(done, total) is False:
            raise _Cancelled
