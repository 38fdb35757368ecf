"""Driver-diagram operations: rules, adoption with provenance, order pinning, deletion."""

from __future__ import annotations

from pathlib import Path

import pytest

from nicdesk.store.errors import InvalidChangeError
from nicdesk.store.ops import diagrams as ops
from nicdesk.store.schema import ChangeIdea, PdsaCycle


@pytest.fixture
def diagram(workspace, network):
    did = ops.new_diagram(workspace, network, None, "Theory", "Aim text").created[0]
    with workspace.read() as s:
        aim = next(iter(ops.load_diagram(s, did).nodes))
    return workspace, did, aim


def nodes(ws, did):
    with ws.read() as s:
        return ops.load_diagram(s, did)


def test_levels_links_and_cycles_are_checked(diagram) -> None:
    ws, did, aim = diagram
    p = ops.add_node(ws, did, "primary", "Driver", aim).created[0]
    s1 = ops.add_node(ws, did, "secondary", "Sec", p).created[0]
    idea = next(i for i in ops.add_node(ws, did, "change idea", "Idea", s1).created
                if i in nodes(ws, did).nodes)
    with pytest.raises(InvalidChangeError, match="primary drivers only"):
        ops.link(ws, did, aim, idea)
    with pytest.raises(InvalidChangeError, match="cannot lead"):
        ops.link(ws, did, idea, s1)
    with pytest.raises(InvalidChangeError, match="already linked"):
        ops.link(ws, did, s1, idea)
    with pytest.raises(InvalidChangeError, match="needs some text"):
        ops.add_node(ws, did, "primary", "   ", aim)
    s2 = ops.add_node(ws, did, "secondary", "Sec 2", p).created[0]
    ops.link(ws, did, s2, idea)  # many-to-many
    assert sorted(nodes(ws, did).parents(idea)) == sorted([s1, s2])
    # each change-idea node is a change idea PDSA cycles can test
    with ws.read() as s:
        assert s.query(ChangeIdea).filter_by(node_id=idea).one().title == "Idea"


def test_delete_keeps_shared_children_and_pdsa_cycles(diagram, network) -> None:
    ws, did, aim = diagram
    p1 = ops.add_node(ws, did, "primary", "P1", aim).created[0]
    p2 = ops.add_node(ws, did, "primary", "P2", aim).created[0]
    shared = ops.add_node(ws, did, "secondary", "Shared", p1).created[0]
    ops.link(ws, did, p2, shared)
    only = ops.add_node(ws, did, "secondary", "Only P1", p1).created[0]
    site = ws.ops.create("site", network_id=network, name="S").id
    with ws.read() as s:
        data = ops.load_diagram(s, did)
    idea_node = [i for i in ops.add_node(ws, did, "change idea", "Idea", only).created
                 if i in nodes(ws, did).nodes][0]
    with ws.read() as s:
        idea = s.query(ChangeIdea).filter_by(node_id=idea_node).one().id
    ws.ops.create("pdsa_cycle", site_id=site, change_idea_id=idea, title="Cycle 1")
    with ws.read() as s:
        data = ops.load_diagram(s, did)
        assert ops.impact(s, data, p1) == (2, 1)  # "Only P1" and its idea; one cycle
    ops.delete_node(ws, did, p1)
    left = nodes(ws, did)
    assert {n.text for n in left.nodes.values()} == {"Aim text", "P2", "Shared"}
    with ws.read() as s:
        assert not s.query(PdsaCycle).one().deleted  # the cycle is kept
    ws.ops.undo()
    assert len(nodes(ws, did).nodes) == 6


def test_move_pins_the_order(diagram) -> None:
    ws, did, aim = diagram
    a = ops.add_node(ws, did, "primary", "A", aim).created[0]
    b = ops.add_node(ws, did, "primary", "B", aim).created[0]
    data = nodes(ws, did)
    assert [x.id for x in data.layout.column(1)] == [a, b]
    ops.move(ws, data, b, -1)
    data = nodes(ws, did)
    assert data.diagram.order_pinned
    assert [x.id for x in data.layout.column(1)] == [b, a]


def test_adopt_keeps_provenance(diagram, network) -> None:
    ws, did, aim = diagram
    ops.add_node(ws, did, "primary", "Driver", aim)
    site = ws.ops.create("site", network_id=network, name="Lincoln").id
    copy = ops.adopt(ws, did, site).created[0]
    data = nodes(ws, copy)
    original = nodes(ws, did)
    assert data.diagram.adopted_from_id == did and data.diagram.site_id == site
    assert {n.source_node_id for n in data.nodes.values()} == set(original.nodes)
    assert len(data.links) == len(original.links)


def test_snapshot_and_diff(diagram) -> None:
    from nicdesk.core.diagram_diff import diff_versions

    ws, did, aim = diagram
    p = ops.add_node(ws, did, "primary", "Driver", aim).created[0]
    ops.save_snapshot(ws, did, "First")
    ws.ops.update("driver_node", p, text="Driver, reworded", status="testing")
    ops.add_node(ws, did, "primary", "New one", aim)
    with ws.read() as s:
        snap = ops.snapshots(s, did)[0]
        now = ops.load_diagram(s, did).version()
    diff = diff_versions(snap.content, now)
    assert diff.reworded == [p] and diff.restatused == [p] and len(diff.added) == 1
    lines = diff.describe(snap.content, now)
    assert "Added primary: New one" in lines
    with pytest.raises(InvalidChangeError):
        ops.save_snapshot(ws, did, " ")


def test_cli_lists_and_exports(demo_file: Path, tmp_path: Path, capsys) -> None:
    from nicdesk.cli.parser import main

    assert main(["diagram", str(demo_file), "--list"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.strip().splitlines()]
    assert ["driver", "network", "Theory of improvement: 9th grade on track", "13"] in rows
    assert any(r[0] == "fishbone" for r in rows)
    for suffix in ("pdf", "svg"):
        out = tmp_path / f"theory.{suffix}"
        assert main(["diagram", str(demo_file), "Theory", "--out", str(out)]) == 0
        assert out.stat().st_size > 1000
    assert out.read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "theory.pdf").read_bytes().startswith(b"%PDF")
    assert main(["diagram", str(demo_file), "Nope", "--out", str(out)]) == 2


def test_change_idea_and_its_node_are_one_name(diagram, network) -> None:
    """Issue 19.1: renaming the node renames the change idea, and the reverse, in one
    operation (one Undo); the PDSA list and the network's matrix show the new name."""
    from nicdesk.store.ops.pdsa import cycle_rows, new_cycle
    from nicdesk.store.views.evidence import change_matrix

    ws, did, aim = diagram
    site = ws.ops.create("site", network_id=network, name="Lincoln").id
    local = ops.new_diagram(ws, network, site, "Lincoln theory", "Aim").created[0]
    with ws.read() as s:
        local_aim = next(iter(ops.load_diagram(s, local).nodes))
    p = ops.add_node(ws, local, "primary", "Driver", local_aim).created[0]
    s1 = ops.add_node(ws, local, "secondary", "Sec", p).created[0]
    node = next(i for i in ops.add_node(ws, local, "change idea", "New change idea", s1).created
                if i in nodes(ws, local).nodes)

    def idea() -> ChangeIdea:
        with ws.read() as s:
            return s.query(ChangeIdea).filter_by(node_id=node).one()

    new_cycle(ws, site, node_id=node)
    ops.rename_node(ws, node, "  Advisory   check-ins ")
    assert idea().title == nodes(ws, local).nodes[node].text == "Advisory check-ins"
    with ws.read() as s:
        assert [r.change_idea for r in cycle_rows(s, site_id=site)] == ["Advisory check-ins"]
        assert [r.title for r in change_matrix(s, network).rows] == ["Advisory check-ins"]
    assert ws.ops.undo_status()[0] == "Rename change idea"
    ws.ops.undo()
    assert idea().title == nodes(ws, local).nodes[node].text == "New change idea"
    ws.ops.redo()
    ops.rename_change_idea(ws, idea().id, "Calls home")
    assert idea().title == nodes(ws, local).nodes[node].text == "Calls home"
    ws.ops.undo()
    assert idea().title == nodes(ws, local).nodes[node].text == "Advisory check-ins"
    with pytest.raises(InvalidChangeError, match="500 characters"):
        ops.rename_node(ws, node, "x" * 501)
    # other levels are renamed alone, under their own name
    ops.rename_node(ws, p, "Every student is known")
    assert ws.ops.undo_status()[0] == "Rename primary"
