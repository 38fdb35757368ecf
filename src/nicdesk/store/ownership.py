"""Giving every record its one owner, in the database.

Older workspaces (and the sample, built before any site was "this computer") hold
records with no owner: network-level records made before the coordinator's site existed,
and their parts.  `assign_owners` gives each one the owner the rules of
`nicdesk.core.authority` say it has — the coordinator's site for network-level records,
the named site for a site's records, the whole's owner for a part — in plain SQL, so
the Alembic migration and the running app use the very same statements on SQLite and
PostgreSQL alike.

The coordinator's site of a network is the site holding the network's coordinator key;
failing that, its top-level site (a state agency first, then the oldest).  Every
workspace of a network computes the same answer from the same shared records.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from ..core.authority import NETWORK_KINDS, OPTIONAL_SITE_KINDS, PARENT, SITE_KINDS
from .schema import MODELS


def _table(kind: str) -> str:
    return MODELS[kind].__tablename__


def coordinator_sites(conn: Connection) -> dict[str, str]:
    """network id -> the id of its coordinator's site (when it has any site)."""
    out: dict[str, str] = {}
    networks = conn.execute(text("SELECT id, coordinator_public_key FROM networks")).all()
    for network_id, key in networks:
        sites = conn.execute(text(
            "SELECT id, parent_id, kind, public_keys FROM sites WHERE network_id = :n"),
            {"n": network_id}).all()
        chosen = None
        if key:
            chosen = next((sid for sid, _p, _k, keys in sites if keys and key in str(keys)),
                          None)
        if chosen is None:
            top = [(kind != "state agency", i, sid) for i, (sid, parent, kind, _k)
                   in enumerate(sites) if parent is None]
            chosen = min(top)[2] if top else None
        if chosen is not None:
            out[network_id] = chosen
    return out


def assign_owners(conn: Connection) -> int:
    """Give every unowned record its owner; returns how many rows were given one."""
    total = 0
    # the migration that first ran this (0006) runs before later kinds' tables exist
    present = set(inspect(conn).get_table_names())

    def run(sql: str, **params: Any) -> None:
        nonlocal total
        total += conn.execute(text(sql), params).rowcount or 0

    def have(*kinds: str) -> bool:
        return all(_table(k) in present for k in kinds)

    run("UPDATE sites SET owner_site_id = id WHERE owner_site_id IS NULL")
    for network_id, site_id in coordinator_sites(conn).items():
        run("UPDATE networks SET owner_site_id = :s WHERE id = :n AND owner_site_id IS NULL",
            s=site_id, n=network_id)
    for kind in sorted(SITE_KINDS | OPTIONAL_SITE_KINDS):
        if not have(kind):
            continue
        run(f"UPDATE {_table(kind)} SET owner_site_id = site_id "
            "WHERE owner_site_id IS NULL AND site_id IS NOT NULL")
    def inherit(table: str, owner_sql: str, where: str = "") -> None:
        run(f"UPDATE {table} SET owner_site_id = ({owner_sql}) WHERE owner_site_id IS NULL "
            f"AND ({owner_sql}) IS NOT NULL {where}")

    for kind in sorted(NETWORK_KINDS - {"network"} | OPTIONAL_SITE_KINDS):
        if not have(kind):
            continue
        t = _table(kind)
        inherit(t, f"SELECT n.owner_site_id FROM networks n WHERE n.id = {t}.network_id",
                "AND site_id IS NULL" if kind in OPTIONAL_SITE_KINDS else "")
    # parts take their whole's owner; wholes may be parts too (a cause's link), so repeat
    for _ in range(6):
        before = total
        for kind, (field, parent_kind) in PARENT.items():
            if not have(kind, parent_kind):
                continue
            t, p = _table(kind), _table(parent_kind)
            inherit(t, f"SELECT x.owner_site_id FROM {p} x WHERE x.id = {t}.{field}")
        if total == before:
            break
    # what is left names no site and no whole (a change idea on no node): the network's
    inherit("change_ideas", "SELECT n.owner_site_id FROM networks n "
            "WHERE n.id = change_ideas.network_id")
    return total
