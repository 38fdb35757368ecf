"""Funnel limits against hand-computed values, overdispersion and suppression."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nicdesk.core.variation import (
    SiteRate,
    chi2_quantile,
    exact_limits,
    funnel,
    wilson_interval,
)  # fmt: skip


def _interpolated(cdf, q: float, n: float) -> float:
    """Spiegelhalter's limit, computed the slow obvious way from a full CDF table."""
    r = next(k for k, c in enumerate(cdf) if c >= q)
    below = cdf[r - 1] if r else 0.0
    return (r - (cdf[r] - q) / (cdf[r] - below)) / n


def test_binomial_limits_by_hand() -> None:
    # Binomial(20, 0.5): F(13) = 0.94234, F(14) = 0.97931 -> r = 14,
    # alpha = (0.97931 - 0.975) / (0.97931 - 0.94234) = 0.1165, limit = (14 - 0.1165) / 20
    low, high = exact_limits("binomial", 0.5, 20, (0.025, 0.975))
    assert high == pytest.approx(0.69418, abs=1e-4)
    # lower: F(5) = 0.02069, F(6) = 0.05766 -> r = 6, alpha = 0.8843, limit = 0.25579
    assert low == pytest.approx(0.25579, abs=1e-4)
    cdf, total = [], 0.0
    for r in range(41):
        total += math.comb(40, r) * 0.3 ** r * 0.7 ** (40 - r)
        cdf.append(total)
    got = exact_limits("binomial", 0.3, 40, (0.001, 0.025, 0.975, 0.999))
    want = [_interpolated(cdf, q, 40) for q in (0.001, 0.025, 0.975, 0.999)]
    assert got == pytest.approx(want, abs=1e-9)


def test_poisson_limits_by_hand() -> None:
    mu, cdf, total = 30.0, [], 0.0
    for r in range(120):
        total += math.exp(-mu) * mu ** r / math.factorial(r)
        cdf.append(total)
    got = exact_limits("poisson", 0.3, 100, (0.025, 0.975))
    assert got == pytest.approx([_interpolated(cdf, q, 100) for q in (0.025, 0.975)],
                                abs=1e-9)


def test_large_denominators_approach_the_normal_approximation() -> None:
    n, p = 20000, 0.7
    low, high = exact_limits("binomial", p, n, (0.025, 0.975))
    half = 1.959964 * math.sqrt(p * (1 - p) / n)
    assert low == pytest.approx(p - half, abs=2e-4)
    assert high == pytest.approx(p + half, abs=2e-4)


def test_chi2_quantile_matches_tables() -> None:
    # exact now (was a Wilson–Hilferty approximation, tested to 1 %); more in
    # test_funnel_reference.py
    for df, table in ((4, 9.487729), (10, 18.307038), (99, 123.225221)):
        assert chi2_quantile(0.95, df) == pytest.approx(table, rel=1e-6)


def test_flags_and_mean() -> None:
    rates = [SiteRate("a", "A", 50, 100), SiteRate("b", "B", 90, 100),
             SiteRate("c", "C", 52, 100), SiteRate("d", "D", 48, 100)]
    f = funnel(rates, threshold=10)
    assert f.mean == pytest.approx(240 / 400)
    flags = {r.name: r.flag for r in f.rows}
    assert flags["B"] == "above 99.8 %"
    assert flags["A"] == "within"
    b = next(r for r in f.rows if r.name == "B")
    assert b.ci_low == pytest.approx(wilson_interval(90, 100)[0])


def test_overdispersion_detected_and_adjusted() -> None:
    even = [SiteRate(str(i), f"S{i}", 700 + (i % 3) * 5, 1000) for i in range(12)]
    calm = funnel(even)
    assert not calm.overdispersed and calm.adjusted_label == ""
    spread = [SiteRate(str(i), f"S{i}", 500 + 30 * i, 1000) for i in range(12)]
    wild = funnel(spread)
    assert wild.overdispersed and wild.tau2 > 0 and "Spiegelhalter" in wild.adjusted_label
    for r in wild.rows:
        assert r.adj_lower95 < r.lower95 and r.adj_upper95 > r.upper95
        assert 0 <= r.adj_lower998 and r.adj_upper998 <= 1
    plain = sum(r.flag != "within" for r in wild.rows)
    adjusted = sum(r.adj_flag != "within" for r in wild.rows)
    assert adjusted < plain


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 80)), min_size=1, max_size=12),
       st.integers(2, 20))
def test_suppressed_sites_leak_nothing(pairs: list[tuple[int, int]], threshold: int) -> None:
    rates = [SiteRate(str(i), f"S{i}", min(e, n), n) for i, (e, n) in enumerate(pairs)]
    f = funnel(rates, threshold=threshold)
    shown = [r for r in rates if r.size >= threshold]
    for row in f.rows:
        if row.size < threshold:
            assert row.suppressed and row.value is None
            assert row.lower95 is None and row.ci_low is None and row.flag == ""
    if shown:
        # the mean is built from shown sites only: nobody can subtract their way back
        assert f.mean == pytest.approx(sum(r.events for r in shown) / sum(r.size for r in shown))
    else:
        assert f.mean is None
