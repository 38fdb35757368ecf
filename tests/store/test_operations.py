"""Operations: one transaction each, what-changed results, undo/redo, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nicdesk.store.errors import InvalidChangeError
from nicdesk.store.schema import Member, Site


def _names(ws) -> dict[str, bool]:
    with ws.read() as s:
        return {x.name: x.deleted for x in s.scalars(select(Site))}


def test_create_returns_what_changed(workspace, network) -> None:
    changes = workspace.ops.create("site", network_id=network, name="Lincoln", kind="school")
    assert changes.kinds == {"site"}
    assert changes.created == (changes.id,)
    assert changes.touches("site") and not changes.touches("aim")


def test_undo_redo_of_edit_create_and_cascading_delete(workspace, network) -> None:
    ops = workspace.ops
    district = ops.create("site", network_id=network, name="District", kind="district").id
    school = ops.create("site", network_id=network, name="School", parent_id=district).id
    ops.create("member", site_id=school, name="Ann", role="principal")
    ops.update("site", school, name="Lincoln")
    assert ops.undo_status() == ("Name of site", None)
    ops.undo()
    assert _names(workspace) == {"District": False, "School": False}
    assert ops.undo_status()[1] == "Name of site"
    ops.redo()
    assert _names(workspace) == {"District": False, "Lincoln": False}

    ops.delete("site", district)  # cascades to the school and its member
    assert _names(workspace) == {"District": True, "Lincoln": True}
    with workspace.read() as s:
        assert s.scalars(select(Member)).one().deleted
    ops.undo()
    assert _names(workspace) == {"District": False, "Lincoln": False}
    with workspace.read() as s:
        assert not s.scalars(select(Member)).one().deleted


def test_undo_of_create_tombstones_and_redo_revives(workspace, network) -> None:
    sid = workspace.ops.create("site", network_id=network, name="New").id
    workspace.ops.undo()
    assert _names(workspace) == {"New": True}
    workspace.ops.redo()
    assert _names(workspace) == {"New": False}
    with workspace.read() as s:
        assert s.get(Site, sid).field_clocks["deleted"] == s.get(Site, sid).hlc


def test_a_new_edit_clears_redo(workspace, network) -> None:
    workspace.ops.create("site", network_id=network, name="A")
    workspace.ops.undo()
    workspace.ops.create("site", network_id=network, name="B")
    assert workspace.ops.undo_status()[1] is None


@pytest.mark.parametrize(
    ("values", "phrase"),
    [
        ({"name": ""}, "needs a name"),
        ({"name": "X", "kind": "castle"}, "castle"),
        ({"name": "X", "colour": "red"}, "no field colour"),
    ],
)
def test_invalid_change_is_refused_and_nothing_stored(workspace, network, values, phrase) -> None:
    before = _names(workspace)
    with pytest.raises(InvalidChangeError, match=phrase):
        workspace.ops.create("site", network_id=network, **values)
    assert _names(workspace) == before
    assert workspace.ops.undo_status() == ("Add network", None)


def test_bad_date_is_explained(workspace, network) -> None:
    aim = workspace.ops.create("aim", network_id=network, statement="By June…").id
    with pytest.raises(InvalidChangeError, match="date like 2026-09-01"):
        workspace.ops.update("aim", aim, deadline="next June")


def test_batch_is_all_or_nothing(workspace, network) -> None:
    with pytest.raises(InvalidChangeError), workspace.ops.batch("Two sites") as t:
        t.create("site", network_id=network, name="First")
        t.create("site", network_id=network, name="")
    assert _names(workspace) == {}


def test_observation_period_is_unique_but_revivable(workspace, network) -> None:
    ops = workspace.ops
    site = ops.create("site", network_id=network, name="S").id
    measure = ops.create("measure", network_id=network, name="M").id
    first = ops.create("observation", measure_id=measure, site_id=site, period="2025-01-06",
                       value=3).id
    with pytest.raises(InvalidChangeError, match="already a value"):
        ops.create("observation", measure_id=measure, site_id=site, period="2025-01-06",
                   value=4)
    ops.delete("observation", first)
    again = ops.create("observation", measure_id=measure, site_id=site, period="2025-01-06",
                       value=5).id
    assert again == first


def test_clock_survives_reopen(workspace, network) -> None:
    from nicdesk.store.workspace import Workspace

    last = workspace.clock.last
    path = workspace.target
    workspace.close()
    with Workspace.open(path) as ws:
        assert ws.clock.now() > last
