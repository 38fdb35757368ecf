"""Network-view benchmark (issue #20).  Not a test: run with `make bench`.

Builds a coordinator workspace of SITES synthetic schools (default 300; BENCH_SITES) with
WEEKS weeks (default 260, five school years) of each of five measures (a p chart, a run
chart, a c chart, an I chart and a u chart), 20 change ideas and 4 PDSA cycles per site,
then times every view model of the Network view against a plain SQL `GROUP BY` over one
measure's observations (the least any view must do: read them once), cold (the
analysis cache emptied first) and warm.  Targets: bright spots over all five measures
≤ 2 s, every other view ≤ 0.5 s per measure.  The output is checked: a digest of every
view of every measure must equal the one the views gave before they read through the
driver and cached analyses, from the cache too, and read through SQLAlchemy (the
PostgreSQL path).  With Qt available it also times showing the small-multiples grid
(panels paint lazily, only when visible).
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


#: the network's measures: name, value type, chart, better direction, unit
MEASURES = (
    ("On track", "proportion", "p", "up", "%"),
    ("Attendance", "proportion", "run", "up", "%"),
    ("Referrals", "count", "c", "down", ""),
    ("Reading score", "continuous", "i", "up", "points"),
    ("Incidents per 100 days", "rate", "u", "neutral", "per 100 days"),
)


def build(path: Path, sites_n: int = SITES, weeks_n: int = WEEKS) -> tuple[str, list[str]]:
    """A coordinator workspace: the five measures of `MEASURES`, a driver diagram with 20
    ideas, `sites_n` schools with `weeks_n` weeks of data of each measure and a 4-cycle
    ramp each; a few sites with phases, a measure of their own defined differently,
    excluded and astronomical points.  Every id comes from a seeded generator, so two
    builds are the same workspace (clocks aside) and the views' digest can be compared."""
    from nicdesk.store.workspace import Workspace

    rng = random.Random(7)

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    with Workspace.create(path) as ws:
        ws.id_factory = uid
        with ws.ops.batch("network") as t:
            net = t.create("network", name="Statewide NIC")
            measures = [t.create("measure", network_id=net, name=name, unit=unit,
                                 value_type=vt, chart_kind=ck, direction=dr, frequency="weekly")
                        for name, vt, ck, dr, unit in MEASURES]
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
                    t.create("pdsa_measure", cycle_id=cyc, measure_id=measures[k % 5])
                if k % 10 == 3:  # a new phase after the change
                    t.create("chart_phase", measure_id=measures[k % 5], site_id=site,
                             kind="rebase", start=dt.date(2024, 1, 1), reason="New schedule")
                if k % 50 == 7:  # counted their own way: shown, not compared
                    t.create("measure", network_id=net, site_id=site, name="Attendance",
                             unit="days", value_type="count", chart_kind="c",
                             frequency="weekly")
    stamp = "001750000000000-000000-bench"
    clocks = json.dumps({"numerator": stamp, "denominator": stamp, "deleted": stamp})
    rows = []
    start = dt.date(2021, 9, 6)
    for m, (_name, vt, _ck, _dr, _unit) in zip(measures, MEASURES, strict=True):
        for k, site in enumerate(sites):
            size = rng.choice([4, 40, 120, 300])
            base = rng.uniform(0.5, 0.8)
            for w in range(weeks_n):
                lift = 0.1 if w > weeks_n // 2 and size > 100 else 0.0
                num = min(size, max(0, round(rng.gauss(size * (base + lift),
                                                       (size * 0.2) ** 0.5))))
                value = None
                if vt == "continuous":
                    num, den, value = None, None, round(rng.gauss(200 + 40 * lift, 15), 1)
                elif vt == "count":
                    num, den, value = None, None, float(rng.randint(0, 12))
                else:
                    den = size
                excluded = int(k % 37 == 5 and w % 53 == 9)
                astro = int(k % 41 == 6 and w == weeks_n - 20)
                if k % 29 == 11 and w % 17 == 0:  # a gap in the data
                    continue
                rows.append((uid(), site, stamp, clocks, m, site,
                             (start + dt.timedelta(weeks=w)).isoformat(), value, num, den,
                             "snow day" if astro else "", excluded, astro))
    con = sqlite3.connect(path)
    con.executemany(
        "INSERT INTO observations (id, owner_site_id, hlc, field_clocks, deleted, measure_id, "
        "site_id, period, value, numerator, denominator, note, excluded, exclusion_reason, "
        "astronomical) VALUES (?,?,?,?,0,?,?,?,?,?,?,?,?,'',?)", rows)
    con.commit()
    con.close()
    return net, measures


def digest(views: dict[str, object]) -> str:
    """A SHA-256 of every view's output, as `repr` writes it (plain dataclasses, tuples,
    numbers and dates: the same output gives the same digest)."""
    import hashlib

    text = repr(sorted(views.items()))
    assert " at 0x" not in text, "a view holds an object without a plain repr"
    return hashlib.sha256(text.encode()).hexdigest()


def all_views(s: object, net: str, measures: list[str]) -> dict[str, object]:
    """Every view model of the Network view, over every measure."""
    from nicdesk.store.views import evidence as ev
    from nicdesk.store.views import network as nv

    out: dict[str, object] = {}
    for m in measures:
        out[f"small multiples {m}"] = nv.small_multiples(s, m)
        out[f"funnel {m}"] = nv.funnel_view(s, m)
    out["bright spots"] = nv.bright_spots(s, net)
    out["change matrix"] = ev.change_matrix(s, net)
    out["combined diagram"] = ev.combined_diagrams(s, net)
    return out


#: `digest(all_views(...))` of the default workspace (300 sites × 260 weeks) as the
#: views computed it before they read through the driver and cached analyses
#: (commit 7e2421d); any other size prints its digest without a check
EXPECTED = {(300, 260): "3d6668a6a11435a153126500dba8a0b3ab83f46083402a785e98b5d622f15561"}


def main() -> None:
    from timing import timed

    tmp = Path(tempfile.mkdtemp(prefix="nicdesk-bench-net-"))
    path = tmp / "coord.nicdesk"
    t0 = time.perf_counter()
    net, measures = build(path)
    n_obs = sqlite3.connect(path).execute("SELECT count(*) FROM observations").fetchone()[0]
    print(f"network views: {SITES} sites × {WEEKS} weeks × {len(measures)} measures = "
          f"{n_obs:,} observations (built in {time.perf_counter() - t0:.1f} s)")
    con = sqlite3.connect(path)
    base = timed(lambda: con.execute(
        "SELECT site_id, count(*), sum(numerator), sum(denominator) FROM observations "
        "WHERE measure_id = ? AND deleted = 0 GROUP BY site_id", (measures[0],)).fetchall(), 5)
    con.close()
    print(f"  baseline SQL GROUP BY (one measure): {base * 1000:.1f} ms")

    from nicdesk.store.views import evidence as ev
    from nicdesk.store.views import network as nv
    from nicdesk.store.workspace import Workspace

    forget = getattr(nv, "forget_analyses", lambda: None)  # empties the analysis cache
    failures = []
    with Workspace.open(path) as ws, ws.read() as s:
        forget()
        t0 = time.perf_counter()
        got = digest(all_views(s, net, measures))
        print(f"  every view of every measure, first time: {time.perf_counter() - t0:.2f} s")
        expected = EXPECTED.get((SITES, WEEKS))
        same = got == expected
        print(f"  digest of every view {got[:16]}… "
              + ("identical to the earlier implementation's" if same else
                 "NOT the earlier implementation's" if expected else "(no expected value)"))
        if expected and not same:
            failures.append("digest")
        again = digest(all_views(s, net, measures))  # from the cache
        if again != got:
            failures.append("cached digest")
            print("  the cached views differ from the first ones")
        if hasattr(nv, "driver_reads"):  # the PostgreSQL path (through SQLAlchemy) too
            forget()
            nv.driver_reads = False
            generic = digest(all_views(s, net, measures))
            nv.driver_reads = True
            forget()
            print("  read through SQLAlchemy (the PostgreSQL path): "
                  + ("the same digest" if generic == got else "a DIFFERENT digest"))
            if generic != got:
                failures.append("SQLAlchemy path digest")
        n = len(measures)
        views = {  # name, what it runs, how many measures it covers, target in s
            "small multiples": (lambda: [nv.small_multiples(s, m) for m in measures], n, .5),
            "funnel": (lambda: [nv.funnel_view(s, m) for m in measures], n, .5),
            "bright spots": (lambda: nv.bright_spots(s, net), 1, 2.0),
            "change matrix": (lambda: ev.change_matrix(s, net), n, .5),
            "combined diagram": (lambda: ev.combined_diagrams(s, net), n, .5),
        }
        print("  (per measure, except bright spots: all 5 measures at once; cold = cache "
              "emptied first, warm = analyses cached)")
        for name, (fn, per, target) in views.items():
            samples = []
            for _ in range(3):  # emptying the cache (freeing its points) is not timed
                forget()
                t0 = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - t0)
            c = sorted(samples)[1] / per
            w = timed(fn, 3) / per
            ok = c <= target and w <= target
            if not ok:
                failures.append(name)
            print(f"  {name:<17} cold {c:6.2f} s  warm {w:6.2f} s  ({c / base:5.0f}× GROUP BY "
                  f"cold)  target ≤ {target:g} s  {'ok' if ok else 'OVER'}")
        sm = nv.small_multiples(s, measures[0])
    failures += main_groups()  # one student group across the sites (issue #21)
    if failures:
        raise SystemExit(f"network views: FAILED {', '.join(failures)}")
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


# ------------------------------------------------------------------ one student group (#21)
#: three dimensions of two groups each: 6 groups, plus all students
GROUP_DIMENSIONS = (("English learner status", ("English learners", "Not English learners")),
                    ("Disability", ("Students with disabilities",
                                    "Students without disabilities")),
                    ("Economic status", ("Economically disadvantaged",
                                         "Not economically disadvantaged")))


def build_groups(path: Path, sites_n: int = SITES, weeks_n: int = WEEKS
                 ) -> tuple[str, str, list[str], dict[str, set[str]]]:
    """A workspace of `sites_n` schools with `weeks_n` weeks of a p-chart measure for all
    students and each of the 6 groups of `GROUP_DIMENSIONS` (each dimension's two groups
    split all students), 4 PDSA cycles a site.  Some schools have fewer than 10 English
    learners or students with disabilities, so primary and complementary suppression
    both apply.  Returns the network, the measure, the group ids (in the order above) and
    per group the sites where it is small."""
    from nicdesk.store.workspace import Workspace

    rng = random.Random(11)

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    with Workspace.create(path) as ws:
        ws.id_factory = uid
        with ws.ops.batch("network") as t:
            net = t.create("network", name="Statewide NIC")
            measure = t.create("measure", network_id=net, name="On track", unit="%",
                               value_type="proportion", chart_kind="p", direction="up",
                               frequency="weekly")
            groups = []
            for i, (dim_name, names) in enumerate(GROUP_DIMENSIONS):
                dim = t.create("group_dimension", network_id=net, name=dim_name, position=i)
                groups += [t.create("student_group", dimension_id=dim, name=n, position=j)
                           for j, n in enumerate(names)]
            sites = [t.create("site", network_id=net, name=f"School {k:03d}")
                     for k in range(sites_n)]
            for site in sites:
                for c in range(4):
                    t.create("pdsa_cycle", site_id=site, title=f"Cycle {c + 1}",
                             start_date=dt.date(2023, 1, 2) + dt.timedelta(weeks=6 * c))
    stamp = "001750000000000-000000-bench"
    clocks = json.dumps({"numerator": stamp, "denominator": stamp, "deleted": stamp})
    rows = []
    small: dict[str, set[str]] = {g: set() for g in groups}
    start = dt.date(2021, 9, 6)
    for site in sites:
        total = rng.choice([120, 300, 600])
        sizes = []
        for share in (rng.uniform(0.02, 0.3), rng.uniform(0.02, 0.15), rng.uniform(0.3, 0.7)):
            first = max(1, round(total * share))
            sizes.append((first, total - first))
        for g, size in zip(groups, [x for pair in sizes for x in pair], strict=True):
            if size < 10:
                small[g].add(site)
        base = rng.uniform(0.5, 0.8)
        for w in range(weeks_n):
            lift = 0.1 if w > weeks_n // 2 else 0.0
            period = (start + dt.timedelta(weeks=w)).isoformat()
            cells: list[tuple[str | None, int, int]] = []
            # each dimension's first group on track at its own rate, the second the rest
            on = [min(a, max(0, round(a * (base + lift - 0.1 + 0.05 * rng.random()))))
                  for a, _b in sizes]
            ons = [min(b, max(0, round(b * (base + lift + 0.05 * rng.random()))))
                   for _a, b in sizes]
            everyone = on[0] + ons[0]
            for k, (a, b) in enumerate(sizes):
                first = min(a, on[k])
                cells += [(groups[2 * k], first, a), (groups[2 * k + 1], everyone - first, b)]
            cells.append((None, everyone, total))
            for g, num, den in cells:
                rows.append((uid(), site, stamp, clocks, measure, site, period, None,
                             max(0, min(num, den)), den, g))
    con = sqlite3.connect(path)
    con.executemany(
        "INSERT INTO observations (id, owner_site_id, hlc, field_clocks, deleted, measure_id, "
        "site_id, period, value, numerator, denominator, note, excluded, exclusion_reason, "
        "astronomical, group_id) VALUES (?,?,?,?,0,?,?,?,?,?,?,'',0,'',0,?)", rows)
    con.commit()
    con.close()
    return net, measure, groups, small


def main_groups() -> list[str]:
    """Time the network views for one student group against a SQL GROUP BY over that
    group's observations, and check what they show against the data as generated."""
    from timing import timed

    from nicdesk.store.views import network as nv
    from nicdesk.store.views import network_groups as ng
    from nicdesk.store.workspace import Workspace

    tmp = Path(tempfile.mkdtemp(prefix="nicdesk-bench-groups-"))
    path = tmp / "groups.nicdesk"
    t0 = time.perf_counter()
    net, measure, groups, small = build_groups(path)
    con = sqlite3.connect(path)
    n_obs = con.execute("SELECT count(*) FROM observations").fetchone()[0]
    print(f"network views for one group: {SITES} sites × {WEEKS} weeks × {len(groups)} "
          f"groups (+ all students) = {n_obs:,} observations (built in "
          f"{time.perf_counter() - t0:.1f} s)")
    el, not_el = groups[0], groups[1]
    base = timed(lambda: con.execute(
        "SELECT site_id, count(*), sum(numerator), sum(denominator) FROM observations "
        "WHERE measure_id = ? AND group_id = ? AND deleted = 0 GROUP BY site_id",
        (measure, el)).fetchall(), 5)
    print(f"  baseline SQL GROUP BY (one group of one measure): {base * 1000:.1f} ms")
    stored: dict[tuple[str, str], list[tuple[str, float, float]]] = {}
    for site, group, period, num, den in con.execute(
            "SELECT site_id, group_id, period, numerator, denominator FROM observations "
            "WHERE group_id IN (?, ?) ORDER BY site_id, period", (el, not_el)):
        stored.setdefault((site, group), []).append((period, num, den))
    con.close()
    failures = []
    with Workspace.open(path) as ws, ws.read() as s:
        views = {
            "small multiples": lambda: ng.group_multiples(s, measure, el),
            "funnel": lambda: ng.group_funnel(s, measure, ng.group_multiples(
                s, measure, el, analyse=False)),
            "bright spots": lambda: ng.group_bright_spots(s, net, el),
        }
        for name, fn in views.items():
            samples = []
            for _ in range(3):
                nv.forget_analyses()
                ng.forget_hidden()
                t0 = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - t0)
            cold = sorted(samples)[1]
            warm = timed(fn, 3)
            ok = cold <= 2.0 and warm <= 2.0
            if not ok:
                failures.append(f"group {name}")
            print(f"  {name:<17} cold {cold:6.2f} s  warm {warm:6.2f} s  ({cold / base:5.0f}× "
                  f"GROUP BY cold)  target ≤ 2 s  {'ok' if ok else 'OVER'}")
        # what is shown: a group's stored points at every site, less its small periods
        # (English learners below 10: primary) and, for the other group of the same
        # dimension, exactly those periods too (complementary: all students − English
        # learners would give them away)
        wrong = 0
        for group in (el, not_el):
            sm = ng.group_multiples(s, measure, group)
            for panel in sm.panels:
                hidden = panel.site_id in small[el] or panel.site_id in small[not_el]
                expected = [] if hidden else [
                    (p, n, d) for p, n, d in stored[(panel.site_id, group)]]
                got = [(pt.period.isoformat(), pt.numerator, pt.denominator)
                       for pt in panel.points]
                if got != expected or (hidden and panel.status != "suppressed"):
                    wrong += 1
        print(f"  checked {2 * SITES} panels against the generated data "
              f"({len(small[el])} schools with fewer than 10 English learners): "
              + ("all as expected" if not wrong else f"{wrong} WRONG"))
        if wrong:
            failures.append("group panels")
        spots = ng.group_bright_spots(s, net, el)
        flagged = {b.site_id for b in spots}
        if flagged & small[el]:
            failures.append("a bright spot at a school whose group is hidden")
        print(f"  bright spots for English learners: {len(spots)} "
              f"({sum(b.assessment == 'improvement' for b in spots)} improvements)")
    return failures


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["groups"]:  # only the student-group views (issue #21)
        bad = main_groups()
        if bad:
            raise SystemExit(f"network views for one group: FAILED {', '.join(bad)}")
    else:
        main()
