"""PDSA operations: next cycle carries the plan forward, ramp order, the list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from nicdesk.store.ops import pdsa as ops
from nicdesk.store.schema import PdsaCycle, PdsaMeasure, PdsaQuestion


def test_start_next_cycle_carries_idea_questions_notes_and_measures(workspace, network) -> None:
    ws = workspace
    site = ws.ops.create("site", network_id=network, name="S").id
    idea = ws.ops.create("change_idea", network_id=network, title="Calls home").id
    measure = ws.ops.create("measure", network_id=network, name="M").id
    c1 = ws.ops.create("pdsa_cycle", site_id=site, change_idea_id=idea,
                       title="Calls home, cycle 1", decision="adapt",
                       act_next="Try with three teachers").id
    ws.ops.create("pdsa_question", cycle_id=c1, question="Answered?", result="yes")
    ws.ops.create("pdsa_question", cycle_id=c1, question="Still open?")
    ws.ops.create("pdsa_measure", cycle_id=c1, measure_id=measure)
    changes = ops.start_next_cycle(ws, c1)
    with ws.read() as s:
        c2 = next(c for c in s.query(PdsaCycle) if c.id != c1 and c.id in changes.created)
        first = s.get(PdsaCycle, c1)
        assert c2.ramp_id == first.ramp_id is not None
        assert (c2.cycle_number, c2.title, c2.change_idea_id) == (2, "Calls home, cycle 2", idea)
        assert "Try with three teachers" in c2.objective and "adapt" in c2.objective
        assert [q.question for q in s.query(PdsaQuestion).filter_by(cycle_id=c2.id)] == [
            "Still open?"]
        assert s.query(PdsaMeasure).filter_by(cycle_id=c2.id).one().measure_id == measure
    ws.ops.undo()
    with ws.read() as s:
        assert s.get(PdsaCycle, c2.id).deleted


def test_ramp_reorder_with_undo(demo_copy: Path) -> None:
    from nicdesk.store.workspace import Workspace

    with Workspace.open(demo_copy) as ws:
        with ws.read() as s:
            ramp = s.query(PdsaCycle).filter_by(title="Advisory check-ins, cycle 3").first().ramp_id
            cycles = s.query(PdsaCycle).filter_by(ramp_id=ramp).order_by(
                PdsaCycle.cycle_number).all()
        first, second = cycles[0].id, cycles[1].id
        ops.move_in_ramp(ws, second, -1)
        with ws.read() as s:
            assert (s.get(PdsaCycle, second).cycle_number, s.get(PdsaCycle, first).cycle_number) \
                == (1, 2)
        assert ops.move_in_ramp(ws, first, 5) is None
        ws.ops.undo()
        with ws.read() as s:
            assert s.get(PdsaCycle, first).cycle_number == 1


def test_list_stages_filters_and_overdue(workspace, network) -> None:
    ws = workspace
    site = ws.ops.create("site", network_id=network, name="S").id
    ws.ops.create("pdsa_cycle", site_id=site, title="Late", start_date="2026-01-05",
                  end_date="2026-01-19")
    ws.ops.create("pdsa_cycle", site_id=site, title="Done", decision="adopt", act_next="ok")
    with ws.read() as s:
        rows = {r.title: r for r in ops.cycle_rows(s, site_id=site, today=dt.date(2026, 3, 1))}
        assert rows["Late"].overdue and rows["Late"].stage == "doing"
        assert rows["Done"].stage == "done" and not rows["Done"].overdue
        assert rows["Late"].incomplete == 2  # no change idea, no question
        assert len(ops.cycle_rows(s, network_id=network)) == 2


def test_pdsa_summary_pdf(demo_file: Path, tmp_path: Path, capsys) -> None:
    from nicdesk.cli.parser import main

    out = tmp_path / "cycle.pdf"
    assert main(["pdsa", str(demo_file), "Advisory check-ins, cycle 2", "--site", "Lincoln",
                 "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF") and out.stat().st_size > 1500
    assert main(["pdsa", str(demo_file)]) == 0
    assert "Lincoln High School\tAdvisory check-ins, cycle 3\tdone\tadopt" in capsys.readouterr().out


def test_attach_to_another_ramp_with_undo(workspace, network) -> None:
    ws = workspace
    site = ws.ops.create("site", network_id=network, name="S").id
    idea = ws.ops.create("change_idea", network_id=network, title="Calls home").id
    ramp = ws.ops.create("pdsa_ramp", site_id=site, change_idea_id=idea, title="Calls").id
    ws.ops.create("pdsa_cycle", site_id=site, ramp_id=ramp, title="c1", cycle_number=1)
    loose = ws.ops.create("pdsa_cycle", site_id=site, title="loose").id
    ops.attach_to_ramp(ws, loose, ramp)
    with ws.read() as s:
        c = s.get(PdsaCycle, loose)
        assert (c.ramp_id, c.cycle_number, c.change_idea_id) == (ramp, 2, idea)
    ws.ops.undo()
    with ws.read() as s:
        assert s.get(PdsaCycle, loose).ramp_id is None


def test_new_cycle_on_a_change_idea_or_its_node(workspace, network) -> None:
    """Issue 19.4: a cycle started from a change idea (or its node, even a site's adopted
    copy of a network node) tests that idea and is named after it."""
    import pytest

    from nicdesk.store.errors import InvalidChangeError
    from nicdesk.store.ops import diagrams as dops
    from nicdesk.store.schema import ChangeIdea

    ws = workspace
    site = ws.ops.create("site", network_id=network, name="Lincoln").id
    did = dops.new_diagram(ws, network, None, "Theory", "Aim").created[0]
    with ws.read() as s:
        aim = next(iter(dops.load_diagram(s, did).nodes))
    p = dops.add_node(ws, did, "primary", "Driver", aim).created[0]
    sec = dops.add_node(ws, did, "secondary", "Sec", p).created[0]
    made = dops.add_node(ws, did, "change idea", "Calls home", sec).created
    with ws.read() as s:
        idea = s.query(ChangeIdea).filter(ChangeIdea.id.in_(made)).one()
        node = idea.node_id

    def cycle(result) -> PdsaCycle:
        with ws.read() as s:
            return next(c for i in result.created if (c := s.get(PdsaCycle, i)) is not None)

    first = cycle(ops.new_cycle(ws, site, node_id=node))
    assert (first.site_id, first.change_idea_id, first.title, first.cycle_number) == (
        site, idea.id, "Calls home, cycle 1", 1)
    second = cycle(ops.new_cycle(ws, site, change_idea_id=idea.id))
    assert second.title == "Calls home, cycle 2"
    # the site's adopted copy of the node stands for the network's idea
    copy = dops.adopt(ws, did, site).created[0]
    with ws.read() as s:
        copied = next(n.id for n in dops.load_diagram(s, copy).nodes.values()
                      if n.source_node_id == node)
    assert cycle(ops.new_cycle(ws, site, node_id=copied)).change_idea_id == idea.id
    # a driver is no change idea; a plain cycle tests none yet
    with pytest.raises(InvalidChangeError, match="change idea"):
        ops.new_cycle(ws, site, node_id=sec)
    plain = cycle(ops.new_cycle(ws, site))
    assert (plain.title, plain.change_idea_id) == ("New PDSA cycle", None)
    ws.ops.undo()
    with ws.read() as s:
        assert s.get(PdsaCycle, plain.id).deleted
