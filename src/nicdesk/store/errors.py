"""Errors a person can act on.  Each message says what is wrong and what to do next."""

from __future__ import annotations


class WorkspaceError(Exception):
    """A workspace could not be opened or changed; the file was left as it was."""

    title = "Cannot open workspace"

    def __init__(self, message: str, *, details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.details = details


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
