"""`services.workspaces`: making workspaces (once, for the CLI and the GUI) and finding
records by the names people type, on real workspace files."""

from __future__ import annotations

from pathlib import Path

import pytest

from nicdesk.services.workspaces import (
    Named,
    create_school_workspace,
    create_workspace,
    find_named,
    named_records,
)
from nicdesk.store.errors import NotFoundError
from nicdesk.store.workspace import Workspace


def test_create_workspace_holds_one_network_and_stays_open(tmp_path: Path) -> None:
    ws = create_workspace(tmp_path / "v.nicdesk", "Valley NIC")
    try:
        assert [r.name for r in named_records(ws, "network")] == ["Valley NIC"]
        assert ws.ops.undo_status()[0] == "Create network"  # the GUI can undo it
    finally:
        ws.close()
    with Workspace.open(tmp_path / "v.nicdesk") as again:
        assert [r.name for r in named_records(again, "network")] == ["Valley NIC"]


def test_create_school_workspace_never_overwrites(tmp_path: Path) -> None:
    first = create_school_workspace("  Maple  Grove / Middle ", "", tmp_path)
    second = create_school_workspace("Maple Grove / Middle", "Maple team", tmp_path)
    assert first == tmp_path / "Maple Grove  Middle.nicdesk"
    assert second == tmp_path / "Maple Grove  Middle (2).nicdesk"
    with Workspace.open(first) as ws:
        site = ws.meta()["local_site_id"]
        assert named_records(ws, "site") == [Named(site, "Maple Grove / Middle", None)]
        assert [r.name for r in named_records(ws, "network")] == [
            "Maple Grove / Middle improvement team"]
    with Workspace.open(second) as ws:
        assert [r.name for r in named_records(ws, "network")] == ["Maple team"]


def test_find_named_exact_then_prefix_else_a_clear_refusal(tmp_path: Path) -> None:
    with create_workspace(tmp_path / "n.nicdesk", "NIC") as ws:
        net = named_records(ws, "network")[0].id
        for name in ("Lincoln", "Lincoln High", "Pine Valley"):
            ws.ops.create("site", network_id=net, name=name)
        gone = ws.ops.create("site", network_id=net, name="Closed School").id
        ws.ops.delete("site", gone)
        site = ws.ops.create("site", network_id=net, name="Oak").id
        ws.ops.create("measure", network_id=net, name="On track", value_type="count")
        ws.ops.create("measure", network_id=net, site_id=site, name="On time",
                      value_type="count")

        assert find_named(ws, "site", "lincoln", "site").name == "Lincoln"  # exact wins
        assert find_named(ws, "site", "pine", "site").name == "Pine Valley"
        with pytest.raises(NotFoundError, match="More than one site matches 'Linc'. "
                           "Choose one of: Lincoln, Lincoln High"):
            find_named(ws, "site", "Linc", "site")
        with pytest.raises(NotFoundError, match="No site matches 'Closed'"):
            find_named(ws, "site", "Closed", "site")  # deleted: not offered
        assert "Closed School" in {r.name for r in named_records(ws, "site",
                                                                  include_deleted=True)}
        assert [r.name for r in named_records(ws, "measure", network_level=True)] == [
            "On track"]
        assert {r.site_id for r in named_records(ws, "measure")} == {None, site}
        # nothing of a kind yet: said so, not an empty "Choose one of:"
        with pytest.raises(NotFoundError, match=r"No meeting matches 'Monday': this "
                           r"workspace has none yet\.$"):
            find_named(ws, "meeting", "Monday", "meeting")
