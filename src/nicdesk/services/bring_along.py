"""When a school joins: its own work comes along into the network's workspace.

A school often starts in a workspace of its own (its aim, fishbone, measures) before it
joins a network, either the one that wrote the join request or any standalone school
workspace.  On joining (`services.membership.join(..., bring=old)`), `bring_along`
moves the school's records into the new workspace as the invited site's own, with fresh
clocks, so they travel in its next bundle; the old file is only read.  Apart from
`membership` because it is a flow of its own (which records are the school's, how their
links are re-homed, why some stay behind), and so both stay small.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import SQLAlchemyError

from ..core import authority, entities
from ..core.model import KIND_LABELS
from ..core.states import Role
from ..store.natural_keys import natural_id
from ..store.schema import KIND_ORDER, MODELS, Site, editable_fields, table_of
from ..store.workspace import Workspace, defer_references

#: how many reasons for records left behind a result keeps to show
MAX_REASONS = 5


@dataclass(frozen=True)
class BroughtAlong:
    """What came along from the school's own workspace when it joined."""

    source: Path
    counts: dict[str, int] = field(default_factory=dict)  # kind -> records brought
    left_behind: int = 0  # records that could not come along (they stay in the old file)
    reasons: tuple[str, ...] = ()  # why, for the first few, in plain words
    cleared: int = 0  # links to records that stayed behind, left empty

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def text(self) -> str:
        """In plain words, for the message after joining (GUI and command line)."""
        name = self.source.name
        if self.total:
            kinds = ", ".join(_counted(n, k) for k, n in self.counts.items())
            out = (f"Your school's work came along from {name}: "
                   f"{_counted(self.total, '', 'record')} ({kinds}), now your site's own in "
                   "the network workspace; they go to the coordinator with your next "
                   "export.")
        else:
            out = f"Nothing from {name} needed to come along."
        if self.left_behind:
            out += (f" {_counted(self.left_behind, '', 'record')} could not come along and "
                    f"{'stays' if self.left_behind == 1 else 'stay'} in {name}: "
                    + "; ".join(self.reasons) + ("…" if self.left_behind > len(self.reasons)
                                                 else "."))
        return out + f" {name} itself stays as it was."


_counted = entities.counted


def bring_problem(old: Workspace) -> str | None:
    """Why the school's work in `old` cannot come along when joining, or None if it can:
    it must say which school it is, and belong to no network yet."""
    meta = old.meta()
    name = old.path.name if isinstance(old.path, Path) else "That workspace"
    if meta.get("demo_seed"):
        return (f"{name} is the sample network: nothing in it is real, so nothing of it "
                "comes along. Join without it.")
    if meta.get("trusted_coordinator_key") or meta.get("role") == Role.COORDINATOR:
        return (f"{name} already belongs to a network: its work travels in its own "
                "bundles, so it does not come along. Join without it.")
    local = meta.get("local_site_id") or ""
    with old.read() as s:
        site = s.execute(select(Site.id).where(Site.id == local, Site.deleted.is_(False))
                         ).first() if local else None
    if site is None:
        return (f"{name} does not say which school it is (it has no site of its own), so "
                "NICdesk cannot tell which work is the school's. Join without it.")
    return None


def can_bring(ws: Workspace | None) -> bool:
    """Does this (open) workspace hold a school's own work that comes along on joining:
    the one that wrote a join request, or a standalone workspace with its own site?"""
    return ws is not None and not ws.is_server and bring_problem(ws) is None


def _school_records(old: Workspace) -> tuple[dict[tuple[str, str], dict[str, Any]],
                                            dict[tuple[str, str], str], dict[str, Any]]:
    """(the school's records by (kind, id) in KIND_ORDER, the fields of those that could
    not be read by (kind, id), the old site's own context and private notes).  The
    school's records: what names its site, its standalone network's records that name no
    site (aims, measures, fishbones, diagrams, meetings), change ideas on no node, and the
    parts of all of these — never the network, its charter or any site record, and
    nothing deleted."""
    site_id = old.meta()["local_site_id"]
    picked: dict[tuple[str, str], dict[str, Any]] = {}
    unreadable: dict[tuple[str, str], str] = {}
    with old.read() as s:
        site = next(r for r, _bad in _rows(s, "site") if r["id"] == site_id)
        network_id = site["network_id"]
        own = {"context_tags": site["context_tags"], "private_notes": site["private_notes"]}
        for kind in KIND_ORDER:
            if kind in authority.NETWORK_KINDS or kind == "site":
                continue
            for row, bad in _rows(s, kind):
                if _school_owns(kind, row, site_id, network_id, picked):
                    picked[(kind, row["id"])] = row
                    if bad:
                        unreadable[(kind, row["id"])] = bad
    return picked, unreadable, own


def _rows(s: Any, kind: str) -> Iterator[tuple[dict[str, Any], str]]:
    """The records of a kind that are not deleted, each with the name of a field that
    could not be read ("" when all could): a damaged date or JSON text in one record
    never stops the others."""
    table = table_of(MODELS[kind])
    conn = s.connection()
    dialect = conn.dialect
    convert = [(c.key, c.type.dialect_impl(dialect).result_processor(dialect, None))
               for c in table.columns]
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    for raw in conn.exec_driver_sql(f'SELECT {names} FROM "{table.name}" WHERE NOT deleted'):
        row: dict[str, Any] = {}
        bad = ""
        for (key, process), value in zip(convert, raw, strict=True):
            try:
                row[key] = process(value) if process is not None and value is not None \
                    else value
            except (ValueError, TypeError, OverflowError):
                row[key], bad = None, bad or key
        yield row, bad


def _school_owns(kind: str, row: dict[str, Any], site_id: str, network_id: str,
                 picked: dict[tuple[str, str], dict[str, Any]]) -> bool:
    if kind in authority.SITE_KINDS:
        return bool(row["site_id"] == site_id)
    if kind in authority.OPTIONAL_SITE_KINDS:
        return row["site_id"] == site_id or (row["site_id"] is None
                                             and row["network_id"] == network_id)
    if kind in authority.PARENT:
        field_, whole = authority.PARENT[kind]
        if row.get(field_):
            return (whole, row[field_]) in picked
        if kind == "change_idea":  # on no node: the writer's own
            return bool(row["network_id"] == network_id or row["owner_site_id"] == site_id)
        return False
    return bool(row.get("owner_site_id") == site_id)


def _describe(kind: str, values: dict[str, Any]) -> str:
    label = entities._lower(KIND_LABELS.get(kind, kind))
    for name in ("name", "title", "statement", "text", "question", "problem"):
        text = values.get(name)
        if isinstance(text, str) and text.strip():
            short = " ".join(text.split())
            return f"the {label} '{short[:40] + '…' if len(short) > 40 else short}'"
    when = values.get("period") or values.get("start") or values.get("date")
    if isinstance(when, dt.date):
        return f"the {label} of {when.isoformat()}"
    return f"a {label}" if label[:1] not in "aeiou" else f"an {label}"


def bring_along(old: Workspace, new: Workspace) -> BroughtAlong:
    """The school's work in `old` into `new` (just joined: its meta names the invited site
    and network), as the invited site's own.

    Each record keeps its id (an observation's id follows its site, as every observation
    id does), gets network_id → the invited network, site_id → the invited site (a
    network-level record of the school's standalone network becomes a site-level one) and
    owner → the invited site; a link to a record that does not come along is left empty
    when it may be, else that record stays behind.  Every record gets fresh field clocks
    from `new`'s clock, so it travels in the school's next bundle as its own edit, and is
    checked with the entity description first: one that fails stays behind, counted, with
    the reason.  Private fields come along (they stay on this computer anyway); so do the
    old site's private notes and context tags, onto the invited site.  All in one
    transaction; `old` is only read."""
    meta = new.meta()
    new_site, source = meta["local_site_id"], Path(old.path)
    picked, unreadable, own = _school_records(old)
    with new.read() as s:
        joined_site = s.get(Site, new_site)
        assert joined_site is not None  # the join just wrote it
        new_network = joined_site.network_id
        taken = {kind: set(s.scalars(select(MODELS[kind].id)))
                 for kind in {k for k, _ in picked}}
    reasons: list[str] = []
    left = 0

    def leave(kind: str, values: dict[str, Any], why: str) -> None:
        nonlocal left
        left += 1
        if len(reasons) < MAX_REASONS:
            why = why[:1].lower() + why[1:] if why[1:2].islower() else why
            reasons.append(f"{_describe(kind, values)} ({why})")

    # re-homed values, checked one by one
    values_of: dict[tuple[str, str], dict[str, Any]] = {}
    types = {rid: row.get("value_type") for (k, rid), row in picked.items() if k == "measure"}
    for (kind, rid), row in picked.items():
        values = {name: row[name] for name in editable_fields(kind)}
        for f in entities.entity(kind).fields.values():
            if f.type == entities.REF and f.ref == "network":
                values[f.name] = new_network
            elif f.type == entities.REF and f.name == "site_id":
                values[f.name] = new_site
        wrong = entities.problems(kind, values)
        if kind == "observation":
            wrong += entities.observation_problems(values, types.get(values["measure_id"]))
        new_id = (natural_id(kind, values) if kind == "observation" else None) or rid
        if (kind, rid) in unreadable:
            field_ = entities.field_of(kind, unreadable[(kind, rid)]).label \
                if unreadable[(kind, rid)] in values else unreadable[(kind, rid)]
            leave(kind, values, f"its {field_} could not be read")
        elif wrong:
            leave(kind, values, wrong[0].message.rstrip("."))
        elif new_id in taken.get(kind, set()):
            leave(kind, values, "the network's workspace already holds it")
        else:
            values_of[(kind, rid)] = {**values, "id": new_id}

    # links to what stays behind: left empty when they may be, else the record stays too
    cleared, changed = 0, True
    while changed:
        changed = False
        for (kind, rid), values in list(values_of.items()):
            for f in entities.entity(kind).fields.values():
                target = values.get(f.name)
                if f.type != entities.REF or f.ref in ("network", "site") or target is None \
                        or (f.ref, target) in values_of:
                    continue
                if f.nullable:
                    values[f.name] = None
                    cleared += 1
                    continue
                del values_of[(kind, rid)]
                leave(kind, values, f"its {f.label} did not come along")
                changed = True
                break

    counts: dict[str, int] = {}
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for (kind, _rid), values in values_of.items():  # KIND_ORDER: picked in that order
        stamp = new.clock.now_str()
        by_kind.setdefault(kind, []).append({
            **values, "owner_site_id": new_site, "hlc": stamp, "deleted": False,
            "field_clocks": {name: stamp for name in [*editable_fields(kind), "deleted"]}})
        counts[kind] = counts.get(kind, 0) + 1
    try:
        with new.sessions.begin() as s:
            defer_references(s)
            for kind, rows in by_kind.items():
                for i in range(0, len(rows), 5000):
                    s.execute(insert(MODELS[kind]), rows[i:i + 5000])
            _bring_site_details(s, new, new_site, own)
    except SQLAlchemyError:
        # every link was checked above, so this is not expected; nothing was written then,
        # and the school's work stays where it is (the join itself still stands)
        return BroughtAlong(source, {}, left + sum(counts.values()),
                            (*reasons, "the network's workspace refused them; they stay "
                             "where they are")[:MAX_REASONS + 1], 0)
    return BroughtAlong(source, counts, left, tuple(reasons), cleared)


def _bring_site_details(s: Any, new: Workspace, site_id: str, own: dict[str, Any]) -> None:
    """The old site's context tags (the invited site's own win) and private notes onto the
    invited site, with fresh clocks for the fields that change."""
    site = s.get(Site, site_id)
    changes: dict[str, Any] = {}
    tags = own.get("context_tags")
    if isinstance(tags, dict) and tags:
        merged = {**tags, **(site.context_tags or {})}
        if merged != (site.context_tags or {}) and \
                not entities.problems("site", {"context_tags": merged}, partial=True):
            changes["context_tags"] = merged
    notes = own.get("private_notes") or ""
    if notes and notes != site.private_notes and \
            not entities.problems("site", {"private_notes": notes}, partial=True):
        changes["private_notes"] = (f"{site.private_notes}\n\n{notes}" if site.private_notes
                                    else notes)
    if not changes:
        return
    stamp = new.clock.now_str()
    for name, value in changes.items():
        setattr(site, name, value)
    site.field_clocks = {**(site.field_clocks or {}), **dict.fromkeys(changes, stamp)}
    site.hlc = stamp
