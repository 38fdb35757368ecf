"""Shared set-up for the fault campaigns: a coordinator and one enrolled site whose
bundle is large enough that an import takes a noticeable moment."""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Pair:
    coordinator: Path
    bundle: Path
    site_id: str
    rows: int


def make_pair(root: Path, rows: int) -> Pair:
    from nicdesk.bundle.export import export_bundle
    from nicdesk.cli.parser import main as cli
    from nicdesk.store.workspace import Workspace

    root.mkdir(parents=True, exist_ok=True)
    coord, site_ws = root / "coord.nicdesk", root / "site.nicdesk"
    with Workspace.create(coord) as ws:
        net = ws.ops.create("network", name="NIC").id
        hub = ws.ops.create("site", network_id=net, name="Hub", kind="state agency").id
        site = ws.ops.create("site", network_id=net, name="A", parent_id=hub).id
        measure = ws.ops.create("measure", network_id=net, name="M").id
    shutil.copyfile(coord, site_ws)
    assert cli(["keys", "init", str(coord), "--site", "Hub", "--coordinator"]) == 0
    assert cli(["keys", "init", str(site_ws), "--site", "A"]) == 0
    assert cli(["keys", "export-public", str(site_ws), "--out", str(root / "a.pub")]) == 0
    assert cli(["network", "enroll", str(coord), str(root / "a.pub"), "--site", "A"]) == 0
    stamp = "001750000000000-000000-fault"
    clocks = json.dumps({"value": stamp, "period": stamp, "deleted": stamp})
    con = sqlite3.connect(site_ws)
    con.executemany(
        "INSERT INTO observations (id, owner_site_id, hlc, field_clocks, deleted, measure_id, "
        "site_id, period, value, note, excluded, exclusion_reason) "
        "VALUES (?,?,?,?,0,?,?,?,?,'',0,'')",
        [(str(uuid.UUID(int=i + 1)), site, stamp, clocks, measure, site,
          f"{1900 + i // 336:04d}-{i // 28 % 12 + 1:02d}-{i % 28 + 1:02d}", float(i % 100))
         for i in range(rows)])
    con.commit()
    con.close()
    with Workspace.open(site_ws) as ws:
        bundle = export_bundle(ws, root / "a.nicbundle").path
    return Pair(coord, bundle, site, rows)


@pytest.fixture(scope="package")
def large_pair(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    return make_pair(tmp_path_factory.mktemp("large"), 25_000)


@pytest.fixture(scope="package")
def small_pair(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    return make_pair(tmp_path_factory.mktemp("small"), 60)
