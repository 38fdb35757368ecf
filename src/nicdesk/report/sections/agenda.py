"""The agenda: each item's clock time (from the meeting's start), minutes, owner and
material, and the minutes in all."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from ..layout import CELL, CELL_HEAD, grid_table, label, nothing, para
from .base import Context


def agenda(ctx: Context) -> list[Any]:
    items = ctx.data.agenda
    if not items:
        return [nothing("no agenda items")]
    clock = None
    start_time = ctx.data.meeting.start_time
    if start_time:
        with contextlib.suppress(ValueError):
            clock = dt.datetime.combine(dt.date.today(), dt.time.fromisoformat(start_time))
    rows = [[para(h, CELL_HEAD) for h in ("Time", "Min", "Item", "Owner", "Material")]]
    for item in items:
        start = clock.strftime("%H:%M") if clock else ""
        rows.append([para(start, CELL), para(str(item.minutes or ""), CELL),
                     para(item.title, CELL), para(label(item.owner), CELL),
                     para(item.material, CELL)])
        if clock is not None:
            clock += dt.timedelta(minutes=item.minutes or 0)
    total = sum(i.minutes or 0 for i in items)
    rows.append([para("", CELL), para(str(total), CELL_HEAD), para("minutes in all", CELL),
                 para("", CELL), para("", CELL)])
    w = ctx.width
    return [grid_table(rows, [w * 0.09, w * 0.07, w * 0.44, w * 0.2, w * 0.2])]
