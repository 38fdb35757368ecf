"""The Minnesota-like sample network: a state cross-agency team and six regional centres."""

from __future__ import annotations

import datetime as dt

from ..store.workspace import Workspace
from .common import _Builder, school_months


# ------------------------------------------------------------------ Minnesota-like network
def _minnesota(ws: Workspace, b: _Builder) -> None:
    months = school_months()
    with ws.ops.batch("Create sample network: Minnesota") as t:
        net = t.create(
            "network", name="North Star Regional Centers NIC",
            common_aim="By 2027, every partner school implements a tiered system of "
            "supports with fidelity, so that more students read at grade level.",
            description="Six regional centres of excellence and a state cross-agency team "
            "improving how they support schools' multi-tiered systems of support.",
            suppression_threshold=10, rule_set="Anhøj", created=dt.date(2024, 7, 1),
        )
        t.create("charter", network_id=net,
                 roles="State cross-agency team: sets direction, hosts the hub.\n"
                 "Regional centres: coach partner schools and run PDSA cycles with them.",
                 norms="Be candid about failures.\nUse common measures.\nShare tools openly.",
                 cadence="Bi-weekly hub call; three convenings a year.")
        team = b.site(t, net, "State Cross-Agency Team", "state agency")
        regions = {}
        for name, locale in [("Northwest", "rural"), ("Northeast", "town"),
                             ("Central", "suburb"), ("Southwest", "rural"),
                             ("South Central", "town"), ("Metro", "city")]:
            regions[name] = b.site(t, net, f"{name} Regional Centre", "regional centre", team,
                                   locale=locale)
        b.members(t, team, [("Ingrid Halvorsen", "state lead", "Chairs the hub"),
                            ("Samuel Okafor", "researcher", "Measurement lead")])
        for i, (name, sid) in enumerate(regions.items()):
            b.members(t, sid, [(f"Facilitator {name}", "facilitator", "Coaches school teams"),
                               (f"Coach {i + 1}", "coach", "Fidelity observations")])
        fidelity = t.create(
            "measure", network_id=net, name="Partner schools implementing with fidelity",
            kind="outcome", definition="Numerator: partner schools scoring 80 % or more on the "
            "fidelity rubric this month. Denominator: partner schools observed.",
            unit="% of schools", data_source="Fidelity rubric observations", frequency="monthly",
            direction="up", target=0.8, value_type="proportion", chart_kind="run")
        t.create("aim", network_id=net, statement="By June 2027, 80 % of partner schools "
                 "implement tiered supports with fidelity.", measure_id=fidelity,
                 baseline_value=0.42, baseline_date=dt.date(2024, 9, 1), target_value=0.8,
                 deadline=dt.date(2027, 6, 30), population="Partner schools of the six centres")
        dd = t.create("driver_diagram", network_id=net, name="Supporting schools' tiered systems")
        aim_node = t.create("driver_node", diagram_id=dd, level="aim",
                            text="80 % of partner schools implement with fidelity")
        prim = t.create("driver_node", diagram_id=dd, level="primary",
                        text="Coaching that builds school capacity")
        sec = t.create("driver_node", diagram_id=dd, level="secondary",
                       text="Data-based problem solving in school teams")
        node = t.create("driver_node", diagram_id=dd, level="change idea",
                        text="Monthly data meeting protocol", status="testing")
        t.create("driver_link", diagram_id=dd, parent_node_id=aim_node, child_node_id=prim)
        t.create("driver_link", diagram_id=dd, parent_node_id=prim, child_node_id=sec)
        t.create("driver_link", diagram_id=dd, parent_node_id=sec, child_node_id=node)
        idea = t.create("change_idea", network_id=net, node_id=node,
                        title="Monthly data meeting protocol",
                        description="A 45-minute protocol for school teams to review "
                        "screening data and choose one action.")
        for name in ("Northwest", "Metro"):
            ramp = t.create("pdsa_ramp", site_id=regions[name], change_idea_id=idea,
                            title="Monthly data meeting protocol")
            t.create("pdsa_cycle", ramp_id=ramp, site_id=regions[name], change_idea_id=idea,
                     title="Data meeting protocol, cycle 1", cycle_number=1,
                     scale="2 partner schools", start_date=dt.date(2025, 2, 1),
                     end_date=dt.date(2025, 2, 28), objective="Is the protocol usable in 45 "
                     "minutes?", decision="adopt", study_learned="Teams finished in 40 minutes "
                     "and chose an action each time.")
        fb = t.create("fishbone", network_id=net, site_id=team, title="Why is fidelity low?",
                      problem="Fewer than half of partner schools implement tiered supports "
                      "with fidelity.")
        for i, name in enumerate(("Coaching", "School teams", "Data systems", "Policy")):
            cat = t.create("fishbone_category", fishbone_id=fb, name=name, position=i)
            t.create("cause", fishbone_id=fb, category_id=cat, text=f"{name}: capacity varies "
                     "across regions", votes=i + 1)
        meeting = t.create("meeting", network_id=net, site_id=team, title="Hub call",
                           date=dt.date(2026, 3, 4), attendees=["Ingrid Halvorsen",
                                                                "Samuel Okafor"],
                           notes="Reviewed fidelity run charts; Northwest and Metro show "
                           "sustained shifts.")
        t.create("agenda_item", meeting_id=meeting, title="Fidelity data review", minutes=30,
                 owner="Samuel Okafor")
    for name, sid in regions.items():
        lift = 0.25 if name in ("Northwest", "Metro") else 0.0
        b.proportion_series(fidelity, sid, months, 40, 0.42, lift,
                            dt.date(2025, 3, 1) if lift else None, ramp_periods=2)
