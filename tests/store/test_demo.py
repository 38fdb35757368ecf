"""The sample network: both networks, deterministic, with real signals in the data."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from nicdesk.demo import build_demo
from nicdesk.store.schema import MODELS, Measure, Network, Observation, Site
from nicdesk.store.views.nav_tree import find_path
from nicdesk.store.views.queries import counts, navigator_tree, summarize
from nicdesk.store.workspace import Workspace


def dump(path: Path) -> dict[str, list[tuple]]:
    with Workspace.open(path) as ws, ws.read() as s:
        out = {}
        for kind, model in MODELS.items():
            cols = [c.key for c in model.__table__.columns]
            rows = s.execute(select(*[getattr(model, c) for c in cols]).order_by(model.id))
            out[kind] = [tuple(r) for r in rows]
        return out


def test_same_seed_same_content(tmp_path: Path, demo_file: Path) -> None:
    again = tmp_path / "again.nicdesk"
    build_demo(again).close()
    assert dump(again) == dump(demo_file)
    other = tmp_path / "other.nicdesk"
    build_demo(other, seed=7).close()
    assert dump(other)["observation"] != dump(demo_file)["observation"]


def test_shape_of_the_two_networks(demo_file: Path) -> None:
    with Workspace.open(demo_file) as ws, ws.read() as s:
        nets = {n.name: n.id for n in s.scalars(select(Network))}
        assert len(nets) == 2
        kinds: dict[str, dict[str, int]] = {}
        for site in s.scalars(select(Site)):
            net = next(k for k, v in nets.items() if v == site.network_id)
            kinds.setdefault(net, {}).setdefault(site.kind, 0)
            kinds[net][site.kind] += 1
        assert kinds["Great Lakes Focus Schools NIC"] == {
            "state agency": 1, "intermediate agency": 2, "district": 2, "school": 5}
        assert kinds["North Star Regional Centers NIC"] == {
            "state agency": 1, "regional centre": 6}
        n = counts(s)
        for kind in MODELS:
            assert n[kind] > 0, f"the demo has no {kind}"


def _longest_run_above(values: list[float], centre: float) -> int:
    best = run = 0
    for v in values:
        run = run + 1 if v > centre else (run if v == centre else 0)
        best = max(best, run)
    return best


def test_signals_where_the_change_was_adopted(demo_file: Path) -> None:
    """Check-in rates shift upward after the change at adopters only (IHI: ≥ 6 points
    above the baseline median)."""
    with Workspace.open(demo_file) as ws, ws.read() as s:
        checkins = s.scalars(select(Measure).where(Measure.name == "Weekly advisory check-ins")).one()
        sites = {x.name: x.id for x in s.scalars(select(Site))}

        def series(site: str) -> list[float]:
            rows = s.scalars(select(Observation).where(
                Observation.measure_id == checkins.id, Observation.site_id == sites[site]
            ).order_by(Observation.period))
            return [o.value for o in rows]

        for school, expect in [("Lincoln High School", True), ("Eastside High School", True),
                               ("Pine Valley High School", False),
                               ("Cedar Creek Junior-Senior High", False)]:
            values = series(school)
            assert len(values) >= 60
            baseline = sorted(values[:12])
            median = (baseline[5] + baseline[6]) / 2
            run = _longest_run_above(values[12:], median)
            assert (run >= 20) is expect, (school, run)


def test_navigator_and_summaries_cover_the_demo(demo_file: Path) -> None:
    with Workspace.open(demo_file) as ws, ws.read() as s:
        roots = navigator_tree(s)
        for path, kind in [("Lincoln High School/Fishbones/Why", "fishbone"),
                           ("Great Lakes Focus Schools NIC/Driver diagrams/Theory", "driver_diagram"),
                           ("Lincoln High School/PDSA cycles/Ramp: Advisory/Advisory check-ins, cycle 3", "pdsa_cycle"),
                           ("Great Lakes Focus Schools NIC/Meetings/2026-02-12", "meeting"),
                           ("Lincoln High School/Measures/9th graders on track", "measure")]:
            node = find_path(roots, path)
            assert node is not None and node.kind == kind, path
            summary = summarize(s, node.kind, node.id, node.site_id)
            assert summary.title
        fish = summarize(s, "fishbone", find_path(roots, "Lincoln High School/Fishbones/Why").id)
        text = "\n".join(line for _h, lines in fish.sections for line in lines)
        assert "ROOT CAUSE" in text and "why 1:" in text
