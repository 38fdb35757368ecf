"""The workspace file's lock: one NICdesk process per file.

An exclusive, non-blocking `flock` on the file, so a second process gets "already open"
at once instead of waiting on SQLite's own lock.  Here rather than in `workspace` (which
loads SQLAlchemy) so the shell's first look (`first_look`) can take the lock before the
first screen is filled, and hand it to `Workspace.open` on the next turn: nobody else can
open the file in between.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from .errors import AlreadyOpenError, WorkspaceError
from .storage_errors import storage_error

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]  # no module there: the lock is skipped


class Lock(Protocol):
    """What holds a workspace for this process: `FileLock` on a file, `server.ServerLock`
    on a database server; `fd` is None once released."""

    fd: int | None

    def release(self) -> None: ...


class FileLock:
    """Exclusive, non-blocking advisory lock on the workspace file for this process."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        self.fd: int | None = None
        # opening an existing workspace must not leave an empty file where one vanished
        self._flags = os.O_RDWR | (os.O_CREAT if create else 0)

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, self._flags, 0o644)
        except OSError as exc:
            raise storage_error(exc, self.path, saving=False) or WorkspaceError(
                f"NICdesk could not open {self.path.name} ({exc.strerror}). Nothing was "
                "changed.", details=str(exc)) from exc
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

    def holds(self, path: Path) -> bool:
        """Is this lock (still held) on the file now at `path`?  Not when the file was
        replaced meanwhile (a sync tool's rename): the lock is then on the old one."""
        if self.fd is None:
            return False
        try:
            held, there = os.fstat(self.fd), os.stat(path)
        except OSError:
            return False
        return (held.st_dev, held.st_ino) == (there.st_dev, there.st_ino)

    def release(self) -> None:
        if self.fd is not None:
            if fcntl is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
