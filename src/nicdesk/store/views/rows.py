"""The plain values the record forms read (one record, its writers' verdicts, choice
lists), kept apart from `records` so the shell's first look (`store.first_look`, plain
sqlite3) fills a form with the same types before SQLAlchemy is imported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecordView:
    """One stored record as plain values: every field of its entity (see
    `core.entities`), plus its id, owning site and tombstone flag."""

    kind: str
    id: str
    owner_site_id: str | None
    deleted: bool
    values: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


@dataclass(frozen=True)
class RecordFacts:
    """Where a record stands: its id, the clock of its last change (`hlc`, encoded), the
    name of the site that owns it (None: this workspace's own), its open conflicts."""

    id: str
    hlc: str
    owner_name: str | None
    open_conflicts: int


@dataclass(frozen=True)
class WriteBlocks:
    """Why this workspace may not change a record (`record`) and each of its fields
    (`fields`); None where it may.  The sentences of `Operations.write_block`."""

    record: str | None
    fields: dict[str, str | None]


@dataclass(frozen=True)
class SiteRef:
    id: str
    name: str
    parent_id: str | None
    kind: str
    network_id: str


@dataclass(frozen=True)
class MemberRow:
    id: str
    name: str
    role: str
    responsibilities: str
    email: str
    norms_accepted: bool


@dataclass(frozen=True)
class MeasureRef:
    id: str
    name: str
    kind: str
    value_type: str
    site_id: str | None
