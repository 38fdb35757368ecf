"""The NHS "Making Data Count" point rules, exactly as NHSRplotthedots computes them.

Why a module of its own: a coordinator who compares NICdesk's chart with the state's
NHS-style chart must get the same answer point for point, and the reference
implementation (NHSRplotthedots, the NHS-R community's R package, MIT licence:
`R/ptd_spc_standard.R` and `R/ptd_calculate_point_type.R`) differs from the IHI and Anhøj
conventions the rest of `core.runchart` follows in small ways that decide real points:

* **Ties.**  A point exactly on the centre line *breaks* a run of 7 on one side (IHI and
  Anhøj skip it), and a trend of 7 needs six strictly rising or strictly falling steps (an
  equal neighbour ends it; IHI lets it neither break nor add).
* **Two of three beyond two sigma.**  A point is "close" when it lies beyond the two-sigma
  line but *within* the limits (a point outside the limits is not close, it is outside);
  a window of three consecutive points signals when at least two of them are close and
  all three lie strictly on the same side of the centre line.  Only the close points of
  such a window are flagged.
* **One class per point**, by precedence: outside the limits, then part of a trend, then
  part of two-in-three, then part of a run of 7 on one side, else common cause.  The
  variation icon is the class of the last point.
* **Moving ranges are screened** before the I chart's limits (`screen_moving_ranges`):
  ranges of 3.267·MR̄ or more (D4 for ranges of two points: beyond their own upper limit)
  are dropped once and MR̄ recomputed, so one wild jump does not widen the limits for
  every point; limits are mean ± 2.66·MR̄ and the two-sigma lines mean ± (2/3)·2.66·MR̄.

One deliberate difference: a point that ends one trend and whose next point begins
another trend (not a shared turning point) takes the direction of its own trend here;
the peer takes the sign of the step to the next point, which can call the last point of a
rising trend "decreasing".

Missing points (None) are skipped, as everywhere in `core`: the rules run over the
points that have a value, and every index returned points into the input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .states import ChartKind

__all__ = [
    "MR_SCREEN", "NEAR_FRACTION", "TREND_POINTS", "RUN_POINTS", "XMR_FACTOR", "MdcMarks",
    "classify", "near_lines", "part_of_seven", "screen_moving_ranges", "seven_point_trend",
    "seven_points_one_side", "two_in_three",
]

XMR_FACTOR = 2.66  # the peer's `limit`: I-chart limits at mean ± 2.66·MR̄
NEAR_FRACTION = 2 / 3  # the two-sigma lines: two thirds of the way to the limits
MR_SCREEN = 3.267  # moving ranges ≥ 3.267·MR̄ are left out of MR̄ (the peer's default)
RUN_POINTS = 7  # points in a row on one side of the centre line
TREND_POINTS = 7  # points in a row all rising or all falling


def screen_moving_ranges(ranges: Sequence[float]) -> list[float]:
    """The moving ranges MR̄ is recomputed from: those below 3.267 × their mean.

    Screened once, as the peer does (not repeated until nothing is dropped).  Where every
    range would go — a flat series, MR̄ = 0 — they are all kept, so the limits sit on the
    mean instead of being undefined (the peer returns NaN limits there)."""
    if not ranges:
        return []
    bar = sum(ranges) / len(ranges)
    kept = [r for r in ranges if r < MR_SCREEN * bar]
    return kept or list(ranges)


def seven_points_one_side(side: Sequence[int]) -> list[int]:
    """1 at a point ending 7 points in a row on the same side (−1/+1) of the centre
    line; a point on the line (0) breaks the row (the peer's
    `ptd_seven_point_one_side_mean`)."""
    out, length = [0] * len(side), 0
    for i, s in enumerate(side):
        length = length + 1 if s != 0 and i and side[i - 1] == s else int(s != 0)
        out[i] = int(length >= RUN_POINTS)
    return out


def part_of_seven(ends: Sequence[int]) -> list[int]:
    """1 at every point of a row of 7 whose last point `ends` marks (non-zero): the point
    itself or one of the next six ends one (`ptd_part_of_seven_trend`)."""
    out, reach = [0] * len(ends), 0  # how many more points back the latest end covers
    for i in range(len(ends) - 1, -1, -1):
        reach = RUN_POINTS if ends[i] != 0 else reach - 1
        out[i] = int(reach > 0)
    return out


def seven_point_trend(y: Sequence[float]) -> list[int]:
    """+1 (−1) at a point ending 7 points each strictly above (below) the one before;
    an equal neighbour ends a trend (`ptd_seven_point_trend`)."""
    out, length, sign = [0] * len(y), 0, 0  # strict steps in a row, and their sign
    for i in range(1, len(y)):
        step = (y[i] > y[i - 1]) - (y[i] < y[i - 1])
        length = length + 1 if step != 0 and step == sign else int(step != 0)
        sign = step
        if length >= TREND_POINTS - 1:
            out[i] = step
    return out


def two_in_three(close: Sequence[int], side: Sequence[int]) -> list[int]:
    """1 at a point inside any window of three consecutive points with at least two
    `close` to the limits and all three strictly on one side of the centre line
    (`ptd_two_in_three`); windows never reach past either end of the series."""
    n = len(close)
    out = [0] * n
    for i in range(n - 2):
        if (close[i] + close[i + 1] + close[i + 2] >= 2
                and abs(side[i] + side[i + 1] + side[i + 2]) == 3):
            out[i] = out[i + 1] = out[i + 2] = 1
    return out


@dataclass(frozen=True)
class MdcMarks:
    """Each input point's flags under the Making Data Count rules (indices into the input;
    a missing point has every flag 0).

    `side`: −1/0/+1 against the centre line; `outside`: −1/+1 beyond the lower/upper
    limit; `trend`: the direction of the trend the point is part of; `two_of_three` and
    `run`: the side of the two-in-three window or run of 7 it is part of; `present`: the
    points judged (those with a value and a centre line), in order.  `trends` keeps each
    trend apart even where two meet (a turning point belongs to both)."""

    present: list[int]
    side: list[int]
    outside: list[int]
    trend: list[int]
    two_of_three: list[int]
    run: list[int]
    trends: list[tuple[int, int, int]]  # (first, last, ±1) of every maximal trend

    def direction(self, k: int) -> int:
        """The point's class as a direction (+1 high, −1 low, 0 common cause), by the
        peer's precedence: outside limits, trend, two in three, run of 7."""
        for flags in (self.outside, self.trend, self.two_of_three, self.run):
            if flags[k]:
                return flags[k]
        return 0

    def special_cause(self, k: int) -> str:
        """The peer's `special_cause_type` words for point k ("7 Points Above CL")."""
        above = "Above" if self.side[k] > 0 else "Below"
        if self.outside[k]:
            return "Above UCL" if self.outside[k] > 0 else "Below LCL"
        if self.trend[k]:
            return f"7 Point Trend ({'In' if self.trend[k] > 0 else 'De'}creasing)"
        if self.two_of_three[k]:
            return f"2 in 3 {above} CL"
        if self.run[k]:
            return f"7 Points {above} CL"
        return "Common Cause"

    def spans(self, flags: list[int], gap: int = 1) -> list[tuple[int, int, int, list[int]]]:
        """Groups of flagged points with the same non-zero flag, at most `gap` present
        points apart: (first, last, flag, the flagged indices)."""
        out: list[tuple[int, int, int, list[int]]] = []
        order = {k: j for j, k in enumerate(self.present)}
        for k in self.present:
            f = flags[k]
            if not f:
                continue
            if out and out[-1][2] == f and order[k] - order[out[-1][1]] <= gap:
                first, _last, _f, ks = out[-1]
                out[-1] = (first, k, f, [*ks, k])
            else:
                out.append((k, k, f, [k]))
        return out


def near_lines(
    kind: str,
    centre: Sequence[float | None],
    lower: Sequence[float | None],
    upper: Sequence[float | None],
    mr_bar: float | None = None,
    factor: float | None = None,
) -> tuple[list[float | None], list[float | None]]:
    """The two-sigma lines of one phase's chart: two thirds of the way from the centre
    line to the limits.

    An I chart's are the peer's own sum, mean ± 2·(`factor`/3)·MR̄, so a point lying
    exactly on one is judged as in R.  Other charts' are found from the limits: a limit
    clipped at 0 (or at 1 on a proportion's chart) is not three sigma away, so the
    width is read off the other side; where both are clipped the two-sigma lines are
    unknown (None) and no point there counts as close."""
    n = len(centre)
    if kind == ChartKind.I and mr_bar is not None and factor is not None:
        close = 2 * (factor / 3)
        lo_i = [None if c is None else c - close * mr_bar for c in centre]
        hi_i = [None if c is None else c + close * mr_bar for c in centre]
        return lo_i, hi_i
    proportion = kind in (ChartKind.P, ChartKind.PP)
    lows: list[float | None] = [None] * n
    highs: list[float | None] = [None] * n
    for k in range(n):
        c, lo, hi = centre[k], lower[k], upper[k]
        if c is None or lo is None or hi is None:
            continue
        if not (proportion and hi >= 1):
            width = hi - c
        elif lo > 0:
            width = c - lo
        else:
            continue
        lows[k], highs[k] = c - NEAR_FRACTION * width, c + NEAR_FRACTION * width
    return lows, highs


def classify(
    y: Sequence[float | None],
    centre: Sequence[float | None],
    lower: Sequence[float | None],
    upper: Sequence[float | None],
    near_lower: Sequence[float | None],
    near_upper: Sequence[float | None],
) -> MdcMarks:
    """Flag every point of one phase by the Making Data Count rules.

    Per point: its value, the centre line, the limits and the two-sigma lines (None where
    a chart has none — a run chart has only a centre line, so only runs and trends can
    signal).  Comparisons are strict as in the peer: a point on a limit is inside it, one
    on a two-sigma line is not close, one on the centre line is on neither side."""
    n = len(y)
    present = [k for k in range(n) if y[k] is not None and centre[k] is not None]
    ys = [float(v) for k in present if (v := y[k]) is not None]
    side = [0] * len(present)
    outside = [0] * len(present)
    close = [0] * len(present)
    for j, k in enumerate(present):
        v, c = ys[j], centre[k]
        assert c is not None  # `present` holds only points with a centre line
        side[j] = (v > c) - (v < c)
        lo, hi, nlo, nhi = lower[k], upper[k], near_lower[k], near_upper[k]
        if hi is not None and v > hi:
            outside[j] = 1
        elif lo is not None and v < lo:
            outside[j] = -1
        elif (nhi is not None and v > nhi) or (nlo is not None and v < nlo):
            close[j] = 1
    trend_ends = seven_point_trend(ys)
    trend = [0] * len(present)
    trend_spans: list[tuple[int, int, int]] = []
    for end, sign in enumerate(trend_ends):
        if sign:  # later trends overwrite: a shared turning point takes the later one
            start = end - TREND_POINTS + 1
            for j in range(start, end + 1):
                trend[j] = sign
            if trend_spans and trend_spans[-1][2] == sign and trend_ends[end - 1] == sign:
                start = trend_spans.pop()[0]  # the same trend, one point longer
            trend_spans.append((start, end, sign))
    in_two = two_in_three(close, side)
    two = [side[j] if in_two[j] and close[j] else 0 for j in range(len(present))]
    in_run = part_of_seven(seven_points_one_side(side))
    run = [side[j] if in_run[j] else 0 for j in range(len(present))]

    def spread(flags: list[int]) -> list[int]:
        out = [0] * n
        for j, k in enumerate(present):
            out[k] = flags[j]
        return out

    return MdcMarks(present, spread(side), spread(outside), spread(trend), spread(two),
                    spread(run), [(present[a], present[b], d) for a, b, d in trend_spans])
