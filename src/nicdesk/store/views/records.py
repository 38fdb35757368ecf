"""Reads for the record forms: one record's values, who may write them, and the choice
lists the forms offer (sites, members, measures).

Every function takes the open `Workspace` and ids, opens its own read session and
returns plain values (frozen dataclasses, dicts, tuples), never ORM rows, so a screen
never holds a session or a live model object.  Tombstoned records are left out of lists;
`record_view` returns a tombstoned record with ``deleted=True`` so a form can grey out.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ...core.sites import SiteLink, descendants
from ..schema import MODELS, Measure, Member, RecordVersion, Site, record_values
from .rows import MeasureRef, MemberRow, RecordFacts, RecordView, SiteRef, WriteBlocks

if TYPE_CHECKING:
    from ..workspace import Workspace


def _view(kind: str, obj: Any) -> RecordView:
    values = {k: copy.deepcopy(v) if isinstance(v, list | dict) else v
              for k, v in record_values(obj).items()}
    return RecordView(kind, obj.id, obj.owner_site_id, bool(obj.deleted), values)


def record_view(ws: Workspace, kind: str, record_id: str) -> RecordView | None:
    """The record of `kind` with this id (tombstoned ones too), or None."""
    with ws.read() as s:
        obj = s.get(MODELS[kind], record_id)
        return None if obj is None else _view(kind, obj)


def existing_ids(ws: Workspace, kind: str, ids: Iterable[str]) -> list[str]:
    """Those of `ids` (in their order) that are stored records of `kind` — e.g. which of
    the records an operation created is the new PDSA cycle or driver node."""
    model = MODELS[kind]
    with ws.read() as s:
        return [i for i in ids if s.get(model, i) is not None]


def site_name(ws: Workspace, site_id: str | None) -> str | None:
    """A site's name (even of a tombstoned site), or None when there is no such site."""
    if not site_id:
        return None
    with ws.read() as s:
        site = s.get(Site, site_id)
        return None if site is None else site.name


def is_record_kind(kind: str) -> bool:
    """Is `kind` a stored entity (rather than a navigator group or view)?"""
    return kind in MODELS


def record_facts(ws: Workspace, kind: str, record_id: str) -> RecordFacts | None:
    """None when there is no such record."""
    with ws.read() as s:
        obj = s.get(MODELS[kind], record_id)
        if obj is None:
            return None
        owner = s.get(Site, obj.owner_site_id) if obj.owner_site_id else None
        conflicts = s.query(RecordVersion).filter_by(record_id=record_id,
                                                     resolved=False).count()
        return RecordFacts(obj.id, obj.hlc or "", owner.name if owner else None, conflicts)


def write_blocks(ws: Workspace, kind: str, owner_site_id: str | None,
                 fields: Iterable[str]) -> WriteBlocks:
    """The single-writer verdicts for a record and each of `fields`, in one read."""
    ops = ws.ops
    with ws.read() as s:
        whole = ops.write_block(kind, owner_site_id, session=s)
        each = {name: ops.write_block(kind, owner_site_id, {name}, session=s)
                for name in fields}
    return WriteBlocks(whole, each)


def create_block(ws: Workspace, kind: str, owner_site_id: str | None) -> str | None:
    """Why this workspace may not create a record of `kind` owned by `owner_site_id`
    (e.g. only the coordinator adds sites), or None when it may."""
    return ws.ops.write_block(kind, owner_site_id, creating=True)


def sites_in_network(ws: Workspace, network_id: str) -> list[SiteRef]:
    """Live sites of a network, by name."""
    with ws.read() as s:
        rows = s.scalars(select(Site).where(Site.network_id == network_id,
                                            Site.deleted.is_(False)))
        return sorted((SiteRef(x.id, x.name, x.parent_id, x.kind, x.network_id) for x in rows),
                      key=lambda x: x.name)


def site_descendants(ws: Workspace, network_id: str, site_id: str) -> set[str]:
    """The site and every site inside it (a site may not be put inside these; the rule is
    `core.sites.descendants`)."""
    return descendants((SiteLink(x.id, x.name, x.parent_id)
                        for x in sites_in_network(ws, network_id)), site_id)


def members_of_site(ws: Workspace, site_id: str) -> list[MemberRow]:
    """A site's live members, by name."""
    with ws.read() as s:
        rows = s.scalars(select(Member).where(Member.site_id == site_id,
                                              Member.deleted.is_(False)))
        return sorted((MemberRow(m.id, m.name, m.role, m.responsibilities, m.email,
                                 bool(m.norms_accepted)) for m in rows),
                      key=lambda m: m.name)


def measures_of_network(ws: Workspace, network_id: str | None = None) -> list[MeasureRef]:
    """Live measures of a network (of every network when None), in stored order."""
    q = select(Measure).where(Measure.deleted.is_(False))
    if network_id is not None:
        q = q.where(Measure.network_id == network_id)
    with ws.read() as s:
        return [MeasureRef(m.id, m.name, m.kind, m.value_type, m.site_id) for m in s.scalars(q)]
