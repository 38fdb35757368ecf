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
