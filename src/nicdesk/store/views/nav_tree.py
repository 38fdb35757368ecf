"""The navigator tree built from plain rows: which networks, sites and groups show, in
which order, under which labels.

Kept apart from `queries` (SQLAlchemy) so the shell's first look at a workspace
(`store.first_look`, plain sqlite3) builds exactly the tree the open workspace builds:
both hand `build_tree` the live rows of each kind, as ORM objects or as plain tuples
with the same attribute names.  Tombstoned rows are never handed in.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...core.sites import SiteLink, children_by_parent


@dataclass
class NavNode:
    """One row of the navigator: what it shows and which record (if any) it stands for."""

    kind: str  # entity kind, or "group" / "sites"
    label: str
    id: str | None = None
    site_id: str | None = None  # the site context (a network measure seen at a site)
    network_id: str | None = None
    group: str = ""  # for kind == "group": aims, fishbones, driver_diagrams, ...
    children: list[NavNode] = field(default_factory=list)

    def walk(self, trail: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], NavNode]]:
        here = (*trail, self.label)
        yield here, self
        for child in self.children:
            yield from child.walk(here)


GROUPS = (
    ("aims", "Aims"),
    ("fishbones", "Fishbones"),
    ("driver_diagrams", "Driver diagrams"),
    ("measures", "Measures"),
    ("pdsa", "PDSA cycles"),
    ("meetings", "Meetings"),
)


@dataclass(frozen=True)
class NavRows:
    """The live rows the tree is built from (any objects with the columns as attributes;
    a meeting's `date` may be a `date` or its ISO text)."""

    networks: Sequence[Any]
    charters: Sequence[Any]
    measures: Sequence[Any]
    aims: Sequence[Any]
    fishbones: Sequence[Any]
    driver_diagrams: Sequence[Any]
    meetings: Sequence[Any]
    ramps: Sequence[Any]
    cycles: Sequence[Any]
    sites: Sequence[Any]
    observed: Mapping[str, set[str]]  # site id -> ids of measures with data there


def build_tree(rows: NavRows) -> list[NavNode]:
    """Network → Charter, network-wide groups, Sites (nested by parent) → site groups."""
    roots = []
    for net in sorted(rows.networks, key=lambda n: n.name.lower()):
        node = NavNode("network", net.name, net.id, network_id=net.id)
        node.children.append(NavNode("network_view", "Network view", network_id=net.id))
        node.children.append(NavNode("student_groups", "Student groups", network_id=net.id))
        # learning routines (issue #22): the Inbox's count is added by `views.navigator`
        node.children.append(NavNode("inbox", "Inbox", network_id=net.id))
        node.children.append(NavNode("coaching", "Coaching", network_id=net.id))
        charter = next((c for c in rows.charters if c.network_id == net.id), None)
        if charter is not None:
            node.children.append(NavNode("charter", "Charter", charter.id, network_id=net.id))
        measures = [m for m in rows.measures if m.network_id == net.id]
        content = {
            key: [r for r in getattr(rows, key) if r.network_id == net.id]
            for key in ("aims", "fishbones", "driver_diagrams", "meetings")
        }
        node.children.extend(_groups(None, net.id, content, measures, rows.ramps, rows.cycles,
                                     rows.observed, network_level=True))
        sites = [s for s in rows.sites if s.network_id == net.id]
        sites_node = NavNode("sites", "Sites", network_id=net.id)
        # nested by the hierarchy rule: every site once, missing parents and cycles mended
        by_id = {s.id: s for s in sites}
        by_parent: dict[str | None, list[Any]] = {
            parent: [by_id[i] for i in kids] for parent, kids in children_by_parent(
                SiteLink(s.id, s.name, s.parent_id) for s in sites).items()}

        groups = functools.partial(_site_groups, net_id=net.id, content=content,
                                   measures=measures, ramps=rows.ramps, cycles=rows.cycles,
                                   observed=rows.observed)
        _add_sites(sites_node, None, by_parent, groups)
        node.children.append(sites_node)
        roots.append(node)
    return roots


def _add_sites(parent_node: NavNode, parent_id: str | None,
               by_parent: dict[str | None, list[Any]], groups: Any) -> None:
    for s in sorted(by_parent[parent_id], key=lambda x: x.name.lower()):
        node = NavNode("site", s.name, s.id, site_id=s.id, network_id=s.network_id)
        node.children.extend(groups(s))
        _add_sites(node, s.id, by_parent, groups)
        parent_node.children.append(node)


def _site_groups(site: Any, **context: Any) -> list[NavNode]:
    return _groups(site.id, context.pop("net_id"), **context, school=site.kind == "school")


def _groups(site_id: str | None, net_id: str, content: dict[str, list[Any]],
            measures: Sequence[Any], ramps: Sequence[Any], cycles: Sequence[Any],
            observed: Mapping[str, set[str]], network_level: bool = False,
            school: bool = True) -> list[NavNode]:
    """The six content groups of a site (or of the network).  Empty groups are shown for
    schools and the network, where teams start work; other sites show only what they have."""
    out = []
    for key, title in GROUPS:
        group = NavNode("group", title, site_id=site_id, network_id=net_id, group=key)
        if key == "measures":
            # a site's own measures, and the network's common measures where the site is a
            # school (it collects them) or already has data
            items = [m for m in measures if m.site_id == site_id
                     or (site_id and m.site_id is None
                         and (school or m.id in observed.get(site_id, ())))]
            group.children = [NavNode("measure", m.name, m.id, site_id=site_id,
                                      network_id=net_id) for m in items]
        elif key == "pdsa":
            if network_level:  # the list page shows every site's cycles
                group.label = "PDSA cycles (all sites)"
                out.append(group)
                continue
            for ramp in sorted((r for r in ramps if r.site_id == site_id), key=lambda r: r.title):
                rnode = NavNode("pdsa_ramp", f"Ramp: {ramp.title}", ramp.id, site_id=site_id,
                                network_id=net_id)
                rnode.children = [
                    NavNode("pdsa_cycle", c.title, c.id, site_id=site_id, network_id=net_id)
                    for c in sorted(cycles, key=lambda c: c.cycle_number) if c.ramp_id == ramp.id
                ]
                group.children.append(rnode)
            group.children += [NavNode("pdsa_cycle", c.title, c.id, site_id=site_id,
                                       network_id=net_id)
                               for c in cycles if c.site_id == site_id and c.ramp_id is None]
        else:
            kind = key.rstrip("s") if key != "driver_diagrams" else "driver_diagram"
            label_of = {"aims": "statement", "fishbones": "title", "driver_diagrams": "name",
                        "meetings": "title"}[key]
            for rec in content[key]:
                if rec.site_id == site_id:
                    label = getattr(rec, label_of) or getattr(rec, "problem", "") or "(untitled)"
                    if key == "meetings" and rec.date:
                        day = rec.date if isinstance(rec.date, str) else rec.date.isoformat()
                        label = f"{day} {label}"
                    group.children.append(NavNode(kind, _short(label), rec.id, site_id=site_id,
                                                  network_id=net_id))
        if not group.children and not school:
            continue
        group.label = f"{title} ({len(group.children)})"
        out.append(group)
    return out


#: workspace meta key: each network's Inbox count as last shown, so the shell's first
#: look labels "Inbox (3)" exactly as the open workspace will (issue #22)
INBOX_COUNTS = "inbox_counts"


def remembered_inbox_counts(meta: Mapping[str, str]) -> dict[str, int]:
    """Network id -> the Inbox count last shown (nothing when never shown, or unreadable)."""
    import json

    try:
        value = json.loads(meta.get(INBOX_COUNTS) or "{}")
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, int)
            and not isinstance(v, bool)}


def label_inboxes(roots: list[NavNode], counts: Mapping[str, int]) -> None:
    """"Inbox (3)": each network's Inbox item with what waits in it."""
    for root in roots:
        for child in root.children:
            if child.kind == "inbox":
                count = counts.get(child.network_id or "", 0)
                child.label = f"Inbox ({count})" if count > 0 else "Inbox"


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def find_path(roots: list[NavNode], path: str) -> NavNode | None:
    """The first node (depth first) whose label trail ends with the given '/'-separated
    segments; counts such as ' (3)' are ignored, matching is case-insensitive."""
    want = [seg.strip().lower() for seg in path.strip("/").split("/") if seg.strip()]
    if not want:
        return None

    def clean(label: str) -> str:
        head, _, tail = label.rpartition(" (")
        return (head if head and tail.rstrip(")").isdigit() else label).lower()

    for root in roots:
        for trail, node in root.walk():
            labels = [clean(x) for x in trail]
            if len(labels) >= len(want) and all(
                a == b or a.startswith(b) for a, b in zip(labels[-len(want):], want, strict=True)
            ):
                return node
    return None
