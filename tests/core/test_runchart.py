"""Run-chart rules: hand-worked vectors and properties (DOMAIN.md definitions)."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from nicdesk.core.runchart import (
    analyze,
    crossings_limit,
    ihi_runs_limits,
    longest_run_limit,
    qbinom_half,
)

series = st.lists(st.one_of(st.none(), st.integers(0, 6).map(float)), max_size=60)


def test_qicharts2_limits_for_24_useful_points() -> None:
    assert longest_run_limit(24) == 8
    assert crossings_limit(24) == 8


@pytest.mark.parametrize(("n", "run", "cross"), [(10, 6, 2), (20, 7, 6), (30, 8, 10),
                                                (50, 9, 19), (100, 10, 41)])
def test_anhoj_table(n: int, run: int, cross: int) -> None:
    """Values from Anhøj & Olesen (2014), table 1."""
    assert longest_run_limit(n) == run
    assert crossings_limit(n) == cross


def _cdf(k: int, size: int) -> float:
    return sum(math.comb(size, j) for j in range(k + 1)) / 2**size


def test_qbinom_matches_the_definition() -> None:
    for size in range(1, 60):
        c = qbinom_half(0.05, size)
        assert _cdf(c, size) >= 0.05 and (c == 0 or _cdf(c - 1, size) < 0.05)


def test_ihi_runs_limits_for_20_points() -> None:
    """Perla, Provost & Murray (2011), Table 1: 20 useful points → fewer than 6 or more
    than 16 runs (the whole table is in test_ihi_runs_table.py)."""
    assert ihi_runs_limits(20) == (6, 16)


def test_ihi_shift_and_trend_example() -> None:
    # baseline around 10 (median 10), then 8 useful points above it (the 10 at index 6
    # sits on the median: it neither breaks nor extends the run), then 5 rising points
    values = [10, 9, 11, 10, 9, 11, 10, 13, 14, 13, 15, 14, 13, 14, 1, 2, 3, 4, 5]
    a = analyze(values, baseline=7)
    assert a.median == 10
    assert a.shifts == [(5, 13)]
    assert a.shift_sides == [1]
    assert (14, 18) in a.up_trends


def test_points_on_the_median_neither_break_nor_count() -> None:
    values = [1, 1, 1, 5, 5, 3, 5, 5, 5, 5, 3, 1, 1]
    a = analyze(values, centre=3)
    assert a.n_useful == 11
    assert a.shifts == [(3, 9)]  # six useful points 5,5,5,5,5,5 with a 3 inside
    assert a.longest_run == 6


def test_equal_neighbours_neither_break_nor_add_to_a_trend() -> None:
    assert analyze([1, 2, 2, 3, 4]).up_trends == []  # only four distinct steps
    assert analyze([1, 2, 2, 3, 4, 5]).up_trends == [(0, 5)]
    assert analyze([5, 4, 4, 3, 2, 1, 1]).down_trends == [(0, 6)]


@pytest.mark.parametrize("values", [[], [None, None], [3.0], [3.0, 3.0, 3.0], [1.0, 2.0]])
def test_tiny_and_flat_series_do_not_fail(values) -> None:
    a = analyze(values)
    assert not a.runs_signal and a.shifts == [] and a.trends == []
    if len(values) < 2 or len(set(values)) == 1:
        assert not a.judgeable and a.why_not_judgeable()


@given(series)
def test_indices_lie_in_range(values) -> None:
    a = analyze(values)
    for first, last in a.shifts + a.trends:
        assert 0 <= first < last < len(values)
        assert values[first] is not None and values[last] is not None


@given(series, st.data())
def test_adding_a_point_on_the_median_changes_nothing(values, data) -> None:
    a = analyze(values)
    assume(a.median is not None)
    pos = data.draw(st.integers(0, len(values)))
    # a point on the centre line between two points: shifts, runs, crossings unchanged
    b = analyze(values[:pos] + [a.median] + values[pos:], centre=a.median)
    assert (b.n_useful, b.longest_run, b.crossings, b.runs_signal, len(b.shifts)) == (
        a.n_useful, a.longest_run, a.crossings, a.runs_signal, len(a.shifts))


@given(series)
def test_reversing_swaps_up_and_down_trends(values) -> None:
    n = len(values)
    a, r = analyze(values), analyze(values[::-1])
    mirror = lambda spans: sorted((n - 1 - last, n - 1 - first) for first, last in spans)  # noqa: E731
    assert mirror(r.up_trends) == sorted(a.down_trends)
    assert mirror(r.down_trends) == sorted(a.up_trends)
    assert mirror(r.shifts) == sorted(a.shifts)
    assert (r.longest_run, r.crossings) == (a.longest_run, a.crossings)


@given(series)
def test_runs_signal_follows_its_definition(values) -> None:
    a = analyze(values)
    if a.n_useful:
        assert a.runs_signal == (a.longest_run > a.longest_run_max
                                 or a.crossings < a.crossings_min)
        assert a.runs == a.crossings + 1 and a.above + a.below == a.n_useful
