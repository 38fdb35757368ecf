"""A `-wal` beside a workspace that is not its own write-ahead log, found and set aside.

SQLite applies any `-wal` whose own header and checksums are sound: it keeps no record of
which database a log belongs to.  A log copied in with another file, left from an older
copy or written by another program would change the workspace silently; the log a crash
leaves must be applied.  `_foreign_wal_reason` tells the two apart by what the log would
do, and `_set_aside_foreign_wal` renames a foreign one `<name>-wal.set-aside-<time>`
(never deleted) before any SQLite connection of this process opens the file; its
warning ends up in `Workspace.warnings`.  Kept apart from `workspace`, which calls it
under its file lock; it never imports `workspace`.
"""

from __future__ import annotations

import os
import sqlite3
import struct
import time
from pathlib import Path
from typing import Protocol

from ..core.clock import Hlc
from .errors import WorkspaceError
from .file_check import APPLICATION_ID, _quoted, _uri
from .storage_errors import _clip, _first_line

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]  # no module there: the lock is skipped


class _Locked(Protocol):
    """NICdesk's lock on the workspace file (`workspace._FileLock`): its descriptor."""

    fd: int | None


_WAL_MAGIC = (0x377F0682, 0x377F0683)
#: os_unix.c's lock bytes: in WAL mode each open connection keeps a read lock on them
_SQLITE_SHARED_FIRST, _SQLITE_SHARED_SIZE = 0x40000000 + 2, 510


def _others_have_it_open(fd: int) -> bool:
    """Does another process hold an SQLite connection to the file (a sqlite3 shell,
    another program)?  Then its -wal is live and surely its own.  Tested with a POSIX
    lock on SQLite's shared bytes, taken and at once given back; call it only while this
    process has no SQLite connection to the file (POSIX locks are per process)."""
    if fcntl is None:  # pragma: no cover - Windows
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, _SQLITE_SHARED_SIZE,
                    _SQLITE_SHARED_FIRST)
    except OSError:
        return True
    fcntl.lockf(fd, fcntl.LOCK_UN, _SQLITE_SHARED_SIZE, _SQLITE_SHARED_FIRST)
    return False


def _wal_header_problem(path: Path, wal: Path) -> str | None:
    """The WAL header must be a WAL header, with the database's page size."""
    with open(wal, "rb") as fh:
        head = fh.read(32)
    if len(head) < 32:
        return None  # a header never written: SQLite reads it as empty, nothing to apply
    magic, _version, page_size = struct.unpack(">III", head[:12])
    if magic not in _WAL_MAGIC:
        return "it is not an SQLite write-ahead log"
    with open(path, "rb") as fh:
        fh.seek(16)
        raw = struct.unpack(">H", fh.read(2))[0]
    db_page = 65536 if raw == 1 else raw
    if page_size != db_page:
        return f"its pages are {page_size} bytes, the workspace's {db_page}"
    return None


def _sound_alone(path: Path) -> bool:
    """Does the file read correctly by itself (`immutable=1`: SQLite ignores the -wal)?"""
    try:
        con = sqlite3.connect(_uri(path, immutable="1"), uri=True)
        try:
            return bool(con.execute("PRAGMA quick_check(1)").fetchone()[0] == "ok"
                        and con.execute("PRAGMA application_id").fetchone()[0]
                        == APPLICATION_ID)
        finally:
            con.close()
    except sqlite3.Error:
        return False


def _compare_with_file_alone(con: sqlite3.Connection, path: Path) -> str | None:
    """`con` reads the file with its -wal; attach the file alone and ask whether the
    first can have grown from the second."""
    con.execute("ATTACH DATABASE ? AS alone", (_uri(path, immutable="1"),))
    if con.execute("PRAGMA main.application_id").fetchone()[0] != APPLICATION_ID:
        return "it belongs to a database made by another program"

    def tables(schema: str) -> set[str]:
        return {r[0] for r in con.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'")}

    both = tables("main") & tables("alone")
    if "workspace_meta" in both:  # every NICdesk write stamps clock_last here
        def meta(schema: str) -> dict[str, str]:
            return dict(con.execute(f"SELECT key, value FROM {schema}.workspace_meta "
                                    "WHERE key IN ('device_id', 'clock_last')").fetchall())

        now, before = meta("main"), meta("alone")
        if now.get("device_id") and before.get("device_id") \
                and now["device_id"] != before["device_id"]:
            return "it was written by another workspace"
        if now.get("clock_last") and before.get("clock_last") \
                and Hlc.decode(now["clock_last"]) < Hlc.decode(before["clock_last"]):
            return "it holds an older state of the workspace than the file itself"
    if "alembic_version" in both and (
            con.execute("SELECT version_num FROM main.alembic_version").fetchall()
            == con.execute("SELECT version_num FROM alone.alembic_version").fetchall()):
        # NICdesk never deletes a record (deletion is a tombstone): every id in the file
        # is still there with the log applied, unless the log is a migration's
        for table in sorted(both):
            columns = {r[1] for r in con.execute(f"PRAGMA main.table_info({_quoted(table)})")}
            if table.startswith("sqlite_") or "id" not in columns:
                continue
            missing = con.execute(
                f"SELECT count(*) FROM alone.{_quoted(table)} WHERE id NOT IN "
                f"(SELECT id FROM main.{_quoted(table)})").fetchone()[0]
            if missing:
                return (f"with it {missing} record{'s' if missing != 1 else ''} in "
                        f"{table} would disappear")
    return None


def _foreign_wal_reason(path: Path, wal: Path) -> str | None:
    """Why the -wal beside `path` is not the file's own log, or None if it may be.

    SQLite applies any -wal whose own header and frame checksums are sound: it has no
    record of which database a log belongs to.  So a log is judged by what it would do:
    the file read with it (a read-only connection, which never checkpoints) must pass
    `PRAGMA quick_check`, be a NICdesk workspace, and be a continuation of the file read
    alone (`immutable=1`, which ignores the log): the same device id, a workspace clock
    (`clock_last`, stamped by every write) no older, and every record id still there.
    A crash leaves a log that passes all of these.  When the file alone does not read
    correctly (a checkpoint cut short) the log is trusted: the file needs it."""
    problem = _wal_header_problem(path, wal)
    if problem is not None:
        return problem
    try:
        con = sqlite3.connect(_uri(path, mode="ro"), uri=True)
    except sqlite3.Error as exc:
        return (f"with it the workspace cannot be read: {_first_line(exc)}"
                if _sound_alone(path) else None)
    try:
        try:
            check = con.execute("PRAGMA quick_check(1)").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            check = _first_line(exc)
        if check != "ok":
            check = _clip(check.replace("*** in database main ***", ""), 100)
            return (f"with it the workspace fails SQLite's check: {check}"
                    if _sound_alone(path) else None)
        try:
            return _compare_with_file_alone(con, path)
        except (sqlite3.Error, ValueError):
            return None  # the file alone cannot be read or compared: it needs its log
    finally:
        con.close()


def _set_aside_foreign_wal(path: Path, lock: _Locked) -> str | None:
    """Move a -wal that is not the file's own out of SQLite's way (renamed, never
    deleted); the warning to show, or None.  Runs under NICdesk's lock, before any
    SQLite connection of this process opens the file."""
    wal = path.with_name(path.name + "-wal")
    try:
        if wal.stat().st_size == 0:
            return None
    except FileNotFoundError:
        return None
    if lock.fd is not None and _others_have_it_open(lock.fd):
        return None
    reason = _foreign_wal_reason(path, wal)
    if reason is None:
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = wal.with_name(f"{wal.name}.set-aside-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = wal.with_name(f"{wal.name}.set-aside-{stamp}-{n}")
    try:
        os.rename(wal, aside)
        _fsync_folder(path.parent)
    except OSError as exc:
        raise WorkspaceError(
            f"{wal.name} beside {path.name} is not its own ({reason}), and NICdesk could not "
            f"move it aside ({exc.strerror}). Move {wal.name} to another folder yourself, "
            "then open the workspace again. Nothing was changed.", details=str(exc)) from exc
    return (f"{wal.name} beside {path.name} was not its own ({reason}); NICdesk set it "
            f"aside as {aside.name} and opened the workspace without it. Nothing was "
            "deleted: if recent changes are missing, keep that file and ask for help.")


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
