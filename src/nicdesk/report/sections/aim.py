"""The aim of the meeting's scope (a site meeting without its own aim shows the
network's): statement, measure, baseline and target by when, for whom."""

from __future__ import annotations

from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from ...core.formatting import format_value
from ..layout import BODY, SMALL, label, nothing, para
from .base import Context

AIM = ParagraphStyle("aim", parent=BODY, fontSize=12, leading=16, spaceAfter=6)


def aim(ctx: Context) -> list[Any]:
    if not ctx.data.aims:
        return [nothing("no aim written for this scope")]
    out: list[Any] = []
    for a in ctx.data.aims:
        def v(x: float | None, pct: bool = a.percent) -> str:
            return format_value(x, pct, percent_spec=".0f")

        out += [para(a.statement, AIM),
                para(f"Measure: {label(a.measure_name) if a.measure_name is not None else '—'}"
                     f" · baseline {v(a.baseline_value)} ({a.baseline_date or '—'}) · target "
                     f"{v(a.target_value)} by {a.deadline or '—'}"
                     + (f" · for {a.population}" if a.population else ""), SMALL),
                Spacer(1, 4 * mm)]
    return out
