"""Undo never overwrites a change it did not make: a correction that arrived in a bundle
after a local edit survives pressing Undo, and the person is told what was left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from nicdesk.bundle.importer import import_bundle
from nicdesk.cli.parser import main
from nicdesk.store.schema import Observation
from nicdesk.store.workspace import Workspace

from .test_bundles import add_values, export, network, second_laptop  # noqa: F401 - fixture


def _only_obs(ws: Workspace) -> Observation:
    with ws.read() as s:
        return s.query(Observation).one()


def test_undo_after_import_keeps_the_imported_value(network) -> None:  # noqa: F811
    """A's laptop 1 edits a note; laptop 2's newer correction arrives (through the
    coordinator's digest); Undo on laptop 1 must not bring its old text back."""
    coord, sites, tmp = network
    if not isinstance(coord, Path):
        pytest.skip("the laptops are SQLite files either way; one engine is enough")
    add_values(sites["A"], {"2025-09-01": 0.4})
    laptop2 = second_laptop(coord, sites["A"], tmp, "A2.nicdesk")
    with Workspace.open(sites["A"]) as ws1:
        obs = _only_obs(ws1).id
        ws1.ops.update("observation", obs, note="first draft")
        # meanwhile laptop 2 corrects it (later), and the correction reaches laptop 1
        with Workspace.open(laptop2) as ws2:
            ws2.ops.update("observation", obs, note="corrected by the data lead")
        with Workspace.open(coord) as c:
            import_bundle(c, export(laptop2, tmp / "l2.nicbundle"))
        assert main(["export", str(coord), "--digest", "--out", str(tmp / "d.nicbundle")]) == 0
        summary = import_bundle(ws1, tmp / "d.nicbundle")
        assert summary.changes.touches("observation") and obs in summary.changes.ids
        assert _only_obs(ws1).note == "corrected by the data lead"
        result = ws1.ops.undo()
        assert result is not None and result.notes
        assert "newer change is kept" in result.notes[0]
        assert _only_obs(ws1).note == "corrected by the data lead"
        # nothing left to redo that could overwrite it either
        assert ws1.ops.redo() is None
        assert _only_obs(ws1).note == "corrected by the data lead"


def test_undo_still_works_for_untouched_fields(tmp_path: Path) -> None:
    workspace = Workspace.create(tmp_path / "w.nicdesk")
    network_id = workspace.ops.create("network", name="N").id
    site = workspace.ops.create("site", network_id=network_id, name="A").id
    workspace.ops.update("site", site, name="B")
    workspace.ops.update("site", site, context_tags={"locale": "rural"})
    undone = workspace.ops.undo()
    assert undone is not None and not undone.notes
    workspace.ops.undo()
    from nicdesk.store.schema import Site

    with workspace.read() as s:
        assert s.get(Site, site).name == "A" and s.get(Site, site).context_tags == {}
    workspace.ops.redo()
    with workspace.read() as s:
        assert s.get(Site, site).name == "B"
    workspace.close()
