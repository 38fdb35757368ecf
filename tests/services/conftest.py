"""A small real network for the service tests: a coordinator workspace made by
`membership.create_network`, with one school, and the school's own workspace that joined
from the coordinator's invitation and whose key the coordinator enrolled — every step a
service call, every file real."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from nicdesk.services import membership
from nicdesk.store.workspace import Workspace


@dataclass(frozen=True)
class Net:
    coordinator: Path
    school: Path
    school_id: str


@pytest.fixture
def net(tmp_path: Path) -> Net:
    coordinator = tmp_path / "coordinator.nicdesk"
    membership.create_network(coordinator, "Valley NIC", "State Office")
    with Workspace.open(coordinator) as ws:
        ws.ops.create("site", network_id=membership.coordinator_network(ws),
                      name="Lincoln High School", kind="school")
        school_id = membership.find_site(ws, "Lincoln High School")
        assert school_id is not None
        membership.invite(ws, school_id, tmp_path / "invite.nicbundle")
    school = tmp_path / "lincoln.nicdesk"
    joined = membership.join(tmp_path / "invite.nicbundle", school)
    with Workspace.open(coordinator) as ws:
        membership.enrol(ws, joined.site_key, school_id)
    return Net(coordinator, school, school_id)
