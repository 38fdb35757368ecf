"""Diagram layout benchmark (issue: driver diagram).  Not a test: run with `make bench`.

Layout of a 500-node driver diagram, and add-one-node-then-relayout (what every edit
costs), against a plain Python sort of the same nodes as the baseline.
Target: add-and-relayout under 16 ms (one frame).
"""

from __future__ import annotations

import random

from timing import timed as _timed

from nicdesk.core.layout import LayoutNode, layout_driver

REPEATS = 15


def timed(fn) -> float:
    return _timed(fn, REPEATS)


def diagram(n: int, rng: random.Random) -> tuple[list[LayoutNode], list[tuple[str, str]]]:
    nodes = [LayoutNode("aim", "aim", "Aim: 85 % of 9th graders on track by June 2027")]
    links = []
    counts = {"primary": 12, "secondary": 90}
    counts["change idea"] = n - 1 - counts["primary"] - counts["secondary"]
    previous = ["aim"]
    for level, count in counts.items():
        ids = []
        for i in range(count):
            nid = f"{level}-{i}"
            nodes.append(LayoutNode(nid, level, f"{level} number {i}: a sentence long enough "
                                    "to wrap onto two or three lines", i))
            for parent in rng.sample(previous, k=min(len(previous), rng.choice([1, 1, 2]))):
                links.append((parent, nid))
            ids.append(nid)
        previous = ids
    return nodes, links


def main() -> None:
    rng = random.Random(3)
    nodes, links = diagram(500, rng)
    base = timed(lambda: sorted(nodes, key=lambda n: (n.level, n.position, n.id)))
    full = timed(lambda: layout_driver(nodes, links))
    extra = LayoutNode("new", "change idea", "A new change idea typed by the team", 999)
    add = timed(lambda: layout_driver([*nodes, extra], [*links, ("secondary-5", "new")]))
    print(f"sorted() of 500 nodes:           {base * 1000:7.2f} ms (baseline)")
    print(f"layout of 500 nodes:             {full * 1000:7.2f} ms  ratio {full / base:.1f}x")
    print(f"add one node and relayout:       {add * 1000:7.2f} ms  ratio {add / base:.1f}x  "
          "target < 16 ms")


if __name__ == "__main__":
    main()
