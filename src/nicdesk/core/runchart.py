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
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from operator import add, ge, gt
from typing import Any, cast

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
    """Smallest c with P(Binomial(size, ½) ≤ c) ≥ p (R's qbinom(p, size, 0.5)).

    Terms more than 12 standard deviations below the mean are below 1e-30 and cannot
    change the answer, so the sum starts there: exact, and fast for large sizes."""
    if size <= 0:
        return 0
    start = max(0, int(size / 2 - 12 * math.sqrt(size / 4)))
    term = math.exp(math.lgamma(size + 1) - math.lgamma(start + 1)
                    - math.lgamma(size - start + 1) + size * math.log(0.5))
    total = 0.0
    for c in range(start, size + 1):
        total += term
        if total >= p - 1e-12:
            return c
        term *= (size - c) / (c + 1)
    return size


def longest_run_limit(n_useful: int) -> int | None:
    return round(math.log2(n_useful)) + 3 if n_useful > 0 else None


def crossings_limit(n_useful: int) -> int | None:
    return qbinom_half(0.05, n_useful - 1) if n_useful > 0 else None


def _side_pattern(code: bytes, minimum: int) -> re.Pattern[bytes]:
    """At least `minimum` points coded `code`, with any number of neutral points (code 1)
    between them: those neither break nor count (a point on the median, an equal step)."""
    return _compiled(code, minimum)


@lru_cache(maxsize=64)
def _compiled(code: bytes, minimum: int) -> re.Pattern[bytes]:
    c = re.escape(code)
    return re.compile(c + b"(?:\\x01*" + c + b"){" + str(minimum - 1).encode() + b",}")


def _runs(codes: bytes, minimum: int) -> list[tuple[int, int, int]]:
    """(first, last, side) of every maximal run of at least `minimum` useful points."""
    out = []
    for code, side in ((b"\x02", 1), (b"\x00", -1)):
        out += [(m.start(), m.end() - 1, side) for m in _side_pattern(code, minimum).finditer(codes)]
    return sorted(out)


def analyze(
    values: Sequence[float | None],
    *,
    baseline: int | None = None,
    centre: float | None = None,
) -> RunChartAnalysis:
    """Judge one run chart (one phase) in linear time, apart from the median's sort.

    Each point is coded as one byte (0 below, 1 on the centre line, 2 above), each step
    between neighbours likewise (0 down, 1 equal, 2 up); runs, crossings and trends are
    then found by the `re` and `bytes` machinery in C.  100,000 points cost a small
    multiple of the median's own sort.
    """
    present: Sequence[float]
    positions: list[int] | None = None
    try:
        # the fast path takes every point for a number; a None among them raises
        # TypeError in the sort or the coding, and the slow path below skips it
        numbers = cast("Sequence[float]", values)
        if centre is None:
            centre = _median(list(numbers) if baseline is None else list(numbers[:baseline]))
        present = numbers
        codes = _codes(present, centre)
    except TypeError:  # missing or excluded points (None): skip them, remember positions
        positions = [i for i, v in enumerate(values) if v is not None]
        present = [v for v in values if v is not None]
        if centre is None:
            base = [v for i, v in zip(positions, present, strict=True)
                    if baseline is None or i < baseline]
            if not base:
                return RunChartAnalysis(None, 0, 0, None, 0, None, False)
            centre = _median(base)
        codes = _codes(present, centre)
    except (ValueError, IndexError):  # no values at all
        return RunChartAnalysis(None, 0, 0, None, 0, None, False)

    def at(k: int) -> int:
        return positions[k] if positions is not None else k

    useful = codes.replace(b"\x01", b"")
    n = len(useful)
    above = useful.count(b"\x02")
    crossings = useful.count(b"\x00\x02") + useful.count(b"\x02\x00")
    shifts_raw = _runs(codes, IHI_SHIFT)
    shifts = [(at(a), at(b)) for a, b, _s in shifts_raw]
    shift_sides = [sd for _a, _b, sd in shifts_raw]
    longest, longest_span, longest_side = 0, None, 0
    candidates = shifts_raw
    threshold = IHI_SHIFT - 1
    while not candidates and threshold >= 1 and n:
        candidates = _runs(codes, threshold)
        threshold -= 1
    for a, b, sd in candidates:
        length = codes.count(b"\x02" if sd > 0 else b"\x00", a, b + 1)
        if length > longest:
            longest, longest_span, longest_side = length, (at(a), at(b)), sd
    up, down = _trends(present, at, IHI_TREND)
    run_max, cross_min = longest_run_limit(n), crossings_limit(n)
    signal = n > 0 and (longest > run_max or crossings < cross_min)  # type: ignore[operator]  # both limits exist for n > 0
    return RunChartAnalysis(
        median=centre, n_useful=n, longest_run=longest, longest_run_max=run_max,
        crossings=crossings, crossings_min=cross_min, runs_signal=bool(signal), shifts=shifts,
        up_trends=up, down_trends=down, shift_sides=shift_sides,
        longest_run_span=longest_span, longest_run_side=longest_side,
        runs=crossings + 1 if n else 0, above=above, below=n - above,
    )


def _codes(values: Sequence[float], centre: float) -> bytes:
    """One byte per point: 2 above the centre, 1 on it, 0 below (gt + ge, all in C)."""
    here = repeat(centre)
    return bytes(map(add, map(gt, values, here), map(ge, values, repeat(centre))))


def _trends(values: Sequence[float], at: Any, minimum: int
            ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Maximal monotone runs of at least `minimum` points; an equal neighbour neither
    breaks nor adds to a run, and equal neighbours at either end belong to it."""
    later = values[1:]
    # one byte per step: 2 up, 1 equal, 0 down; step k joins point k and k + 1
    steps = bytes(map(add, map(gt, later, values), map(ge, later, values)))
    found: dict[int, list[tuple[int, int]]] = {1: [], -1: []}
    last = len(steps)
    for code, sign in ((b"\x02", 1), (b"\x00", -1)):
        for m in _compiled(code, minimum - 1).finditer(steps):
            first, end = m.start(), m.end()
            while first > 0 and steps[first - 1] == 1:
                first -= 1  # equal neighbours the run starts from
            while end < last and steps[end] == 1:
                end += 1  # ... and those it ends on
            found[sign].append((at(first), at(end)))
    return found[1], found[-1]


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
