"""Bundle benchmark (issue: bundles).  Not a test: run with `make bench`.

1. import + merge of a site bundle with N observations (default 200,000; BENCH_ROWS) into
   a coordinator workspace, against raw `sqlite3.executemany` of the same rows into an
   empty table (target: raw time / import time ≥ 0.5);
2. verifying the bundle (signature + every file's SHA-256) against `hashlib.sha256` over
   the same bytes (target ≥ 0.8).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

ROWS = int(os.environ.get("BENCH_ROWS", "200000"))


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="nicdesk-bench-"))
    os.environ["NICDESK_DATA_DIR"] = str(tmp / "data")
    from nicdesk.bundle.export import export_bundle
    from nicdesk.bundle.importer import import_bundle, parse_records, read_bundle, verify_bundle
    from nicdesk.bundle.minisign import parse_public_key
    from nicdesk.cli.parser import main as cli
    from nicdesk.store.workspace import Workspace

    coord, site_ws = tmp / "coord.nicdesk", tmp / "site.nicdesk"
    with Workspace.create(coord) as ws:
        net = ws.ops.create("network", name="NIC").id
        hub = ws.ops.create("site", network_id=net, name="Hub", kind="state agency").id
        site = ws.ops.create("site", network_id=net, name="A", parent_id=hub).id
        measures = [ws.ops.create("measure", network_id=net, name=f"M{k}").id for k in (1, 2, 3, 4)]
    shutil.copyfile(coord, site_ws)
    cli(["keys", "init", str(coord), "--site", "Hub", "--coordinator"])
    cli(["keys", "init", str(site_ws), "--site", "A"])
    cli(["keys", "export-public", str(site_ws), "--out", str(tmp / "a.pub")])
    cli(["network", "enroll", str(coord), str(tmp / "a.pub"), "--site", "A"])
    stamp = "001750000000000-000000-bench"
    clocks = json.dumps({"value": stamp, "period": stamp, "deleted": stamp})
    first = dt.date(1901, 1, 1)  # one value per measure and day, all within 1900–2100
    rows = [(str(uuid.UUID(int=i + 1)), site, stamp, clocks, 0, measures[i % 4], site,
             (first + dt.timedelta(days=i // 4)).isoformat(), float(i % 100))
            for i in range(ROWS)]
    con = sqlite3.connect(site_ws)
    con.executemany(
        "INSERT INTO observations (id, owner_site_id, hlc, field_clocks, deleted, measure_id, "
        "site_id, period, value, note, excluded, exclusion_reason) "
        "VALUES (?,?,?,?,?,?,?,?,?,'',0,'')", rows)
    con.commit()
    con.close()
    with Workspace.open(site_ws) as ws:
        start = time.perf_counter()
        bundle = export_bundle(ws, tmp / "a.nicbundle").path
        exported = time.perf_counter() - start

    raw = sqlite3.connect(tmp / "raw.db")
    raw.execute("CREATE TABLE obs (id TEXT PRIMARY KEY, owner TEXT, hlc TEXT, clocks TEXT, "
                "deleted INT, measure TEXT, site TEXT, period TEXT, value REAL)")
    start = time.perf_counter()
    raw.executemany("INSERT INTO obs VALUES (?,?,?,?,?,?,?,?,?)", rows)
    raw.commit()
    raw_time = time.perf_counter() - start

    with Workspace.open(coord) as ws:
        start = time.perf_counter()
        summary = import_bundle(ws, bundle)
        ours = time.perf_counter() - start
    b = read_bundle(bundle)
    key = parse_public_key((tmp / "a.pub").read_text())
    start = time.perf_counter()
    verify_bundle(b, key)
    verify_time = time.perf_counter() - start
    data = b"".join(b.files.values())
    start = time.perf_counter()
    hashlib.sha256(data).hexdigest()
    hash_time = time.perf_counter() - start
    start = time.perf_counter()
    parse_records(b)
    parse_time = time.perf_counter() - start
    print(f"{ROWS:,} observations; bundle {bundle.stat().st_size / 1e6:.1f} MB, export "
          f"{exported:.2f} s")
    print(f"raw executemany:        {raw_time:7.2f} s (baseline)")
    print(f"import + merge:         {ours:7.2f} s  ratio {raw_time / ours:.3f}  target >= 0.5 "
          f"({summary.new:,} new; parsing alone {parse_time:.2f} s)")
    print(f"sha256 of the records:  {hash_time * 1000:7.1f} ms (baseline)")
    print(f"verify bundle:          {verify_time * 1000:7.1f} ms  ratio "
          f"{hash_time / verify_time:.2f}  target >= 0.8")


if __name__ == "__main__":
    main()
