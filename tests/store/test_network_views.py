"""Network view models on a constructed workspace: comparability, suppression, the matrix
and the combined diagram."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nicdesk.store.ops.diagrams import adopt
from nicdesk.store.schema import DriverNode
from nicdesk.store.views import evidence as evidence
from nicdesk.store.views import network as nv
from nicdesk.store.workspace import Workspace

MONTHS = [dt.date(2025, m, 1) for m in range(1, 13)]


def _network(ws: Workspace, threshold: int = 10) -> dict[str, str]:
    ids: dict[str, str] = {}
    with ws.ops.batch("build") as t:
        net = ids["net"] = t.create("network", name="NIC", suppression_threshold=threshold)
        hub = t.create("site", network_id=net, name="Hub", kind="district")
        for name, tags in (("Alpha", {"locale": "city"}), ("Beta", {"locale": "rural"}),
                           ("Gamma", {"locale": "city"}), ("Delta", {"locale": "rural"}),
                           ("Epsilon", {"locale": "city"}), ("Zeta", {"locale": "town"})):
            ids[name] = t.create("site", network_id=net, name=name, parent_id=hub,
                                 context_tags=tags)
        ids["m"] = t.create("measure", network_id=net, name="On track", unit="%",
                            value_type="proportion", chart_kind="p", direction="up",
                            definition="No F in core courses")
        # Alpha: a clear improvement; Beta: flat; Gamma: tiny groups (suppressed)
        for i, period in enumerate(MONTHS):
            t.create("observation", measure_id=ids["m"], site_id=ids["Alpha"], period=period,
                     numerator=50 + (25 if i >= 6 else 0), denominator=100)
            t.create("observation", measure_id=ids["m"], site_id=ids["Beta"], period=period,
                     numerator=60 + (i % 2), denominator=100)
            t.create("observation", measure_id=ids["m"], site_id=ids["Gamma"], period=period,
                     numerator=4, denominator=7)
        # Delta: values without denominators; Epsilon: measures it its own way; Zeta: one point
        t.create("observation", measure_id=ids["m"], site_id=ids["Delta"], period=MONTHS[0],
                 value=0.5)
        own = t.create("measure", network_id=net, site_id=ids["Epsilon"], name="On track",
                       unit="students", value_type="count", definition="Students on track")
        t.create("observation", measure_id=own, site_id=ids["Epsilon"], period=MONTHS[0],
                 value=40)
        t.create("observation", measure_id=ids["m"], site_id=ids["Zeta"], period=MONTHS[0],
                 numerator=32, denominator=40)
    return ids


def test_small_multiples_explain_what_they_cannot_compare(workspace: Workspace) -> None:
    ids = _network(workspace)
    with workspace.read() as s:
        sm = nv.small_multiples(s, ids["m"])
    by = {p.name: p for p in sm.panels}
    assert set(by) == {"Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"}  # not the hub
    assert by["Alpha"].signal == "improvement" and by["Alpha"].status == "ok"
    assert by["Gamma"].status == "suppressed" and not by["Gamma"].points
    assert "n < 10" in by["Gamma"].explanation
    assert by["Delta"].status == "no denominators"
    assert by["Epsilon"].status == "defined differently" and "unit" in by["Epsilon"].explanation
    assert by["Zeta"].status == "one point"
    assert [p.name for p in sm.sorted("signal")][0] == "Alpha"
    assert sm.sorted("latest")[0].name == "Zeta"  # 80 %
    low, high = sm.y_range
    assert low == 0.5 and high == 0.8


def test_context_filter(workspace: Workspace) -> None:
    ids = _network(workspace)
    with workspace.read() as s:
        assert nv.tag_choices(s, ids["net"]) == {"locale": ["city", "rural", "town"]}
        sm = nv.small_multiples(s, ids["m"], nv.ContextFilter.of(locale="rural"))
    assert sorted(p.name for p in sm.panels) == ["Beta", "Delta"]


def test_funnel_view_and_csv(workspace: Workspace) -> None:
    ids = _network(workspace)
    with workspace.read() as s:
        view = nv.funnel_view(s, ids["m"])
        late = nv.funnel_view(s, ids["m"], start=dt.date(2025, 7, 1))
    f = view.funnel
    rows = {r.name: r for r in f.rows}
    assert rows["Gamma"].suppressed and rows["Gamma"].value is None
    assert f.mean == (sum(50 + (25 if i >= 6 else 0) for i in range(12)) + 6 * 121 + 32) / 2440
    assert rows["Alpha"].size == 1200 and rows["Zeta"].size == 40
    whys = dict(view.excluded)
    assert "Delta" in whys and "Epsilon" in whys
    assert {r.name: r.size for r in late.funnel.rows}["Alpha"] == 600
    text = nv.funnel_csv(view)
    head, *lines = text.splitlines()
    assert head.startswith("site,denominator,proportion,lower95,upper95,lower998,upper998,flag")
    gamma = next(line for line in lines if line.startswith("Gamma"))
    assert gamma.split(",")[2] == "" and "suppressed (n < 10)" in gamma
    assert "0.571" not in text  # 4/7 never appears


def test_count_measure_has_no_funnel(workspace: Workspace) -> None:
    ids = _network(workspace)
    mid = workspace.ops.create("measure", network_id=ids["net"], name="Referrals",
                               value_type="count").id
    with workspace.read() as s:
        view = nv.funnel_view(s, mid)
    assert view.funnel is None and "proportions or rates" in view.note


def _theory(ws: Workspace, ids: dict[str, str]) -> dict[str, str]:
    with ws.ops.batch("theory") as t:
        net = ids["net"]
        d = ids["diagram"] = t.create("driver_diagram", network_id=net, name="Theory")
        aim = t.create("driver_node", diagram_id=d, level="aim", text="On track")
        p1 = ids["p1"] = t.create("driver_node", diagram_id=d, level="primary", text="Known")
        p2 = ids["p2"] = t.create("driver_node", diagram_id=d, level="primary", text="Data")
        idea1 = t.create("driver_node", diagram_id=d, level="change idea", text="Check-ins")
        idea2 = t.create("driver_node", diagram_id=d, level="change idea", text="Huddles")
        for a, b in ((aim, p1), (aim, p2), (p1, idea1), (p2, idea2)):
            t.create("driver_link", diagram_id=d, parent_node_id=a, child_node_id=b)
        ids["idea1"] = t.create("change_idea", network_id=net, node_id=idea1, title="Check-ins")
        ids["idea2"] = t.create("change_idea", network_id=net, node_id=idea2, title="Huddles")
    adopt(ws, ids["diagram"], ids["Alpha"])
    with ws.read() as s:
        copy = next(n for n in s.query(DriverNode).filter_by(source_node_id=ids["p1"]))
        site_diagram, copy_id = copy.diagram_id, copy.id
    with ws.ops.batch("local") as t:
        local = t.create("driver_node", diagram_id=site_diagram, level="change idea",
                         text="Lunch mentors")
        t.create("driver_link", diagram_id=site_diagram, parent_node_id=copy_id,
                 child_node_id=local)
        ids["local"] = t.create("change_idea", network_id=ids["net"], node_id=local,
                                title="Lunch mentors")
        for site, decisions in (("Alpha", ["adapt", "adopt"]), ("Beta", ["abandon"])):
            ramp = t.create("pdsa_ramp", site_id=ids[site], change_idea_id=ids["idea1"],
                            title="Check-ins")
            ids[f"ramp_{site}"] = ramp
            for n, decision in enumerate(decisions, start=1):
                cyc = t.create("pdsa_cycle", ramp_id=ramp, site_id=ids[site],
                               change_idea_id=ids["idea1"], cycle_number=n,
                               title=f"cycle {n}", decision=decision,
                               start_date=dt.date(2025, 5 + n, 1))
                t.create("pdsa_measure", cycle_id=cyc, measure_id=ids["m"])
        t.create("pdsa_cycle", site_id=ids["Alpha"], change_idea_id=ids["local"],
                 title="Mentors 1", start_date=dt.date(2025, 9, 1))
    return ids


def test_change_matrix(workspace: Workspace) -> None:
    ids = _theory(workspace, _network(workspace))
    with workspace.read() as s:
        m = evidence.change_matrix(s, ids["net"])
    rows = {r.title: r for r in m.rows}
    assert list(rows) == ["Check-ins", "Huddles", "Lunch mentors"]  # local ideas last
    alpha = rows["Check-ins"].cells[ids["Alpha"]]
    assert (alpha.cycles, alpha.decision, alpha.signal_after) == (2, "adopt", "yes")
    assert alpha.ramp_id == ids["ramp_Alpha"] and alpha.first_start == dt.date(2025, 6, 1)
    beta = rows["Check-ins"].cells[ids["Beta"]]
    assert (beta.cycles, beta.decision, beta.signal_after) == (1, "abandon", "no")
    assert rows["Huddles"].cells == {}
    assert rows["Lunch mentors"].local_to == "Alpha" and rows["Check-ins"].local_to == ""
    assert rows["Lunch mentors"].cells[ids["Alpha"]].signal_after == "no linked measure"
    assert [r.title for r in m.filtered(ids["p2"])] == ["Huddles"]
    assert "Lunch mentors" in [r.title for r in m.filtered(ids["p1"])]
    text = m.to_csv()
    assert "Check-ins,Alpha,2,adopt,yes,2025-06-01" in text
    assert "Check-ins,Beta,1,abandon,no,2025-06-01" in text
    with workspace.read() as s:
        rural = evidence.change_matrix(s, ids["net"], nv.ContextFilter.of(locale="rural"))
    assert ids["Alpha"] not in {sid for r in rural.rows for sid in r.cells}


def test_combined_diagram(workspace: Workspace) -> None:
    ids = _theory(workspace, _network(workspace))
    with workspace.read() as s:
        (combined,) = evidence.combined_diagrams(s, ids["net"])
    ev = {e.text: e for e in combined.evidence.values()}
    assert ev["Check-ins"].cycles == 3 and ev["Check-ins"].sites == ["Alpha", "Beta"]
    assert ev["Check-ins"].decisions == {"adopt": 1, "abandon": 1}
    assert ev["Known"].local_additions == [("Alpha", "Lunch mentors")]
    assert ev["Huddles"].cycles == 0 and ev["Huddles"].sites == ["Alpha"]  # adopted copy
    assert "2 sites · 3 cycles" in ev["Check-ins"].badge()


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=6), min_size=1, max_size=4),
       st.integers(5, 25))
def test_no_suppressed_value_leaks_into_any_view(sizes: list[list[int]], threshold: int) -> None:
    """Every view model of a workspace where some groups are small: no value built from
    fewer than the threshold appears in panels, funnel rows, CSVs or bright spots."""
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.create(Path(tmp) / "p.nicdesk")
        try:
            with ws.ops.batch("build") as t:
                net = t.create("network", name="N", suppression_threshold=threshold)
                m = t.create("measure", network_id=net, name="P", value_type="proportion",
                             chart_kind="run")
                small: set[tuple[str, dt.date]] = set()
                for i, series in enumerate(sizes):
                    site = t.create("site", network_id=net, name=f"S{i}")
                    for k, n in enumerate(series):
                        if n == 0:
                            continue
                        period = dt.date(2025, 1 + k, 1)
                        t.create("observation", measure_id=m, site_id=site, period=period,
                                 numerator=n // 2, denominator=n)
                        if n < threshold:
                            small.add((site, period))
            with ws.read() as s:
                sm = nv.small_multiples(s, m)
                view = nv.funnel_view(s, m, multiples=sm)
                spots = nv.bright_spots(s, net, multiples={m: sm})
        finally:
            ws.close()
    for p in sm.panels:
        for point in p.points:
            assert (p.site_id, point.period) not in small
            assert point.denominator >= threshold
    totals = {}  # the largest group behind each site's total
    for site_index, series in enumerate(sizes):
        totals[f"S{site_index}"] = max(series)
    for row in (view.funnel.rows if view.funnel else []):
        if totals[row.name] < threshold:
            assert row.suppressed and row.value is None and row.lower95 is None
    text = nv.funnel_csv(view)
    for line in text.splitlines()[1:]:
        name, size = line.split(",")[:2]
        if totals[name] < threshold:
            assert size.startswith("suppressed") and line.split(",")[2] == ""
    for b in spots:
        panel = next(p for p in sm.panels if p.site_id == b.site_id)
        assert panel.points  # a signal comes only from shown points
