"""Run-chart analysis: the rules of DOMAIN.md "Run-chart rules", as pure functions.

`analyze` is the single entry point.  Conventions (documented where sources differ):

* ``None`` values (missing or excluded) are skipped: they neither break nor extend a run
  or a trend; every index returned points into the *input* sequence.
* ``baseline`` counts leading positions of the input sequence (Nones included), so a
  frozen baseline of 12 means "the first 12 periods", as a person reads the chart.
* Points exactly on the centre line are "not useful": they neither break nor extend a run.
* A trend is counted over groups of equal neighbours (an equal neighbour neither breaks
  nor adds to a trend); its span runs from the first point of its first group to the last
  point of its last group, which keeps reversal symmetric.
* Anhøj: runs signal if longest run > round(log2(n) + 3) or crossings < qbinom(0.05, n-1, ½).
* IHI too few / too many runs: the exact Swed–Eisenhart distribution of the number of runs
  for the observed counts above and below the median, 2.5 % in each tail (for 10 above and
  10 below this gives the textbook critical values 6 and 16).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

IHI_SHIFT = 6
IHI_TREND = 5


@dataclass(frozen=True)
class RunChartAnalysis:
    median: float | None  # the centre line used (median of the baseline, or as given)
    n_useful: int
    longest_run: int
    longest_run_max: int | None
    crossings: int
    crossings_min: int | None
    runs_signal: bool
    shifts: list[tuple[int, int]] = field(default_factory=list)
    up_trends: list[tuple[int, int]] = field(default_factory=list)
    down_trends: list[tuple[int, int]] = field(default_factory=list)
    shift_sides: list[int] = field(default_factory=list)  # +1 above, -1 below, per shift
    longest_run_span: tuple[int, int] | None = None
    longest_run_side: int = 0
    runs: int = 0
    above: int = 0
    below: int = 0

    @property
    def trends(self) -> list[tuple[int, int]]:
        return sorted(self.up_trends + self.down_trends)

    @property
    def judgeable(self) -> bool:
        return self.n_useful >= 2

    def why_not_judgeable(self) -> str:
        if self.median is None:
            return "There are no values yet, so there is nothing to judge."
        if self.n_useful < 2:
            return ("Too few points off the centre line to judge any pattern "
                    f"({self.n_useful}; at least 2 are needed, 10 or more to see signals).")
        return ""


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@lru_cache(maxsize=4096)
def qbinom_half(p: float, size: int) -> int:
    """Smallest c with P(Binomial(size, ½) ≤ c) ≥ p (R's qbinom(p, size, 0.5))."""
    if size <= 0:
        return 0
    total = 0.0
    # log-space terms avoid overflow for large sizes
    log_half = size * math.log(0.5)
    for c in range(size + 1):
        total += math.exp(math.lgamma(size + 1) - math.lgamma(c + 1) - math.lgamma(size - c + 1)
                          + log_half)
        if total >= p - 1e-12:
            return c
    return size


def longest_run_limit(n_useful: int) -> int | None:
    return round(math.log2(n_useful)) + 3 if n_useful > 0 else None


def crossings_limit(n_useful: int) -> int | None:
    return qbinom_half(0.05, n_useful - 1) if n_useful > 0 else None


def analyze(
    values: Sequence[float | None],
    *,
    baseline: int | None = None,
    centre: float | None = None,
) -> RunChartAnalysis:
    """Judge one run chart (one phase) in linear time, apart from the median's sort."""
    present = [(i, v) for i, v in enumerate(values) if v is not None]
    if centre is None:
        base = [v for i, v in present if baseline is None or i < baseline]
        if not base:
            return RunChartAnalysis(None, 0, 0, None, 0, None, False)
        centre = _median(base)
    # sides of the useful points
    idx: list[int] = []
    side: list[int] = []
    for i, v in present:
        if v > centre:
            idx.append(i)
            side.append(1)
        elif v < centre:
            idx.append(i)
            side.append(-1)
    n = len(idx)
    longest = crossings = 0
    shifts: list[tuple[int, int]] = []
    shift_sides: list[int] = []
    longest_span: tuple[int, int] | None = None
    longest_side = 0
    start = 0
    for k in range(1, n + 1):
        if k == n or side[k] != side[start]:
            length = k - start
            if length > longest:
                longest, longest_span, longest_side = length, (idx[start], idx[k - 1]), side[start]
            if length >= IHI_SHIFT:
                shifts.append((idx[start], idx[k - 1]))
                shift_sides.append(side[start])
            if k < n:
                crossings += 1
            start = k
    above = side.count(1)
    up, down = _trends([v for _i, v in present], [i for i, _v in present], IHI_TREND)
    run_max, cross_min = longest_run_limit(n), crossings_limit(n)
    signal = n > 0 and (longest > run_max or crossings < cross_min)  # type: ignore[operator]
    return RunChartAnalysis(
        median=centre, n_useful=n, longest_run=longest, longest_run_max=run_max,
        crossings=crossings, crossings_min=cross_min, runs_signal=bool(signal), shifts=shifts,
        up_trends=up, down_trends=down, shift_sides=shift_sides,
        longest_run_span=longest_span, longest_run_side=longest_side,
        runs=crossings + 1 if n else 0, above=above, below=n - above,
    )


def _trends(values: list[float], positions: list[int], minimum: int
            ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Maximal monotone runs of at least `minimum` groups of equal neighbours."""
    if not values:
        return [], []
    # groups of equal neighbours: (value, first position, last position)
    gv: list[float] = [values[0]]
    gfirst: list[int] = [positions[0]]
    glast: list[int] = [positions[0]]
    for v, p in zip(values[1:], positions[1:], strict=True):
        if v == gv[-1]:
            glast[-1] = p
        else:
            gv.append(v)
            gfirst.append(p)
            glast.append(p)
    up: list[tuple[int, int]] = []
    down: list[tuple[int, int]] = []
    g = len(gv)
    start = 0
    direction = 0
    for k in range(1, g):
        step = 1 if gv[k] > gv[k - 1] else -1
        if step != direction:
            if direction and k - start >= minimum:
                (up if direction > 0 else down).append((gfirst[start], glast[k - 1]))
            start = k - 1
            direction = step
    if direction and g - start >= minimum:
        (up if direction > 0 else down).append((gfirst[start], glast[g - 1]))
    return up, down


@lru_cache(maxsize=4096)
def swed_eisenhart(n_above: int, n_below: int, tail: float = 0.025) -> tuple[int, int] | None:
    """Critical numbers of runs: too few if runs ≤ low, too many if runs ≥ high.
    None when there are too few points for any number of runs to be unusual."""
    n1, n2 = n_above, n_below
    if n1 < 1 or n2 < 1:
        return None
    total = math.comb(n1 + n2, n1)
    pmf = {}
    for r in range(2, n1 + n2 + 1):
        if r % 2 == 0:
            k = r // 2
            ways = 2 * math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k - 1)
        else:
            k = (r - 1) // 2
            ways = (math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k)
                    + math.comb(n1 - 1, k) * math.comb(n2 - 1, k - 1))
        pmf[r] = ways / total
    low = 1  # runs ≤ low is too few (1 = never, since at least 2 runs exist)
    cdf = 0.0
    for r in sorted(pmf):
        cdf += pmf[r]
        if cdf <= tail:
            low = r
        else:
            break
    high = n1 + n2 + 1
    tail_sum = 0.0
    for r in sorted(pmf, reverse=True):
        tail_sum += pmf[r]
        if tail_sum <= tail:
            high = r
        else:
            break
    return low, high
