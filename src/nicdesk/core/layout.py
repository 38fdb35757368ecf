"""Diagram layout, pure: where each node of a driver diagram goes.

Columns by level (aim → primary → secondary → change idea), left to right.  Within a
column, nodes follow their earliest-placed parent (one left-to-right sweep: a node sits
in the block of its first parent, so a tree-shaped theory is drawn without crossings and
a shared change idea sits by the first driver it serves), ties broken by the stored
position; a diagram with a *pinned* order keeps the stored positions as they are.
Nodes are stacked top-down with a gap, never overlapping.  A node's sort key is built
from its parents' keys, not from their row numbers, so inserting a node never reorders
another column: adding a leaf moves at most the nodes below it in its own column, and
small edits never reshuffle the picture.

Sizes are in abstract units (the scene uses them as pixels, reportlab as points); text is
wrapped at `WRAP` characters per line (UI.md: about 28).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .states import DriverLevel

LEVELS: tuple[str, ...] = tuple(x.value for x in DriverLevel)  # left to right
#: a driver diagram's column headings, by column (the order of LEVELS)
COLUMN_HEADINGS: tuple[str, ...] = ("Aim", "Primary drivers", "Secondary drivers",
                                    "Change ideas")
WRAP = 28
NODE_WIDTH = 236.0
LINE_HEIGHT = 16.0
PADDING = 10.0
COLUMN_GAP = 90.0
ROW_GAP = 16.0


@dataclass(frozen=True)
class LayoutNode:
    id: str
    level: str
    text: str
    position: int = 0


@dataclass(frozen=True)
class Box:
    id: str
    x: float
    y: float
    width: float
    height: float
    column: int
    lines: tuple[str, ...]
    kind: str = "node"  # node (driver diagrams); head, category, cause (fishbones)
    depth: int = 0  # nesting of a cause under its category

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def centre_y(self) -> float:
        return self.y + self.height / 2


@dataclass
class Layout:
    boxes: dict[str, Box] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)
    # straight lines of a drawing that are not links: (x1, y1, x2, y2, kind)
    lines: list[tuple[float, float, float, float, str]] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0

    def column(self, index: int) -> list[Box]:
        return sorted((b for b in self.boxes.values() if b.column == index), key=lambda b: b.y)


@lru_cache(maxsize=16384)
def wrap(text: str, width: int = WRAP) -> tuple[str, ...]:
    """Lines of a node's text (cached: wrapping is most of a relayout's cost, and an edit
    changes one node's text at most)."""
    lines = textwrap.wrap(" ".join(text.split()), width=width, break_long_words=True)
    return tuple(lines) or ("",)


def node_height(lines: Sequence[str]) -> float:
    return len(lines) * LINE_HEIGHT + 2 * PADDING


def level_index(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS) - 1


def layout_driver(
    nodes: Iterable[LayoutNode],
    links: Iterable[tuple[str, str]],
    *,
    pinned: bool = False,
) -> Layout:
    """Place every node; `links` are (parent id, child id) pairs."""
    nodes = list(nodes)
    by_id = {n.id: n for n in nodes}
    edges = [(a, b) for a, b in links if a in by_id and b in by_id]
    parents: dict[str, list[str]] = {n.id: [] for n in nodes}
    for a, b in edges:
        parents[b].append(a)
    columns: list[list[LayoutNode]] = [[] for _ in LEVELS]
    for n in nodes:
        columns[level_index(n.level)].append(n)
    out = Layout(edges=edges)
    keys: dict[str, tuple[object, ...]] = {}
    for c, column in enumerate(columns):
        last = (float("inf"), "") * c  # no parent yet: after every node that has one

        def key(n: LayoutNode, c: int = c, last: tuple[object, ...] = last) -> tuple[object, ...]:
            if pinned:
                return (n.position, n.id)
            placed = [keys[p] for p in parents[n.id] if p in keys and len(keys[p]) == 2 * c]
            return (*(min(placed) if placed else last), n.position, n.id)

        ordered = sorted(column, key=key)
        y = 0.0
        x = c * (NODE_WIDTH + COLUMN_GAP)
        for n in ordered:
            keys[n.id] = key(n)
            lines = wrap(n.text)
            height = node_height(lines)
            out.boxes[n.id] = Box(n.id, x, y, NODE_WIDTH, height, c, lines)
            y += height + ROW_GAP
        out.height = max(out.height, y - ROW_GAP if ordered else 0.0)
    used = [c for c, column in enumerate(columns) if column]
    out.width = (max(used) + 1) * NODE_WIDTH + max(used) * COLUMN_GAP if used else 0.0
    return out


def link_problem(parent_level: str, child_level: str) -> str | None:
    """Why a link from a node at one level to another is not allowed (None if it is).
    Links go one level to the right (a change idea may serve any secondary driver; a
    primary driver may also hold change ideas directly, as many NICs draw it)."""
    a, b = level_index(parent_level), level_index(child_level)
    if b <= a:
        return ("Links go from the aim towards change ideas: a "
                f"{child_level} cannot lead to a {parent_level}.")
    if a == 0 and b > 1:
        return "The aim links to primary drivers only; link the idea to a driver instead."
    return None


def creates_cycle(links: Iterable[tuple[str, str]], parent: str, child: str) -> bool:
    """Would adding parent → child close a loop?"""
    children: dict[str, list[str]] = {}
    for a, b in links:
        children.setdefault(a, []).append(b)
    todo, seen = [child], set()
    while todo:
        node = todo.pop()
        if node == parent:
            return True
        if node in seen:
            continue
        seen.add(node)
        todo.extend(children.get(node, ()))
    return False


# ---------------------------------------------------------------- fishbone
CAUSE_WRAP = 26
CHAR_WIDTH = 7.0  # average advance of the 12-px UI font, in layout units
CAUSE_ROW_GAP = 8.0
BONE_SLOPE = 0.55  # horizontal run per unit of height along a bone
INDENT = 18.0
SLOT_GAP = 40.0
HEAD_WIDTH = 200.0


@dataclass(frozen=True)
class FishCause:
    id: str
    text: str
    parent_id: str | None = None  # None: directly on its category's bone
    position: int = 0


@dataclass(frozen=True)
class FishCategory:
    id: str
    name: str
    causes: tuple[FishCause, ...] = ()


def _label_width(lines: Sequence[str]) -> float:
    return max((len(line) for line in lines), default=1) * CHAR_WIDTH + 2 * 4


def layout_fishbone(problem: str, categories: Sequence[FishCategory],
                    head_id: str = "head") -> Layout:
    """A classic fishbone: the problem in a box at the right (the head), a horizontal
    spine, category bones alternating above and below at a slant, causes as labelled ribs
    stacked along their bone, sub-causes below their cause and indented.  Each label has
    its own row on its bone, bones sit in slots wide enough for their labels, so nothing
    overlaps; a bone grows with its causes."""
    out = Layout()
    # rows per category: depth-first over the cause tree
    rows: list[list[tuple[FishCause, int, tuple[str, ...]]]] = []
    for cat in categories:
        kids: dict[str | None, list[FishCause]] = {}
        ids = {c.id for c in cat.causes}
        for c in cat.causes:
            kids.setdefault(c.parent_id if c.parent_id in ids else None, []).append(c)
        order: list[tuple[FishCause, int, tuple[str, ...]]] = []

        def walk(parent: str | None, depth: int,
                 kids: dict[str | None, list[FishCause]] = kids,
                 order: list[tuple[FishCause, int, tuple[str, ...]]] = order) -> None:
            for c in sorted(kids.get(parent, []), key=lambda c: (c.position, c.id)):
                order.append((c, depth, wrap(c.text, CAUSE_WRAP)))
                walk(c.id, depth + 1)

        walk(None, 0)
        rows.append(order)
    # vertical extent of each bone (rows stacked outward from the spine)
    heights = [sum(len(lines) * LINE_HEIGHT + CAUSE_ROW_GAP for _c, _d, lines in r) + 20
               for r in rows]
    half = max([40.0, *heights]) + 30
    head_lines = wrap(problem, 30)
    head_h = node_height(head_lines)
    # slot widths (a slot holds one bone above and one below), right to left
    slots = (len(categories) + 1) // 2
    widths = []
    for k in range(slots):
        extent = 120.0
        for i in (2 * k, 2 * k + 1):
            if i >= len(rows):
                continue
            y = 20.0
            for _c, depth, lines in rows[i]:
                h = len(lines) * LINE_HEIGHT
                extent = max(extent, (y + h) * BONE_SLOPE + depth * INDENT
                             + _label_width(lines) + 10)
                y += h + CAUSE_ROW_GAP
            extent = max(extent, half * BONE_SLOPE + _label_width(wrap(categories[i].name, 22)))
        widths.append(extent)
    total = sum(widths) + SLOT_GAP * (slots + 1)
    label_room = max([node_height(wrap(c.name, 22)) for c in categories] or [30.0])
    spine_y = half + label_room + 10
    head_x = total
    out.boxes[head_id] = Box(head_id, head_x, spine_y - head_h / 2, HEAD_WIDTH, head_h, 0,
                             head_lines, "head")
    out.lines.append((0.0, spine_y, head_x, spine_y, "spine"))
    x_right = head_x - SLOT_GAP
    for k in range(slots):
        bone_x = x_right
        for i, side in ((2 * k, -1), (2 * k + 1, 1)):
            if i >= len(categories):
                continue
            cat = categories[i]
            tip_x = bone_x - half * BONE_SLOPE
            tip_y = spine_y + side * half
            out.lines.append((bone_x, spine_y, tip_x, tip_y, "bone"))
            name = wrap(cat.name, 22)
            w, h = _label_width(name) + 12, node_height(name)
            out.boxes[cat.id] = Box(cat.id, tip_x - w / 2, tip_y - h if side < 0 else tip_y,
                                    w, h, 1, name, "category")
            y = 20.0
            for cause, depth, lines in rows[i]:
                h = len(lines) * LINE_HEIGHT
                # the label sits on its rib, clear of the slanting bone
                rib_y = spine_y - y if side < 0 else spine_y + y + h
                right = bone_x - (y + h) * BONE_SLOPE - depth * INDENT - 4
                width = _label_width(lines)
                out.boxes[cause.id] = Box(cause.id, right - width, rib_y - h, width, h,
                                          2 + depth, lines, "cause", depth)
                rib_end = bone_x - abs(rib_y - spine_y) * BONE_SLOPE
                out.lines.append((right - width, rib_y, rib_end, rib_y, "rib"))
                y += h + CAUSE_ROW_GAP
        x_right -= widths[k] + SLOT_GAP
    out.width = head_x + HEAD_WIDTH
    out.height = 2 * spine_y
    return out
