"""Action items: this meeting's, then open ones carried over from earlier meetings of the
same scope, with their status and where they were agreed."""

from __future__ import annotations

from typing import Any

from ..layout import CELL, CELL_HEAD, grid_table, label, nothing, para
from .base import Context


def actions(ctx: Context) -> list[Any]:
    if not ctx.data.actions:
        return [nothing("no action items")]
    rows = [[para(h, CELL_HEAD) for h in ("Action", "Owner", "Due", "Status", "Agreed at")]]
    for r in ctx.data.actions:
        status = "done" if r.done else ("OVERDUE" if r.overdue else "open")
        origin = f"{label(r.agreed_title)} ({r.agreed_date})" + (
            " — carried over" if r.carried else "")
        rows.append([para(r.text, CELL), para(label(r.owner), CELL),
                     para(str(r.due or "—"), CELL), para(status, CELL),
                     para(origin, CELL)])
    w = ctx.width
    return [grid_table(rows, [w * 0.36, w * 0.17, w * 0.12, w * 0.1, w * 0.25])]
