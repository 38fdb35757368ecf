"""Driver diagrams (the scope's own, else the network's) and fishbones, each on its own
page as a vector drawing from the same layout the screen uses."""

from __future__ import annotations

from typing import Any

from ..drawings import driver_drawing, fishbone_drawing
from ..layout import SMALL, Heading, fit, label, nothing, para
from .base import Context


def driver_diagrams(ctx: Context) -> list[Any]:
    if not ctx.data.driver_diagrams:
        return [nothing("no driver diagram")]
    out: list[Any] = []
    for d in ctx.data.driver_diagrams:
        drawing = driver_drawing(d.layout, d.statuses)
        out += [Heading(label(d.name), 1, ctx.key()),
                fit(drawing, ctx.width, ctx.height * 0.78),
                para("Border and letter show status: H hypothesis (dashed), T testing, "
                     "E evidence of improvement (solid), × not supported.", SMALL)]
    return out


def fishbones(ctx: Context) -> list[Any]:
    if not ctx.data.fishbones:
        return [nothing("no fishbone")]
    out: list[Any] = []
    for f in ctx.data.fishbones:
        out += [Heading(f"{label(f.title) or 'Fishbone'} ({label(f.where)})", 1, ctx.key()),
                fit(fishbone_drawing(f.layout), ctx.width, ctx.height * 0.8)]
    return out
