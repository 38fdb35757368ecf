"""Delta bundle benchmark (issue #20, item 2).  Not a test: run with `python bench/delta.py`.

A site with N observations (default 50,000; BENCH_ROWS) has sent a full bundle, which
the coordinator imported and confirmed in a digest; then 1 % of the observations
change.  Measured: importing the site's delta bundle (the changed 1 %) into the
coordinator, against raw `sqlite3.executemany` of all N rows into the coordinator's real
`observations` table (its indexes, foreign keys on, WAL, synchronous=FULL), in one
transaction.  Target: raw time / delta import time >= 5.

The result is checked, so a fast wrong answer cannot pass: the delta carries exactly the
changed rows and names its base; after the import the coordinator's observations are
digest-identical to the site's (id, clock, value of every row); the baseline table holds
N rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROWS = int(os.environ.get("BENCH_ROWS", "50000"))
CHANGED = max(1, ROWS // 100)
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
COLUMNS = ("id, owner_site_id, hlc, field_clocks, deleted, measure_id, site_id, period, "
           "value, numerator, denominator, note, excluded, exclusion_reason, astronomical")


def _connect(path: Path) -> sqlite3.Connection:
    """The pragmas a workspace is opened with."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA foreign_keys=ON")
    return con


def observations_digest(path: Path, site: str) -> tuple[int, str]:
    """(rows, SHA-256 of every observation's id, clock and value) of one site."""
    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT id, hlc, value, deleted FROM observations WHERE site_id = ? "
                           "ORDER BY id", (site,)).fetchall()
    finally:
        con.close()
    return len(rows), hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="nicdesk-bench-delta-"))
    os.environ["NICDESK_DATA_DIR"] = str(tmp / "data")
    from nicdesk.bundle.export import export_bundle
    from nicdesk.bundle.importer import import_bundle
    from nicdesk.cli.parser import main as cli
    from nicdesk.services.exchange import export
    from nicdesk.store.workspace import Workspace

    coord, site_ws = tmp / "coord.nicdesk", tmp / "site.nicdesk"
    with Workspace.create(coord) as ws:
        net = ws.ops.create("network", name="NIC").id
        hub = ws.ops.create("site", network_id=net, name="Hub", kind="state agency").id
        site = ws.ops.create("site", network_id=net, name="A", parent_id=hub).id
        measures = [ws.ops.create("measure", network_id=net, name=f"M{k}").id for k in (1, 2, 3, 4)]
    shutil.copyfile(coord, site_ws)
    quiet = open(os.devnull, "w")  # noqa: SIM115 - the key commands' chatter
    stdout, sys.stdout = sys.stdout, quiet
    try:
        cli(["keys", "init", str(coord), "--site", "Hub", "--coordinator"])
        cli(["keys", "init", str(site_ws), "--site", "A"])
        cli(["keys", "export-public", str(site_ws), "--out", str(tmp / "a.pub")])
        cli(["network", "enroll", str(coord), str(tmp / "a.pub"), "--site", "A"])
    finally:
        sys.stdout = stdout
        quiet.close()
    from nicdesk.bundle import keys

    with Workspace.open(coord) as ws:  # the site trusts the coordinator's key (as at join)
        coordinator_key = keys.load(ws.meta()["signing_key"]).public.line()
    with Workspace.open(site_ws) as ws:
        ws.set_meta(trusted_coordinator_key=coordinator_key)
    baseline_db = tmp / "baseline.nicdesk"
    shutil.copyfile(coord, baseline_db)  # the real schema, its sites and measures

    stamp = "001750000000000-000000-bench"
    clocks = json.dumps({"value": stamp, "period": stamp, "deleted": stamp})
    first = dt.date(1901, 1, 1)  # one value per measure and day, all within 1900–2100
    rows = [(str(uuid.UUID(int=i + 1)), site, stamp, clocks, 0, measures[i % 4], site,
             (first + dt.timedelta(days=i // 4)).isoformat(), float(i % 100), None, None,
             "", 0, "", 0) for i in range(ROWS)]
    con = _connect(site_ws)
    con.execute("BEGIN")
    con.executemany(f"INSERT INTO observations ({COLUMNS}) VALUES "
                    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    con.execute("COMMIT")
    con.close()

    # the first exchange: a full bundle, imported and confirmed by the digest
    with Workspace.open(site_ws) as ws:
        full = export(ws, tmp / "a1.nicbundle").path
    with Workspace.open(coord) as ws:
        import_bundle(ws, full)
        export_bundle(ws, tmp / "d1.nicbundle", kind="digest")
    with Workspace.open(site_ws) as ws:
        import_bundle(ws, tmp / "d1.nicbundle")

    # a week's work: 1 % of the values change, in one operation
    changed = [rows[i][0] for i in range(0, ROWS, ROWS // CHANGED)][:CHANGED]

    def edit(t: object) -> None:
        for n, record_id in enumerate(changed):
            t.update("observation", record_id, value=float(1000 + n))  # type: ignore[attr-defined]

    with Workspace.open(site_ws) as ws:
        ws.ops.run("A week's changes", edit)
        start = time.perf_counter()
        result = export(ws, tmp / "a2.nicbundle")
        export_time = time.perf_counter() - start
    delta = result.path
    assert result.base == 1, f"expected a delta on bundle 1, got {result.base}"
    assert result.counts == {"observation": CHANGED}, result.counts

    samples, summary = [], None
    for k in range(REPEATS):
        target = tmp / f"coord-{k}.nicdesk"
        shutil.copyfile(coord, target)
        with Workspace.open(target) as ws:
            start = time.perf_counter()
            summary = import_bundle(ws, delta)
            samples.append(time.perf_counter() - start)
        assert observations_digest(target, site) == observations_digest(site_ws, site), \
            "the coordinator's observations differ from the site's after the delta"
    ours = statistics.median(samples)
    assert summary is not None and summary.updated == CHANGED and summary.new == 0, summary

    raws = []
    for k in range(REPEATS):
        target = tmp / f"baseline-{k}.nicdesk"
        shutil.copyfile(baseline_db, target)
        con = _connect(target)
        start = time.perf_counter()
        con.execute("BEGIN")
        con.executemany(f"INSERT INTO observations ({COLUMNS}) VALUES "
                        "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        con.execute("COMMIT")
        raws.append(time.perf_counter() - start)
        count = con.execute("SELECT count(*) FROM observations").fetchone()[0]
        con.close()
        assert count == ROWS, f"baseline holds {count} rows, not {ROWS}"
    raw_time = statistics.median(raws)

    ratio = raw_time / ours
    print(f"delta bundle: {ROWS:,} observations, {CHANGED:,} changed (1 %); delta "
          f"{delta.stat().st_size / 1e3:.0f} kB against full {full.stat().st_size / 1e6:.1f} MB; "
          f"export {export_time * 1000:.0f} ms")
    print(f"raw executemany of {ROWS:,} rows (real schema): {raw_time:7.3f} s (baseline)")
    print(f"import delta + merge:       {ours:7.3f} s  ratio {ratio:.1f}  target >= 5 "
          f"({summary.updated:,} updated; result checked)")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
