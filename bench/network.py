"""Network-view benchmark (issue: network views).  Not a test: run with `make bench`.

Builds a coordinator workspace of SITES synthetic schools (default 300; BENCH_SITES) with
WEEKS weeks of a proportion measure (default 260, five school years), 20 change ideas
and 4 PDSA cycles per site, then times every view model of the Network view against a
plain SQL `GROUP BY` over the same observations (the least any view must do: read them
once).  Target: each view opens in under 2 s.  With Qt available it also times showing
the small-multiples grid (panels paint lazily, only when visible).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

SITES = int(os.environ.get("BENCH_SITES", "300"))
WEEKS = int(os.environ.get("BENCH_WEEKS", "260"))


def build(path: Path, sites_n: int = SITES, weeks_n: int = WEEKS) -> tuple[str, str]:
    """A coordinator workspace: one proportion measure, a driver diagram with 20 ideas,
    `sites_n` schools with `weeks_n` weeks of data and a 4-cycle ramp each."""
    from nicdesk.store.workspace import Workspace

    rng = random.Random(7)
    with Workspace.create(path) as ws:
        with ws.ops.batch("network") as t:
            net = t.create("network", name="Statewide NIC")
            measure = t.create("measure", network_id=net, name="On track", unit="%",
                               value_type="proportion", chart_kind="p", frequency="weekly")
            d = t.create("driver_diagram", network_id=net, name="Theory")
            aim = t.create("driver_node", diagram_id=d, level="aim", text="On track")
            ideas = []
            for i in range(4):
                p = t.create("driver_node", diagram_id=d, level="primary", text=f"Driver {i}")
                t.create("driver_link", diagram_id=d, parent_node_id=aim, child_node_id=p)
                for j in range(5):
                    n = t.create("driver_node", diagram_id=d, level="change idea",
                                 text=f"Idea {i}.{j}")
                    t.create("driver_link", diagram_id=d, parent_node_id=p, child_node_id=n)
                    ideas.append(t.create("change_idea", network_id=net, node_id=n,
                                          title=f"Idea {i}.{j}"))
            sites = [t.create("site", network_id=net, name=f"School {k:03d}",
                              context_tags={"locale": rng.choice(["city", "rural", "town"]),
                                            "enrolment": rng.choice(["small", "large"])})
                     for k in range(sites_n)]
            for k, site in enumerate(sites):
                idea = ideas[k % len(ideas)]
                ramp = t.create("pdsa_ramp", site_id=site, change_idea_id=idea, title="Ramp")
                for c in range(4):
                    cyc = t.create("pdsa_cycle", ramp_id=ramp, site_id=site,
                                   change_idea_id=idea, cycle_number=c + 1,
                                   title=f"Cycle {c + 1}",
                                   start_date=dt.date(2023, 1, 2) + dt.timedelta(weeks=6 * c),
                                   decision=["adapt", "adapt", "adopt", "abandon"][c])
                    t.create("pdsa_measure", cycle_id=cyc, measure_id=measure)
    stamp = "001750000000000-000000-bench"
    clocks = json.dumps({"numerator": stamp, "denominator": stamp, "deleted": stamp})
    rows = []
    start = dt.date(2021, 9, 6)
    for site in sites:
        size = rng.choice([4, 40, 120, 300])
        base = rng.uniform(0.5, 0.8)
        for w in range(weeks_n):
            lift = 0.1 if w > weeks_n // 2 and size > 100 else 0.0
            num = min(size, max(0, round(rng.gauss(size * (base + lift), (size * 0.2) ** 0.5))))
            rows.append((str(uuid.uuid4()), site, stamp, clocks, measure, site,
                         (start + dt.timedelta(weeks=w)).isoformat(), num, size))
    con = sqlite3.connect(path)
    con.executemany(
        "INSERT INTO observations (id, owner_site_id, hlc, field_clocks, deleted, measure_id, "
        "site_id, period, numerator, denominator, note, excluded, exclusion_reason) "
        "VALUES (?,?,?,?,0,?,?,?,?,?,'',0,'')", rows)
    con.commit()
    con.close()
    return net, measure


def main() -> None:
    from timing import timed

    tmp = Path(tempfile.mkdtemp(prefix="nicdesk-bench-net-"))
    path = tmp / "coord.nicdesk"
    t0 = time.perf_counter()
    net, measure = build(path)
    print(f"network views: {SITES} sites × {WEEKS} weeks = {SITES * WEEKS:,} observations "
          f"(built in {time.perf_counter() - t0:.1f} s)")
    con = sqlite3.connect(path)
    base = timed(lambda: con.execute(
        "SELECT site_id, count(*), sum(numerator), sum(denominator) FROM observations "
        "WHERE measure_id = ? AND deleted = 0 GROUP BY site_id", (measure,)).fetchall(), 5)
    con.close()
    print(f"  baseline SQL GROUP BY: {base * 1000:.1f} ms")

    from nicdesk.store.views import evidence as ev
    from nicdesk.store.views import network as nv
    from nicdesk.store.workspace import Workspace

    with Workspace.open(path) as ws, ws.read() as s:
        views = {
            "small multiples": lambda: nv.small_multiples(s, measure),
            "funnel": lambda: nv.funnel_view(s, measure),
            "bright spots": lambda: nv.bright_spots(s, net),
            "change matrix": lambda: ev.change_matrix(s, net),
            "combined diagram": lambda: ev.combined_diagrams(s, net),
        }
        worst = 0.0
        for name, fn in views.items():
            seconds = timed(fn, 3)
            worst = max(worst, seconds)
            print(f"  {name:<17} {seconds:6.2f} s  ({seconds / base:6.0f}× GROUP BY)  "
                  f"{'ok' if seconds < 2 else 'OVER the 2 s target'}")
        sm = nv.small_multiples(s, measure)
    print(f"  slowest view {worst:.2f} s (target < 2 s)")
    try:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        from nicdesk.ui.network.panels import SmallMultiplesGrid
    except ImportError:
        return
    app = QApplication.instance() or QApplication([])
    grid = SmallMultiplesGrid()
    grid.resize(1200, 800)
    grid.show()
    app.processEvents()
    start = time.perf_counter()
    grid.show_panels(sm, "signal", True)
    app.processEvents()
    grid.viewport().grab()  # paints what is visible
    shown = time.perf_counter() - start
    start = time.perf_counter()
    for step in range(10):  # scroll through the whole grid
        bar = grid.verticalScrollBar()
        bar.setValue(bar.maximum() * (step + 1) // 10)
        grid.viewport().grab()
    print(f"  grid of {len(sm.panels)} panels shown with the visible ones painted: "
          f"{shown:.2f} s; scrolling through all of them: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
