"""Between-site variation: funnel-plot limits, overdispersion, intervals, suppression.

Pure functions (no Qt, no SQL) shared by the network views, the CLI and packets.

**Which limits.** Funnel limits are *exact*: binomial for proportions, Poisson for rates,
with the interpolation of Spiegelhalter (2005, "Funnel plots for comparing institutional
performance", Stat Med 24:1185, appendix A.1.1) so the curves are smooth rather than
stepped.  For the p-quantile of the count distribution with target θ and size n: r is the
smallest count with F(r) ≥ p, α = (F(r) − p) / (F(r) − F(r − 1)), and the limit is
(r − α) / n.  The normal approximation θ ± z·√(θ(1 − θ)/n) is what these limits approach
for large n; it is used only by the overdispersion adjustment below (as the paper does).

**Overdispersion.** With large denominators nearly every site falls outside the plain
limits because sites truly differ.  Following Spiegelhalter (2005, "Handling
over-dispersion of performance indicators", BMJ Qual Saf 14:347): z-scores against the
network mean are winsorised at the 10th/90th percentiles, φ = mean(z²); the data are
overdispersed when I·φ exceeds the 95th percentile of χ² with I − 1 degrees of freedom;
the *additive random-effects* adjustment then widens each limit to
θ ± z·√(s_i² + τ²), with τ² = (I·φ − (I − 1)) / (Σw − Σw²/Σw), w = 1/s_i².

**Suppression.** A proportion or rate built from a denominator below the network's
threshold (for totals over a period: whose largest single-period group is below it), or a
count below it (but above zero), is never shown; sites so suppressed also
stay out of the network mean, so nobody can recover their value by subtraction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from .states import FunnelFlag, FunnelModel

Z95 = 1.959963984540054  # two-sided 95 %
Z998 = 3.090232306167813  # two-sided 99.8 %
LEVELS = {"95": (0.025, 0.975), "99.8": (0.001, 0.999)}


def suppression_label(threshold: int) -> str:
    return f"suppressed (n < {threshold})"


def is_suppressed(size: float | None, threshold: int) -> bool:
    """True when a value built from `size` people/events must not be shown."""
    return size is not None and 0 < size < threshold


# ------------------------------------------------------------------ exact quantiles
def _pmf_window(kind: str, theta: float, n: float) -> tuple[int, list[float]]:
    """Probabilities of counts r0, r0+1, ... covering all but ~1e-15 of the mass."""
    if kind == FunnelModel.BINOMIAL:
        size = int(round(n))
        mean, sd = size * theta, math.sqrt(size * theta * (1 - theta))
        top = size
    else:
        mean, sd = theta * n, math.sqrt(theta * n)
        top = int(mean + 12 * sd + 20)
    mode = min(int(mean), top)
    lo = max(0, int(mean - 12 * sd - 10))
    hi = min(top, int(mean + 12 * sd + 10))

    def log_pmf(r: int) -> float:
        if kind == FunnelModel.BINOMIAL:
            return (math.lgamma(size + 1) - math.lgamma(r + 1) - math.lgamma(size - r + 1)
                    + r * math.log(theta) + (size - r) * math.log1p(-theta))
        return r * math.log(mean) - mean - math.lgamma(r + 1)

    probs = [0.0] * (hi - lo + 1)
    probs[mode - lo] = math.exp(log_pmf(mode))
    odds = theta / (1 - theta) if kind == FunnelModel.BINOMIAL else 0.0
    for r in range(mode, hi):  # upward recurrence
        step = (size - r) / (r + 1) * odds if kind == FunnelModel.BINOMIAL else mean / (r + 1)
        probs[r + 1 - lo] = probs[r - lo] * step
    for r in range(mode, lo, -1):  # downward
        step = r / (size - r + 1) / odds if kind == FunnelModel.BINOMIAL else r / mean
        probs[r - 1 - lo] = probs[r - lo] * step
    return lo, probs


def exact_limits(kind: str, theta: float, n: float,
                 quantiles: Sequence[float]) -> list[float]:
    """Spiegelhalter's interpolated exact limits (as proportions/rates) for each quantile."""
    if n <= 0:
        return [math.nan for _ in quantiles]
    if theta <= 0 or (kind == FunnelModel.BINOMIAL and theta >= 1):
        return [theta for _ in quantiles]
    lo, probs = _pmf_window(kind, theta, n)
    total = sum(probs)
    cdf, running = [], 0.0
    for p in probs:
        running += p / total
        cdf.append(running)
    out = []
    for q in quantiles:
        k = next((i for i, c in enumerate(cdf) if c >= q), len(cdf) - 1)
        below = cdf[k - 1] if k > 0 else 0.0
        alpha = (cdf[k] - q) / (cdf[k] - below) if cdf[k] > below else 0.0
        out.append(max(0.0, (lo + k - alpha) / n))
    return out


def chi2_quantile(p: float, df: int) -> float:
    """Wilson–Hilferty approximation of the χ² quantile (good to ~1 % for df ≥ 2)."""
    z = _normal_quantile(p)
    h = 2.0 / (9.0 * df)
    return df * (1 - h + z * math.sqrt(h)) ** 3


def _normal_quantile(p: float) -> float:
    """Acklam's rational approximation of the standard normal quantile."""
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
         1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
         6.680131188771972e01, -1.328068155288572e01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
         -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00,
         3.754408661907416e00)
    if p < 0.02425:
        q = math.sqrt(-2 * math.log(p))
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / \
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    if p > 1 - 0.02425:
        return -_normal_quantile(1 - p)
    q = p - 0.5
    r = q * q
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / \
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)


# ------------------------------------------------------------------ the funnel
@dataclass(frozen=True)
class SiteRate:
    """One site's total over the period: events (numerator) out of size (denominator)."""

    site_id: str
    name: str
    events: float
    size: float
    #: the largest group behind the total (one period's denominator): twelve months of
    #: the same 7 students is still a group of 7, however large the summed denominator
    group: float | None = None

    @property
    def small(self) -> float:
        return self.size if self.group is None else self.group


@dataclass
class FunnelRow:
    site_id: str
    name: str
    size: float
    value: float | None  # None when suppressed
    suppressed: bool
    lower95: float | None = None
    upper95: float | None = None
    lower998: float | None = None
    upper998: float | None = None
    flag: str = ""  # within / above 95 % / above 99.8 % / below 95 % / below 99.8 %
    adj_lower95: float | None = None
    adj_upper95: float | None = None
    adj_lower998: float | None = None
    adj_upper998: float | None = None
    adj_flag: str = ""
    ci_low: float | None = None  # the site's own 95 % interval (caterpillar)
    ci_high: float | None = None


@dataclass
class Funnel:
    kind: str  # "binomial" (proportions) or "poisson" (rates)
    mean: float | None
    rows: list[FunnelRow]
    phi: float | None = None  # dispersion ratio
    overdispersed: bool = False
    tau2: float = 0.0
    threshold: int = 10
    notes: list[str] = field(default_factory=list)

    def clip(self, low: float, high: float) -> tuple[float, float]:
        """Limits stay inside what the statistic can be (0–1 for proportions, ≥ 0)."""
        return max(0.0, low), (min(1.0, high) if self.kind == FunnelModel.BINOMIAL else high)

    @property
    def limits_label(self) -> str:
        kind = "binomial" if self.kind == FunnelModel.BINOMIAL else "Poisson"
        return f"exact {kind} limits (95 % and 99.8 %), no adjustment"

    @property
    def adjusted_label(self) -> str:
        if not self.overdispersed:
            return ""
        return (f"additive random-effects limits (Spiegelhalter), φ = {self.phi:.2f}, "
                f"τ = {math.sqrt(self.tau2):.3g}")

    def curve(self, points: int = 60) -> list[tuple[float, float, float, float, float]]:
        """(n, lower998, lower95, upper95, upper998) along the denominator axis."""
        sizes = [r.size for r in self.rows if not r.suppressed and r.size > 0]
        if self.mean is None or not sizes:
            return []
        lo, hi = max(1.0, min(sizes) * 0.8), max(sizes) * 1.1
        out = []
        for i in range(points):
            n = lo * (hi / lo) ** (i / (points - 1))
            l998, l95, u95, u998 = exact_limits(self.kind, self.mean, n,
                                                (0.001, 0.025, 0.975, 0.999))
            out.append((n, l998, l95, u95, u998))
        return out

    def adjusted_curve(self, points: int = 60) -> list[tuple[float, float, float, float, float]]:
        sizes = [r.size for r in self.rows if not r.suppressed and r.size > 0]
        if not self.overdispersed or self.mean is None or not sizes:
            return []
        lo, hi = max(1.0, min(sizes) * 0.8), max(sizes) * 1.1
        out = []
        for i in range(points):
            n = lo * (hi / lo) ** (i / (points - 1))
            sd = math.sqrt(_variance(self.kind, self.mean) / n + self.tau2)
            l95, u95 = self.clip(self.mean - Z95 * sd, self.mean + Z95 * sd)
            l998, u998 = self.clip(self.mean - Z998 * sd, self.mean + Z998 * sd)
            out.append((n, l998, l95, u95, u998))
        return out


def _variance(kind: str, theta: float) -> float:
    return theta * (1 - theta) if kind == FunnelModel.BINOMIAL else theta


def _flag(value: float, l998: float, l95: float, u95: float, u998: float) -> str:
    if value > u998:
        return FunnelFlag.ABOVE_998
    if value > u95:
        return FunnelFlag.ABOVE_95
    if value < l998:
        return FunnelFlag.BELOW_998
    if value < l95:
        return FunnelFlag.BELOW_95
    return FunnelFlag.WITHIN


def wilson_interval(events: float, size: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion (behaves at 0 % and 100 %)."""
    p = events / size
    denom = 1 + z * z / size
    centre = (p + z * z / (2 * size)) / denom
    half = z * math.sqrt(p * (1 - p) / size + z * z / (4 * size * size)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def poisson_interval(events: float, exposure: float, z: float = Z95) -> tuple[float, float]:
    """Variance-stabilised (square-root) interval for a rate."""
    root = math.sqrt(max(events, 0.0))
    return (max(0.0, root - z / 2) ** 2 / exposure, (root + z / 2) ** 2 / exposure)


def funnel(rates: Sequence[SiteRate], kind: str = "binomial", threshold: int = 10) -> Funnel:
    """Limits, flags and the overdispersion check for sites' totals over one period."""
    rows: list[FunnelRow] = []
    shown = [r for r in rates if r.size > 0 and not is_suppressed(r.small, threshold)]
    result = Funnel(kind, None, rows, threshold=threshold)
    for r in rates:
        if r.size <= 0:
            continue
        if is_suppressed(r.small, threshold):
            rows.append(FunnelRow(r.site_id, r.name, r.size, None, True))
    if not shown:
        result.notes.append("No site has enough data in this period for a funnel plot.")
        return result
    mean = sum(r.events for r in shown) / sum(r.size for r in shown)
    result.mean = mean
    for r in shown:
        value = r.events / r.size
        l998, l95, u95, u998 = exact_limits(kind, mean, r.size, (0.001, 0.025, 0.975, 0.999))
        ci = (wilson_interval(r.events, r.size) if kind == FunnelModel.BINOMIAL
              else poisson_interval(r.events, r.size))
        rows.append(FunnelRow(r.site_id, r.name, r.size, value, False, l95, u95, l998, u998,
                              _flag(value, l998, l95, u95, u998), ci_low=ci[0], ci_high=ci[1]))
    _overdispersion(result, mean)
    rows.sort(key=lambda x: x.name.lower())
    return result


def _overdispersion(result: Funnel, mean: float) -> None:
    """`mean` is `result.mean`, known by then; every row not suppressed has a value."""
    live = [(r, r.value) for r in result.rows if not r.suppressed and r.value is not None]
    count = len(live)
    var = _variance(result.kind, mean)
    if count < 3 or var <= 0:
        if count < 3:
            result.notes.append("Fewer than 3 sites: overdispersion cannot be estimated.")
        return
    z = sorted((value - mean) / math.sqrt(var / r.size) for r, value in live)
    lo, hi = z[int(math.floor(0.1 * (count - 1)))], z[int(math.ceil(0.9 * (count - 1)))]
    phi = sum(min(max(v, lo), hi) ** 2 for v in z) / count
    result.phi = phi
    if count * phi <= chi2_quantile(0.95, count - 1):
        return
    w = [r.size / var for r, _value in live]
    tau2 = (count * phi - (count - 1)) / (sum(w) - sum(x * x for x in w) / sum(w))
    result.overdispersed, result.tau2 = True, max(0.0, tau2)
    result.notes.append(
        f"Sites differ more than chance allows (φ = {phi:.2f} over {count} sites): "
        "adjusted limits widen the funnel by the between-site variation.")
    for r, value in live:
        sd = math.sqrt(var / r.size + result.tau2)
        low95, high95 = result.clip(mean - Z95 * sd, mean + Z95 * sd)
        low998, high998 = result.clip(mean - Z998 * sd, mean + Z998 * sd)
        r.adj_lower95, r.adj_upper95, r.adj_lower998, r.adj_upper998 = (
            low95, high95, low998, high998)
        r.adj_flag = _flag(value, low998, low95, high95, high998)
