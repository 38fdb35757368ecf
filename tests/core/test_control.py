"""Control limits against worked textbook examples (Montgomery, Introduction to SQC)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.control import ControlChartError, control_chart

# Montgomery, Example 7.1: orange-juice cans, 30 samples of 50
OJ = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11, 20, 18, 24, 15,
      9, 12, 7, 13, 9, 6]
# Montgomery, Example 7.3: nonconformities in 26 samples of 100 printed circuit boards
PCB = [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16, 19, 10, 17, 13, 22, 18, 39, 30, 24,
       16, 19, 17, 15]


def test_p_chart_montgomery_orange_juice() -> None:
    assert sum(OJ) == 347
    chart = control_chart("p", OJ, [50] * 30)
    assert chart.mean == pytest.approx(0.2313, abs=1e-4)
    assert chart.upper[0] == pytest.approx(0.4102, abs=1e-4)
    assert chart.lower[0] == pytest.approx(0.0524, abs=1e-4)
    assert chart.signals == [14, 22]  # samples 15 and 23


def test_c_chart_montgomery_circuit_boards() -> None:
    assert sum(PCB) == 516
    chart = control_chart("c", PCB)
    assert chart.mean == pytest.approx(19.85, abs=0.01)
    assert chart.upper[0] == pytest.approx(33.22, abs=0.01)
    assert chart.lower[0] == pytest.approx(6.48, abs=0.01)
    assert chart.signals == [5, 19]  # samples 6 and 20


def test_c_chart_with_those_points_excluded_keeps_judging_them() -> None:
    chart = control_chart("c", PCB, exclude=[5, 19])
    assert chart.mean == pytest.approx(472 / 24)
    # Montgomery's revised limits: c̄ = 19.67, UCL = 32.97, LCL = 6.36
    assert chart.upper[0] == pytest.approx(32.97, abs=0.01)
    assert chart.lower[0] == pytest.approx(6.36, abs=0.01)
    assert 5 in chart.signals and 19 in chart.signals


def test_u_chart_montgomery_personal_computers() -> None:
    # ū = 1.93 over 20 samples of 5 computers; UCL 3.79, LCL 0.07
    counts = [10, 12, 8, 14, 10, 16, 11, 7, 10, 15, 9, 5, 7, 11, 12, 6, 8, 10, 7, 5]
    assert sum(counts) == 193
    chart = control_chart("u", counts, [5] * 20)
    assert chart.mean == pytest.approx(1.93)
    assert chart.upper[0] == pytest.approx(3.79, abs=0.01)
    assert chart.lower[0] == pytest.approx(0.07, abs=0.01)
    assert chart.signals == []


def test_i_chart_hand_worked() -> None:
    chart = control_chart("i", [10, 12, 11, 13, 12])
    assert chart.mean == pytest.approx(11.6)
    assert chart.mr_bar == pytest.approx(1.5)
    assert chart.upper[0] == pytest.approx(11.6 + 3 * 1.5 / 1.128)
    assert chart.lower[0] == pytest.approx(11.6 - 3 * 1.5 / 1.128)


def test_frozen_baseline_and_missing_values() -> None:
    chart = control_chart("i", [10, 10, 11, 9, None, 20, 21], baseline=4)
    assert chart.mean == pytest.approx(10)
    assert chart.y[4] is None and chart.centre[4] is None
    assert chart.signals == [5, 6]


def test_p_limits_clipped_to_0_and_1() -> None:
    chart = control_chart("p", [0, 1, 0, 1], [2, 2, 2, 2])
    assert all(0 <= lo <= hi <= 1 for lo, hi in zip(chart.lower, chart.upper, strict=True))


@pytest.mark.parametrize(("kind", "values", "sizes", "phrase"), [
    ("p", [1, 2], [10, 0], "denominators above zero"),
    ("p", [12, 2], [10, 10], "between 0 and its denominator"),
    ("u", [1, 2], None, "denominator for every point"),
    ("x", [1], None, "Unknown chart"),
])
def test_bad_data_is_explained(kind, values, sizes, phrase) -> None:
    with pytest.raises(ControlChartError, match=phrase):
        control_chart(kind, values, sizes)


@given(st.lists(st.integers(0, 50), min_size=1, max_size=40))
def test_c_chart_limits_bracket_the_centre(counts) -> None:
    chart = control_chart("c", counts)
    for lo, c, hi in zip(chart.lower, chart.centre, chart.upper, strict=True):
        assert 0 <= lo <= c <= hi
