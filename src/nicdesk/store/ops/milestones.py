"""Writes of the network timeline that are more than one record: "Add the usual
milestones" (one undo step, all or nothing)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ...core.milestones import usual_milestones
from ..views.milestones import milestone_kinds

if TYPE_CHECKING:
    from ..operations import OpChanges, Transaction
    from ..workspace import Workspace


def planned_usual(ws: Workspace, network_id: str, start: dt.date
                  ) -> list[tuple[str, str, dt.date]]:
    """What `add_usual_milestones` would add: (kind, title, planned), so a screen can show
    the list and ask before anything is written."""
    return usual_milestones(start, milestone_kinds(ws, network_id))


def add_usual_milestones(ws: Workspace, network_id: str, start: dt.date,
                         responsible: str = "") -> OpChanges | None:
    """Add the usual formation milestones the network lacks, planned from `start`, as the
    network's own records (the coordinator's).  None when every kind is there already."""
    todo = planned_usual(ws, network_id, start)
    if not todo:
        return None

    def add(t: Transaction) -> None:
        for kind, title, planned in todo:
            t.create("milestone", network_id=network_id, site_id=None, title=title,
                     kind=kind, planned=planned, responsible=responsible)

    return ws.ops.run("Add the usual milestones", add)
