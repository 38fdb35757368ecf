"""The next initiative's plan (core.initiative): structure copied, data and keys left,
references kept inside the plan, parents planned before what names them."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.initiative import Planned, Ref, plan_from_network, plan_problems

NET = {"id": "n1", "name": "Old NIC", "description": "d", "suppression_threshold": 7,
       "rule_set": "Anhøj", "coordinator_public_key": "untrusted comment: old key",
       "common_aim": "Raise on-track to 85 %"}


def _records() -> dict[str, list[dict]]:
    return {
        "site": [
            {"id": "s2", "network_id": "n1", "parent_id": "s1", "name": "Lincoln",
             "kind": "school", "public_keys": ["untrusted comment: lincoln"],
             "context_tags": {"grades": "9-12"}, "private_notes": "secret"},
            {"id": "s1", "network_id": "n1", "parent_id": None, "name": "District",
             "kind": "district", "public_keys": [], "context_tags": {}, "private_notes": ""},
        ],
        "member": [{"id": "m1", "site_id": "s2", "name": "Ana", "role": "principal",
                    "responsibilities": "", "email": "a@x.org", "norms_accepted": True}],
        "measure": [
            {"id": "me1", "network_id": "n1", "site_id": None, "name": "On track",
             "kind": "outcome", "value_type": "proportion", "chart_kind": "p"},
            # a measure of a site not copied (removed): left out, never dangling
            {"id": "me2", "network_id": "n1", "site_id": "gone", "name": "Old",
             "kind": "process"},
        ],
        "driver_diagram": [
            {"id": "d2", "network_id": "n1", "site_id": "s2", "name": "Lincoln's",
             "adopted_from_id": "d1", "order_pinned": False},
            {"id": "d1", "network_id": "n1", "site_id": None, "name": "Network's",
             "adopted_from_id": None, "order_pinned": True},
        ],
        "driver_node": [
            {"id": "x2", "diagram_id": "d2", "level": "primary", "text": "Adopted",
             "status": "evidence of improvement", "position": 0, "source_node_id": "x1"},
            {"id": "x1", "diagram_id": "d1", "level": "primary", "text": "Mentoring",
             "status": "testing", "position": 0, "source_node_id": None},
        ],
        "node_measure": [{"id": "nm1", "node_id": "x1", "measure_id": "me1"},
                         {"id": "nm2", "node_id": "x1", "measure_id": "me2"}],
    }


def test_structure_is_copied_and_data_keys_and_states_are_not() -> None:
    plan = plan_from_network("Next NIC", NET, _records(), today=dt.date(2026, 11, 26))
    by_key = {r.key: r for r in plan.records}
    net = by_key["n1"].values
    assert net["name"] == "Next NIC" and net["created"] == dt.date(2026, 11, 26)
    assert net["suppression_threshold"] == 7 and net["rule_set"] == "Anhøj"
    assert "coordinator_public_key" not in net and "common_aim" not in net
    lincoln = by_key["s2"].values
    assert "public_keys" not in lincoln and "private_notes" not in lincoln
    assert lincoln["parent_id"] == Ref("s1") and lincoln["context_tags"] == {"grades": "9-12"}
    assert by_key["m1"].values["norms_accepted"] is False
    assert {by_key[k].values["status"] for k in ("x1", "x2")} == {"hypothesis"}
    # the site's adopted diagram still names the network's one, in the new network
    assert by_key["d2"].values["adopted_from_id"] == Ref("d1")
    assert by_key["x2"].values["source_node_id"] == Ref("x1")
    # a measure of a site that is not copied is left out, and so is its node link
    assert "me2" not in by_key and "nm2" not in by_key and "nm1" in by_key
    assert plan.counts() == {"network": 1, "site": 2, "member": 1, "measure": 1,
                             "driver_diagram": 2, "driver_node": 2, "node_measure": 1}
    assert plan_problems(plan) == []
    assert "10 sites" not in plan.summary() and "2 sites" in plan.summary()


def test_every_reference_names_a_record_planned_before_it() -> None:
    plan = plan_from_network("Next NIC", NET, _records())
    seen: set[str] = set()
    for r in plan.records:
        for value in r.values.values():
            if isinstance(value, Ref):
                assert value.key in seen, (r.key, value.key)
        seen.add(r.key)


def test_a_reference_outside_the_plan_is_a_problem_in_words() -> None:
    plan = plan_from_network("Next NIC", NET, {})
    bad = type(plan)(name=plan.name, source=plan.source, records=(
        *plan.records, Planned("measure", "m", {"network_id": Ref("n1"), "name": "X",
                                                "kind": "nonsense"}),
        Planned("charter", "c", {"network_id": Ref("elsewhere")})))
    problems = plan_problems(bad)
    assert any("nonsense" in p or "kind" in p.lower() for p in problems), problems
    assert any("elsewhere" in p for p in problems), problems


@given(st.lists(st.integers(min_value=-1, max_value=12), min_size=1, max_size=12))
def test_sites_come_after_their_parents_whatever_the_order(parents: list[int]) -> None:
    # site i's parent is an earlier-numbered site (or none): a forest, listed shuffled
    sites = [{"id": f"s{i}", "network_id": "n1", "name": f"S{i}",
              "parent_id": f"s{p}" if 0 <= p < i else None, "kind": "school"}
             for i, p in enumerate(parents)]
    plan = plan_from_network("N", NET, {"site": list(reversed(sites))})
    order = [r.key for r in plan.records if r.kind == "site"]
    assert sorted(order) == sorted(s["id"] for s in sites)
    for s in sites:
        if s["parent_id"]:
            assert order.index(s["parent_id"]) < order.index(s["id"])
