"""Spread of change ideas read from a real workspace (`store.views.spread`) and set by a
site (`store.ops.spread`): statuses derived from stored PDSA decisions, a site's own
record overriding them from its date, counts over time, scope, authority and refusals
that leave the database as it was."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from nicdesk.core.spread import Adoption
from nicdesk.store.errors import InvalidChangeError
from nicdesk.store.ops.spread import remove_adoption, set_adoption
from nicdesk.store.schema import ChangeAdoption, ChangeIdea, Network
from nicdesk.store.views.spread import network_spread
from nicdesk.store.workspace import Workspace

D = dt.date


@pytest.fixture
def nic(tmp_path: Path):
    ws = Workspace.create(tmp_path / "s.nicdesk")
    net = ws.ops.create("network", name="NIC").id
    hub = ws.ops.create("site", network_id=net, name="Hub", kind="district").id
    sites = {name: ws.ops.create("site", network_id=net, name=name, kind="school",
                                 parent_id=hub).id
             for name in ("Lincoln", "Eastside", "Harbor")}
    idea = ws.ops.create("change_idea", network_id=net, title="Check-ins").id
    yield ws, net, sites, idea
    ws.close()


def cycle(ws, site, idea, start, end=None, decision="", n=1) -> str:
    return ws.ops.create("pdsa_cycle", site_id=site, change_idea_id=idea, title=f"c{n}",
                         cycle_number=n, start_date=start, end_date=end, decision=decision).id


def row(view, idea, site):
    return next(r for r in view.idea(idea).rows if r.site_id == site)


def test_statuses_are_derived_from_stored_decisions(nic) -> None:
    ws, net, s, idea = nic
    cycle(ws, s["Lincoln"], idea, D(2025, 9, 1), D(2025, 9, 20), "adapt")
    cycle(ws, s["Lincoln"], idea, D(2025, 10, 1), D(2025, 10, 20), "adopt", n=2)
    cycle(ws, s["Eastside"], idea, D(2025, 11, 3))
    gone = cycle(ws, s["Harbor"], idea, D(2025, 9, 1), D(2025, 9, 30), "abandon")
    view = network_spread(ws, net, end=D(2026, 2, 28))
    assert [name for _, name in view.sites] == ["Eastside", "Harbor", "Lincoln"]  # not Hub
    assert view.noun == "schools" and view.start == D(2025, 9, 1)
    lincoln = row(view, idea, s["Lincoln"])
    assert (lincoln.status, lincoln.since, lincoln.explicit, lincoln.cycles) == (
        Adoption.ADOPTED, D(2025, 10, 20), False, 2)
    assert [x.status for x in lincoln.segments] == ["testing", "adapting", "adopted"]
    assert row(view, idea, s["Eastside"]).status == Adoption.TESTING
    assert row(view, idea, s["Harbor"]).status == Adoption.ABANDONED
    counts = view.idea(idea).counts
    assert [c.day for c in counts][:2] == [D(2025, 9, 30), D(2025, 10, 31)]
    assert [c.of("adopted") for c in counts] == [0, 1, 1, 1, 1, 1]
    assert counts[0].of("abandoned") == 1 and counts[2].of("testing") == 1
    assert view.idea(idea).sentence == "adopted by 1 of 3 schools by October 2025"
    # a deleted cycle no longer counts, and the window's end cuts what is known
    ws.ops.delete("pdsa_cycle", gone)
    assert row(network_spread(ws, net, end=D(2026, 2, 28)), idea, s["Harbor"]).status is None
    early = network_spread(ws, net, end=D(2025, 9, 25))
    assert row(early, idea, s["Lincoln"]).status == Adoption.ADAPTING
    assert row(early, idea, s["Eastside"]).status is None


def test_an_explicit_record_overrides_from_its_date(nic) -> None:
    ws, net, s, idea = nic
    cycle(ws, s["Lincoln"], idea, D(2025, 9, 1), D(2025, 9, 20), "adapt")
    set_adoption(ws, s["Lincoln"], idea, "adopted", D(2025, 11, 1), "Whole school now")
    view = network_spread(ws, net, end=D(2026, 1, 31))
    lincoln = row(view, idea, s["Lincoln"])
    assert (lincoln.status, lincoln.since, lincoln.explicit, lincoln.note) == (
        Adoption.ADOPTED, D(2025, 11, 1), True, "Whole school now")
    assert [(x.status.value, x.start) for x in lincoln.segments][-2:] == [
        ("adapting", D(2025, 9, 20)), ("adopted", D(2025, 11, 1))]
    # a later decision speaks again; setting the same day twice changes that record
    cycle(ws, s["Lincoln"], idea, D(2025, 12, 1), D(2025, 12, 15), "abandon", n=2)
    assert row(network_spread(ws, net, end=D(2026, 1, 31)), idea,
               s["Lincoln"]).status == Adoption.ABANDONED
    set_adoption(ws, s["Lincoln"], idea, "adopted", D(2025, 12, 15), "Back on")
    set_adoption(ws, s["Lincoln"], idea, "adapting", D(2025, 12, 15), "Shorter version")
    with ws.read() as r:
        records = list(r.scalars(select(ChangeAdoption).where(
            ChangeAdoption.deleted.is_(False))))
    assert len(records) == 2
    lincoln = row(network_spread(ws, net, end=D(2026, 1, 31)), idea, s["Lincoln"])
    assert (lincoln.status, lincoln.note) == (Adoption.ADAPTING, "Shorter version")
    # withdrawn: the cycles speak for the site again; undo brings it back
    remove_adoption(ws, next(x.id for x in records if x.since == D(2025, 12, 15)))
    assert row(network_spread(ws, net, end=D(2026, 1, 31)), idea,
               s["Lincoln"]).status == Adoption.ABANDONED
    ws.ops.undo()
    assert row(network_spread(ws, net, end=D(2026, 1, 31)), idea,
               s["Lincoln"]).status == Adoption.ADAPTING


def test_scope_and_bad_windows(nic) -> None:
    ws, net, s, idea = nic
    cycle(ws, s["Lincoln"], idea, D(2025, 9, 1), D(2025, 9, 20), "adopt")
    one = network_spread(ws, net, end=D(2025, 12, 31), site_ids=[s["Lincoln"]])
    assert one.sites == ((s["Lincoln"], "Lincoln"),)
    assert one.idea(idea).sentence == "adopted by 1 of 1 schools by September 2025"
    with pytest.raises(ValueError, match="before its start"):
        network_spread(ws, net, start=D(2026, 1, 1), end=D(2025, 1, 1))
    with pytest.raises(KeyError, match="no change idea"):
        one.idea("nope")
    with ws.read() as r:  # a session works as well as the workspace
        assert network_spread(r, net, end=D(2025, 12, 31)) == network_spread(
            ws, net, end=D(2025, 12, 31))


def _count(ws) -> int:
    with ws.read() as r:
        return r.scalar(select(func.count()).select_from(ChangeAdoption))


def test_bad_input_is_refused_and_nothing_is_written(nic) -> None:
    ws, net, s, idea = nic
    other_net = ws.ops.create("network", name="Other").id
    other_idea = ws.ops.create("change_idea", network_id=other_net, title="Elsewhere").id
    cases = [
        (dict(status="piloting"), "is not a spread status"),
        (dict(change_idea_id=other_idea), "change idea of another network"),
        (dict(change_idea_id="missing"), "change idea is not in this workspace"),
        (dict(site_id="missing"), "site is not in this workspace"),
        (dict(since="2025-01-01"), "needs the date"),
        (dict(note="x" * 100_001), "note"),
    ]
    for change, words in cases:
        args = dict(site_id=s["Lincoln"], change_idea_id=idea, status="adopted",
                    since=D(2025, 1, 1), note="")
        args.update(change)
        with pytest.raises(InvalidChangeError, match=words):
            set_adoption(ws, **args)
        assert _count(ws) == 0, change
    with pytest.raises(InvalidChangeError, match="nothing to withdraw"):
        remove_adoption(ws, "missing")


def test_only_the_owning_site_writes_its_status(nic) -> None:
    ws, net, s, idea = nic
    # this file becomes Lincoln's own workspace in an exchange: the rules bind
    ws.set_meta(local_site_id=s["Lincoln"], trusted_coordinator_key="RWQ-test-key")
    set_adoption(ws, s["Lincoln"], idea, "testing", D(2025, 9, 1))
    with pytest.raises(InvalidChangeError, match="Eastside"):
        set_adoption(ws, s["Eastside"], idea, "adopted", D(2025, 9, 1))
    with ws.read() as r:
        rows = list(r.scalars(select(ChangeAdoption)))
    assert [(x.site_id, x.owner_site_id) for x in rows] == [(s["Lincoln"], s["Lincoln"])]


def test_the_demo_tells_a_true_story(demo_file: Path) -> None:
    with Workspace.open(demo_file) as ws:
        with ws.read() as r:
            net = r.scalar(select(Network.id).where(
                Network.name == "Great Lakes Focus Schools NIC"))
            ideas = {i.title: i.id for i in r.scalars(select(ChangeIdea).where(
                ChangeIdea.network_id == net))}
        view = network_spread(ws, net, end=D(2026, 6, 30))
        checkins = view.idea(ideas["Advisory check-ins"])
        assert checkins.sentence == "adopted by 3 of 5 schools by October 2025"
        assert checkins.now("adopted") == 3 and checkins.now("abandoned") == 1
        assert view.ideas[0] is checkins  # most adopted first
        calls = view.idea(ideas["Positive phone calls home"])
        cedar = next(r for r in calls.rows if r.site_name.startswith("Cedar Creek"))
        assert cedar.explicit and cedar.status == Adoption.ADOPTED and cedar.cycles == 0
