"""Opening a workspace file safely.

One SQLite file per workspace (`*.nicdesk`).  Before anything is written we look at the
file read-only: the SQLite header, its `application_id` (NICdesk's magic number, so a plain
SQLite file from another program is told apart) and its schema revision.  A file from a
newer NICdesk is refused with both versions named; an older one is backed up with SQLite's
backup API and migrated with Alembic; a current one opens without importing Alembic at all
(start-up time).  A second process gets "already open" at once from a non-blocking `flock`
on the file instead of waiting on SQLite's lock.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..core.clock import Hlc, HybridClock
from .errors import AlreadyOpenError, NewerSchemaError, NotAWorkspaceError, WorkspaceError
from .schema import WorkspaceMeta

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

APPLICATION_ID = 0x4E494344  # "NICD"
HEAD_REVISION = "0005"  # the Alembic head this code writes; a test keeps it honest
SCHEMA_VERSION = 5  # PRAGMA user_version written by the head migration
SUFFIX = ".nicdesk"
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


def inspect_file(path: Path) -> FileState:
    """Read-only look at a file: header bytes, then a read-only SQLite connection."""
    if not path.exists():
        return FileState(exists=False)
    size = path.stat().st_size
    with open(path, "rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return FileState(exists=True, size=size)
    hot = path.with_name(path.name + "-journal")
    if hot.exists() and hot.stat().st_size > 0:
        _recover(path)
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            user_version = con.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            revision = None
            if "alembic_version" in tables:
                row = con.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
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
    )


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
            f"There is no file at {path}. Check the name, or use File → New to start a workspace."
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


class _FileLock:
    """Exclusive, non-blocking advisory lock on the workspace file for this process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise AlreadyOpenError(
                    f"{self.path.name} is already open in another NICdesk window. Switch to "
                    "that window, or close it and try again. Nothing was changed."
                ) from None
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            if fcntl is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def _make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", future=True)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_con, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy issue BEGIN itself so a whole operation is one transaction.
        dbapi_con.isolation_level = None
        cur = dbapi_con.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=2000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN")

    return engine


def backup_file(path: Path, suffix: str) -> Path:
    """Consistent copy with SQLite's backup API (safe even with a WAL beside the file)."""
    target = path.with_name(f"{path.name}.bak-{suffix}")
    part = target.with_name(target.name + ".part")  # whole, or not there at all
    for leftover in (part, part.with_name(part.name + "-journal")):
        leftover.unlink(missing_ok=True)  # from a copy cut short
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
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
    return target


class Workspace:
    """An open workspace file: engine, lock, device clock and the operations on it."""

    def __init__(self, path: Path, engine: Engine, lock: _FileLock) -> None:
        self.path = path
        self.target: str | Path = path  # what Workspace.open takes to open it again
        self.engine = engine
        self._lock = lock
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        with self.read() as s:
            self._meta = {m.key: m.value for m in s.scalars(select(WorkspaceMeta))}
        meta = self.meta()
        self.device_id = meta.get("device_id") or uuid.uuid4().hex[:12]
        last = meta.get("clock_last")
        self.clock = HybridClock(
            self.device_id, last=Hlc.decode(last) if last else None
        )
        self.id_factory = lambda: str(uuid.uuid4())
        from .operations import Operations  # local: operations imports this module

        self.ops = Operations(self)
        if "device_id" not in meta:
            self.set_meta(device_id=self.device_id)

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> Workspace:
        """Make a new, empty workspace file (refuses to overwrite a non-empty file)."""
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            raise WorkspaceError(
                f"{path.name} already exists. Choose another name, or open it instead."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = _FileLock(path)
        lock.acquire()
        try:
            con = sqlite3.connect(path)
            con.execute(f"PRAGMA application_id={APPLICATION_ID}")
            con.execute("PRAGMA journal_mode=WAL")
            con.close()
            engine = _make_engine(path)
            _migrate(engine, None)
        except BaseException:
            lock.release()
            raise
        return cls(path, engine, lock)

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Workspace:
        """Open an existing workspace, migrating an older one after a backup.  A database
        URL (``postgresql+psycopg://…``) opens a coordinator store on a server instead."""
        if is_database_url(path):
            from .server import open_server

            return open_server(cls, str(path))
        path = Path(path)
        state = inspect_file(path)
        _refuse_unless_workspace(path, state)
        _refuse_newer(path, state)
        lock = _FileLock(path)
        lock.acquire()
        try:
            engine = _make_engine(path)
            if state.revision != HEAD_REVISION:
                backup = backup_file(path, state.revision or "0")
                try:
                    _migrate(engine, state.revision)
                except Exception as exc:
                    engine.dispose()
                    raise WorkspaceError(
                        f"{path.name} could not be upgraded to this version of NICdesk "
                        f"({exc}). The file was not changed; a copy is also kept at "
                        f"{backup.name}. Please report this problem.", details=repr(exc)
                    ) from exc
        except BaseException:
            lock.release()
            raise
        return cls(path, engine, lock)

    def close(self) -> None:
        if self._lock.fd is None:
            return
        self.set_meta(clock_last=self.clock.last.encode())
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


def defer_references(session: Session) -> None:
    """Check references at commit, so records may arrive in any order (bundles, copies)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA defer_foreign_keys=ON"))
    else:
        session.execute(text("SET CONSTRAINTS ALL DEFERRED"))


def is_database_url(target: object) -> bool:
    """`postgresql://…`, `postgresql+psycopg://…`: a server, not a file."""
    return isinstance(target, str) and target.split(":", 1)[0].split("+")[0] in (
        "postgresql", "postgres")


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


def _migrate(engine: Engine, revision: str | None) -> None:
    from .migrate import upgrade

    upgrade(engine)
