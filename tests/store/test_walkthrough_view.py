"""The guided first cycle's facts, read from a real workspace (`store.views.walkthrough`):
each stored record moves the walkthrough on, deleted ones do not count, and a cycle on an
adopted diagram's change idea counts for the site's node."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from nicdesk.core.states import DriverLevel
from nicdesk.core.walkthrough import progress
from nicdesk.services.workspaces import create_school_workspace
from nicdesk.store.ops.diagrams import add_node, adopt, new_diagram
from nicdesk.store.ops.fishbones import add_cause, new_fishbone
from nicdesk.store.ops.pdsa import new_cycle
from nicdesk.store.views.diagrams import driver_diagram, fishbone_view
from nicdesk.store.views.records import existing_ids
from nicdesk.store.views.walkthrough import walkthrough_facts
from nicdesk.store.workspace import Workspace


def step(ws: Workspace) -> str:
    current = progress(walkthrough_facts(ws)).current
    return current.key if current is not None else ""


def test_each_stored_record_moves_the_walkthrough_on(tmp_path: Path) -> None:
    path = create_school_workspace("Lincoln", "Valley NIC", tmp_path)
    with Workspace.open(path) as ws:
        facts = walkthrough_facts(ws)
        site, net = facts.site_id, facts.network_id
        assert site == ws.meta()["local_site_id"] and net is not None
        assert step(ws) == "problem"
        fb = new_fishbone(ws, net, site, "Too many fail").created[0]
        assert step(ws) == "causes"
        category = fishbone_view(ws, fb).categories[0].id
        made = [add_cause(ws, fb, category, t).created[0] for t in "abc"]
        assert step(ws) == "aim"
        ws.ops.delete("cause", made[0])  # a deleted cause no longer counts
        assert step(ws) == "causes"
        add_cause(ws, fb, category, "d")
        d = new_diagram(ws, net, site, "Theory", "By June 2027, 85 %").created[0]
        assert step(ws) == "primary"
        aim = next(i for i, n in driver_diagram(ws, d).nodes.items() if n.level == "aim")
        primary = add_node(ws, d, "primary", "Known by an adult", aim).created[0]
        assert step(ws) == "change_idea"
        idea_node = add_node(ws, d, DriverLevel.CHANGE_IDEA, "Check-ins", primary).created[0]
        assert step(ws) == "cycle"
        [cycle_id] = existing_ids(ws, "pdsa_cycle", new_cycle(ws, site, node_id=idea_node)
                                  .created)
        assert step(ws) == "plan"
        ws.ops.update("pdsa_cycle", cycle_id, objective="Do check-ins catch an F?")
        assert step(ws) == "measure"
        measure = ws.ops.create("measure", network_id=net, site_id=site, name="On track").id
        assert step(ws) == "data"
        ws.ops.create("observation", measure_id=measure, site_id=site,
                      period=dt.date(2026, 9, 1), value=0.8)
        assert step(ws) == ""


def test_a_cycle_on_an_adopted_diagrams_idea_counts(tmp_path: Path) -> None:
    path = create_school_workspace("Lincoln", "Valley NIC", tmp_path)
    with Workspace.open(path) as ws:
        facts = walkthrough_facts(ws)
        site, net = facts.site_id, facts.network_id
        network_d = new_diagram(ws, net, None, "Network theory", "Aim").created[0]
        aim = next(i for i, n in driver_diagram(ws, network_d).nodes.items()
                   if n.level == "aim")
        primary = add_node(ws, network_d, "primary", "Known", aim).created[0]
        node = add_node(ws, network_d, DriverLevel.CHANGE_IDEA, "Check-ins", primary).created[0]
        new_cycle(ws, site, node_id=node)  # the idea is the network node's
        adopt(ws, network_d, site)
        cycles = walkthrough_facts(ws).cycles
        site_ideas = walkthrough_facts(ws).diagrams[0].change_ideas
        assert [c.idea_node for c in cycles] == list(site_ideas)
        assert "cycle" in [s.key for s in progress(walkthrough_facts(ws)).steps if s.done]
