"""Funnel over-dispersion against its published references: FunnelPlotR's own test
values (github.com/nhs-r-community/FunnelPlotR, tests/testthat), R's type-7 quantiles,
χ² quantiles from tables (to 1e-6 relative), and properties of the winsorisation.

Literal expectations only: NICdesk has no scipy or R to compare with at test time."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nicdesk.core.variation import (
    SiteRate,
    chi2_quantile,
    dispersion,
    funnel,
    funnel_limits,
    gamma_quantile,
    quantile7,
    regularised_gamma,
    winsorise,
)  # fmt: skip

# FunnelPlotR tests/testthat/test-classes_methods.R and test-funnel_plot.R
PEER_O = [100, 150, 180, 80, 120, 225]
PEER_E = [108, 112, 165, 95, 100, 220]


def test_funnelplotr_phi_example() -> None:
    """`expect_equal(round(phi.funnelplot(a), 6), 2.948033)`: the default SR/"SHMI"
    method, z = √E·log(O/E), s = 1/√E, outliers *truncated* by rank.  With 6 groups the
    peer's rule sp = ⌊rank·10/(I + 1)⌋ keeps every group (sp = 1, 2, 4, 5, 7, 8; only 0
    and ≥ 9 go), so φ is the plain mean of z² — `dispersion` with nothing trimmed."""
    z = [math.sqrt(e) * math.log(o / e) for o, e in zip(PEER_O, PEER_E, strict=True)]
    ranks = [sorted(z).index(v) + 1 for v in z]
    assert all(0 < math.floor(r * 10 / 7) < 9 for r in ranks)
    d = dispersion(z, [1 / math.sqrt(e) for e in PEER_E], trim=0.0)
    assert round(d.phi, 6) == 2.948033
    # tau_func(6, φ, S): (6φ − 5) / (Σw − Σw²/Σw), w = E: 800 − 118858/800 = 651.4275
    assert d.tau2 == pytest.approx((6 * 2.948033175102358 - 5) / 651.4275, rel=1e-12)
    assert d.tau2 == pytest.approx(0.01947753058, rel=1e-9)


def test_funnelplotr_cqc_winsorised_example() -> None:
    """The same data by the peer's sr_method = "CQC" (Spiegelhalter's square root,
    winsorised at the type-7 10th/90th percentiles): z = 2(√O − √E), s = 1/(2√E).
    Sorted z: −1.60504, −0.78461, 0.33521, 1.14235, 1.90890, 3.32889; h = 0.5 and 4.5,
    so the bounds are the midpoints −1.19483 and 2.61889 and both extremes move."""
    z = [2 * (math.sqrt(o) - math.sqrt(e)) for o, e in zip(PEER_O, PEER_E, strict=True)]
    d = dispersion(z, [1 / (2 * math.sqrt(e)) for e in PEER_E])
    assert d.low == pytest.approx(-1.194827280223068, rel=1e-12)
    assert d.high == pytest.approx(2.61889461976085, rel=1e-12)
    assert d.phi == pytest.approx(2.3271782575941193, rel=1e-12)
    assert d.tau2 == pytest.approx(0.003439780154186274, rel=1e-12)
    # the χ² test: 6 × 2.327 = 13.96 > χ²(0.95, 5) = 11.07
    assert d.critical == pytest.approx(11.070497693516351, rel=1e-12)
    assert d.count * d.phi > d.critical and d.overdispersed


def test_funnelplotr_exact_poisson_limits() -> None:
    """test-poisson_limits.R: the peer's unadjusted SR limits are χ² quantiles
    (qchisq(0.975, 2n, lower.tail = FALSE) / 2 / n and so on) for n = 15, 20, 30."""
    n = (15, 20, 30)
    ll95 = [chi2_quantile(0.025, 2 * k) / 2 / k for k in n]
    ul95 = [chi2_quantile(0.975, 2 * (k + 1)) / 2 / k for k in n]
    ll99 = [chi2_quantile(0.001, 2 * k) / 2 / k for k in n]
    ul99 = [chi2_quantile(0.999, 2 * (k + 1)) / 2 / k for k in n]
    assert [round(v, 7) for v in ll95] == [0.5596924, 0.6108260, 0.6746958]
    assert [round(v, 6) for v in ul95] == [1.649348, 1.544419, 1.427562]
    assert [round(v, 7) for v in ll99] == [0.3862650, 0.4479107, 0.5289724]
    assert [round(v, 6) for v in ul99] == [2.082907, 1.902094, 1.702771]


# ------------------------------------------------------------------ type-7 quantiles
@pytest.mark.parametrize(("values", "p", "want"), [
    (list(range(1, 11)), 0.1, 1.9),  # R: quantile(1:10, 0.1)
    (list(range(1, 11)), 0.9, 9.1),
    ([1, 2, 3, 4, 5, 6], 0.9, 5.5),
    ([3, 1, 2], 0.25, 1.5),
    ([1, 2, 3, 4], 0.1, 1.3),  # numpy.percentile([1, 2, 3, 4], 10), linear = type 7
    ([0, 10], 0.1, 1.0),
    (list(range(1, 12)), 0.9, 10.0),  # h = 9 exactly: the 10th order statistic
    ([5.0], 0.1, 5.0),
    ([2.0, -1.0, 7.5, 0.0, 3.0], 0.5, 2.0),
])  # fmt: skip
def test_quantile_type7(values: list[float], p: float, want: float) -> None:
    assert quantile7(values, p) == pytest.approx(want, abs=1e-12)


# ------------------------------------------------------------------ χ² quantiles
# qchisq(p, df) to 10 significant figures (the 0.95 column is the textbook table;
# the others were checked against a 50-digit inversion of the incomplete gamma)
CHI2 = {  # df: (0.001, 0.025, 0.95, 0.975, 0.998, 0.999)
    1: (1.570797149e-6, 0.0009820691172, 3.841458821, 5.023886187, 9.549535706,
        10.82756617),
    2: (0.002001000667, 0.05063561597, 5.991464547, 7.377758908, 12.4292162, 13.81551056),
    3: (0.02429758582, 0.2157952826, 7.814727903, 9.348403604, 14.79551705, 16.2662362),
    4: (0.09080403554, 0.4844185571, 9.487729037, 11.14328678, 16.9237582, 18.46682695),
    5: (0.2102126026, 0.8312116135, 11.07049769, 12.83250199, 18.90737738, 20.51500565),
    9: (1.151949546, 2.7003895, 16.9189776, 19.0227678, 26.05643335, 27.87716487),
    10: (1.478743464, 3.24697278, 18.30703805, 20.48317735, 27.72164723, 29.58829845),
    20: (5.921040745, 9.590777392, 31.41043284, 34.1696069, 43.07200006, 45.31474662),
    30: (11.58795105, 16.79077227, 43.77297183, 46.97924224, 57.16743306, 59.7030643),
    50: (24.67390527, 32.3573637, 67.50480655, 71.42019519, 83.65655743, 86.66081519),
    100: (61.91793921, 74.22192747, 124.3421134, 129.5611972, 145.5769253, 149.4492528),
    200: (143.842795, 162.7279825, 233.9942689, 241.0578955, 262.4338454, 267.5405278),
    300: (229.9634352, 253.9123226, 341.3951121, 349.8744688, 375.3690132, 381.4252485),
}


@pytest.mark.parametrize("df", sorted(CHI2))
def test_chi2_quantiles_against_tables(df: int) -> None:
    for p, want in zip((0.001, 0.025, 0.95, 0.975, 0.998, 0.999), CHI2[df], strict=True):
        assert chi2_quantile(p, df) == pytest.approx(want, rel=1e-6), (p, df)


def test_chi2_quantile_inverts_the_distribution_for_every_df() -> None:
    """Across df 1–300 the quantile puts exactly p below it (the Wilson–Hilferty
    approximation it replaces missed by up to 0.9 % for few sites)."""
    for df in range(1, 301):
        for p in (0.001, 0.05, 0.5, 0.95, 0.999):
            x = chi2_quantile(p, df)
            lower, upper = regularised_gamma(df / 2, x / 2)
            assert (upper if p > 0.5 else lower) == pytest.approx(
                1 - p if p > 0.5 else p, rel=1e-9), (p, df)


def test_regularised_gamma_closed_forms() -> None:
    # shape 1 is the exponential: P(1, x) = 1 − e^−x; shape 1/2: P = erf(√x)
    for x in (1e-6, 0.3, 1.0, 2.5, 10.0, 40.0):
        assert regularised_gamma(1.0, x)[0] == pytest.approx(-math.expm1(-x), rel=1e-13)
        assert regularised_gamma(0.5, x)[0] == pytest.approx(math.erf(math.sqrt(x)),
                                                             rel=1e-13)
        assert regularised_gamma(1.0, x)[1] == pytest.approx(math.exp(-x), rel=1e-12)
    assert gamma_quantile(0.5, 1.0) == pytest.approx(math.log(2), rel=1e-14)
    assert gamma_quantile(0.0, 3.0) == 0.0 and gamma_quantile(1.0, 3.0) == math.inf
    with pytest.raises(ValueError):
        gamma_quantile(1.5, 3.0)


# ------------------------------------------------------------------ winsorisation
zs = st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(zs)
def test_winsorising_never_widens(z: list[float]) -> None:
    pulled, low, high = winsorise(z)
    assert low <= high
    assert max(abs(v) for v in pulled) <= max(abs(v) for v in z)
    assert all(low <= v <= high for v in pulled)
    d = dispersion(z, [1.0] * len(z))
    assert d.phi <= max(low * low, high * high) + 1e-9


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=2, max_size=40),
       st.floats(5, 1e6))
def test_one_outlier_cannot_inflate_phi_past_the_percentile_bound(
        z: list[float], outlier: float) -> None:
    """However far one site lies out, the 90th percentile it is pulled in to gives it a
    weight f = max(0, 1 − 0.1(I − 1)) at most: high ≤ z₂ + f·(outlier − z₂), z₂ the
    largest other z, and φ ≤ max(low², high²).  From 11 sites on f = 0 and φ does not
    depend on the outlier at all; the order statistics used before gave f = 1 (no
    winsorisation) for every network of 10 sites or fewer."""
    count = len(z) + 1
    weight = max(0.0, 1 - 0.1 * (count - 1))
    second = max(z)
    d = dispersion([*z, outlier], [1.0] * count)
    assert d.high <= second + weight * (outlier - second) + 1e-9 * outlier
    assert d.phi <= max(d.low ** 2, d.high ** 2) * (1 + 1e-12)
    if count >= 11:
        at_second = dispersion([*z, second], [1.0] * count)
        assert d.phi == pytest.approx(at_second.phi, rel=1e-9, abs=1e-12)


def test_a_wild_site_among_six_no_longer_sets_phi() -> None:
    """Five sites near the mean and one 25 standard errors out.  The order statistics
    used before left six sites unwinsorised (φ ≈ 104); the type-7 percentiles are
    halfway between the two smallest and the two largest z: −0.75 and 12.75."""
    z = [-1.0, -0.5, 0.0, 0.2, 0.5, 25.0]
    d = dispersion(z, [1.0] * 6)
    assert d.low == pytest.approx(-0.75) and d.high == pytest.approx(12.75)
    want = (0.75 ** 2 + 0.5 ** 2 + 0 + 0.2 ** 2 + 0.5 ** 2 + 12.75 ** 2) / 6
    assert d.phi == pytest.approx(want, rel=1e-12)
    assert d.phi < sum(v * v for v in z) / 6 / 3


# ------------------------------------------------------------------ the funnel
def test_funnel_uses_the_reference_dispersion() -> None:
    """`funnel`'s φ and τ² are `dispersion`'s on z = (y − θ)/√(θ(1 − θ)/n)."""
    rates = [SiteRate(str(i), f"S{i}", e, n) for i, (e, n) in enumerate(
        [(610, 1000), (700, 1000), (655, 900), (540, 800), (820, 1100), (300, 500)])]
    f = funnel(rates)
    assert f.mean is not None
    theta = f.mean
    s = [math.sqrt(theta * (1 - theta) / r.size) for r in rates]
    z = [(r.events / r.size - theta) / se for r, se in zip(rates, s, strict=True)]
    d = dispersion(z, s)
    assert f.phi == pytest.approx(d.phi, rel=1e-12)
    assert f.tau2 == pytest.approx(d.tau2, rel=1e-12)
    assert f.overdispersed == d.overdispersed
    limits = funnel_limits(f)
    assert limits.adjusted == f.overdispersed
    assert f"φ = {d.phi:.2f} over 6 sites" in limits.caption
    assert f"τ² = {d.tau2:.3g}" in limits.caption
    assert "χ²(95 %, 5 df) = 11.07" in limits.caption
    plain = funnel_limits(f, adjusted=False)
    assert not plain.adjusted and "not adjusted for over-dispersion" in plain.caption
    for r in f.rows:
        assert limits.flag(r) == (r.adj_flag if f.overdispersed else r.flag)
        assert plain.flag(r) == r.flag


def test_captions_without_phi_and_without_overdispersion() -> None:
    two = funnel([SiteRate("a", "A", 50, 100), SiteRate("b", "B", 60, 100)])
    assert "fewer than 3 sites" in funnel_limits(two).caption
    calm = funnel([SiteRate(str(i), f"S{i}", 700 + (i % 3) * 5, 1000) for i in range(12)])
    caption = funnel_limits(calm).caption
    assert not calm.overdispersed and not funnel_limits(calm, adjusted=True).adjusted
    assert caption.startswith("Limits shown: exact binomial limits (95 % and 99.8 %), "
                              "not adjusted for over-dispersion: the sites differ no more")
    assert "χ²(95 %, 11 df) = 19.68" in caption
