"""Opening a workspace file safely: the `Workspace` class, its file lock, its engine, and
the open/create/migrate flow.

One SQLite file per workspace (`*.nicdesk`).  Before anything is written we look at the
file read-only: the SQLite header, its `application_id` (NICdesk's magic number, so a plain
SQLite file from another program is told apart) and its schema revision.  A file from a
newer NICdesk is refused with both versions named; an older one is backed up with SQLite's
backup API and migrated with Alembic; a current one opens without importing Alembic at all
(start-up time).  A second process gets "already open" at once from a non-blocking `flock`
on the file instead of waiting on SQLite's lock.

Hygiene, in the order `Workspace.open` checks it, each refusal one line naming what is
wrong and what to do, with nothing written:

* a file that cannot be written (read-only file or folder, immutable file, read-only
  drive) is refused before it is touched (`storage_errors.unwritable`);
* a `-wal` beside the file that is not its own write-ahead log is renamed
  `<name>-wal.set-aside-<time>` (never deleted) and the file opened without it, with a
  line in `Workspace.warnings`, also passed to `Workspace.warning_hook` (`wal_check`
  says how it is told apart from the log a crash leaves, which must be applied);
* a schema holding objects NICdesk did not create — triggers, views, computed columns,
  other tables or indexes — is refused (`file_check`); an older file is compared with
  what its own revision had, and the migrated schema is checked again inside the
  migration's transaction (`_schema_check`);
* while open, SQLite's failures to write (disk full, read-only, moved, damaged) become
  `StorageError`s through the engine's `handle_error` event (`storage_errors`).

The looks at the file, the error mapping and the -wal check live in those modules (none
of which imports this one); the names other code and tests import from here are
re-exported below.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Connection, Engine, ExceptionContext
from sqlalchemy.orm import Session, sessionmaker

from ..core.clock import Hlc, HybridClock
from ..paths import is_database_url
from .errors import DamagedWorkspaceError, DiskFullError, WorkspaceError
from .file_check import (
    APPLICATION_ID,
    HEAD_REVISION,
    _foreign_error,
    _peek,
    _refuse_foreign_objects,
    _refuse_newer,
    _refuse_unless_workspace,
    _uri,
    expected_objects,
    foreign_objects,
    inspect_file,
)
from .file_check import SCHEMA_VERSION as SCHEMA_VERSION  # re-exported: imported from here
from .file_check import FileState as FileState  # re-exported
from .file_lock import FileLock as _FileLock  # the name the hygiene tests know
from .file_lock import Lock
from .operations import Operations
from .ownership import assign_owners
from .schema import WorkspaceMeta
from .storage_errors import _first_line, storage_error, unwritable
from .wal_check import _others_have_it_open as _others_have_it_open  # re-exported
from .wal_check import _set_aside_foreign_wal

SUFFIX = ".nicdesk"


def _json_or_refuse(text: str) -> object:
    """JSON columns as stored; a value that is no JSON (a damaged or crafted file) is a
    plain refusal, never a traceback."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise DamagedWorkspaceError(
            "A value in this workspace is damaged (not valid JSON), so it cannot be read. "
            "Open a backup copy, or ask for the workspace again. Nothing was changed."
        ) from exc


def _make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", future=True,
                           json_deserializer=_json_or_refuse)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_con: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy issue BEGIN itself so a whole operation is one transaction.
        dbapi_con.isolation_level = None
        cur = dbapi_con.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=2000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    @event.listens_for(engine, "handle_error")
    def _explain(context: ExceptionContext) -> None:
        # disk full, read-only, moved, damaged: a plain message instead of SQLAlchemy's
        error = storage_error(context.original_exception, path)
        if error is not None:
            raise error

    return engine


def backup_file(path: Path, suffix: str) -> Path:
    """Consistent copy with SQLite's backup API (safe even with a WAL beside the file)."""
    target = path.with_name(f"{path.name}.bak-{suffix}")
    part = target.with_name(target.name + ".part")  # whole, or not there at all
    for leftover in (part, part.with_name(part.name + "-journal")):
        leftover.unlink(missing_ok=True)  # from a copy cut short
    try:
        src = sqlite3.connect(_uri(path, mode="ro"), uri=True)
        try:
            dst = sqlite3.connect(part)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        with open(part, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(part, target)
    except BaseException:
        for leftover in (part, part.with_name(part.name + "-journal")):
            leftover.unlink(missing_ok=True)  # our own half copy (a full disk, say)
        raise
    return target


class Workspace:
    """An open workspace file: engine, lock, device clock and the operations on it."""

    #: called with each warning the moment it arises while a workspace opens, even if
    #: the open is then refused (the set-aside -wal stays set aside): the CLI sets it to
    #: print them, since each of its commands opens the workspace itself
    warning_hook: ClassVar[Callable[[str], None] | None] = None

    def __init__(self, path: Path, engine: Engine, lock: Lock) -> None:
        #: things the person should know about this opening, one line each (a -wal
        #: that was not the file's own, set aside); the GUI and the CLI show them
        self.warnings: list[str] = []
        self.path = path
        self.target: str | Path = path  # what Workspace.open takes to open it again
        #: a server's URL without its password (for titles); None for a workspace file
        self.url: str | None = None
        self.engine = engine
        self._lock = lock
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        with self.read() as s:
            self._meta = {m.key: m.value for m in s.scalars(select(WorkspaceMeta))}
        meta = self.meta()
        self.device_id = meta.get("device_id") or uuid.uuid4().hex[:12]
        try:
            HybridClock(self.device_id)
        except ValueError:  # a damaged or crafted file: this copy gets a device id anew
            self._warn("This workspace's device id was not usable; this copy got a new one. "
                       "Nothing else changed.")
            self.device_id = uuid.uuid4().hex[:12]
            meta.pop("device_id", None)
        last = meta.get("clock_last")
        try:
            previous = Hlc.decode(last) if last else None
        except ValueError:  # the wall clock is later than any stamp a bundle may carry
            previous = None
            self._warn("This workspace's saved clock was not readable; it starts again from "
                       "this computer's time. Nothing else changed.")
        self.clock = HybridClock(self.device_id, last=previous)
        self.id_factory: Callable[[], str] = lambda: str(uuid.uuid4())
        self.ops = Operations(self)
        if "device_id" not in meta:
            self.set_meta(device_id=self.device_id)

    def _warn(self, text: str) -> None:
        """Something the person should know about this file (shown by the CLI and GUI)."""
        self.warnings.append(text)
        hook = type(self).warning_hook
        if hook is not None:
            hook(text)

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> Workspace:
        """Make a new, empty workspace file (refuses to overwrite a non-empty file)."""
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            raise WorkspaceError(
                f"{path.name} already exists. Choose another name, or open it instead."
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage_error(exc, path, saving=False) or WorkspaceError(
                f"NICdesk could not make the folder {path.parent} ({exc.strerror}). Choose "
                "another place for the workspace.", details=str(exc)) from exc
        problem = unwritable(path)
        if problem is not None:
            raise problem
        lock = _FileLock(path)
        lock.acquire()
        try:
            try:
                con = sqlite3.connect(path)
                try:
                    con.execute(f"PRAGMA application_id={APPLICATION_ID}")
                    con.execute("PRAGMA journal_mode=WAL")
                finally:
                    con.close()
            except sqlite3.Error as exc:
                raise storage_error(exc, path, saving=False) or WorkspaceError(
                    f"NICdesk could not create {path.name} ({_first_line(exc)}).",
                    details=str(exc)) from exc
            engine = _make_engine(path)
            try:
                _migrate(engine, None)
                return cls(path, engine, lock)
            except BaseException:
                engine.dispose()
                raise
        except BaseException:
            lock.release()
            raise

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, lock: _FileLock | None = None) -> Workspace:
        """Open an existing workspace, migrating an older one after a backup.  A database
        URL (``postgresql+psycopg://…``) opens a coordinator store on a server instead.

        `lock`: the file's lock, already held (the shell's first look took it before the
        first screen); released here if the open is refused, kept by the workspace if not."""
        if is_database_url(path):
            from .server import open_server, safe_url

            url = str(path)
            server = open_server(url, cls)
            server.url = safe_url(url)
            server.target = url
            return server
        path = Path(path)
        try:
            _refuse_unless_workspace(path, _peek(path))  # from the header: no SQLite yet
            problem = unwritable(path)
            if problem is not None:
                raise problem
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        if lock is not None and not lock.holds(path):  # replaced since it was taken
            lock.release()
            lock = None
        if lock is None:
            lock = _FileLock(path, create=False)
            lock.acquire()
        warning = None
        try:
            warning = _set_aside_foreign_wal(path, lock)
            if warning and cls.warning_hook is not None:
                cls.warning_hook(warning)
            state = inspect_file(path)
            _refuse_unless_workspace(path, state)
            _refuse_newer(path, state)
            _refuse_foreign_objects(path, state)
            engine = _make_engine(path)
            try:
                if state.revision != HEAD_REVISION:
                    _upgrade(path, engine, state)
                ws = cls(path, engine, lock)
            except BaseException:
                engine.dispose()
                raise
        except BaseException as exc:
            lock.release()
            if warning and isinstance(exc, WorkspaceError):  # refused after all: say so
                exc.details = f"{exc.details} {warning}".strip()
            raise
        if warning:
            ws.warnings.append(warning)
        return ws

    def close(self) -> None:
        if self._lock.fd is None:
            return
        try:
            self.set_meta(clock_last=self.clock.last.encode())
        finally:  # a full disk must not keep the file locked
            self.engine.dispose()
            self._lock.release()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def name(self) -> str:
        return self.path.name.removesuffix(SUFFIX)

    # ------------------------------------------------------------------ sessions & meta
    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; nothing it does is committed."""
        with self.sessions() as session:
            yield session

    def meta(self) -> dict[str, str]:
        """Local facts (device id, local site...), cached: read at open, kept in step."""
        return dict(self._meta)

    def set_meta(self, **values: str) -> None:
        with self.sessions.begin() as s:
            for key, value in values.items():
                s.merge(WorkspaceMeta(key=key, value=value))
            if values.get("signing_key") or values.get("trusted_coordinator_key"):
                # the workspace starts taking part in an exchange: from now on the
                # single-writer rules bind, so every record must have its one owner
                assign_owners(s.connection())
        self._meta.update(values)

    @property
    def is_server(self) -> bool:
        return self.engine.dialect.name != "sqlite"

    def integrity_ok(self) -> bool:
        if self.is_server:  # the server keeps its own pages; check we can read them all
            with self.engine.connect() as con:
                con.execute(text("SELECT count(*) FROM observations")).scalar()
            return True
        with self.engine.connect() as con:
            return con.execute(text("PRAGMA integrity_check")).scalar() == "ok"


def discard_new_file(ws: Workspace, path: Path) -> None:
    """Close a workspace made a moment ago and remove its file with its -wal and -shm:
    a flow that fails half-way (a join, a new initiative) leaves nothing behind."""
    ws.close()
    for leftover in (path, path.with_name(path.name + "-wal"),
                     path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


def defer_references(session: Session) -> None:
    """Check references at commit, so records may arrive in any order (bundles, copies)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA defer_foreign_keys=ON"))
    else:
        session.execute(text("SET CONSTRAINTS ALL DEFERRED"))


def _schema_check(path: Path) -> Callable[[Connection], None]:
    """Run inside the migration's transaction: a migrated schema holds only NICdesk's
    objects, or the migration is rolled back."""
    def check(connection: Connection) -> None:
        rows = connection.exec_driver_sql(
            "SELECT type, name, tbl_name, sql IS NULL FROM sqlite_master").all()
        found = foreign_objects(((str(k), str(n), str(t), bool(x)) for k, n, t, x in rows), (),
                                expected_objects())
        if found:
            raise _foreign_error(path, found)
    return check


def _upgrade(path: Path, engine: Engine, state: FileState) -> None:
    """Back an older file up, then migrate it in one transaction (which also checks the
    migrated schema before it commits)."""
    try:
        backup = backup_file(path, state.revision or "0")
    except (sqlite3.Error, OSError) as exc:
        error = storage_error(exc, path, saving=False)
        if isinstance(error, DiskFullError):
            need = max(1, round(state.size / 1_000_000))
            raise DiskFullError(
                f"The disk is full: before upgrading {path.name} to this version NICdesk keeps "
                f"a backup copy of it, which needs about {need} MB. Free some space on that "
                "drive and open it again. Nothing was changed.", details=error.details
            ) from exc
        raise error or WorkspaceError(
            f"NICdesk could not make a backup copy of {path.name} before upgrading it "
            f"({_first_line(exc)}). Nothing was changed. Please report this problem.",
            details=repr(exc)) from exc
    try:
        _migrate(engine, state.revision, check=_schema_check(path))
    except DiskFullError as exc:
        raise DiskFullError(
            f"The disk is full: NICdesk could not upgrade {path.name} to this version. Free "
            f"some space on that drive and open it again. Nothing was changed; a copy is "
            f"also kept at {backup.name}.", details=exc.details) from exc
    except WorkspaceError:
        raise
    except Exception as exc:
        raise WorkspaceError(
            f"{path.name} could not be upgraded to this version of NICdesk "
            f"({_first_line(exc)}). The file was not changed; a copy is also kept at "
            f"{backup.name}. Please report this problem.", details=repr(exc)
        ) from exc


def _migrate(engine: Engine, revision: str | None,
             check: Callable[[Connection], None] | None = None) -> None:
    from .migrate import upgrade

    upgrade(engine, check=check)
