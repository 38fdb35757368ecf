"""Concurrent edits kept by a merge: list them, and resolve each by keeping the current
value or taking the other one (as a new, clocked edit that travels like any other)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.model import KIND_LABELS
from ...core.states import BundleKind
from ..operations import OpChanges
from ..schema import MODELS, BundleImport, RecordVersion, Site, stored
from ..workspace import Workspace

_LABEL_FIELDS = ("title", "name", "text", "statement", "problem", "question")


@dataclass(frozen=True)
class ConflictRow:
    id: int
    kind: str
    record_id: str
    record: str  # what a person recognises the record by
    field: str
    current: Any
    other: Any


def _label(obj: Any, kind: str) -> str:
    for name in _LABEL_FIELDS:
        value = getattr(obj, name, None)
        if value:
            return f"{KIND_LABELS.get(kind, kind)}: {value}"
    if kind == "observation":
        return f"Observation of {obj.period}"
    return KIND_LABELS.get(kind, kind)


def open_conflicts(session: Session) -> list[ConflictRow]:
    out = []
    for v in session.scalars(select(RecordVersion).where(RecordVersion.resolved.is_(False))
                             .order_by(RecordVersion.id)):
        model = MODELS.get(v.kind)
        obj = session.get(model, v.record_id) if model else None
        if obj is None:
            continue
        out.append(ConflictRow(v.id, v.kind, v.record_id, _label(obj, v.kind), v.field,
                               getattr(obj, v.field, None), v.value))
    return out


def resolve(ws: Workspace, conflict_id: int, *, take_other: bool) -> OpChanges | None:
    """Mark a conflict resolved; with `take_other`, the other value becomes current."""
    with ws.read() as s:
        v = stored(s, RecordVersion, conflict_id)
        kind, record_id, field, value = v.kind, v.record_id, v.field, v.value
    result = None
    if take_other:
        result = ws.ops.update(kind, record_id, **{field: value},
                               label=f"Use the other {field.replace('_', ' ')}")
    with ws.sessions.begin() as s:
        stored(s, RecordVersion, conflict_id).resolved = True
    return result


def bundle_history(session: Session) -> list[dict[str, Any]]:
    sites = {s.id: s.name for s in session.scalars(select(Site))}
    return [{"site": sites.get(b.site_id, "network coordinator" if b.kind == BundleKind.DIGEST else "?"),
             "sequence": b.sequence, "kind": b.kind, "signer": b.signer, "created": b.created,
             "imported": b.imported, **{k: v for k, v in (b.summary or {}).items()
                                        if k != "per_kind"}}
            for b in session.scalars(select(BundleImport).order_by(BundleImport.id.desc()))]
