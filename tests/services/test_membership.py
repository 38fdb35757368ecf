"""`services.membership`: the coordinator's enrolment (one flow for a join request and a
public key file, ending in `bundle.enrolment.enrol_key`), invitations and joining, on a
real network of workspace files with real keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from nicdesk.bundle.enrolment import MembershipError as EnrolmentMembershipError
from nicdesk.services import membership
from nicdesk.services.membership import (
    JoinRequest,
    JoinRequestError,
    KeyFileError,
    MembershipError,
)
from nicdesk.services.workspaces import create_school_workspace
from nicdesk.store.workspace import Workspace

from .conftest import Net


def test_one_error_class_for_every_membership_step() -> None:
    assert MembershipError is EnrolmentMembershipError
    assert issubclass(KeyFileError, MembershipError)


def test_join_then_enrol_lets_the_school_sign(net: Net) -> None:
    with Workspace.open(net.school) as ws:
        meta = ws.meta()
        assert meta["local_site_id"] == net.school_id and meta["role"] == "site"
        key = membership.workspace_key(ws)
    with Workspace.open(net.coordinator) as ws:
        again = membership.enrol(ws, key, net.school_id)
    assert again.already and again.site_name == "Lincoln High School"
    assert "already enrolled" in again.text()


def test_read_site_key_tells_a_request_from_a_public_key(net: Net, tmp_path: Path) -> None:
    school = create_school_workspace("Maple Grove", "", tmp_path)
    with Workspace.open(school) as ws:
        written = membership.write_join_request(ws, tmp_path / "maple.nicjoin",
                                                contact="Ann")
        pub = tmp_path / "maple.pub"
        pub.write_text(membership.workspace_key(ws).file_text())
    request = membership.read_site_key(tmp_path / "maple.nicjoin")
    assert isinstance(request, JoinRequest)
    assert (request.site_name, request.contact) == ("Maple Grove", "Ann")
    assert request.fingerprint == written.fingerprint
    assert membership.read_site_key(pub) == request.key

    junk = tmp_path / "junk.pub"
    junk.write_text("not a key")
    with pytest.raises(KeyFileError) as refused:
        membership.read_site_key(junk)
    assert refused.value.title == "Not a public key" and refused.value.message
    forged = tmp_path / "forged.nicjoin"
    forged.write_text((tmp_path / "maple.nicjoin").read_text().replace("Maple", "Mapel"))
    with pytest.raises(JoinRequestError, match="signature does not match"):
        membership.read_site_key(forged)

    with Workspace.open(net.coordinator) as ws:
        with pytest.raises(MembershipError, match="Say which site"):
            membership.enrol(ws, request.key)  # a bare key names no site
        with pytest.raises(MembershipError, match="No site of this network is called"):
            membership.enrol(ws, request)  # the request's name is not a site yet
        done = membership.enrol(ws, request, new=True)
        assert done.new_site and done.site_name == "Maple Grove"
        assert membership.find_site(ws, "maple grove") == done.site_id
        with pytest.raises(MembershipError, match="already enrolled for Maple Grove"):
            membership.enrol(ws, request.key, net.school_id)  # one key, one site


def test_invite_writes_the_invitation_and_names_the_fingerprint(net: Net,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "again.nicbundle"
    with Workspace.open(net.coordinator) as ws:
        done = membership.invite(ws, net.school_id, out)
        fingerprint = membership.workspace_key(ws).fingerprint()
    assert done.path == out and out.exists()
    assert (done.site_id, done.site_name) == (net.school_id, "Lincoln High School")
    assert done.coordinator_fingerprint == fingerprint
    joined = membership.join(out, tmp_path / "second.nicdesk")
    assert joined.coordinator_fingerprint == fingerprint
    # the key enrolled for the site is on this computer: joining again finds it
    assert joined.site == "Lincoln High School" and joined.enrolled


def test_a_site_workspace_cannot_enrol(net: Net, tmp_path: Path) -> None:
    with Workspace.open(net.school) as ws:
        with pytest.raises(MembershipError, match="enrolled by the network coordinator"):
            membership.enrol(ws, membership.workspace_key(ws), net.school_id)
