"""Fishbone operations: nesting, moves, whys, driver links, drafting a theory."""

from __future__ import annotations

import pytest

from nicdesk.store.errors import InvalidChangeError
from nicdesk.store.ops import fishbones as ops
from nicdesk.store.ops.diagrams import add_node, load_diagram, new_diagram


@pytest.fixture
def fish(workspace, network):
    fid = ops.new_fishbone(workspace, network, None, "Too many 9th graders fail").created[0]
    return workspace, network, fid


def data(ws, fid):
    with ws.read() as s:
        return ops.load_fishbone(s, fid)


def test_default_categories_nesting_and_labels(fish) -> None:
    ws, _net, fid = fish
    d = data(ws, fid)
    assert [c.name for c in d.categories][:2] == ["Students", "Teachers & Instruction"]
    students = d.categories[0].id
    top = ops.add_cause(ws, fid, students, "Do not ask for help").created[0]
    sub = ops.add_cause(ws, fid, students, "No adult knows them", top).created[0]
    ws.ops.update("cause", top, votes=4, is_root=True, evidence_kind="empathy interview")
    d = data(ws, fid)
    assert d.children(students) == [top] and d.children(top) == [sub]
    assert " ".join(d.layout.boxes[top].lines).endswith("●4 [I] ROOT")
    with pytest.raises(InvalidChangeError, match="needs some words"):
        ops.add_cause(ws, fid, students, "  ")
    with pytest.raises(InvalidChangeError):
        ws.ops.update("cause", top, evidence_kind="rumour")


def test_move_whys_link_and_draft(fish, network) -> None:
    ws, net, fid = fish
    d = data(ws, fid)
    students, teachers = d.categories[0].id, d.categories[1].id
    top = ops.add_cause(ws, fid, students, "Grades reviewed too late").created[0]
    sub = ops.add_cause(ws, fid, students, "No team time", top).created[0]
    ops.move_cause(ws, top, teachers)
    d = data(ws, fid)
    assert d.causes[top].category_id == teachers == d.causes[sub].category_id
    ops.set_whys(ws, top, ["Report comes monthly", "", " Nobody owns it "])
    assert data(ws, fid).causes[top].whys == ["Report comes monthly", "Nobody owns it"]
    dd = new_diagram(ws, net, None, "Theory", "Aim").created[0]
    with ws.read() as s:
        aim = next(iter(load_diagram(s, dd).nodes))
    primary = add_node(ws, dd, "primary", "Early warning data", aim).created[0]
    ops.link_driver(ws, top, primary)
    with pytest.raises(InvalidChangeError, match="already linked"):
        ops.link_driver(ws, top, primary)
    with pytest.raises(InvalidChangeError, match="primary or secondary"):
        ops.link_driver(ws, top, aim)
    assert data(ws, fid).driver_links[top] == ["Early warning data"]
    with ws.read() as s:
        assert [c.text for c in ops.causes_for_node(s, primary)] == ["Grades reviewed too late"]

    with pytest.raises(InvalidChangeError, match="Flag at least one root cause"):
        ops.draft_driver_diagram(ws, fid)
    ws.ops.update("cause", top, is_root=True)
    draft = ops.draft_driver_diagram(ws, fid).created[0]
    with ws.read() as s:
        theory = load_diagram(s, draft)
    levels = sorted((n.level, n.text) for n in theory.nodes.values())
    assert ("primary", "Teachers & Instruction") in levels
    assert ("secondary", "Grades reviewed too late") in levels
    assert len(data(ws, fid).driver_links[top]) == 2
    ws.ops.undo()
    with ws.read() as s:
        assert load_diagram(s, draft).diagram.deleted


def test_draft_uses_the_aim_already_written(workspace, network) -> None:
    """Issue 19.7: the drafted theory's aim is the aim the team wrote (the site's own
    before the network's), not "Aim (to be made measurable): …"."""
    ws, net = workspace, network
    site = ws.ops.create("site", network_id=net, name="Lincoln High").id
    fid = ops.new_fishbone(ws, net, site, "Too many 9th graders fail").created[0]
    students = data(ws, fid).categories[0].id
    cause = ops.add_cause(ws, fid, students, "Grades reviewed too late").created[0]
    ws.ops.update("cause", cause, is_root=True)

    def aim_of(draft: str) -> tuple[str, str | None]:
        with ws.read() as s:
            theory = load_diagram(s, draft)
        return (next(n.text for n in theory.nodes.values() if n.level == "aim"),
                theory.diagram.aim_id)

    # nothing written yet (a new aim's "By June 2027, …" is not an aim): the problem
    ws.ops.create("aim", network_id=net, site_id=site, statement="By June 2027, …")
    text, aim_id = aim_of(ops.draft_driver_diagram(ws, fid).created[0])
    assert text.startswith("Aim (to be made measurable)") and aim_id is None
    # the network's aim, when the site has none of its own
    network_aim = ws.ops.create("aim", network_id=net, statement="By 2027, 85 % of 9th "
                                "graders on track across the network").id
    assert aim_of(ops.draft_driver_diagram(ws, fid).created[0]) == (
        "By 2027, 85 % of 9th graders on track across the network", network_aim)
    # the site's own aim wins
    site_aim = ws.ops.create("aim", network_id=net, site_id=site,
                             statement="By June 2027,  90 % of Lincoln 9th graders on track").id
    assert aim_of(ops.draft_driver_diagram(ws, fid).created[0]) == (
        "By June 2027, 90 % of Lincoln 9th graders on track", site_aim)
