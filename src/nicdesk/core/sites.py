"""The site hierarchy: an agency contains districts, a district contains schools.

Parent links arrive from many workspaces through bundles, so they cannot be trusted to
form a tree: a parent may be deleted or not yet received, and two concurrent edits can
make two sites each other's parent.  These rules turn whatever links there are into a
forest in which every site appears exactly once — the navigator, the site form, meeting
packets and the network views all nest or scope sites by them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SiteLink:
    """One site as the hierarchy sees it: its id, its name (for order) and its parent."""

    id: str
    name: str
    parent_id: str | None = None


def _order(site: SiteLink) -> tuple[str, str]:
    return site.name.lower(), site.id


def effective_parents(sites: Iterable[SiteLink]) -> dict[str, str | None]:
    """Each site's parent in the displayed tree.

    A parent that is missing (deleted, not yet received) or the site itself makes the
    site a top-level one.  On a cycle of parent links, the member that sorts first by
    name (then id) is lifted to the top, so the rest of the cycle hangs under it; the
    choice depends on the sites only, not on the order they were read in."""
    by_id = {s.id: s for s in sites}
    parent: dict[str, str | None] = {
        s.id: s.parent_id if s.parent_id in by_id and s.parent_id != s.id else None
        for s in by_id.values()}
    settled: set[str] = set()
    for start in sorted(by_id):
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node not in settled and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parent[node]
        if node is not None and node in on_path:  # walked into a cycle
            cycle = path[path.index(node):]
            parent[min(cycle, key=lambda i: _order(by_id[i]))] = None
        settled.update(path)
    return parent


def children_by_parent(sites: Iterable[SiteLink]) -> dict[str | None, list[str]]:
    """Every site's children in display order (by name, then id), with the top-level
    sites under the key None; every site has an entry, a leaf an empty list."""
    listed = {s.id: s for s in sites}
    parents = effective_parents(listed.values())
    children: dict[str | None, list[str]] = {None: [], **{i: [] for i in listed}}
    for site in sorted(listed.values(), key=_order):
        children[parents[site.id]].append(site.id)
    return children


def descendants(sites: Iterable[SiteLink], site_id: str) -> set[str]:
    """The site and every site reachable below it by parent links, as stored (a cycle
    included): what a site's meeting covers, and what the site form may not offer as its
    parent, since choosing one would close a loop."""
    children: dict[str | None, list[str]] = {}
    for s in sites:
        children.setdefault(s.parent_id, []).append(s.id)
    out, todo = {site_id}, [site_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def has_sub_sites(sites: Iterable[SiteLink]) -> set[str]:
    """Ids of the sites that some other site names as its parent."""
    return {s.parent_id for s in sites if s.parent_id}


def compared_sites(sites: Iterable[SiteLink], with_data: Collection[str] = ()) -> list[str]:
    """The sites the network views compare, by name (then id): those without sub-sites
    (schools, regional centres), plus any other site holding data of the measure."""
    listed = list(sites)
    parents = has_sub_sites(listed)
    keep = set(with_data)
    chosen = [s for s in listed if s.id not in parents or s.id in keep]
    return [s.id for s in sorted(chosen, key=_order)]
