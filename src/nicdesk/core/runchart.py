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
* IHI too few / too many runs: the published table (`IHI_RUNS_TABLE`, Perla, Provost &
  Murray 2011, Table 1) for the number of useful points, not a fresh Swed–Eisenhart
  computation: the table is what IHI-trained teams read their charts against, and it is
  more cautious than the exact 2.5 % tails for several n (for 20 points, 6 runs is no
  signal in the table).  A signal needs fewer runs than the lower limit or more than the
  upper one; outside n = 10…60 the table says nothing, so neither does NICdesk.
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

    def why_not_judgeable(self, line: str = "median") -> str:
        """Why no pattern can be judged, naming the centre line the chart draws (`line`:
        "median" on a run chart, "mean" on a control chart) so the words match the chart."""
        if self.median is None:
            return "There are no values yet, so there is nothing to judge."
        if self.n_useful < 2:
            return (f"Too few points off the {line} to judge any pattern "
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


#: Perla RJ, Provost LP, Murray SK. "The run chart: a simple analytical tool for learning
#: from variation in healthcare processes". BMJ Qual Saf 2011;20:46–51, Table 1 ("Tests for
#: number of runs above and below the median"), adapted there from Swed & Eisenhart (1943)
#: at about a 5 % risk of a false signal.  Number of useful points (not on the centre
#: line) → (lower limit, upper limit): fewer runs than the lower limit are "too few", more
#: than the upper limit "too many".  The table's irregular steps are kept (11 and 12
#: points share the lower limit 3; 27 points jump to 10): the rows are not what an exact
#: computation gives for every n, and matching the table is the point.  Rows 10–15 are
#: checked against an independent transcription (IHI QI 104 course notes); rows 16–60
#: were transcribed without the printed paper at hand and still need that check.
IHI_RUNS_TABLE: dict[int, tuple[int, int]] = {
    10: (3, 9), 11: (3, 10), 12: (3, 11), 13: (4, 11), 14: (4, 12),
    15: (5, 12), 16: (5, 13), 17: (5, 13), 18: (6, 14), 19: (6, 15),
    20: (6, 16), 21: (7, 16), 22: (7, 17), 23: (7, 17), 24: (8, 18),
    25: (8, 18), 26: (9, 19), 27: (10, 19), 28: (10, 20), 29: (10, 20),
    30: (11, 21), 31: (11, 22), 32: (11, 23), 33: (12, 23), 34: (12, 24),
    35: (12, 24), 36: (13, 25), 37: (13, 25), 38: (14, 26), 39: (14, 26),
    40: (15, 27), 41: (15, 27), 42: (16, 28), 43: (16, 28), 44: (17, 29),
    45: (17, 30), 46: (17, 30), 47: (18, 31), 48: (18, 31), 49: (19, 32),
    50: (19, 32), 51: (20, 33), 52: (20, 33), 53: (21, 34), 54: (21, 35),
    55: (21, 35), 56: (22, 36), 57: (22, 36), 58: (23, 37), 59: (23, 38),
    60: (24, 38),
}
IHI_RUNS_MIN = min(IHI_RUNS_TABLE)
IHI_RUNS_MAX = max(IHI_RUNS_TABLE)


def ihi_runs_limits(n_useful: int) -> tuple[int, int] | None:
    """(lower, upper) from Perla et al. Table 1: a signal when runs < lower or runs > upper.

    None outside the table (fewer than 10 or more than 60 useful points): the published
    rule gives no limits there, and inventing some would no longer be the IHI rule."""
    return IHI_RUNS_TABLE.get(n_useful)


def ihi_runs_not_judged(n_useful: int, line: str = "median") -> str:
    """Why the too few / too many runs rule is silent for this many useful points ("" when
    the table covers them), so a chart never looks judged by a rule that did not apply."""
    if n_useful < IHI_RUNS_MIN:
        return (f"Not enough points to judge by runs: {n_useful} useful points (off the "
                f"{line}); the IHI runs table starts at {IHI_RUNS_MIN}.")
    if n_useful > IHI_RUNS_MAX:
        return (f"Too few / too many runs not judged: {n_useful} useful points (off the "
                f"{line}); the IHI runs table stops at {IHI_RUNS_MAX}.")
    return ""
