"""Run charts, small multiples, funnel plots and summary icons as reportlab vector drawings.

Everything reads in black and white: signals are told apart by marker *shape* and fill
(▲ filled = improvement, ▼ hollow = concern, ◆ = outside the limits, ■ = unusual on a
measure with no preferred direction, ★ = an astronomical point a person marked), lines by dash
pattern, and icons carry a letter as well as a colour — as NHS "Making Data Count" icons
do when printed.  The same view models the screen uses feed these drawings, so suppressed
values are absent here too.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors

from ..core.measures import ASSURANCE_WORDS, VARIATION_WORDS, axis_value
from ..core.signals import SeriesAnalysis
from ..core.states import Assessment, FunnelFlag, SignalKind
from ..core.variation import Funnel, FunnelLimits, funnel_limits
from .fonts import BOLD, REGULAR

INK = colors.HexColor("#222222")
GREY = colors.HexColor("#888888")
BLUE = colors.HexColor("#0072B2")
GREEN = colors.HexColor("#009E73")
ORANGE = colors.HexColor("#E69F00")
VERMILLION = colors.HexColor("#D55E00")
PURPLE = colors.HexColor("#490092")  # Making Data Count's "no preferred direction"
PINK = colors.HexColor("#CC79A7")  # a person's astronomical mark
ASTRONOMICAL = "astronomical"  # the marker of a point a person marked


def _marker(d: Drawing, x: float, y: float, kind: str, r: float = 3.2) -> None:
    if kind == Assessment.IMPROVEMENT:
        d.add(Polygon([x, y + r, x - r, y - r, x + r, y - r], fillColor=GREEN,
                      strokeColor=INK, strokeWidth=0.5))
    elif kind == Assessment.CONCERN:
        d.add(Polygon([x, y - r, x - r, y + r, x + r, y + r], fillColor=colors.white,
                      strokeColor=INK, strokeWidth=0.9))
    elif kind == "outside":
        d.add(Polygon([x, y + r, x + r, y, x, y - r, x - r, y], fillColor=VERMILLION,
                      strokeColor=INK, strokeWidth=0.5))
    elif kind == Assessment.UNUSUAL:
        q = r * 0.8
        d.add(Rect(x - q, y - q, 2 * q, 2 * q, fillColor=PURPLE, strokeColor=INK,
                   strokeWidth=0.5))
    elif kind == ASTRONOMICAL:
        star = [c for k in range(10) for c in (
            x + (r * 1.5 if k % 2 == 0 else r * 0.6) * math.sin(k * math.pi / 5),
            y + (r * 1.5 if k % 2 == 0 else r * 0.6) * math.cos(k * math.pi / 5))]
        d.add(Polygon(star, fillColor=PINK, strokeColor=INK, strokeWidth=0.5))
    else:
        d.add(Circle(x, y, 1.3, fillColor=BLUE, strokeColor=None))


def run_chart_drawing(periods: Sequence[dt.date], analysis: SeriesAnalysis | None,
                      width: float, height: float, *, title: str = "", percent: bool = False,
                      target: float | None = None, y_range: tuple[float, float] | None = None,
                      note: str = "", compact: bool = False) -> Drawing:
    """One site's chart: points and line, centre line (dashed when a runs rule fired),
    control limits dotted, target dash-dot, signal markers by shape."""
    d = Drawing(width, height)
    d.add(Rect(0, 0, width, height, fillColor=None, strokeColor=GREY, strokeWidth=0.4))
    size = 8 if compact else 10
    if title:
        d.add(String(6, height - size - 4, clip_text(title, width - 4, size, BOLD),
                     fontName=BOLD, fontSize=size))
    top = height - (size + 10 if title else 8)
    left, right = 38.0, width - 8
    bottom = (22.0 if not compact else 16.0) + (9.0 if note else 0.0)
    ys = analysis.y if analysis else []
    values = [v for v in ys if v is not None]
    if analysis is None or not values:
        d.add(String(width / 2, (top + bottom) / 2, clip_text(note or "Nothing recorded yet",
                                                              width, size - 1),
                     fontName=REGULAR, fontSize=size - 1, textAnchor="middle"))
        return d
    extra = [v for seg in analysis.segments for v in (*seg.lower, *seg.upper) if v is not None]
    lo, hi = y_range or (min(values + extra), max(values + extra))
    if target is not None and not y_range:
        lo, hi = min(lo, target), max(hi, target)
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    pad = (hi - lo) * 0.06
    lo, hi = lo - pad, hi + pad
    n = len(ys)

    def x(i: int) -> float:
        return left + (right - left) * i / max(n - 1, 1)

    def y(v: float) -> float:
        return bottom + (top - bottom) * (v - lo) / (hi - lo)

    d.add(Line(left, bottom, right, bottom, strokeColor=GREY, strokeWidth=0.5))
    d.add(Line(left, bottom, left, top, strokeColor=GREY, strokeWidth=0.5))
    fs = 6.5 if compact else 7.5
    for level in (lo + pad, (lo + hi) / 2, hi - pad):
        d.add(String(left - 3, y(level) - 2.5, axis_value(level, percent), fontName=REGULAR,
                     fontSize=fs, textAnchor="end", fillColor=INK))
    d.add(String(left, bottom - fs - 3, periods[0].strftime("%b %Y"), fontName=REGULAR,
                 fontSize=fs))
    d.add(String(right, bottom - fs - 3, periods[-1].strftime("%b %Y"), fontName=REGULAR,
                 fontSize=fs, textAnchor="end"))
    runs = any(s.kind in ("shift", "trend", "long run", "few crossings", "few runs",
                          "many runs") for s in analysis.signals)
    for seg in analysis.segments:
        idx = range(seg.first, seg.last + 1)
        centre = [(x(i), y(c)) for i, c in zip(idx, seg.centre, strict=True) if c is not None]
        if centre:
            d.add(Line(centre[0][0], centre[0][1], centre[-1][0], centre[-1][1],
                       strokeColor=INK, strokeWidth=0.9,
                       strokeDashArray=[4, 2] if runs else None))
        for limits in (seg.lower, seg.upper):
            pts = [c for i, v in zip(idx, limits, strict=True) if v is not None
                   for c in (x(i), y(v))]
            if len(pts) >= 4:
                d.add(PolyLine(pts, strokeColor=GREY, strokeWidth=0.6,
                               strokeDashArray=[1, 1.5]))
    if target is not None and lo <= target <= hi:
        d.add(Line(left, y(target), right, y(target), strokeColor=GREEN, strokeWidth=0.8,
                   strokeDashArray=[6, 2, 1, 2]))
        d.add(String(right, y(target) + 2, f"target {axis_value(target, percent)}",
                     fontName=REGULAR, fontSize=fs - 0.5, textAnchor="end", fillColor=INK))
    stretch: list[float] = []
    for i, v in enumerate([*ys, None]):
        if v is None:
            if len(stretch) >= 4:
                d.add(PolyLine(stretch, strokeColor=BLUE, strokeWidth=0.8))
            stretch = []
        else:
            stretch += [x(i), y(v)]
    kinds: dict[int, str] = {}
    for s in analysis.signals:  # a person's mark shows first, whatever the rules say
        if s.kind == SignalKind.ASTRONOMICAL:
            kinds[s.first] = ASTRONOMICAL
    for s in analysis.signals:
        kind = "outside" if s.kind == SignalKind.OUTSIDE_LIMITS else s.assessment
        if s.kind == SignalKind.ASTRONOMICAL or (
                kind == Assessment.UNUSUAL and s.direction == 0):
            continue  # few runs or crossings mark no point
        if kind in (Assessment.IMPROVEMENT, Assessment.CONCERN, Assessment.UNUSUAL, "outside"):
            for i in s.points:
                kinds.setdefault(i, kind)
    dense = n > 60
    for i, v in enumerate(ys):
        if v is None:
            continue
        kind = kinds.get(i, "")
        if kind or not dense:
            _marker(d, x(i), y(v), kind, r=2.4 if dense or compact else 3.2)
    if note:
        d.add(String(width / 2, 3, clip_text(note, width, fs - 0.5), fontName=REGULAR,
                     fontSize=fs - 0.5, textAnchor="middle", fillColor=INK))
    return d


def clip_text(text: str, width: float, size: float, font: str = REGULAR) -> str:
    """Shorten a one-line label (a site's or measure's name, a note) to the drawing's
    width (never past its edge)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text = " ".join(text.split())
    if stringWidth(text, font, size) <= width - 8:
        return text
    # no glyph is narrower than a fifth of the size: cut the rest before measuring
    text = text[:int(5 * width / size) + 1]
    while text and stringWidth(text + "…", font, size) > width - 8:
        text = text[:-1]
    return text + "…"


def legend_drawing(width: float) -> Drawing:
    """The markers' key: two rows, the second for what is rarer (a measure with no
    preferred direction, a person's astronomical mark)."""
    d = Drawing(width, 27)
    x = 4.0
    for kind, text in ((Assessment.IMPROVEMENT, "special cause: improvement"),
                       ("concern", "special cause: concern"),
                       ("outside", "outside control limits")):
        _marker(d, x + 3, 19, kind)
        d.add(String(x + 10, 16, text, fontName=REGULAR, fontSize=7.5))
        x += 14 + len(text) * 3.9
    d.add(Line(x, 19, x + 16, 19, strokeColor=INK, strokeDashArray=[4, 2]))
    d.add(String(x + 20, 16, "centre line (dashed: a runs rule fired)", fontName=REGULAR,
                 fontSize=7.5))
    x = 4.0
    for kind, text in ((Assessment.UNUSUAL, "unusual (no preferred direction)"),
                       (ASTRONOMICAL, "astronomical point (marked by a person)")):
        _marker(d, x + 3, 6, kind)
        d.add(String(x + 10, 3, text, fontName=REGULAR, fontSize=7.5))
        x += 14 + len(text) * 3.9
    return d


def funnel_drawing(f: Funnel, width: float, height: float, *, percent: bool,
                   limits: FunnelLimits | None = None, title: str = "") -> Drawing:
    """Sites' proportions against their denominators with the funnel limits: `limits`
    (by default `funnel_limits(f)`, as on screen) decides which curves and flags."""
    limits = limits or funnel_limits(f)
    d = Drawing(width, height)
    fs = 7.5
    if title:
        d.add(String(4, height - 12, clip_text(title, width, 10, BOLD), fontName=BOLD,
                     fontSize=10))
    rows = [r for r in f.rows if not r.suppressed]
    curve = limits.curve
    if f.mean is None or not rows or not curve:
        d.add(String(width / 2, height / 2, "Nothing recorded yet", fontName=REGULAR,
                     fontSize=9, textAnchor="middle"))
        return d
    unit = 100.0 if percent else 1.0
    left, bottom, right, top = 42.0, 28.0, width - 10, height - (22 if title else 8)
    xs_all = [c[0] for c in curve]
    values = [val * unit for r in rows if (val := r.value) is not None] + [
        c[k] * unit for c in curve for k in (1, 4)]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.05 or 1
    lo, hi = lo - pad, hi + pad
    x0, x1 = min(xs_all), max(xs_all)

    def px(n: float) -> float:
        return left + (right - left) * (n - x0) / ((x1 - x0) or 1)

    def py(v: float) -> float:
        return bottom + (top - bottom) * (v - lo) / (hi - lo)

    d.add(Line(left, bottom, right, bottom, strokeColor=GREY, strokeWidth=0.5))
    d.add(Line(left, bottom, left, top, strokeColor=GREY, strokeWidth=0.5))
    for k in range(5):
        v = lo + pad + (hi - lo - 2 * pad) * k / 4
        d.add(String(left - 3, py(v) - 2.5, axis_value(v, percent, scaled=True),
                     fontName=REGULAR, fontSize=fs, textAnchor="end"))
        n = x0 + (x1 - x0) * k / 4
        d.add(String(px(n), bottom - 10, f"{n:,.0f}", fontName=REGULAR, fontSize=fs,
                     textAnchor="middle"))
    d.add(String((left + right) / 2, 3, "denominator over the period", fontName=REGULAR,
                 fontSize=fs, textAnchor="middle"))
    for k, dash, w in ((1, [5, 2], 0.9), (2, [1, 1.5], 0.7), (3, [1, 1.5], 0.7),
                       (4, [5, 2], 0.9)):
        pts = [c for row in curve for c in (px(row[0]), py(row[k] * unit))]
        d.add(PolyLine(pts, strokeColor=INK, strokeWidth=w, strokeDashArray=dash))
    d.add(Line(left, py(f.mean * unit), right, py(f.mean * unit), strokeColor=INK,
               strokeWidth=0.6, strokeDashArray=[6, 2, 1, 2]))
    for r in rows:
        if r.value is None:  # only a suppressed row has no value
            continue
        flag = limits.flag(r)
        cx, cy = px(r.size), py(r.value * unit)
        _marker(d, cx, cy, "outside" if flag != FunnelFlag.WITHIN else "")
        if len(rows) <= 30:
            d.add(String(cx + 4, cy + 3, clip_text(r.name, 150, 6.5), fontName=REGULAR,
                         fontSize=6.5, fillColor=INK))
    return d


LIGHT_BLUE, LIGHT_ORANGE, LIGHT_GREY = (colors.HexColor("#9ECAE9"), colors.HexColor("#F7CD7F"),
                                       colors.HexColor("#DDDDDD"))
LIGHT_PURPLE = colors.HexColor("#C9B3E0")  # no preferred direction, legible in grey
# key: (fill, letter, words); light fills keep the black letter legible in grey; the
# keys and words are `core.measures`' (`judge_series` decides which one applies)
VARIATION = {k: (fill, letter, VARIATION_WORDS[k]) for k, fill, letter in (
    ("common", LIGHT_GREY, "~"), ("improvement", LIGHT_BLUE, "I"),
    ("concern", LIGHT_ORANGE, "C"), ("neutral high", LIGHT_PURPLE, "H"),
    ("neutral low", LIGHT_PURPLE, "L"), ("none", colors.white, "–"))}
ASSURANCE = {k: (fill, letter, ASSURANCE_WORDS[k]) for k, fill, letter in (
    ("pass", LIGHT_BLUE, "P"), ("fail", LIGHT_ORANGE, "F"),
    ("hit and miss", LIGHT_GREY, "?"), ("neutral", colors.white, "–"),
    ("none", colors.white, "–"))}


def icon_drawing(table: dict[str, Any], key: str, size: float = 18) -> Drawing:
    """A round icon with a letter: colour for the screen, letter for paper."""
    fill, letter, _words = table.get(key, table["none"])
    d = Drawing(size, size)
    d.add(Circle(size / 2, size / 2, size / 2 - 1, fillColor=fill, strokeColor=INK,
                 strokeWidth=0.8))
    d.add(String(size / 2, size / 2 - 3.5, letter, fontName=BOLD, fontSize=10,
                 textAnchor="middle", fillColor=INK))
    return d
