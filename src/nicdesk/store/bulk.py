"""Bulk reads and writes inside one session's transaction, for imports of many records.

`stored_rows` finds the rows already here for a list of ids — one indexed lookup per id,
as plain tuples (no ORM objects); `insert_rows` writes new rows in bulk (multi-row
INSERTs on SQLite, COPY on PostgreSQL).  On SQLite both go straight to the driver (the
session's own connection, so the same transaction), with values as the ORM would store
them: dates as ISO text, JSON as compact JSON text, flags 0/1.  On other engines they go
through SQLAlchemy Core or the driver's COPY (typed values both ways).

The session's pending changes are flushed first, so a read sees everything written in
the transaction so far.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Boolean, Date, String, Table, insert, select
from sqlalchemy.orm import Session

from .schema import column_default

try:
    from orjson import dumps as _dumps
except ImportError:  # pragma: no cover - a dependency; an old environment may lack it
    _dumps = None  # type: ignore[assignment]

CHUNK = 900  # ids per statement (SQLite's bound-parameter limit was 999 before 3.32)


def is_sqlite(s: Session) -> bool:
    return s.get_bind().dialect.name == "sqlite"


#: from how many ids of one owner a scan of the owner's index beats looking each id up
OWNER_SCAN_MIN = 5_000


def stored_rows(s: Session, table: Table, ids: Sequence[str], owner: str | None = None
                ) -> dict[str, Sequence[Any]]:
    """id -> the stored row (every column, in the table's order) of each of `ids`
    already here.  SQLite gives values as its driver reads them (dates and JSON as
    text, flags 0/1: as `row_encoder` writes them), other engines typed.  With `owner`
    (the owner most of them have, such as a site bundle's), that owner's rows are read
    in one scan of its index first, and only the ids not among them one by one."""
    s.flush()
    out: dict[str, Sequence[Any]] = {}
    keys = [c.key for c in table.columns]
    at = keys.index("id")
    if not is_sqlite(s):
        for i in range(0, len(ids), CHUNK):
            for row in s.execute(select(*table.columns).where(
                    table.c.id.in_(ids[i:i + CHUNK]))).fetchall():
                out[row[at]] = tuple(row)
        return out
    # the driver's own cursor on the session's connection: plain tuples, fast
    cursor = s.connection().connection.cursor()
    names = ", ".join(f'"{k}"' for k in keys)
    try:
        cursor.execute(f'SELECT 1 FROM "{table.name}" LIMIT 1')
        if cursor.fetchone() is None:  # nothing of the kind here yet (a first import)
            return out
        rest = ids
        # a small batch (a delta bundle's) looks its ids up: scanning all the owner's rows
        # would read the whole site to find a few hundred
        if owner is not None and "owner_site_id" in keys and len(ids) >= OWNER_SCAN_MIN:
            wanted = set(ids)
            cursor.execute(f'SELECT {names} FROM "{table.name}" WHERE owner_site_id = ?',
                           (owner,))
            for row in cursor.fetchall():
                if row[at] in wanted:
                    out[row[at]] = row
            rest = [i for i in ids if i not in out]
        for i in range(0, len(rest), CHUNK):
            chunk = rest[i:i + CHUNK]
            marks = ",".join("?" * len(chunk))
            cursor.execute(f'SELECT {names} FROM "{table.name}" WHERE id IN ({marks})',
                           chunk)
            for row in cursor.fetchall():
                out[row[at]] = row
    finally:
        cursor.close()
    return out


def owns_none(s: Session, table: Table, owner: str) -> bool:
    """Whether no row of `table` here is `owner`'s (one probe of the owner index): a
    site's first bundle of a kind."""
    if "owner_site_id" not in table.c:
        return False
    s.flush()
    if not is_sqlite(s):
        return s.execute(select(table.c.id).where(table.c.owner_site_id == owner)
                         .limit(1)).first() is None
    cursor = s.connection().connection.cursor()
    try:
        cursor.execute(f'SELECT 1 FROM "{table.name}" WHERE owner_site_id = ? LIMIT 1',
                       (owner,))
        return cursor.fetchone() is None
    finally:
        cursor.close()


def stored_texts(s: Session, table: Table, ids: Sequence[str], names: Sequence[str]
                 ) -> dict[str, tuple[Any, ...]] | None:
    """id -> the named text columns of each of `ids` already here, read straight from
    SQLite's driver (a check of a bundle asks this a few times for every bundle: through
    the ORM each question cost a third of a millisecond); None when that is not possible
    here (another engine, or a column that is not plain text) — ask the ORM then."""
    if not is_sqlite(s) or not all(isinstance(table.c[n].type, String) for n in names):
        return None
    s.flush()
    out: dict[str, tuple[Any, ...]] = {}
    cursor = s.connection().connection.cursor()
    picked = ", ".join(f'"{n}"' for n in ("id", *names))
    try:
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i:i + CHUNK]
            cursor.execute(f'SELECT {picked} FROM "{table.name}" WHERE id IN '
                           f'({",".join("?" * len(chunk))})', chunk)
            for row in cursor.fetchall():
                out[row[0]] = row[1:]
    finally:
        cursor.close()
    return out


def row_encoder(s: Session, table: Table) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A record's values (a dict holding every column) as the row `stored_rows` reads
    back for it and `insert_rows` writes: on SQLite dates as ISO text, JSON as text and
    flags as 0/1; KeyError when a column is missing."""
    keys = [c.key for c in table.columns]
    every = itemgetter(*keys)
    if not is_sqlite(s):
        return every
    jsons = [i for i, c in enumerate(table.columns) if isinstance(c.type, JSON)]
    dates = [i for i, c in enumerate(table.columns) if isinstance(c.type, Date)]
    # flags as the 0/1 SQLite stores: the driver binds a bool only after looking for an
    # adapter for it (a tenth of a bulk insert's time, for three flags a row)
    flags = [i for i, c in enumerate(table.columns) if isinstance(c.type, Boolean)]
    iso = dt.date.isoformat

    def encode(values: Mapping[str, Any]) -> tuple[Any, ...]:
        row = list(every(values))
        for i in jsons:
            row[i] = _json_text(row[i])
        for i in dates:
            if row[i].__class__ is dt.date:
                row[i] = iso(row[i])
            elif isinstance(row[i], dt.date):
                row[i] = row[i].isoformat()
        for i in flags:
            flag = row[i]
            if flag is True:
                row[i] = 1
            elif flag is False:
                row[i] = 0
        return tuple(row)
    return encode


@contextlib.contextmanager
def big_cache(s: Session, mib: int = 256) -> Iterator[None]:
    """A larger page cache for this connection while a big import runs (SQLite; else
    nothing): new ids land all over the primary-key index, and with SQLite's default
    2 MiB cache every insert into a large table would read and spill pages.  The
    cache is memory used only as pages are touched, and given back afterwards."""
    if not is_sqlite(s):
        yield
        return
    con = s.connection()
    before = con.exec_driver_sql("PRAGMA cache_size").scalar()
    con.exec_driver_sql(f"PRAGMA cache_size=-{mib * 1024}")
    try:
        yield
    finally:
        try:
            con.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")
        except Exception:  # noqa: BLE001, S110 - a closed connection forgets it anyway
            pass


def json_value(stored: Any) -> Any:
    """A JSON column's stored value as the ORM reads it (SQLite keeps the text)."""
    return json.loads(stored) if isinstance(stored, str) else stored


def same_date(stored: Any, value: Any) -> bool:
    """Whether a stored date (ISO text on SQLite) is `value` (a date or None)."""
    if isinstance(stored, str):
        return isinstance(value, dt.date) and stored == value.isoformat()
    return bool(stored == value)


#: a column's values over all rows, when the caller has them at hand (None: no row
#: carries that column)
ColumnOf = Callable[[str], "Sequence[Any] | None"]


def insert_rows(s: Session, table: Table, rows: Sequence[Mapping[str, Any]],
                column: ColumnOf | None = None, *, skip_stored: bool = False) -> int:
    """Insert new rows (dicts of Python values, as the ORM takes them; a column left out
    gets its default): on SQLite as multi-row INSERTs (`_insert_many`), on PostgreSQL
    by COPY, else one executemany.  `column`, when given, holds the same values column
    by column (its caller read them so), which saves reading every row again on
    SQLite.  With `skip_stored`, a row whose id is already here is left out on SQLite
    (on other engines it is refused, as any row whose id is taken: `IntegrityError`).
    Returns how many rows went in."""
    if not rows:
        return 0
    s.flush()
    columns = list(table.columns)
    keys = [c.key for c in columns]
    defaults = list(zip(keys, (column_default(c) for c in columns), strict=True))
    if not is_sqlite(s):
        if s.get_bind().dialect.driver == "psycopg" and len(rows) >= COPY_MIN:
            _copy_rows(s, table, defaults, rows)
            return len(rows)
        s.execute(insert(table), [{k: r[k] if k in r else d for k, d in defaults}
                                  for r in rows])
        return len(rows)
    return _insert_many(s, table.name, keys, _encoded_columns(table, rows, defaults, column),
                        skip_stored)


#: rows per INSERT statement on SQLite (fewer when the driver allows fewer parameters)
ROWS_PER_INSERT = 1000


def _insert_many(s: Session, table: str, keys: Sequence[str],
                 columns: Sequence[Sequence[Any]], skip_stored: bool = False) -> int:
    """Rows (given column by column, encoded) into a SQLite table with multi-row
    `INSERT ... VALUES (...), (...), ...` statements of up to `ROWS_PER_INSERT` rows.
    A third faster than one executemany of single-row INSERTs (measured at 50,000
    observations: 0.17 s against 0.25 s): SQLite runs the rows of one statement in one
    step, where executemany resets, binds and steps the statement for every row.  Each
    row is inserted exactly as by a single-row INSERT (the same column affinities,
    constraints and foreign keys).  Through SQLAlchemy's connection, so its error
    handling (a full disk, a unique or foreign-key failure) applies as to any other
    statement.  With `skip_stored`, a row whose id is already here is left out
    (`ON CONFLICT(id) DO NOTHING`; any other unique index still refuses).  Returns how
    many rows went in."""
    width, count = len(keys), len(columns[0])
    con = s.connection()
    dbapi = con.connection.dbapi_connection
    limit = dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if isinstance(
        dbapi, sqlite3.Connection) else 999
    per = max(1, min(ROWS_PER_INSERT, limit // width))
    # every row's values one after another (zip's tuples are consumed at once)
    flat = list(chain.from_iterable(zip(*columns, strict=True)))
    names = ", ".join(f'"{k}"' for k in keys)
    head = f'INSERT INTO "{table}" ({names}) VALUES '
    one = "(" + ", ".join("?" * width) + ")"
    tail = " ON CONFLICT(id) DO NOTHING" if skip_stored else ""
    full = head + ", ".join([one] * per) + tail
    whole = count - count % per
    inserted = 0
    for start in range(0, whole, per):
        inserted += con.exec_driver_sql(
            full, tuple(flat[start * width:(start + per) * width])).rowcount
    if whole < count:
        inserted += con.exec_driver_sql(head + ", ".join([one] * (count - whole)) + tail,
                                        tuple(flat[whole * width:])).rowcount
    return inserted


def encode_rows(table: Table, rows: Sequence[Mapping[str, Any]],
                defaults: Sequence[tuple[str, Any]], column: ColumnOf | None = None
                ) -> list[tuple[Any, ...]]:
    """Every row as `row_encoder` encodes it (a column a row leaves out: its default in
    `defaults`), converted a column at a time: one pass per JSON, date or flag column
    instead of a Python call per row (a fifth of a fresh import's Python time went to
    encoding rows one by one).  With `column` (see `insert_rows`) the columns come from
    the caller, and the rows are not read at all.  SQLite only, as `row_encoder`'s
    encoding is."""
    if not rows:
        return []
    return list(zip(*_encoded_columns(table, rows, defaults, column), strict=True))


def _encoded_columns(table: Table, rows: Sequence[Mapping[str, Any]],
                     defaults: Sequence[tuple[str, Any]], column: ColumnOf | None = None
                     ) -> list[Sequence[Any]]:
    """`encode_rows`'s values, column by column (`rows` not empty)."""
    columns: list[Sequence[Any]]
    if column is not None:
        n = len(rows)
        columns = []
        for k, d in defaults:
            got = column(k)
            if got is not None and len(got) != n:
                raise ValueError(f"column {k} has {len(got)} values for {n} rows")
            columns.append((d,) * n if got is None else got)
    else:
        keys = [k for k, _d in defaults]
        every: Callable[[Mapping[str, Any]], Any] = itemgetter(*keys) if len(keys) > 1 else (
            lambda r: (r[keys[0]],))  # itemgetter of one key gives the value, not a tuple
        try:
            tuples = list(map(every, rows))
        except KeyError:  # some row lacks a column: its default
            tuples = [tuple(r[k] if k in r else d for k, d in defaults) for r in rows]
        columns = list(zip(*tuples, strict=True))
    for i, c in enumerate(table.columns):
        values = columns[i]
        if isinstance(c.type, JSON):
            columns[i] = _json_texts(values)
        elif isinstance(c.type, Date):
            iso = dt.date.isoformat
            columns[i] = [iso(v) if v.__class__ is dt.date else
                          v.isoformat() if isinstance(v, dt.date) else v for v in values]
        elif isinstance(c.type, Boolean):  # 0/1, as `row_encoder` (see there)
            columns[i] = [1 if v is True else 0 if v is False else v for v in values]
    return columns


def _json_texts(values: Sequence[Any]) -> list[str]:
    """`_json_text` of each of `values`, orjson's loop inlined (the per-value fallback
    only when it refuses one)."""
    if _dumps is not None:
        try:
            return [_dumps(v).decode() for v in values]
        except TypeError:  # an integer beyond 64 bits somewhere
            pass
    return [_json_text(v) for v in values]


#: from how many new rows PostgreSQL gets them by COPY rather than INSERT statements
COPY_MIN = 1000


def _copy_rows(s: Session, table: Table, defaults: list[tuple[str, Any]],
               rows: Sequence[Mapping[str, Any]]) -> None:
    """New rows into PostgreSQL with `COPY ... FROM STDIN` on the session's own
    connection (so inside its transaction, deferred constraints checked at commit): the
    driver encodes each row in C, where SQLAlchemy's INSERTs would bind every value in
    Python.  Values as the ORM binds them — JSON as its text (JSON null as `null`),
    dates, flags and numbers as they are.  A failure is raised as SQLAlchemy raises
    any statement's (a unique or foreign-key violation as `IntegrityError`)."""
    import psycopg  # the driver of this connection (`store.server.DRIVER`)
    from sqlalchemy.exc import DBAPIError

    keys = [k for k, _d in defaults]
    every = itemgetter(*keys)
    jsons = [i for i, c in enumerate(table.columns) if isinstance(c.type, JSON)]
    names = ", ".join(f'"{k}"' for k in keys)
    statement = f'COPY "{table.name}" ({names}) FROM STDIN'
    dbapi = s.connection().connection.dbapi_connection
    try:
        with dbapi.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]  # psycopg's
            for r in rows:
                try:
                    row = list(every(r))
                except KeyError:  # a column the record does not carry: its default
                    row = [r[k] if k in r else d for k, d in defaults]
                for i in jsons:
                    row[i] = json.dumps(row[i])
                copy.write_row(row)
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc


def _json_text(value: Any) -> str:
    """JSON text the ORM reads back as `value` (None: JSON null, as SQLAlchemy's JSON
    type writes it): orjson's compact text when it is there, else `json.dumps`'s."""
    if _dumps is not None:
        try:
            return _dumps(value).decode()
        except TypeError:  # an integer beyond 64 bits
            pass
    return json.dumps(value)
