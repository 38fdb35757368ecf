"""Properties of "schools like this one" (`nicdesk.core.similarity`): the set never holds
the school itself, never depends on the order schools were read in, puts an identical
school first, and does not change when every school is twice the size."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.similarity import SiteProfile, similar_sites

GROUPS = ("el", "swd", "ed")


@st.composite
def schools(draw) -> list[SiteProfile]:
    n = draw(st.integers(2, 12))
    out = []
    for i in range(n):
        total = draw(st.integers(50, 3000))
        groups = {g: draw(st.integers(0, total)) for g in GROUPS
                  if draw(st.booleans()) or i == 0}
        out.append(SiteProfile(f"s{i}", f"School {i}", total, groups))
    return out


@given(schools(), st.integers(0, 6), st.randoms())
def test_the_set_is_the_nearest_k_in_any_order(profiles, k, rnd: random.Random):
    near = similar_sites("s0", profiles, k)
    assert len(near) <= k and all(n.site_id != "s0" for n in near)
    assert [n.distance for n in near] == sorted(n.distance for n in near)
    shuffled = list(profiles)
    rnd.shuffle(shuffled)
    assert similar_sites("s0", shuffled, k) == near


@given(schools())
def test_an_identical_school_comes_first(profiles):
    twin = SiteProfile("twin", "Twin", profiles[0].students, dict(profiles[0].groups))
    near = similar_sites("s0", [*profiles, twin], 3)
    assert near and near[0].distance == 0.0
    # the twin is in the set, unless the set is all schools just as alike (ties by name)
    assert any(n.site_id == "twin" for n in near) or all(n.distance == 0.0 for n in near)


@given(schools())
def test_doubling_every_school_changes_nothing(profiles):
    doubled = [SiteProfile(p.site_id, p.name, p.students * 2,
                           {g: n * 2 for g, n in p.groups.items()}) for p in profiles]
    a = [(n.site_id, round(n.distance, 9)) for n in similar_sites("s0", profiles, 4)]
    b = [(n.site_id, round(n.distance, 9)) for n in similar_sites("s0", doubled, 4)]
    assert a == b


def test_no_enrolment_means_no_comparison_set():
    assert similar_sites("a", [SiteProfile("a", "A", None), SiteProfile("b", "B", 300)]) == []
