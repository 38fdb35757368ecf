"""Errors a person can act on.  Each message says what is wrong and what to do next."""

from __future__ import annotations

from ..core.errors import NicdeskError


class WorkspaceError(NicdeskError):
    """A workspace could not be opened or changed; the file was left as it was."""

    title = "Cannot open workspace"


class NotAWorkspaceError(WorkspaceError):
    title = "Not a NICdesk workspace"


class NewerSchemaError(WorkspaceError):
    title = "Workspace from a newer NICdesk"


class AlreadyOpenError(WorkspaceError):
    title = "Workspace already open"


class InvalidChangeError(WorkspaceError):
    title = "Change not saved"


class NotFoundError(WorkspaceError):
    title = "Record not found"


class ForeignSchemaError(WorkspaceError):
    """The file holds triggers, views, tables, indexes or computed columns that NICdesk
    did not create (a tampered file: a trigger can copy private notes into shared fields)."""

    title = "Workspace may have been tampered with"


class StorageError(WorkspaceError):
    """The drive or the file refused a write; what was saved before is intact."""

    title = "Cannot save to workspace"


class DiskFullError(StorageError):
    title = "Disk full"


class ReadOnlyError(StorageError):
    """The file (or the folder it is in) may not be written by this user."""

    title = "Workspace is read-only"


class ImmutableFileError(ReadOnlyError):
    """Marked unchangeable (Linux `chattr +i`, macOS "Locked"), even for its owner."""

    title = "Workspace is locked against changes"


class ReadOnlyDriveError(ReadOnlyError):
    title = "Read-only drive"


class WorkspaceMovedError(StorageError):
    title = "Workspace moved while open"


class DamagedWorkspaceError(StorageError):
    title = "Workspace is damaged"
