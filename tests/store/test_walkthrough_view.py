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
        assert step(ws) == "plan"  # the page still asks for a question
        question = ws.ops.create("pdsa_question", cycle_id=cycle_id, position=0,
                                 question="Does a check-in catch a first F?").id
        assert step(ws) == "plan"  # ... and its prediction
        ws.ops.update("pdsa_question", question, prediction="Yes, most")
        assert step(ws) == "measure"
        measure = ws.ops.create("measure", network_id=net, site_id=site, name="On track").id
        assert step(ws) == "measure"  # no operational definition yet: no data either
        ws.ops.update("measure", measure, definition="9th graders with no F this month")
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


def test_placeholder_names_do_not_tick_a_step(tmp_path: Path) -> None:
    """"Do it" makes a cause named "New cause" and a measure named "New measure" before
    anything is typed: neither counts until it is named (and the measure defined)."""
    from nicdesk.core.walkthrough import PLACEHOLDER_CAUSE, PLACEHOLDER_MEASURE

    path = create_school_workspace("Lincoln", "Valley NIC", tmp_path)
    with Workspace.open(path) as ws:
        facts = walkthrough_facts(ws)
        site, net = facts.site_id, facts.network_id
        fb = new_fishbone(ws, net, site, "Too many fail").created[0]
        category = fishbone_view(ws, fb).categories[0].id
        placeholder = add_cause(ws, fb, category, PLACEHOLDER_CAUSE).created[0]
        assert walkthrough_facts(ws).fishbones[0].causes == 0
        note = progress(walkthrough_facts(ws)).current.note
        assert note == "0 of 3 causes so far."
        ws.ops.update("cause", placeholder, text="Nobody notices a first F")
        assert walkthrough_facts(ws).fishbones[0].causes == 1
        measure = ws.ops.create("measure", network_id=net, site_id=site,
                                name=PLACEHOLDER_MEASURE,
                                definition="9th graders with no F this month").id
        ws.ops.create("observation", measure_id=measure, site_id=site,
                      period=dt.date(2026, 9, 1), value=0.8)
        steps = {s.key: s for s in progress(walkthrough_facts(ws)).steps}
        assert not steps["measure"].done and not steps["data"].done
        assert steps["measure"].target == measure
        ws.ops.update("measure", measure, name="On track")
        steps = {s.key: s for s in progress(walkthrough_facts(ws)).steps}
        assert steps["measure"].done and steps["data"].done


def test_the_plan_step_ticks_exactly_when_the_pdsa_page_has_nothing_to_finish(
        tmp_path: Path) -> None:
    """The same cycle, judged by the walkthrough and by the PDSA page's own rule (what
    its "Not finished yet" lists), at every stage of writing its plan."""
    from nicdesk.core.pdsa import problems
    from nicdesk.store.views.pdsa import cycle_facts

    path = create_school_workspace("Lincoln", "Valley NIC", tmp_path)
    with Workspace.open(path) as ws:
        facts = walkthrough_facts(ws)
        site, net = facts.site_id, facts.network_id
        d = new_diagram(ws, net, site, "Theory", "Aim").created[0]
        aim = next(i for i, n in driver_diagram(ws, d).nodes.items() if n.level == "aim")
        primary = add_node(ws, d, "primary", "Known by an adult", aim).created[0]
        idea = add_node(ws, d, DriverLevel.CHANGE_IDEA, "Check-ins", primary).created[0]
        [cycle] = existing_ids(ws, "pdsa_cycle", new_cycle(ws, site, node_id=idea).created)

        def agree() -> bool:
            page_todo = problems(cycle_facts(ws, cycle))
            plan = next(s for s in progress(walkthrough_facts(ws)).steps if s.key == "plan")
            assert plan.done == (not page_todo), page_todo
            assert all(t in plan.note for t in page_todo)
            return plan.done

        assert not agree()
        ws.ops.update("pdsa_cycle", cycle, objective="Do check-ins catch an F?")
        assert not agree()  # the objective alone: the page still asks for a question
        q1 = ws.ops.create("pdsa_question", cycle_id=cycle, position=0, question="Q1?").id
        assert not agree()
        ws.ops.update("pdsa_question", q1, prediction="Yes")
        assert agree()
        ws.ops.create("pdsa_question", cycle_id=cycle, position=1, question="Q2?")
        assert not agree()  # every question needs its prediction
