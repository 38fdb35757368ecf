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

LEVELS: tuple[str, ...] = ("aim", "primary", "secondary", "change idea")
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
