"""Failures to read or write a workspace file, in words a person can act on.

The operating system and SQLite say "errno 28", "SQLITE_READONLY_DBMOVED" or "disk I/O
error"; `storage_error` maps each to one of the `StorageError`s of `errors` (disk full,
read-only file, folder or drive, immutable file, moved, damaged), whose message says what
is wrong, what to do and whether anything was lost.  `unwritable` answers the same from
the file system alone, before a file is touched.  The engine's `handle_error` event and
the open/create flow of `workspace` use these; kept apart because the mapping is one
concern, tested on its own, and needs nothing from the engine or the lock.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import stat
from pathlib import Path

from .errors import (
    DamagedWorkspaceError,
    DiskFullError,
    ImmutableFileError,
    ReadOnlyDriveError,
    ReadOnlyError,
    StorageError,
    WorkspaceMovedError,
)

_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CORRUPT = 8, 10, 11
_SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 13, 14, 26
_SQLITE_READONLY_DBMOVED = 1032
_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_SAVED = "Your last change was not saved; nothing already saved was lost."
_UNCHANGED = "Nothing was changed."


def _writable(path: Path) -> bool:
    effective = os.access in os.supports_effective_ids
    return os.access(path, os.W_OK, effective_ids=effective)


def _mode_allows_write(path: Path) -> bool:
    """Would the permission bits alone let this user write `path`?  (If they would and
    the system still says no, the file is marked immutable.)"""
    try:
        st = path.stat()
    except OSError:
        return False
    if not hasattr(os, "geteuid"):  # Windows: the read-only attribute is all there is
        return bool(st.st_mode & stat.S_IWRITE)
    uid = os.geteuid()
    if uid == 0:
        return True
    if st.st_uid == uid:
        return bool(st.st_mode & stat.S_IWUSR)
    if st.st_gid == os.getegid() or st.st_gid in os.getgroups():
        return bool(st.st_mode & stat.S_IWGRP)
    return bool(st.st_mode & stat.S_IWOTH)


def unwritable(path: Path, *, saving: bool = False) -> ReadOnlyError | None:
    """Why this user cannot change `path` or make NICdesk's working files beside it
    (-wal, -shm, backups), or None.  Learnt from the file system without opening the
    file: closing any descriptor of a file SQLite has open would drop SQLite's locks."""
    outcome = _SAVED if saving else _UNCHANGED
    folder = path.parent
    with contextlib.suppress(OSError, AttributeError):  # no statvfs on Windows
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return ReadOnlyDriveError(
                f"{path.name} is on a read-only drive, so NICdesk cannot save changes to it. "
                "Copy it to a folder on a writable drive (your Documents, say) and open the "
                f"copy. {outcome}")
    if path.exists() and not _writable(path):
        if _mode_allows_write(path):
            return ImmutableFileError(
                f"NICdesk cannot write to {path.name}: the file is locked against all changes "
                "(immutable). Ask whoever locked it to unlock it (on Linux: chattr -i), or "
                f"copy it and open the copy. {outcome}")
        return ReadOnlyError(
            f"NICdesk cannot write to {path.name}: the file is read-only. Copy it somewhere "
            "you can write and open the copy, or ask its owner to give you write access. "
            f"{outcome}")
    if folder.exists() and not _writable(folder):
        why = ("locked against all changes (immutable)" if _mode_allows_write(folder)
               else "read-only")
        cls = ImmutableFileError if _mode_allows_write(folder) else ReadOnlyError
        return cls(
            f"NICdesk cannot write in the folder {folder}, where {path.name} is: the folder "
            f"is {why}, and NICdesk keeps its working files beside the workspace. Copy the "
            f"workspace to a folder you can write to and open the copy. {outcome}")
    return None


def _disk_full(path: Path, *, saving: bool, details: str = "") -> DiskFullError:
    if saving:
        return DiskFullError(
            f"The disk is full: NICdesk could not save your last change to {path.name}. "
            "Free some space on that drive and try again; nothing already saved was lost.",
            details=details)
    return DiskFullError(
        f"The disk is full: NICdesk could not open {path.name}, which needs a little room "
        f"to work. Free some space on that drive and try again. {_UNCHANGED}",
        details=details)


def _little_space_left(folder: Path) -> bool:
    try:
        fs = os.statvfs(folder)
    except (OSError, AttributeError):
        return False
    return fs.f_bavail * fs.f_frsize < (1 << 20)


def storage_error(exc: BaseException, path: Path, *, saving: bool = True) -> StorageError | None:
    """The plain-language error for a failure to read or write the workspace file, or
    None when `exc` is not about storage (a constraint, a bug…), which then stays as it
    was.  Takes sqlite3's errors (by their extended result code), SQLAlchemy's wrappers
    of them, and OSErrors."""
    inner = getattr(exc, "orig", None) or exc
    details = _first_line(inner)
    outcome = _SAVED if saving else _UNCHANGED
    if isinstance(inner, OSError):
        if inner.errno in _NO_SPACE:
            return _disk_full(path, saving=saving, details=details)
        if inner.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return unwritable(path, saving=saving)
        return None
    code = getattr(inner, "sqlite_errorcode", None)
    if not isinstance(inner, sqlite3.Error) or not isinstance(code, int):
        return None
    primary = code & 0xFF
    if primary == _SQLITE_FULL:
        return _disk_full(path, saving=saving, details=details)
    if code == _SQLITE_READONLY_DBMOVED:
        return WorkspaceMovedError(
            f"{path.name} was moved, renamed or deleted while NICdesk had it open, so NICdesk "
            "cannot save to it. Close the workspace and open it again from where it is now. "
            f"{outcome}", details=details)
    if primary in (_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CANTOPEN):
        known = unwritable(path, saving=saving)
        if known is not None:
            known.details = details
            return known
        if primary == _SQLITE_IOERR and _little_space_left(path.parent):
            return _disk_full(path, saving=saving, details=details)
        if primary == _SQLITE_READONLY:
            return ReadOnlyError(
                f"NICdesk cannot write to {path.name} ({details}). Close the workspace and "
                "open it again; if that does not help, copy it to another folder and open "
                f"the copy. {outcome}", details=details)
        if primary == _SQLITE_IOERR:
            return StorageError(
                f"NICdesk could not use {path.name}: the drive reported an error ({details}). "
                "Check that the drive is still connected and working, then try again. "
                f"{outcome}", details=details)
        return StorageError(
            f"NICdesk could not open {path.name} ({details}): it may have been moved, or its "
            f"drive disconnected. Check that it is still there, then try again. {outcome}",
            details=details)
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return DamagedWorkspaceError(
            f"NICdesk found damage in {path.name} ({details}). Stop working in it: close it "
            "and open the newest .bak copy beside it, or ask for help to repair it.",
            details=details)
    return None


# ---------------------------------------------------------------------- message text
def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _first_line(exc: BaseException) -> str:
    """sqlite3's message, without SQLAlchemy's "[SQL: …]" lines."""
    inner = getattr(exc, "orig", None) or exc
    lines = str(inner).strip().splitlines()
    return _clip(lines[0] if lines else type(inner).__name__, 200)
