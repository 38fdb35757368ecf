"""`nicdesk demo DIR --network`: the sample networks split the way they live in reality —
one coordinator file per network and one file per site — with keys made and enrolled, so
the whole bundle flow (export every site, import at the coordinator, send the digest
back) can be tried in a minute.  Each site's key is enrolled with the one enrolment
primitive (`bundle.enrolment.enrol_key`) the command line and the GUI end in too.

The split starts from the ordinary sample workspace and keeps, per file, the network's
own records (owned by its coordinator's site), the list of sites, and the records the file's site
owns; references left dangling by the split are removed until SQLite's foreign-key check
is clean.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

from ..bundle.enrolment import enrol_key
from ..bundle.keys import generate
from ..store.schema import MODELS
from ..store.workspace import Workspace
from . import build_demo

TABLES = {cls.__tablename__: kind for kind, cls in MODELS.items()}


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _split(path: Path, network_id: str, site_id: str, coordinator_site: str) -> None:
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys=OFF")
    columns = {t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")] for t in TABLES}
    con.execute("DELETE FROM networks WHERE id != ?", (network_id,))
    for table, cols in columns.items():
        if "network_id" in cols:
            con.execute(f"DELETE FROM {table} WHERE network_id != ?", (network_id,))
        if table not in ("networks", "sites"):
            con.execute(f"DELETE FROM {table} WHERE owner_site_id IS NOT NULL "
                        "AND owner_site_id NOT IN (?, ?)", (site_id, coordinator_site))
    while True:  # drop what now points at removed records, until nothing dangles
        dangling = con.execute("PRAGMA foreign_key_check").fetchall()
        if not dangling:
            break
        for table, rowid, _parent, _fk in dangling:
            con.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))
    con.execute("DELETE FROM record_versions")
    con.execute("DELETE FROM workspace_meta WHERE key NOT IN ('device_id')")
    con.commit()
    con.execute("VACUUM")
    con.close()


def build_network_demo(directory: str | Path, seed: int = 2015) -> list[Path]:
    """Write DIR/<network>/coordinator.nicdesk and DIR/<network>/sites/<site>.nicdesk."""
    directory = Path(directory)
    tmp = Path(tempfile.mkdtemp(prefix="nicdesk-demo-")) / "all.nicdesk"
    build_demo(tmp, seed).close()
    written: list[Path] = []
    with Workspace.open(tmp) as ws, ws.read() as s:
        from ..store.schema import Network, Site

        networks = [(n.id, n.name) for n in s.query(Network)]
        sites = {n: [(x.id, x.name, x.parent_id) for x in s.query(Site).filter_by(network_id=n)]
                 for n, _name in networks}
    for network_id, name in networks:
        home = directory / slug(name)
        (home / "sites").mkdir(parents=True, exist_ok=True)
        top = next(x for x in sites[network_id] if x[2] is None)
        coord = home / "coordinator.nicdesk"
        shutil.copyfile(tmp, coord)
        _split(coord, network_id, top[0], top[0])
        coord_key = generate()
        with Workspace.open(coord) as ws:
            ws.set_meta(local_site_id=top[0], signing_key=coord_key.public.key_id_hex,
                        role="coordinator", device_id="coord" + slug(name).replace("-", "")[:10])
            ws.ops.update("network", network_id, coordinator_public_key=coord_key.public.line())
        written.append(coord)
        for site_id, site_name, _parent in sites[network_id]:
            if site_id == top[0]:
                continue
            path = home / "sites" / f"{slug(site_name)}.nicdesk"
            shutil.copyfile(tmp, path)
            _split(path, network_id, site_id, top[0])
            key = generate()
            with Workspace.open(path) as ws:
                # the coordinator key is trusted locally, as when joining by invitation
                ws.set_meta(local_site_id=site_id, signing_key=key.public.key_id_hex,
                            role="site", device_id="site" + slug(site_name).replace("-", "")[:14],
                            trusted_coordinator_key=coord_key.public.line())
            with Workspace.open(coord) as ws:  # the coordinator enrols it, as a real one does
                enrol_key(ws, key.public, site_id)
            written.append(path)
    shutil.rmtree(tmp.parent, ignore_errors=True)
    return written
