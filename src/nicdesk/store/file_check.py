"""What a file on disk is, learnt without writing to it, and whether it may be opened.

`Workspace.open` asks these questions before it writes anything, so each refusal leaves
the file as it was: the SQLite header and NICdesk's `application_id` (read from the first
100 bytes, with no SQLite at all), then a read-only SQLite look at the schema revision
and every object in `sqlite_master`.  A schema holding objects NICdesk did not create —
triggers, views, computed columns, other tables or indexes — is refused: a trigger in a
file could copy private notes into a shared field.  An older file is compared with what
its own revision had (`migrate.schema_objects`).

Kept apart from `workspace` so that the look at a file can be read, tested and used
(the crash campaign inspects its files with it) without the engine, lock and open flow;
it never imports `workspace`, which re-exports the names imported from there.
"""

from __future__ import annotations

import functools
import sqlite3
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .errors import ForeignSchemaError, NewerSchemaError, NotAWorkspaceError, WorkspaceError
from .storage_errors import _clip

APPLICATION_ID = 0x4E494344  # "NICD"
HEAD_REVISION = "0008"  # the Alembic head this code writes; a test keeps it honest
SCHEMA_VERSION = 8  # PRAGMA user_version written by the head migration
_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class FileState:
    """What a file on disk is, learnt without writing to it."""

    exists: bool
    size: int = 0
    is_sqlite: bool = False
    is_nicdesk: bool = False
    revision: str | None = None
    schema_version: int = 0
    tables: int = 0
    readable: bool = True  # False: SQLite's header, but SQLite cannot read it
    wal_mode: bool = False  # the header says journal_mode=WAL
    #: every row of sqlite_master: (type, name, table, has no SQL)
    objects: tuple[tuple[str, str, str, bool], ...] = ()
    #: "table.column" of each generated (computed) column
    computed_columns: tuple[str, ...] = ()


def _uri(path: Path, **params: str) -> str:
    """A `file:` URI for sqlite3: '?', '#' or '%' in a folder name stay part of the path."""
    name = path.absolute().as_posix()
    if not name.startswith("/"):  # Windows: file:/C:/...
        name = "/" + name
    return f"file:{quote(name, safe='/:')}?" + "&".join(f"{k}={v}" for k, v in params.items())


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _peek(path: Path) -> FileState:
    """What the file's first 100 bytes say, without SQLite: nothing opened or locked."""
    try:
        if not path.exists():
            return FileState(exists=False)
        size = path.stat().st_size
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise WorkspaceError(
            f"NICdesk cannot read {path.name} ({exc.strerror}). Check that you may open it, "
            "or ask its owner for a copy. Nothing was changed.", details=str(exc)) from exc
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return FileState(exists=True, size=size)
    app_id = struct.unpack(">I", header[68:72])[0]
    return FileState(exists=True, size=size, is_sqlite=True, is_nicdesk=app_id == APPLICATION_ID,
                     wal_mode=header[18] == 2)


def inspect_file(path: Path) -> FileState:
    """Read-only look at a file: header bytes, then a read-only SQLite connection."""
    state = _peek(path)
    if not state.is_sqlite:
        return state
    size = state.size
    hot = path.with_name(path.name + "-journal")
    if hot.exists() and hot.stat().st_size > 0:
        _recover(path)
    # a WAL-mode file without a -wal is all there is: read it as it lies, so that not
    # even an empty -wal or -shm is left beside a file that is then refused
    alone = state.wal_mode and not path.with_name(path.name + "-wal").exists()
    try:
        con = sqlite3.connect(_uri(path, **({"immutable": "1"} if alone else {"mode": "ro"})),
                              uri=True)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            user_version = con.execute("PRAGMA user_version").fetchone()[0]
            objects = tuple(
                (str(kind), str(name), str(table), bool(no_sql)) for kind, name, table, no_sql
                in con.execute("SELECT type, name, tbl_name, sql IS NULL FROM sqlite_master"))
            tables = {name for kind, name, _, _ in objects if kind == "table"}
            revision = None
            if "alembic_version" in tables:
                row = con.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
            computed = tuple(_computed_columns(con, sorted(tables)))
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return FileState(exists=True, size=size, is_sqlite=True, readable=False)
    return FileState(
        exists=True,
        size=size,
        is_sqlite=True,
        is_nicdesk=app_id == APPLICATION_ID,
        revision=revision,
        schema_version=user_version,
        tables=len(tables),
        objects=objects,
        computed_columns=computed,
    )


def _computed_columns(con: sqlite3.Connection, tables: Iterable[str]) -> Iterator[str]:
    """Generated columns (`... AS (expr)`): a tampered table could compute a shared
    field from a private one.  NICdesk's models have none."""
    for table in tables:
        try:
            columns = con.execute(f"PRAGMA table_xinfo({_quoted(table)})").fetchall()
        except sqlite3.DatabaseError:
            continue  # a virtual table of an unknown module: reported as a table anyway
        yield from (f"{table}.{c[1]}" for c in columns if c[6] in (2, 3))


def _recover(path: Path) -> None:
    """A process killed mid-write leaves a hot rollback journal; a read-only look cannot
    use the file until SQLite rolls it back, which an ordinary open does.  This only
    restores the last committed state (found by the crash campaign)."""
    con = sqlite3.connect(path, timeout=5)
    try:
        con.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError:
        pass  # damaged beyond a rollback: the read-only look will say so
    finally:
        con.close()


def _refuse_unless_workspace(path: Path, state: FileState) -> None:
    if not state.exists:
        raise NotAWorkspaceError(
            f"There is no file at {path}. Check the name, or start a new workspace (File → "
            "New Workspace in the app, `nicdesk new` on the command line)."
        )
    if state.size == 0:
        raise NotAWorkspaceError(
            f"{path.name} is an empty file, not a NICdesk workspace. It may have been cut off "
            "while copying; look for another copy or a .bak file beside it."
        )
    if state.is_sqlite and not state.readable:
        raise NotAWorkspaceError(
            f"{path.name} looks like a NICdesk workspace but cannot be read: it is damaged, "
            "or another program holds it locked. Close other programs using it and try "
            "again; otherwise use the newest .bak copy beside it. The file was not changed."
        )
    if not state.is_sqlite:
        raise NotAWorkspaceError(
            f"{path.name} is not a NICdesk workspace (it is not a database file at all). "
            "Choose a file ending in .nicdesk. The file was not changed."
        )
    if not state.is_nicdesk:
        raise NotAWorkspaceError(
            f"{path.name} is a database made by another program, not a NICdesk workspace. "
            "NICdesk did not change it. To bring data in, use CSV import or a bundle."
        )


def _refuse_newer(path: Path, state: FileState) -> None:
    if state.revision in (None, HEAD_REVISION):
        return
    from .migrate import known_revisions

    if state.revision not in known_revisions():
        raise NewerSchemaError(
            f"{path.name} was saved by a newer version of NICdesk (workspace schema "
            f"version {state.schema_version or state.revision}); this NICdesk understands "
            f"schema version {SCHEMA_VERSION}. Install the newer NICdesk to open it. "
            "The file was not changed."
        )


# ---------------------------------------------------------------------- foreign objects
_SQLITE_TABLES = frozenset({"sqlite_sequence", "sqlite_stat1", "sqlite_stat2", "sqlite_stat3",
                            "sqlite_stat4"})  # SQLite's own (AUTOINCREMENT, ANALYZE)
_KIND_ORDER = ("trigger", "view", "column", "table", "index")
_KIND_WORDS = {"trigger": "a trigger", "view": "a view", "column": "a computed column",
               "table": "a table", "index": "an index"}


@functools.lru_cache(maxsize=1)
def expected_objects() -> frozenset[tuple[str, str, str]]:
    """(type, name, table) of the tables and indexes a workspace at HEAD_REVISION holds,
    from the models (a test checks it against a freshly created file; another keeps the
    migrations equal to the models), plus Alembic's version table.  SQLite's automatic
    indexes for primary keys and unique constraints are allowed by `foreign_objects`."""
    from .schema import Base

    found = {("table", "alembic_version", "alembic_version")}
    for table in Base.metadata.tables.values():
        found.add(("table", table.name, table.name))
        found.update(("index", str(ix.name), table.name) for ix in table.indexes)
    return frozenset(found)


def foreign_objects(objects: Iterable[tuple[str, str, str, bool]], computed: Iterable[str],
                    allowed: frozenset[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(kind, name) of each object NICdesk did not create, the most dangerous first.
    Triggers and views are never NICdesk's; nor are computed columns."""
    tables = {name for kind, name, _ in allowed if kind == "table"}
    found = []
    for kind, name, table, no_sql in objects:
        if kind in ("table", "index") and (kind, name, table) in allowed:
            continue
        if kind == "table" and name in _SQLITE_TABLES and name == table:
            continue
        if (kind == "index" and no_sql and table in tables
                and name.startswith(f"sqlite_autoindex_{table}_")):
            continue
        found.append((kind, name))
    found += [("column", c) for c in computed]
    return sorted(found, key=lambda f: (
        _KIND_ORDER.index(f[0]) if f[0] in _KIND_ORDER else -1, f[1]))


def _foreign_error(path: Path, found: list[tuple[str, str]]) -> ForeignSchemaError:
    kind, name = found[0]
    what = f"{_KIND_WORDS.get(kind, f'an object of type {_clip(kind)!r}')} '{_clip(name)}'"
    if len(found) > 1:
        what += f" and {len(found) - 1} other object{'s' if len(found) > 2 else ''}"
    return ForeignSchemaError(
        f"{path.name} holds {what} that NICdesk did not create; it may have been tampered "
        "with. Nothing was opened or changed. Open a copy you trust instead (the newest .bak "
        "file beside it), or ask whoever sent it for a fresh copy.",
        details="; ".join(f"{k} {n!r}" for k, n in found))


def _refuse_foreign_objects(path: Path, state: FileState) -> None:
    allowed = expected_objects()
    if state.revision != HEAD_REVISION:  # an older file may hold what its revision made
        from .migrate import schema_objects

        allowed = allowed | schema_objects(state.revision)
    found = foreign_objects(state.objects, state.computed_columns, allowed)
    if found:
        raise _foreign_error(path, found)
