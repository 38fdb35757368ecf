"""Shewhart control charts for one phase: p, u, c and I (individuals).

Formulas as Montgomery and qicharts2 use them (DOMAIN.md "Control charts"):

* p: CL = Σcounts / Σn;           limits CL ± 3·√(CL(1−CL)/nᵢ), clipped to [0, 1]
* u: CL = Σcounts / Σexposure;    limits CL ± 3·√(CL/nᵢ), lower clipped at 0
* c: CL = mean count;             limits CL ± 3·√CL, lower clipped at 0
* I: CL = mean;                   limits CL ± 3·MR̄/1.128 (moving ranges between consecutive
                                  included baseline points)
* p′ and u′ (Laney 2002, as qicharts2's `qic.pp`/`qic.up`): the p or u chart's limits with
  each point's sigma multiplied by σz = MR̄(z)/1.128, where zᵢ = (yᵢ − CL)/σᵢ are the
  baseline points standardised by their own p or u sigma.  Very large denominators make
  p and u limits so narrow that nearly every point is "outside" although the process is
  stable (over-dispersion); σz widens them by the between-point variation actually seen,
  and is about 1 when there is none, so p′ then agrees with p.  Like qicharts2 (its
  default) the moving ranges of z are not screened.

`baseline` (a number of leading positions) freezes the computation on the first points;
`exclude` leaves points out of the computation but keeps them plotted and judged.  Missing
values (None) are neither computed nor judged.  Linear time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import gt, le, lt, or_, truediv
from typing import cast

from .errors import NicdeskError
from .mdc import screen_moving_ranges
from .states import CHART_NAMES, ChartKind

KINDS = (ChartKind.P, ChartKind.U, ChartKind.C, ChartKind.I, ChartKind.PP,
         ChartKind.UP)  # the control charts
RATIO_KINDS = (ChartKind.P, ChartKind.U, ChartKind.PP,
               ChartKind.UP)  # a count over a denominator per point
#: Laney's prime charts and the chart whose sigma each one corrects
LANEY_BASE: dict[str, str] = {ChartKind.PP: ChartKind.P, ChartKind.UP: ChartKind.U}
D2 = 1.128  # bias correction of the moving range of two points


class ControlChartError(NicdeskError, ValueError):
    """Data that cannot make this chart (e.g. a zero denominator), in plain words.  Still
    a `ValueError`: chart callers catch bad data as one."""

    title = "Cannot draw this control chart"


@dataclass(frozen=True)
class ControlChart:
    kind: str
    y: list[float | None]
    centre: list[float | None]
    lower: list[float | None]
    upper: list[float | None]
    signals: list[int] = field(default_factory=list)
    mean: float | None = None
    mr_bar: float | None = None
    sigma_z: float | None = None  # Laney's correction factor (p′ and u′ charts only)

    def outside(self, i: int) -> int:
        """+1 above the upper limit, −1 below the lower, 0 inside (or not plotted)."""
        y, lo, hi = self.y[i], self.lower[i], self.upper[i]
        if y is None or lo is None or hi is None:
            return 0
        return 1 if y > hi else (-1 if y < lo else 0)


def control_chart(
    kind: str,
    values: Sequence[float | None],
    sizes: Sequence[float | None] | None = None,
    *,
    baseline: int | None = None,
    exclude: Iterable[int] = (),
    mr_screen: bool = False,
    mr_factor: float | None = None,
) -> ControlChart:
    """One phase's chart.  I chart only: `mr_screen` drops moving ranges of 3.267·MR̄ or
    more before MR̄ is recomputed, and `mr_factor` replaces 3/1.128 as the multiple of
    MR̄ — both as the Making Data Count rules (`core.mdc`) want them."""
    kind = kind.lower()
    if kind not in KINDS:
        raise ControlChartError(f"Unknown chart {kind!r}; choose one of p, u, c, I, p′ "
                                "(pp) or u′ (up).")
    base = LANEY_BASE.get(kind, kind)  # p′ checks its data as p does, u′ as u
    n = len(values)
    sized: Sequence[float | None] = ()  # the denominators of a p or u chart
    if kind in RATIO_KINDS:
        if sizes is None or len(sizes) != n:
            raise ControlChartError(f"A {CHART_NAMES[kind]} needs a denominator for every "
                                    "point.")
        sized = sizes
    excluded = set(exclude)
    if (kind in (ChartKind.P, ChartKind.U) and not excluded and None not in values
            and None not in sized):
        # no None in either: every point is a number
        return _ratio_fast(kind, cast("Sequence[float]", values),
                           cast("Sequence[float]", sized), baseline)
    used = [i for i in range(n if baseline is None else min(baseline, n))
            if values[i] is not None and i not in excluded
            and (sizes is None or kind not in RATIO_KINDS or sizes[i] is not None)]
    y: list[float | None] = [None] * n
    centre: list[float | None] = [None] * n
    lower: list[float | None] = [None] * n
    upper: list[float | None] = [None] * n
    mean: float | None = None
    mr_bar: float | None = None
    sigma_z: float | None = None

    if kind in RATIO_KINDS:
        for i in range(n):
            v, size = values[i], sized[i]
            if v is None or size is None:
                continue
            if size <= 0:
                raise ControlChartError(
                    f"Point {i + 1} has a denominator of {size:g}; a {CHART_NAMES[kind]} needs "
                    "denominators above zero. Exclude the point or correct it.")
            if base == ChartKind.P and not 0 <= v <= size:
                raise ControlChartError(
                    f"Point {i + 1} has {v:g} out of {size:g}; a proportion's count must lie "
                    "between 0 and its denominator.")
            y[i] = v / size
        total_n = sum(_present(sized, used))
        if used and total_n > 0:
            mean = ratio = sum(_present(values, used)) / total_n
            if kind in LANEY_BASE:
                sigma_z = _laney_sigma_z(base, ratio, y, sized, used)
            factor = 1.0 if sigma_z is None else sigma_z  # σz = 0: limits on the mean
            for i in range(n):
                size = sized[i]
                if y[i] is None or size is None:  # a point with a value has a size
                    continue
                if base == ChartKind.P:
                    sigma = math.sqrt(ratio * (1 - ratio) / size) * factor
                    lo, hi = max(0.0, ratio - 3 * sigma), min(1.0, ratio + 3 * sigma)
                else:
                    sigma = math.sqrt(ratio / size) * factor
                    lo, hi = max(0.0, ratio - 3 * sigma), ratio + 3 * sigma
                centre[i], lower[i], upper[i] = ratio, lo, hi
    else:
        for i in range(n):
            v = values[i]
            if v is not None:
                if kind == ChartKind.C and v < 0:
                    raise ControlChartError(f"Point {i + 1} is a negative count ({v:g}).")
                y[i] = float(v)
        if used:
            points = _present(values, used)
            mean = average = sum(points) / len(used)
            if kind == ChartKind.C:
                sigma = math.sqrt(average)
                lo, hi = max(0.0, average - 3 * sigma), average + 3 * sigma
            else:
                ranges = [abs(b - a) for a, b in zip(points, points[1:], strict=False)]
                if mr_screen:
                    ranges = screen_moving_ranges(ranges)
                mr_bar = spread = sum(ranges) / len(ranges) if ranges else 0.0
                width = 3 * spread / D2 if mr_factor is None else mr_factor * spread
                lo, hi = average - width, average + width
            for i in range(n):
                if y[i] is not None:
                    centre[i], lower[i], upper[i] = average, lo, hi
    chart = ControlChart(kind, y, centre, lower, upper, [], mean, mr_bar, sigma_z)
    chart.signals.extend(i for i in range(n) if chart.outside(i))
    return chart


def _laney_sigma_z(base: str, ratio: float, y: Sequence[float | None],
                   sizes: Sequence[float | None], used: list[int]) -> float:
    """Laney's σz: the mean moving range of the used points' z-scores over 1.128.

    zᵢ = (yᵢ − CL)/σᵢ with σᵢ the p or u chart's own sigma at the point's denominator.
    Consecutive used points are paired, bridging excluded or missing ones, as the I
    chart's moving ranges are.  Where there is nothing to correct with — fewer than two
    used points, or a centre line of 0 (or 1 on a p′ chart) where every σᵢ is 0 — the
    factor is 1 and the chart is the plain p or u chart, rather than limits of no width."""
    spread = ratio * (1 - ratio) if base == ChartKind.P else ratio
    if spread <= 0:
        return 1.0
    z = [((v - ratio) / math.sqrt(spread / size))
         for i in used if (v := y[i]) is not None and (size := sizes[i]) is not None]
    if len(z) < 2:
        return 1.0
    return sum(abs(b - a) for a, b in zip(z, z[1:], strict=False)) / (len(z) - 1) / D2


def _present(values: Sequence[float | None], used: list[int]) -> list[float]:
    """The values at `used`, which are all there (`used` holds only such points)."""
    return [v for i in used if (v := values[i]) is not None]


def _ratio_fast(kind: str, counts: Sequence[float], sizes: Sequence[float],
                baseline: int | None) -> ControlChart:
    """p and u charts with every point present and none excluded: the common case, done
    with C-level `map` and one square root per distinct denominator (linear time)."""
    n = len(counts)
    if n and min(sizes) <= 0:
        i = next(k for k, size in enumerate(sizes) if size <= 0)
        raise ControlChartError(
            f"Point {i + 1} has a denominator of {sizes[i]:g}; a {kind} chart needs "
            "denominators above zero. Exclude the point or correct it.")
    if kind == ChartKind.P and n and (min(counts) < 0 or not all(map(le, counts, sizes))):
        i = next(k for k in range(n) if not 0 <= counts[k] <= sizes[k])
        raise ControlChartError(
            f"Point {i + 1} has {counts[i]:g} out of {sizes[i]:g}; a proportion's count must "
            "lie between 0 and its denominator.")
    ys: list[float] = list(map(truediv, counts, sizes))
    y = cast("list[float | None]", ys)  # a chart's points may be None; these are all there
    b = n if baseline is None else min(baseline, n)
    total = sum(sizes[:b])
    if not b or total <= 0:
        none: list[float | None] = [None] * n
        return ControlChart(kind, y, none, list(none), list(none), [])
    mean = sum(counts[:b]) / total
    spread = mean * (1 - mean) if kind == ChartKind.P else mean
    width = {size: 3 * math.sqrt(spread / size) for size in set(sizes)}
    top = 1.0 if kind == ChartKind.P else math.inf
    low_of = {size: max(0.0, mean - w) for size, w in width.items()}
    high_of = {size: min(top, mean + w) for size, w in width.items()}
    lows: list[float] = list(map(low_of.__getitem__, sizes))
    highs: list[float] = list(map(high_of.__getitem__, sizes))
    signals = list(compress(range(n), map(or_, map(gt, ys, highs), map(lt, ys, lows))))
    return ControlChart(kind, y, [mean] * n, cast("list[float | None]", lows),
                        cast("list[float | None]", highs), signals, mean)
