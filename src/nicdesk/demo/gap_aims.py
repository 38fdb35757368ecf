"""Gap-closing aims in the sample network (issue #21, item 3): each focus school's aim
already says "with the gap between student groups halved"; here it gets the numbers —
the English learners' on-track gap against all students, from the 17 points the sample
data start at (`demo.student_groups.GAPS`) to half of that by the aim's deadline — so
the measure page's gap chart draws a target line and packets report progress."""

from __future__ import annotations

from sqlalchemy import select

from ..store.schema import Aim, Network, StudentGroup
from ..store.workspace import Workspace
from .student_groups import EL, GAPS, MICHIGAN


def add_gap_aims(ws: Workspace) -> None:
    """Make the Michigan schools' aims gap-closing aims for English learners."""
    with ws.read() as s:
        net = s.scalars(select(Network.id).where(Network.name == MICHIGAN)).one()
        el = s.scalars(select(StudentGroup.id).where(StudentGroup.name == EL)).first()
        aims = list(s.scalars(select(Aim.id).where(
            Aim.network_id == net, Aim.site_id.is_not(None), Aim.deleted.is_(False),
            Aim.statement.contains("gap between student groups halved"))))
    if el is None:
        return
    with ws.ops.batch("Sample gap-closing aims") as t:
        for aim in aims:
            t.update("aim", aim, focus_group_id=el, reference_group_id=None,
                     gap_kind="difference", baseline_gap=-GAPS[EL],
                     target_gap=round(-GAPS[EL] / 2, 3))
