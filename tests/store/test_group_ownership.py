"""A value, an enrolment or a gap aim names one of its own network's live student groups,
whatever writes it (a plain operation, as the grid, CLI, CSV and undo all use)."""

from __future__ import annotations

import datetime as dt

import pytest

from nicdesk.store.errors import InvalidChangeError
from nicdesk.store.ops import groups as gops
from nicdesk.store.schema import Aim, Observation, SiteEnrolment, StudentGroup


@pytest.fixture
def two_networks(workspace, network):
    ops = workspace.ops
    other = ops.create("network", name="Other NIC").id
    site = ops.create("site", network_id=network, name="Lincoln").id
    measure = ops.create("measure", network_id=network, name="On track",
                         value_type="proportion").id
    gops.add_usual_groups(workspace, network)
    gops.add_usual_groups(workspace, other)
    return workspace, network, other, site, measure


def _group_of(ws, network_id: str, name: str = "English learners") -> str:
    from nicdesk.store.schema import GroupDimension
    with ws.read() as s:
        return s.query(StudentGroup.id).join(
            GroupDimension, GroupDimension.id == StudentGroup.dimension_id).filter(
            GroupDimension.network_id == network_id, StudentGroup.name == name).scalar()


def _counts(ws) -> tuple[int, int, int]:
    with ws.read() as s:
        return (s.query(Observation).count(), s.query(SiteEnrolment).count(),
                s.query(Aim).count())


def test_another_networks_group_is_refused_everywhere(two_networks) -> None:
    ws, network, other, site, measure = two_networks
    foreign, own = _group_of(ws, other), _group_of(ws, network)
    assert foreign and own and foreign != own
    before = _counts(ws)
    with pytest.raises(InvalidChangeError, match="another network"):
        ws.ops.create("observation", measure_id=measure, site_id=site,
                      period=dt.date(2026, 1, 1), numerator=3, denominator=9,
                      group_id=foreign)
    with pytest.raises(InvalidChangeError, match="another network"):
        ws.ops.create("site_enrolment", site_id=site, school_year="2025-26",
                      group_id=foreign, students=40)
    with pytest.raises(InvalidChangeError, match="another network"):
        ws.ops.create("aim", network_id=network, statement="Halve the gap",
                      focus_group_id=foreign, gap_kind="difference")
    assert _counts(ws) == before
    # the network's own group is taken, and moving a value to a foreign group is refused
    obs = ws.ops.create("observation", measure_id=measure, site_id=site,
                        period=dt.date(2026, 1, 1), numerator=3, denominator=9,
                        group_id=own).id
    with pytest.raises(InvalidChangeError, match="another network"):
        ws.ops.update("observation", obs, group_id=foreign)
    with ws.read() as s:
        assert s.get(Observation, obs).group_id == own


def test_a_removed_group_is_refused(two_networks) -> None:
    ws, network, _other, site, measure = two_networks
    own = _group_of(ws, network, "Students with disabilities")
    ws.ops.delete("student_group", own)
    before = _counts(ws)
    with pytest.raises(InvalidChangeError, match="not in this workspace"):
        ws.ops.create("observation", measure_id=measure, site_id=site,
                      period=dt.date(2026, 2, 1), numerator=1, denominator=4, group_id=own)
    assert _counts(ws) == before
