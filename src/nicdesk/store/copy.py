"""Copy a whole workspace into another store — typically a coordinator's file into a
PostgreSQL database when the network outgrows one laptop (`nicdesk copy FILE URL`).

Every table is copied as it is (records with their clocks and tombstones, kept conflict
versions, the bundle history that prevents replays, and the workspace's own facts such
as its signing key), in one transaction on the target: either all arrives or nothing.
The target must be empty (a new file, or a database without NICdesk tables)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, insert, select

from .errors import WorkspaceError
from .schema import KIND_ORDER, MODELS, BundleImport, RecordVersion, WorkspaceMeta, table_of
from .workspace import Workspace, defer_references

BATCH = 5000


def copy_workspace(source: Workspace, target: Workspace,
                   progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Copy every row of `source` into the empty `target`; returns rows per table."""
    tables = [table_of(MODELS[k]) for k in KIND_ORDER] + [
        table_of(RecordVersion), table_of(BundleImport)]
    with target.read() as t:
        used = [tb.name for tb in tables if t.execute(
            select(func.count()).select_from(tb)).scalar()]
    if used:
        raise WorkspaceError(f"The target already holds NICdesk records ({', '.join(used)}). "
                             "Copy into a new file or an empty database. Nothing was written.")
    counts: dict[str, int] = {}
    with source.read() as s, target.sessions.begin() as t:
        defer_references(t)
        for table in tables:
            rows = 0
            result = s.execute(select(table)).mappings()
            while chunk := result.fetchmany(BATCH):
                t.execute(insert(table), [dict(r) for r in chunk])
                rows += len(chunk)
            counts[table.name] = rows
            if progress is not None:
                progress(table.name, rows)
        meta = WorkspaceMeta.__table__
        keep = {r.key: r.value for r in s.execute(select(meta))}
        keep.pop("device_id", None)  # the target keeps its own device identity
        for key, value in keep.items():
            t.merge(WorkspaceMeta(key=key, value=value))
    target._meta.update(keep)
    return counts
