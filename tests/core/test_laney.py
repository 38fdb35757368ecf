"""Laney's p′ and u′ charts (Laney 2002) as qicharts2 computes them (`qic.pp`, `qic.up`
in its R/helper.functions.R).

The data are qicharts2's own example datasets, read from its `data/*.rda` files:
`nhs_accidents` (its vignette's "Case 5: prime charts", 20 weeks of patients seen within
4 hours of attending A&E, from Mohammed et al., BMJ Qual Saf 2013;22:362) and
`complaints` (its complaints per sales example).  qicharts2's test suite has no expected
values for prime charts, so the expected numbers below are what its `qic.pp`/`qic.up`
code gives on these data, recomputed here line by line in the R code's own order
(`_qicharts2_prime`) and pinned as literals, so a change to either side shows.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nicdesk.core.control import ControlChartError, control_chart
from nicdesk.core.signals import Point, analyse_series
from nicdesk.core.states import CHART_NAMES, ChartKind

# qicharts2 data/nhs_accidents.rda: r (seen within 4 hours) of n (attendances), weeks 1-20
NHS_R = [266501, 264225, 276532, 281461, 269071, 261215, 270409, 279778, 270483, 270320,
         267923, 271478, 255353, 256820, 261835, 259144, 255910, 260863, 264465, 260989]
NHS_N = [280443, 276823, 291681, 296155, 282343, 275888, 283867, 295251, 284468, 282529,
         279618, 283932, 266629, 268091, 276803, 271578, 266005, 273520, 278574, 273772]
# qicharts2 data/complaints.rda: complaints per sales, months 1-20
COMPLAINTS = [426, 543, 428, 67, 303, 481, 304, 718, 681, 1030, 704, 1062, 1085, 1311, 1309,
              1342, 1740, 1468, 1364, 1824]
SALES = [90000, 110000, 90000, 40000, 60000, 70000, 90000, 120000, 150000, 210000, 190000,
         250000, 220000, 210000, 230000, 220000, 310000, 330000, 320000, 330000]


def _qicharts2_prime(kind: str, y_sum: list[float], n: list[float]) -> tuple[
        float, float, list[float], list[float]]:
    """qicharts2's `qic.pp` / `qic.up`, transcribed (default options: no moving-range
    screening): centre line, sigma_z, and the 3-sigma lower and upper limits."""
    y = [a / b for a, b in zip(y_sum, n, strict=True)]
    cl = sum(y_sum) / sum(n)
    stdev = [math.sqrt(cl * (1 - cl) / k) if kind == "pp" else math.sqrt(cl / k) for k in n]
    z = [(v - cl) / s for v, s in zip(y, stdev, strict=True)]
    mr = [abs(b - a) for a, b in zip(z, z[1:], strict=False)]
    sigma_z = (sum(mr) / len(mr)) / 1.128
    lcl = [max(cl - 3 * s * sigma_z, 0.0) for s in stdev]
    ucl = [cl + 3 * s * sigma_z for s in stdev]
    if kind == "pp":
        ucl = [min(u, 1.0) for u in ucl]
    return cl, sigma_z, lcl, ucl


def test_p_prime_reproduces_qicharts2_on_its_nhs_accidents_example() -> None:
    chart = control_chart("pp", NHS_R, NHS_N)
    cl, sigma_z, lcl, ucl = _qicharts2_prime("pp", NHS_R, NHS_N)
    assert chart.mean == pytest.approx(cl, rel=1e-12)
    assert chart.sigma_z == pytest.approx(sigma_z, rel=1e-12)
    assert chart.lower == pytest.approx(lcl, rel=1e-12)
    assert chart.upper == pytest.approx(ucl, rel=1e-12)
    # the numbers, pinned: 95.29 % seen within 4 hours; Laney's factor is over 10
    assert chart.mean == pytest.approx(0.952899711, abs=1e-9)
    assert chart.sigma_z == pytest.approx(10.64042186, abs=1e-7)
    assert chart.lower[0] == pytest.approx(0.940129644, abs=1e-9)
    assert chart.upper[0] == pytest.approx(0.965669779, abs=1e-9)
    # the vignette's point: on the p chart nearly every week is "outside" (limits far
    # too narrow for a quarter of a million attendances); on the p′ chart none is
    assert len(control_chart("p", NHS_R, NHS_N).signals) == 16
    assert chart.signals == []


def test_u_prime_reproduces_qicharts2_on_its_complaints_example() -> None:
    chart = control_chart("up", COMPLAINTS, SALES)
    cl, sigma_z, lcl, ucl = _qicharts2_prime("up", COMPLAINTS, SALES)
    assert chart.mean == pytest.approx(cl, rel=1e-12)
    assert chart.sigma_z == pytest.approx(sigma_z, rel=1e-12)
    assert chart.lower == pytest.approx(lcl, rel=1e-12, abs=1e-15)
    assert chart.upper == pytest.approx(ucl, rel=1e-12)
    assert chart.mean == pytest.approx(18190 / 3640000, rel=1e-12)  # 5.0 per 1,000 sales
    assert chart.sigma_z == pytest.approx(5.31739272, abs=1e-7)
    # the u chart flags months that the between-month variation makes ordinary
    assert control_chart("u", COMPLAINTS, SALES).signals
    assert chart.signals == []


def test_a_u_prime_chart_draws_the_same_limits_as_a_p_prime_chart() -> None:
    """Laney's correction divides out the model's own sigma: σᵢ·σz depends on the data's
    moving ranges and the denominators only, so p′ and u′ limits coincide."""
    pp, up = control_chart("pp", NHS_R, NHS_N), control_chart("up", NHS_R, NHS_N)
    assert pp.upper == pytest.approx(up.upper, rel=1e-12)
    assert pp.lower == pytest.approx(up.lower, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5000), st.integers(0, 1000)), min_size=2,
                max_size=30))
def test_prime_limits_are_the_plain_limits_widened_by_sigma_z(rows: list[tuple[int, int]]) -> None:
    """Everywhere: p′ = CL ± σz·(p chart's half-width), before clipping to [0, 1]."""
    n = [float(a + b) for a, b in rows]
    r = [float(b) for _a, b in rows]
    plain, prime = control_chart("p", r, n), control_chart("pp", r, n)
    assert prime.mean == pytest.approx(plain.mean)
    assert prime.sigma_z is not None and prime.sigma_z >= 0
    mean = plain.mean
    assert mean is not None
    for i, size in enumerate(n):
        half = 3 * math.sqrt(mean * (1 - mean) / size) * prime.sigma_z
        assert prime.upper[i] == pytest.approx(min(1.0, mean + half), abs=1e-12)
        assert prime.lower[i] == pytest.approx(max(0.0, mean - half), abs=1e-12)


def test_baseline_exclusions_and_missing_points() -> None:
    """σz is computed from the same points as the centre line: the baseline's, without
    excluded or missing ones (their neighbours are paired, as in the I chart)."""
    r: list[float | None] = list(map(float, NHS_R))
    n: list[float | None] = list(map(float, NHS_N))
    frozen = control_chart("pp", r, n, baseline=12)
    cl, sigma_z, _lcl, _ucl = _qicharts2_prime("pp", NHS_R[:12], NHS_N[:12])
    assert frozen.mean == pytest.approx(cl) and frozen.sigma_z == pytest.approx(sigma_z)
    r[5] = None
    gap = control_chart("pp", r, n, exclude=[7])
    kept = [k for k in range(20) if k not in (5, 7)]
    cl, sigma_z, _lcl, _ucl = _qicharts2_prime("pp", [NHS_R[k] for k in kept],
                                               [NHS_N[k] for k in kept])
    assert gap.mean == pytest.approx(cl) and gap.sigma_z == pytest.approx(sigma_z)
    assert gap.upper[5] is None and gap.upper[7] is not None  # excluded: still judged


def test_nothing_to_correct_with_falls_back_to_the_plain_chart() -> None:
    one = control_chart("pp", [5.0], [100.0])
    assert one.sigma_z == 1.0
    assert one.upper == control_chart("p", [5.0], [100.0]).upper
    zero = control_chart("up", [0.0, 0.0, 0.0], [10.0, 20.0, 30.0])
    assert zero.sigma_z == 1.0 and zero.upper == [0.0, 0.0, 0.0]


def test_prime_charts_check_their_data_like_p_and_u() -> None:
    with pytest.raises(ControlChartError, match="P′ chart needs a denominator"):
        control_chart("pp", [1.0, 2.0], None)
    with pytest.raises(ControlChartError, match="out of"):
        control_chart("pp", [5.0, 2.0], [4.0, 10.0])
    with pytest.raises(ControlChartError, match="above zero"):
        control_chart("up", [5.0, 2.0], [0.0, 10.0])


def test_a_measure_drawn_as_p_prime_is_judged_on_it() -> None:
    import datetime as dt

    points = [Point(dt.date(2024, 1, 1) + dt.timedelta(weeks=k), r / n, r, n)
              for k, (r, n) in enumerate(zip(NHS_R, NHS_N, strict=True))]
    plain = analyse_series(points, chart_kind="p", value_type="proportion")
    prime = analyse_series(points, chart_kind=ChartKind.PP, value_type="proportion")
    assert any(s.kind == "outside limits" for s in plain.signals)
    assert not any(s.kind == "outside limits" for s in prime.signals)
    seg = prime.segments[0]
    assert seg.control is not None and seg.control.sigma_z == pytest.approx(10.64042186)
    assert CHART_NAMES[prime.chart_kind] == "P′ chart"
    assert CHART_NAMES[ChartKind.UP] == "U′ chart"
