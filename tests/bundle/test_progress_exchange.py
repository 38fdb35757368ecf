"""Progress scores and milestones travel like every other record: a school's own score
reaches the coordinator in its bundle and the other school in the digest; the
network's milestones come back from the coordinator; a school that writes another
school's score is refused in its own workspace, before anything leaves it.

Real workspaces, real keys, real signed bundles and digests, the real importer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nicdesk.bundle.importer import import_bundle
from nicdesk.store.errors import InvalidChangeError
from nicdesk.store.views.milestones import read_milestones
from nicdesk.store.views.progress import read_progress
from nicdesk.store.workspace import Workspace

from .exchange_helpers import export, ids, make_network

D = dt.date


def _deliver(bundle: Path, *paths: Path) -> None:
    for path in paths:
        with Workspace.open(path) as ws:
            import_bundle(ws, bundle)


def test_scores_and_milestones_round_trip(tmp_path: Path) -> None:
    coord, sites = make_network(tmp_path, ("A", "B"))
    a, b = sites["A"], sites["B"]
    known = ids(a)
    net = known["network"]
    with Workspace.open(a) as ws:
        ws.ops.create("progress_score", network_id=net, site_id=known["sites"]["A"],
                      score="2.5", date=D(2025, 3, 1), note="Testing check-ins")
        with pytest.raises(InvalidChangeError):  # B's score is B's to write
            ws.ops.create("progress_score", network_id=net, site_id=known["sites"]["B"],
                          score="4.0", date=D(2025, 3, 1))
        with pytest.raises(InvalidChangeError):  # the network's timeline: the hub's
            ws.ops.create("milestone", network_id=net, title="Charter agreed",
                          kind="charter agreed")
    with Workspace.open(coord) as ws:
        ws.ops.create("milestone", network_id=net, title="Charter agreed",
                      kind="charter agreed", planned=D(2025, 1, 10), done=D(2025, 1, 12),
                      responsible="Hub lead")
        ws.ops.create("progress_score", network_id=net, score="1.5", date=D(2025, 3, 1))
    _deliver(export(a, tmp_path / "a.nicbundle"), coord)
    _deliver(export(coord, tmp_path / "d.nicbundle", "digest"), a, b)
    for path in (coord, a, b):
        with Workspace.open(path) as ws:
            board = read_progress(ws, net)
            scored = {r.name: [(e.date, e.score, e.note) for e in r.entries]
                      for r in board.rows if r.entries}
            assert scored == {"Whole network": [(D(2025, 3, 1), "1.5", "")],
                              "A": [(D(2025, 3, 1), "2.5", "Testing check-ins")]}, path
            rows = read_milestones(ws, net, today=D(2025, 6, 1))
            assert [(r.title, r.done, r.responsible) for r in rows] == [
                ("Charter agreed", D(2025, 1, 12), "Hub lead")], path
