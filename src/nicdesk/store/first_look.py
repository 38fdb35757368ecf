"""A read-only first look at a workspace file with plain `sqlite3`, for the first screen.

Opening a workspace imports SQLAlchemy, maps the schema and checks the file (≈ 0.2–0.3 s
on a two-core laptop) — longer than Qt takes to show the window.  So the shell fills the
navigator and the first form from this look, and opens the workspace on the next turn
of the event loop, handing it the file lock taken here: nobody can open the file in
between, and every write still goes through `Workspace` and its operations.

The look answers only for a file that opens as it lies: NICdesk's `application_id`,
the schema revision this code writes, no hot journal and no `-wal` beside it.  Anything
else (an older file to migrate, a `-wal` to check, a damaged or foreign file, a file
open elsewhere) gets None, and the ordinary open decides and explains.  It shows what
the open workspace would show: the same `nav_tree.build_tree` over the same live rows,
the same `RecordView`s (values converted by the entity descriptions of
`core.entities`), so a test compares the two for equality.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..core import entities
from ..core.authority import write_block
from ..core.sites import SiteLink, descendants
from .errors import WorkspaceError
from .file_check import (
    APPLICATION_ID,
    HEAD_REVISION,
    SCHEMA_VERSION,
    _computed_columns,
    _peek,
    _uri,
    foreign_objects,
)
from .file_lock import FileLock
from .head_objects import HEAD_OBJECTS, HEAD_OBJECTS_REVISION
from .storage_errors import unwritable
from .views.group_rows import DimensionRow, EnrolmentRow, order_dimensions, order_enrolments
from .views.nav_tree import (
    NavNode,
    NavRows,
    build_tree,
    label_inboxes,
    remembered_inbox_counts,
)
from .views.rows import MemberRow, RecordView, SiteRef, WriteBlocks

#: the columns every record carries besides its entity's fields
_SYNC = ("id", "owner_site_id", "hlc", "field_clocks", "deleted")

#: what the navigator reads of each kind (its `NavRows` name, table, columns)
_NAV_READS = {
    "networks": ("networks", ("id", "name")),
    "charters": ("charters", ("id", "network_id")),
    "measures": ("measures", ("id", "name", "network_id", "site_id")),
    "aims": ("aims", ("id", "network_id", "site_id", "statement")),
    "fishbones": ("fishbones", ("id", "network_id", "site_id", "title", "problem")),
    "driver_diagrams": ("driver_diagrams", ("id", "network_id", "site_id", "name")),
    "meetings": ("meetings", ("id", "network_id", "site_id", "title", "date")),
    "ramps": ("pdsa_ramps", ("id", "site_id", "title")),
    "cycles": ("pdsa_cycles", ("id", "site_id", "ramp_id", "title", "cycle_number")),
    "sites": ("sites", ("id", "name", "network_id", "parent_id", "kind")),
}


def _opens_as_it_lies(con: sqlite3.Connection) -> bool:
    """NICdesk's file at the head revision holding only what NICdesk creates (a trigger
    or view could show what the open then refuses: `file_check.foreign_objects`)."""
    if not (con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
            and con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            and con.execute("SELECT version_num FROM alembic_version").fetchall()
            == [(HEAD_REVISION,)]):
        return False
    objects = [(str(kind), str(name), str(table), bool(no_sql)) for kind, name, table, no_sql
               in con.execute("SELECT type, name, tbl_name, sql IS NULL FROM sqlite_master")]
    tables = sorted(name for kind, name, _, _ in objects if kind == "table")
    return not foreign_objects(objects, _computed_columns(con, tables), HEAD_OBJECTS)


def table_name(kind: str) -> str:
    """The table of an entity kind (`site` → `sites`, `fishbone_category` →
    `fishbone_categories`); `tests/store/test_first_look.py` holds it to the schema."""
    if kind == "coaching_feedback":  # a mass noun keeps its form
        return kind
    return kind[:-1] + "ies" if kind.endswith("y") else kind + "s"


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)





def _converter(field: entities.Field) -> Callable[[Any], Any]:
    """Stored column value → the Python value the ORM would give (None stays None)."""
    if field.type == entities.DATE:
        return _date
    if field.type == entities.BOOL:
        return lambda v: None if v is None else bool(v)
    if field.type in (entities.JSON_LIST, entities.JSON_DICT):
        return lambda v: None if v is None else json.loads(v)
    if field.type == entities.FLOAT:
        return lambda v: None if v is None else float(v)
    return lambda v: v


class FirstLook:
    """The first screen's reads, from a file opened read-only; holds the file's lock
    until `take_lock` hands it on (or `close` lets it go)."""

    def __init__(self, path: Path, con: sqlite3.Connection, lock: FileLock) -> None:
        self.path = path
        self._con = con
        self._lock: FileLock | None = lock

    # ------------------------------------------------------------------ opening
    @classmethod
    def take(cls, path: Path) -> FirstLook | None:
        """A look at `path`, or None when the ordinary open should decide instead."""
        try:
            real = path.resolve()  # SQLite keeps its -wal and -journal beside the real file
            state = _peek(real)
            if unwritable(real) is not None:  # the open will refuse: it explains
                return None
        except (OSError, ValueError, WorkspaceError):
            return None
        beside = [real.with_name(real.name + suffix) for suffix in ("-journal", "-wal")]
        if (not (state.is_sqlite and state.is_nicdesk) or any(p.exists() for p in beside)
                or HEAD_OBJECTS_REVISION != HEAD_REVISION):
            return None
        lock = FileLock(path, create=False)
        try:
            lock.acquire()
        except WorkspaceError:  # open elsewhere, or gone: the ordinary open says so
            return None
        con: sqlite3.Connection | None = None
        try:
            # WAL-mode without a -wal: read it as it lies (as `file_check` does), so not
            # even an empty -wal or -shm appears before the workspace opens it
            params = {"immutable": "1"} if state.wal_mode else {"mode": "ro"}
            con = sqlite3.connect(_uri(real, **params), uri=True)
            if _opens_as_it_lies(con):
                return cls(path, con, lock)
        except Exception:  # noqa: BLE001 - whatever the file holds: the open decides
            pass
        if con is not None:
            with contextlib.suppress(sqlite3.Error):
                con.close()
        lock.release()
        return None

    def take_lock(self) -> FileLock | None:
        """The held file lock, for `Workspace.open`; the look closes its connection."""
        lock, self._lock = self._lock, None
        self._con.close()
        return lock

    def close(self) -> None:
        """Give up the look (and its lock, unless handed on)."""
        with contextlib.suppress(sqlite3.Error):
            self._con.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # ------------------------------------------------------------------ reads
    def _rows(self, table: str, columns: tuple[str, ...], where: str = "",
              args: tuple[Any, ...] = ()) -> list[Any]:
        row = namedtuple("row", columns)  # type: ignore[misc]  # columns known at run time
        sql = (f"SELECT {', '.join(columns)} FROM {table} WHERE deleted IS 0"
               + (f" AND {where}" if where else ""))
        return [row(*values) for values in self._con.execute(sql, args)]

    def meta(self) -> dict[str, str]:
        """The workspace's own settings (`local_site_id`, …), as `Workspace.meta`."""
        return {k: v for k, v in self._con.execute("SELECT key, value FROM workspace_meta")}

    def navigator(self) -> list[NavNode]:
        """The navigator tree, exactly as `store.views.navigator` builds it."""
        observed: dict[str, set[str]] = defaultdict(set)
        for site_id, measure_id in self._con.execute(
                "SELECT DISTINCT site_id, measure_id FROM observations WHERE deleted IS 0"):
            observed[site_id].add(measure_id)
        rows = {name: self._rows(table, columns)
                for name, (table, columns) in _NAV_READS.items()}
        # a stored date as the ORM reads it (text that is no ISO date: the look gives up)
        rows["meetings"] = [m._replace(date=_date(m.date)) for m in rows["meetings"]]
        roots = build_tree(NavRows(**rows, observed=observed))
        label_inboxes(roots, remembered_inbox_counts(self.meta()))  # as last shown (#22)
        return roots

    def record_view(self, kind: str, record_id: str) -> RecordView | None:
        """One record as `store.views.records.record_view` gives it."""
        fields = entities.entity(kind).fields
        names = [n for n in fields if n != "id"]
        row = self._con.execute(
            f"SELECT id, owner_site_id, deleted, {', '.join(names)} FROM {table_name(kind)} "
            "WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            return None
        values = {"id": row[0]}
        values.update({n: _converter(fields[n])(v) for n, v in zip(names, row[3:], strict=True)})
        return RecordView(kind, row[0], row[1], bool(row[2]), values)

    def site_name(self, site_id: str) -> str | None:
        """A site's name (even of a tombstoned site), or None: `records.site_name`."""
        row = self._con.execute("SELECT name FROM sites WHERE id = ?", (site_id,)).fetchone()
        return None if row is None else str(row[0])

    def _owner_name(self, site_id: str) -> str:
        """An owning site's name as `Operations.write_block` says it."""
        name = self.site_name(site_id)
        return "another site" if name is None else name

    def write_blocks(self, kind: str, owner_site_id: str | None,
                     fields: Iterable[str]) -> WriteBlocks:
        """`store.views.records.write_blocks`, by the same rule (`core.authority`)."""
        meta = self.meta()

        def block(names: set[str]) -> str | None:
            return write_block(meta, kind, owner_site_id, names, site_name=self._owner_name)

        return WriteBlocks(block(set()), {name: block({name}) for name in fields})

    def create_block(self, kind: str, owner_site_id: str | None) -> str | None:
        """`store.views.records.create_block`, by the same rule."""
        return write_block(self.meta(), kind, owner_site_id, creating=True,
                           site_name=self._owner_name)

    def sites_in_network(self, network_id: str) -> list[SiteRef]:
        rows = self._rows("sites", ("id", "name", "parent_id", "kind", "network_id"),
                          "network_id = ?", (network_id,))
        return sorted((SiteRef(*r) for r in rows), key=lambda x: x.name)

    def site_descendants(self, network_id: str, site_id: str) -> set[str]:
        return descendants((SiteLink(x.id, x.name, x.parent_id)
                            for x in self.sites_in_network(network_id)), site_id)

    def enrolment_of_site(self, site_id: str, network_id: str
                          ) -> tuple[list[DimensionRow], list[EnrolmentRow]]:
        """The network's groups and the site's enrolment figures, as `views.groups`
        gives them (the site page's Enrolment table, issue #21)."""
        dims = self._rows("group_dimensions", ("id", "name", "description", "position",
                                               "owner_site_id"),
                          "network_id = ?", (network_id,))
        groups = [g for g in self._rows("student_groups", ("id", "name", "position",
                                                           "dimension_id"))
                  if g.dimension_id in {d.id for d in dims}]
        ordered = order_dimensions(network_id, dims, groups)
        rows = self._rows("site_enrolments", ("id", "school_year", "group_id", "students"),
                          "site_id = ?", (site_id,))
        return ordered, order_enrolments([g for d in ordered for g in d.groups], rows)

    def members_of_site(self, site_id: str) -> list[MemberRow]:
        rows = self._rows("members", ("id", "name", "role", "responsibilities", "email",
                                      "norms_accepted"), "site_id = ?", (site_id,))
        return sorted((MemberRow(r.id, r.name, r.role, r.responsibilities, r.email,
                                 bool(r.norms_accepted)) for r in rows), key=lambda m: m.name)
