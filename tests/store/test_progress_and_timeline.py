"""Progress scores and milestones through the real operations and views: the step
chart's data per site, the score's validation (a refused score leaves the workspace as
it was), the network's own row, "Add the usual milestones" (once, one undo step)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nicdesk.core.milestones import Standing
from nicdesk.services.workspaces import named_records
from nicdesk.store.errors import InvalidChangeError
from nicdesk.store.ops.milestones import add_usual_milestones, planned_usual
from nicdesk.store.schema import Milestone, ProgressScore
from nicdesk.store.views.milestones import read_milestones
from nicdesk.store.views.progress import NETWORK_ROW, read_progress
from nicdesk.store.workspace import Workspace

D = dt.date


def _count(ws: Workspace, model: type) -> int:
    with ws.read() as s:
        return s.query(model).filter_by(deleted=False).count()


def test_demo_scores_give_each_school_a_rising_or_flat_step_chart(demo_file: Path) -> None:
    with Workspace.open(demo_file) as ws:
        net = next(n for n in named_records(ws, "network") if n.name.startswith("Great"))
        board = read_progress(ws, net.id)
    assert board.rows[0].name == NETWORK_ROW and board.rows[0].site_id is None
    lincoln = next(r for r in board.rows if r.name == "Lincoln High School")
    edges, values = lincoln.steps(D(2026, 6, 30))
    assert values[0] == 1.0 and values[-1] == 4.5 and values == sorted(values)
    assert edges[0] == D(2024, 9, 16) and edges[-1] == D(2026, 6, 30)
    assert len(edges) == len(values) + 1
    pine = next(r for r in board.rows if r.name == "Pine Valley High School")
    assert pine.latest is not None and pine.latest.score == "2.5"
    assert {r.name for r in board.sites} >= {"Eastside High School", "Cedar Creek "
                                             "Junior-Senior High", "Harbor Early College"}
    assert "Lakeshore ISD" not in {r.name for r in board.rows}  # never scored, has sub-sites


def test_a_window_keeps_the_score_standing_at_its_start(demo_file: Path) -> None:
    with Workspace.open(demo_file) as ws:
        net = next(n for n in named_records(ws, "network") if n.name.startswith("Great"))
        board = read_progress(ws, net.id, D(2025, 2, 1), D(2025, 6, 30))
    lincoln = next(r for r in board.rows if r.name == "Lincoln High School")
    assert [(e.date, e.score) for e in lincoln.entries] == [
        (D(2025, 1, 20), "2.0"), (D(2025, 3, 17), "2.5"), (D(2025, 5, 19), "3.5")]
    assert lincoln.change(D(2025, 2, 1), D(2025, 6, 30)) == "from 2.0 to 3.5 (Improvement)"


def test_score_validation_refuses_off_scale_and_leaves_nothing(workspace: Workspace,
                                                               network: str) -> None:
    site = workspace.ops.create("site", network_id=network, name="Lincoln",
                                kind="school").id
    workspace.ops.create("progress_score", network_id=network, site_id=site, score="2.5",
                         date=D(2025, 1, 1), note="testing")
    for bad in ({"score": "2.7"}, {"score": ""}, {"score": "6.0"}):
        with pytest.raises(InvalidChangeError) as err:
            workspace.ops.create("progress_score", network_id=network, site_id=site,
                                 date=D(2025, 2, 1), **bad)
        assert "score" in str(err.value).lower()
    with pytest.raises(InvalidChangeError):
        workspace.ops.create("progress_score", network_id=network, site_id=site,
                             score="3.0")  # no date
    assert _count(workspace, ProgressScore) == 1
    board = read_progress(workspace, network)
    assert [e.score for r in board.rows for e in r.entries] == ["2.5"]
    workspace.ops.create("progress_score", network_id=network, score="1.0",
                         date=D(2025, 1, 1))
    board = read_progress(workspace, network)
    assert [e.score for e in board.network.entries] == ["1.0"]


def test_usual_milestones_are_added_once_as_one_undo_step(workspace: Workspace,
                                                          network: str) -> None:
    workspace.ops.create("milestone", network_id=network, title="Our charter",
                         kind="charter agreed", planned=D(2025, 8, 10), done=D(2025, 8, 12))
    todo = planned_usual(workspace, network, D(2025, 8, 1))
    assert "charter agreed" not in [k for k, _, _ in todo] and len(todo) == 5
    changes = add_usual_milestones(workspace, network, D(2025, 8, 1), responsible="Hub")
    assert changes is not None and len(changes.created) == 5
    rows = read_milestones(workspace, network, today=D(2025, 8, 20))
    assert len(rows) == 6
    assert rows[0].title == "Our charter" and rows[0].standing == Standing.DONE
    assert all(r.responsible == "Hub" and r.standing == Standing.PLANNED for r in rows[1:])
    assert add_usual_milestones(workspace, network, D(2025, 8, 1)) is None  # nothing twice
    workspace.ops.undo()
    assert _count(workspace, Milestone) == 1


def test_milestone_with_bad_kind_is_refused(workspace: Workspace, network: str) -> None:
    with pytest.raises(InvalidChangeError):
        workspace.ops.create("milestone", network_id=network, title="Party", kind="party")
    with pytest.raises(InvalidChangeError):
        workspace.ops.create("milestone", network_id=network, kind="other")  # no title
    assert _count(workspace, Milestone) == 0
