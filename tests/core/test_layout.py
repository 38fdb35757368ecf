"""Layout properties: no overlaps, edges go right, small edits stay small."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nicdesk.core.layout import (
    LEVELS,
    LayoutNode,
    creates_cycle,
    layout_driver,
    link_problem,
    wrap,
)


@st.composite
def diagrams(draw):
    count = draw(st.integers(1, 40))
    nodes = [LayoutNode("n0", "aim", "Aim")]
    for i in range(1, count):
        level = draw(st.sampled_from(LEVELS[1:]))
        text = draw(st.text(alphabet="abc defgh", min_size=1, max_size=90))
        nodes.append(LayoutNode(f"n{i}", level, text, draw(st.integers(0, 5))))
    links = []
    for n in nodes[1:]:
        lvl = LEVELS.index(n.level)
        candidates = [p.id for p in nodes if LEVELS.index(p.level) == lvl - 1]
        for p in draw(st.lists(st.sampled_from(candidates), max_size=2, unique=True)
                      if candidates else st.just([])):
            links.append((p, n.id))
    return nodes, links


def overlaps(a, b) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


@given(diagrams(), st.booleans())
def test_no_overlaps_and_edges_go_right(d, pinned) -> None:
    nodes, links = d
    lay = layout_driver(nodes, links, pinned=pinned)
    boxes = list(lay.boxes.values())
    assert len(boxes) == len(nodes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not overlaps(a, b)
    for parent, child in lay.edges:
        assert lay.boxes[child].column >= lay.boxes[parent].column + 1
        assert lay.boxes[child].x > lay.boxes[parent].right


@settings(max_examples=80)
@given(diagrams(), st.data())
def test_adding_a_leaf_moves_at_most_later_nodes_of_its_column(d, data) -> None:
    nodes, links = d
    before = layout_driver(nodes, links)
    level = data.draw(st.sampled_from(LEVELS[1:]))
    parents = [n.id for n in nodes if LEVELS.index(n.level) == LEVELS.index(level) - 1]
    leaf = LayoutNode("leaf", level, data.draw(st.text(alphabet="xyz ", min_size=1,
                                                        max_size=60)), 3)
    extra = [(data.draw(st.sampled_from(parents)), "leaf")] if parents else []
    after = layout_driver([*nodes, leaf], links + extra)
    new = after.boxes["leaf"]
    for node_id, old in before.boxes.items():
        moved = after.boxes[node_id]
        if (moved.x, moved.y) != (old.x, old.y):
            assert moved.column == new.column and old.y >= new.y


def test_wrap_at_28_characters() -> None:
    lines = wrap("Grade-level teams review grades every two weeks and assign a follow-up adult")
    assert all(len(line) <= 28 for line in lines) and len(lines) == 3


def test_link_rules() -> None:
    assert link_problem("secondary", "change idea") is None
    assert link_problem("primary", "change idea") is None
    assert "cannot lead" in link_problem("change idea", "aim")
    assert "primary drivers only" in link_problem("aim", "change idea")
    assert creates_cycle([("a", "b"), ("b", "c")], "c", "a")
    assert not creates_cycle([("a", "b")], "a", "c")


@st.composite
def fishbones(draw):
    from nicdesk.core.layout import FishCategory, FishCause

    cats = []
    for i in range(draw(st.integers(1, 7))):
        causes: list[FishCause] = []
        for j in range(draw(st.integers(0, 8))):
            parent = draw(st.sampled_from([None] + [c.id for c in causes])) if causes else None
            causes.append(FishCause(f"c{i}-{j}", draw(st.text(alphabet="abc de", min_size=1,
                                                                 max_size=70)), parent, j))
        cats.append(FishCategory(f"k{i}", f"Category {i}", tuple(causes)))
    return cats


@given(fishbones())
def test_fishbone_labels_never_overlap_and_stay_on_their_side(cats) -> None:
    from nicdesk.core.layout import layout_fishbone

    lay = layout_fishbone("Too many 9th graders fail a course", cats)
    boxes = list(lay.boxes.values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not overlaps(a, b), (a, b)
    spine = next(y1 for _x1, y1, _x2, _y2, kind in lay.lines if kind == "spine")
    for cat in cats:
        side = lay.boxes[cat.id].centre_y < spine
        for cause in cat.causes:
            assert (lay.boxes[cause.id].centre_y < spine) == side
            assert lay.boxes[cause.id].right <= lay.boxes["head"].x
