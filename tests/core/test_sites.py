"""Properties of the site hierarchy (`nicdesk.core.sites`): whatever parent links arrive
(missing parents, self-links, cycles from concurrent edits), the tree shows every site
exactly once, keeps every link it can, and does not depend on the order sites are read."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.sites import (
    SiteLink,
    children_by_parent,
    compared_sites,
    descendants,
    effective_parents,
)

IDS = [f"s{i}" for i in range(8)]


@st.composite
def networks(draw: st.DrawFn) -> list[SiteLink]:
    """Sites with arbitrary parent links: to real sites, to themselves, to missing ones."""
    ids = draw(st.lists(st.sampled_from(IDS), unique=True, max_size=8))
    names = st.sampled_from(["Lincoln", "lincoln", "Oak", "Pine District", "ISD"])
    parents = st.one_of(st.none(), st.sampled_from(IDS + ["gone"]))
    return [SiteLink(i, draw(names), draw(parents)) for i in ids]


def _walk(children: dict[str | None, list[str]]) -> list[str]:
    out, stack = [], list(reversed(children[None]))
    while stack:
        node = stack.pop()
        out.append(node)
        assert len(out) <= len(children), "the tree loops"
        stack.extend(reversed(children[node]))
    return out


@given(networks())
def test_every_site_appears_exactly_once(sites: list[SiteLink]) -> None:
    children = children_by_parent(sites)
    shown = _walk(children)
    assert sorted(shown) == sorted(s.id for s in sites)


@given(networks())
def test_links_are_kept_unless_broken_or_looping(sites: list[SiteLink]) -> None:
    parents = effective_parents(sites)
    ids = {s.id for s in sites}
    for s in sites:
        if parents[s.id] is not None:
            assert parents[s.id] == s.parent_id  # never invents a link
        elif s.parent_id in ids and s.parent_id != s.id:
            # dropped only to break a cycle: the stored links lead back to this site
            seen, node = set(), s.parent_id
            while node is not None and node not in seen:
                seen.add(node)
                node = next(x.parent_id for x in sites if x.id == node)
                node = node if node in ids else None
            assert s.id in seen


@given(networks(), st.randoms())
def test_the_tree_does_not_depend_on_read_order(sites: list[SiteLink],
                                                rnd: random.Random) -> None:
    shuffled = list(sites)
    rnd.shuffle(shuffled)
    assert children_by_parent(shuffled) == children_by_parent(sites)


@given(st.integers(1, 8))
def test_a_ring_of_parents_becomes_one_branch(n: int) -> None:
    ring = [SiteLink(f"s{i}", f"Site {i}", f"s{(i + 1) % n}") for i in range(n)]
    children = children_by_parent(ring)
    assert children[None] == ["s0"]  # the first by name is lifted to the top
    assert len(_walk(children)) == n


@given(networks(), st.sampled_from(IDS))
def test_descendants_are_closed_under_children(sites: list[SiteLink], site: str) -> None:
    below = descendants(sites, site)
    assert site in below
    for s in sites:
        if s.parent_id in below:
            assert s.id in below  # nothing below is missed, even on a cycle


def test_a_district_meeting_covers_its_schools() -> None:
    sites = [SiteLink("isd", "ISD"), SiteLink("d", "District", "isd"),
             SiteLink("a", "School A", "d"), SiteLink("b", "School B", "d"),
             SiteLink("x", "Elsewhere")]
    assert descendants(sites, "d") == {"d", "a", "b"}
    assert children_by_parent(sites) == {None: ["x", "isd"], "isd": ["d"], "d": ["a", "b"],
                                         "a": [], "b": [], "x": []}


@given(networks(), st.lists(st.sampled_from(IDS), max_size=3))
def test_compared_sites_are_the_leaves_plus_those_with_data(sites: list[SiteLink],
                                                            data: list[str]) -> None:
    chosen = compared_sites(sites, data)
    parents = {s.parent_id for s in sites}
    assert len(chosen) == len(set(chosen))
    assert set(chosen) == {s.id for s in sites if s.id not in parents or s.id in data}
    names = {s.id: s.name.lower() for s in sites}
    assert [names[i] for i in chosen] == sorted(names[i] for i in chosen)
