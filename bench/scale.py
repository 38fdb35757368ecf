"""Scale benchmark (issue: coordinator at scale).  Not a test: run with `make bench`.

Builds SITES site bundles (default 300; BENCH_SCALE_SITES) of WEEKS weekly values (260)
for 5 measures plus ~5,000 PDSA cycles in all, imports every bundle into a SQLite
coordinator and into a PostgreSQL one (NICDESK_BENCH_PG_URL, else a throwaway cluster
like the tests start; skipped with a reason if none), then times each network view on
both.  The first import is of all bundles together (`import_together`: one
transaction), checked (every observation new, a digest of the stored values equal to the
generated ones).  Targets (issue #20): SQLite <= 10 s, PostgreSQL <= 2x SQLite.
Baselines in the same run: the same observation rows written with raw
`sqlite3.executemany` into the real observations table (a copy of the coordinator's
file: indexes, foreign keys, WAL, synchronous=FULL), and with PostgreSQL `COPY` into a
plain table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

SITES = int(os.environ.get("BENCH_SCALE_SITES", "300"))
WEEKS = int(os.environ.get("BENCH_SCALE_WEEKS", "260"))
MEASURES = 5
CYCLES = 5000
ROOT = Path(__file__).resolve().parent.parent
INSERT = ("INSERT INTO observations (id, owner_site_id, hlc, field_clocks, deleted, "
          "measure_id, site_id, period, numerator, denominator, note, excluded, "
          "exclusion_reason, astronomical) VALUES (?,?,?,?,0,?,?,?,?,?,'',0,'',0)")


def build(tmp: Path) -> tuple[Path, list[Path], list[tuple]]:
    """The coordinator template and one signed bundle per site (plus the raw rows)."""
    from nicdesk.bundle import keys
    from nicdesk.bundle.export import export_bundle
    from nicdesk.store.ownership import assign_owners
    from nicdesk.store.workspace import Workspace

    rng = random.Random(300)
    template = tmp / "template.nicdesk"
    pairs = [keys.generate() for _ in range(SITES)]
    with Workspace.create(template) as ws, ws.ops.batch("network") as t:
        net = t.create("network", name="Statewide NIC")
        measures = [t.create("measure", network_id=net, name=f"Measure {m}", unit="%",
                             value_type="proportion", chart_kind="p", frequency="weekly")
                    for m in range(MEASURES)]
        idea = t.create("change_idea", network_id=net, title="Advisory check-ins")
        office = t.create("site", network_id=net, name="State Office", kind="state agency")
        sites = [t.create("site", network_id=net, name=f"School {k:03d}", parent_id=office,
                          public_keys=[pairs[k].public.line()],
                          context_tags={"locale": rng.choice(["city", "rural", "town"])})
                 for k in range(SITES)]
    with Workspace.open(template) as ws, ws.sessions.begin() as s:
        # every record its one owner (the office holds the network's), as in a network
        # whose sites have joined: each site's bundle carries only its own records
        assign_owners(s.connection())
    stamp = "001760000000000-000000-scale"
    clocks = json.dumps({"numerator": stamp, "denominator": stamp, "period": stamp,
                         "deleted": stamp})
    start = dt.date(2021, 9, 6)
    bundles, all_rows = [], []
    per_site = CYCLES // SITES + 1
    for k, site in enumerate(sites):
        path = tmp / f"site{k:03d}.nicdesk"
        shutil.copyfile(template, path)
        size = rng.choice([40, 120, 300])
        rows = []
        for m in measures:
            base = rng.uniform(0.5, 0.8)
            for w in range(WEEKS):
                num = min(size, max(0, round(rng.gauss(size * base, (size * 0.2) ** 0.5))))
                rows.append((str(uuid.uuid4()), site, stamp, clocks, m, site,
                             (start + dt.timedelta(weeks=w)).isoformat(), num, size))
        con = sqlite3.connect(path)
        con.executemany(INSERT, rows)
        con.commit()
        con.close()
        all_rows += rows
        with Workspace.open(path) as ws:
            ws.set_meta(local_site_id=site, signing_key=pairs[k].public.key_id_hex)
            with ws.ops.batch("cycles") as t:
                ramp = t.create("pdsa_ramp", site_id=site, change_idea_id=idea,
                                title="Check-ins")
                for c in range(min(per_site, CYCLES - k * per_site) if k * per_site < CYCLES
                               else 0):
                    t.create("pdsa_cycle", ramp_id=ramp, site_id=site, change_idea_id=idea,
                             cycle_number=c + 1, title=f"Cycle {c + 1}",
                             start_date=start + dt.timedelta(weeks=4 * c),
                             decision=rng.choice(["adapt", "adopt", "abandon", ""]))
            bundles.append(export_bundle(ws, tmp / f"site{k:03d}.nicbundle").path)
        path.unlink()
    return template, bundles, all_rows


def import_all(ws, bundles: list[Path], rows: list[tuple]) -> float:
    """The first import of every site's bundle, all together (one transaction), checked:
    every observation new, and the stored values exactly the generated ones."""
    from nicdesk.bundle.importer import import_together

    start = time.perf_counter()
    summaries = import_together(ws, bundles)
    seconds = time.perf_counter() - start
    assert sum(x.per_kind.get("observation", 0) for x in summaries) == len(rows)
    assert all(x.updated == x.conflicts == 0 and not x.already for x in summaries)
    assert sum(x.new for x in summaries) >= len(rows), "not every observation new"
    assert stored_digest(ws) == expected_digest(rows), "stored values differ"
    return seconds


def _line(record_id: str, period: object, num: object, den: object) -> str:
    return f"{record_id}|{period}|{float(num)}|{float(den)}"  # type: ignore[arg-type]


def expected_digest(rows: list[tuple]) -> str:
    lines = sorted(_line(r[0], r[6], r[7], r[8]) for r in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def stored_digest(ws) -> str:
    from nicdesk.store.schema import Observation

    with ws.read() as s:
        got = s.execute(Observation.__table__.select().with_only_columns(
            Observation.id, Observation.period, Observation.numerator,
            Observation.denominator)).all()
    lines = sorted(_line(i, p.isoformat(), n, d) for i, p, n, d in got)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def raw_baseline(template: Path, rows: list[tuple]) -> float:
    """Raw executemany of the same rows into the real observations table (a copy of the
    coordinator's file: its indexes, foreign keys on, WAL, synchronous=FULL)."""
    target = template.with_name("raw.nicdesk")
    shutil.copyfile(template, target)
    con = sqlite3.connect(target, isolation_level=None)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL"):
        con.execute(f"PRAGMA {pragma}")
    start = time.perf_counter()
    con.execute("BEGIN")
    con.executemany(INSERT, rows)
    con.execute("COMMIT")
    seconds = time.perf_counter() - start
    assert con.execute("SELECT count(*) FROM observations").fetchone()[0] == len(rows)
    con.close()
    target.unlink()
    return seconds


def views(ws) -> dict[str, float]:
    from nicdesk.store.schema import Measure, Network
    from nicdesk.store.views import evidence as ev
    from nicdesk.store.views import network as nv

    out = {}
    with ws.read() as s:
        net = s.query(Network).one().id
        measure = s.query(Measure).order_by(Measure.name).first().id
        for name, fn in (("small multiples", lambda: nv.small_multiples(s, measure)),
                         ("funnel", lambda: nv.funnel_view(s, measure)),
                         ("bright spots", lambda: nv.bright_spots(s, net)),
                         ("change matrix", lambda: ev.change_matrix(s, net)),
                         ("combined diagram", lambda: ev.combined_diagrams(s, net))):
            start = time.perf_counter()
            fn()
            out[name] = time.perf_counter() - start
    return out


def pg_target(tmp: Path):
    url = os.environ.get("NICDESK_BENCH_PG_URL")
    if url:
        return url, None
    sys.path.insert(0, str(ROOT / "tests"))
    from pgcluster import Cluster, ClusterUnavailable

    try:
        cluster = Cluster().start()
    except ClusterUnavailable as exc:
        print(f"  PostgreSQL skipped: {exc}")
        return None, None
    return cluster.create_database("scale"), cluster


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="nicdesk-bench-scale-"))
    os.environ["NICDESK_DATA_DIR"] = str(tmp / "data")
    from nicdesk.store.copy import copy_workspace
    from nicdesk.store.workspace import Workspace

    t0 = time.perf_counter()
    template, bundles, rows = build(tmp)
    print(f"scale: {SITES} site bundles × {WEEKS} weeks × {MEASURES} measures = "
          f"{len(rows):,} observations + {CYCLES:,} PDSA cycles (built in "
          f"{time.perf_counter() - t0:.0f} s)")
    base_sqlite = raw_baseline(template, rows)
    coord = tmp / "coord.nicdesk"
    shutil.copyfile(template, coord)
    results = {}
    with Workspace.open(coord) as ws:
        seconds = import_all(ws, bundles, rows)
        results["SQLite"] = (seconds, base_sqlite, views(ws))
    url, cluster = pg_target(tmp)
    try:
        if url:
            import psycopg
            from sqlalchemy.engine import make_url

            u = make_url(url)
            with psycopg.connect(host=u.query.get("host") or u.host, port=u.port or
                                 int(u.query.get("port", 5432)), user=u.username,
                                 dbname=u.database, password=u.password) as con:
                con.execute("CREATE TEMP TABLE obs (id text primary key, owner text, hlc text,"
                            " clocks text, measure text, site text, period date, num real,"
                            " den real)")
                start = time.perf_counter()
                with con.cursor().copy("COPY obs FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row(r)
                con.commit()
                base_pg = time.perf_counter() - start
            with Workspace.open(template) as src, Workspace.open(url) as ws:
                copy_workspace(src, ws)
                seconds = import_all(ws, bundles, rows)
                results["PostgreSQL"] = (seconds, base_pg, views(ws))
    finally:
        if cluster is not None:
            cluster.stop()
    for engine, (seconds, base, timing) in results.items():
        target = ("target <= 10 s" if engine == "SQLite" else
                  f"target <= 2x SQLite ({results['SQLite'][0] * 2:.1f} s)")
        print(f"  {engine}: first import of all {len(bundles)} bundles, {len(rows):,} "
              f"observations, in {seconds:.1f} s ({target}) = "
              f"{len(rows) / seconds:,.0f} rows/s; raw baseline "
              f"({'executemany' if engine == 'SQLite' else 'COPY'}) {base:.2f} s, "
              f"ratio raw/import {base / seconds:.3f}")
        print("    views: " + ", ".join(f"{k} {v:.2f} s" for k, v in timing.items()))


if __name__ == "__main__":
    main()
