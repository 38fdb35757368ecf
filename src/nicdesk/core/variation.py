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
over-dispersion of performance indicators", Qual Saf Health Care 14:347) as FunnelPlotR
implements it (`winsorisation`, `phi_func`, `tau_func`): z-scores against the network
mean are winsorised at their 10th and 90th percentiles *interpolated as R's default
quantile (type 7)*, for any number of sites; φ = mean of the winsorised z²; the data are
overdispersed when I·φ exceeds the exact 95th percentile of χ² with I − 1 degrees of
freedom (`chi2_quantile`, an inverse regularised gamma function in pure Python: no
scipy); the *additive random-effects* adjustment then widens each limit to
θ ± z·√(s_i² + τ²), with τ² = (I·φ − (I − 1)) / (Σw − Σw²/Σw), w = 1/s_i².
`funnel_limits` picks the limits a plot draws and writes the one caption the screen,
the CLI and the packet all print, so they cannot disagree about a site.

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


def chi2_quantile(p: float, df: float) -> float:
    """The p-quantile of χ² with `df` degrees of freedom, exact to ~1e-12 relative.

    The overdispersion test compares I·φ with this; the Wilson–Hilferty approximation
    used before was up to 0.9 % low for few sites, enough to call a borderline network
    overdispersed that R's `qchisq` (FunnelPlotR, Spiegelhalter's tables) would not.
    χ²_df is a gamma distribution with shape df/2 and scale 2, so this inverts the
    regularised incomplete gamma function (`gamma_quantile`)."""
    return 2.0 * gamma_quantile(p, df / 2.0)


def regularised_gamma(a: float, x: float) -> tuple[float, float]:
    """(P(a, x), Q(a, x)) = the regularised lower and upper incomplete gamma functions.

    The series converges fast below x = a + 1 and gives P; the continued fraction
    (modified Lentz) converges fast above it and gives Q; the other is 1 minus it, so
    the small tail is always computed directly rather than as a difference near 1."""
    if x <= 0:
        return 0.0, 1.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        k = a
        for _ in range(10000):
            k += 1
            term *= x / k
            total += term
            if abs(term) < abs(total) * 1e-17:
                break
        p = min(1.0, total * math.exp(log_front))
        return p, 1.0 - p
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        step = d * c
        h *= step
        if abs(step - 1) < 1e-16:
            break
    q = min(1.0, math.exp(log_front) * h)
    return 1.0 - q, q


def gamma_quantile(p: float, a: float) -> float:
    """The x with P(a, x) = p: Newton steps on the incomplete gamma function, kept
    inside a bracket that bisection shrinks whenever a step would leave it (Newton
    alone overshoots for small shapes, where the density is steep near 0)."""
    if not 0 < p < 1:
        if p == 0:
            return 0.0
        if p == 1:
            return math.inf
        raise ValueError(f"probability {p} is outside [0, 1]")
    if a <= 0:
        raise ValueError(f"shape {a} must be positive")
    upper = p > 0.5  # solve on the smaller tail so the residual keeps its digits
    goal = 1.0 - p

    def residual(x: float) -> float:
        lower_p, upper_q = regularised_gamma(a, x)
        return goal - upper_q if upper else lower_p - p

    # Wilson–Hilferty start, then a bracket [lo, hi] with residual(lo) < 0 < residual(hi)
    h = 1.0 / (9.0 * a)
    x = max(a * (1 - h + _normal_quantile(p) * math.sqrt(h)) ** 3, 1e-300)
    lo, hi = 0.0, x
    while residual(hi) < 0:
        lo, hi = hi, hi * 2 + 1
    log_norm = math.lgamma(a)
    for _ in range(200):
        f = residual(x)
        if f == 0:
            return x
        if f < 0:
            lo = max(lo, x)
        else:
            hi = min(hi, x)
        density = math.exp((a - 1) * math.log(x) - x - log_norm) if x > 0 else 0.0
        step = f / density if density > 0 else math.inf
        nxt = x - step
        if not lo < nxt < hi:  # Newton left the bracket: bisect instead
            nxt = (lo + hi) / 2
        if abs(nxt - x) <= 1e-15 * max(x, 1e-300) or hi - lo <= 1e-15 * hi:
            return nxt
        x = nxt
    return x


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


# ------------------------------------------------------------------ overdispersion
def quantile7(values: Sequence[float], p: float) -> float:
    """The p-quantile of `values` interpolated as R's default `quantile` (type 7):
    h = (I − 1)·p, then x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋]) on the sorted values.
    FunnelPlotR winsorises at these, so NICdesk must too to give the same φ."""
    xs = sorted(values)
    if not xs:
        raise ValueError("no values")
    h = (len(xs) - 1) * p
    k = math.floor(h)
    if k + 1 >= len(xs):
        return xs[-1]
    return xs[k] + (h - k) * (xs[k + 1] - xs[k])


def winsorise(z: Sequence[float], trim: float = 0.1) -> tuple[list[float], float, float]:
    """z-scores pulled in to the interpolated `trim` and 1 − `trim` percentiles, with
    those two bounds.  Pulling in (rather than dropping) keeps every site's count in φ
    while one wild site can no longer dominate it (Spiegelhalter 2005)."""
    low, high = quantile7(z, trim), quantile7(z, 1 - trim)
    return [min(max(v, low), high) for v in z], low, high


@dataclass(frozen=True)
class Dispersion:
    """Spiegelhalter's (2005) overdispersion estimate for I sites' z-scores."""

    count: int  # I
    phi: float  # mean of the winsorised z²
    tau2: float  # additive between-site variance (DerSimonian–Laird, as FunnelPlotR)
    low: float  # winsorising bounds: interpolated 10th and 90th percentiles of z
    high: float
    critical: float  # the χ² 95th percentile with I − 1 degrees of freedom

    @property
    def overdispersed(self) -> bool:
        """The χ² test: I·φ beyond what I − 1 degrees of freedom allow 95 % of the time."""
        return self.count * self.phi > self.critical


def dispersion(z: Sequence[float], s: Sequence[float], trim: float = 0.1,
               level: float = 0.95) -> Dispersion:
    """φ, τ² and the χ² test from z-scores `z` and their standard errors `s`.

    φ = (1/I)·Σ winsorised z²;  τ² = (I·φ − (I − 1)) / (Σw − Σw²/Σw), w = 1/s², and 0
    when I·φ < I − 1 — FunnelPlotR's `phi_func` and `tau_func` to the letter."""
    count = len(z)
    if count == 0 or len(s) != count:
        raise ValueError("one standard error per z-score is needed")
    pulled, low, high = winsorise(z, trim)
    phi = sum(v * v for v in pulled) / count
    tau2 = 0.0
    w = [1 / (x * x) for x in s]
    spread = sum(w) - sum(x * x for x in w) / sum(w)  # 0 for one site: nothing between
    if count * phi >= count - 1 and spread > 0:
        tau2 = max(0.0, (count * phi - (count - 1)) / spread)
    critical = chi2_quantile(level, count - 1) if count > 1 else math.inf
    return Dispersion(count, phi, tau2, low, high, critical)


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
    tau2: float = 0.0  # FunnelPlotR's τ², estimated whenever I·φ ≥ I − 1
    threshold: int = 10
    notes: list[str] = field(default_factory=list)
    critical: float | None = None  # χ²(0.95, I − 1) the test compared I·φ with

    def clip(self, low: float, high: float) -> tuple[float, float]:
        """Limits stay inside what the statistic can be (0–1 for proportions, ≥ 0)."""
        return max(0.0, low), (min(1.0, high) if self.kind == FunnelModel.BINOMIAL else high)

    @property
    def limits_label(self) -> str:
        kind = "binomial" if self.kind == FunnelModel.BINOMIAL else "Poisson"
        return f"exact {kind} limits (95 % and 99.8 %), not adjusted for over-dispersion"

    @property
    def adjusted_label(self) -> str:
        if not self.overdispersed:
            return ""
        return ("95 % and 99.8 % limits adjusted for over-dispersion (additive random "
                f"effects, Spiegelhalter 2005): φ = {self.phi:.2f}, τ² = {self.tau2:.3g}")

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
    """`mean` is `result.mean`, known by then; every row not suppressed has a value.

    z-scores are on the proportion's (rate's) own scale, s_i = √(θ(1 − θ)/n_i) (√(θ/n_i)
    for rates), the normal approximation the exact limits approach; φ, τ² and the test
    are `dispersion`'s."""
    live = [(r, r.value) for r in result.rows if not r.suppressed and r.value is not None]
    count = len(live)
    var = _variance(result.kind, mean)
    if count < 3 or var <= 0:  # `funnel_limits`' caption says why there is no φ
        return
    s = [math.sqrt(var / r.size) for r, _value in live]
    d = dispersion([(value - mean) / se for (_r, value), se in zip(live, s, strict=True)], s)
    result.phi, result.tau2, result.critical = d.phi, d.tau2, d.critical
    if not d.overdispersed:
        return
    result.overdispersed = True
    for r, value in live:
        sd = math.sqrt(var / r.size + result.tau2)
        low95, high95 = result.clip(mean - Z95 * sd, mean + Z95 * sd)
        low998, high998 = result.clip(mean - Z998 * sd, mean + Z998 * sd)
        r.adj_lower95, r.adj_upper95, r.adj_lower998, r.adj_upper998 = (
            low95, high95, low998, high998)
        r.adj_flag = _flag(value, low998, low95, high95, high998)


# ------------------------------------------------------------------ what a plot draws
@dataclass(frozen=True)
class FunnelLimits:
    """The limits one funnel plot draws, each site's place against them and the caption
    naming them.  The screen, the CLI and the packet all take this from `funnel_limits`,
    so a site cannot be "below 95 %" on paper and within the limits on screen."""

    adjusted: bool  # additive random-effects limits rather than exact ones
    curve: list[tuple[float, float, float, float, float]]  # as `Funnel.curve`
    flags: dict[str, str]  # site id -> FunnelFlag against the limits drawn
    caption: str  # "Limits shown: ..." — which limits, φ, τ², adjusted or not

    def flag(self, row: FunnelRow) -> str:
        return self.flags.get(row.site_id, "")


def funnel_limits(f: Funnel, adjusted: bool | None = None) -> FunnelLimits:
    """The limits to draw for `f`: adjusted for over-dispersion exactly when the χ² test
    finds it (`adjusted=None`, what every output shows by default); `adjusted=False`
    is the screen's "plain limits" choice, and its caption then says they were not
    adjusted although they could have been.  Limits cannot be adjusted without
    over-dispersion: asking for it gives the exact limits."""
    use = f.overdispersed if adjusted is None else adjusted and f.overdispersed
    live = [r for r in f.rows if not r.suppressed and r.value is not None]
    flags = {r.site_id: (r.adj_flag if use else r.flag) for r in live}
    curve = f.adjusted_curve() if use else f.curve()
    return FunnelLimits(use, curve, flags, "Limits shown: " + _caption(f, use, len(live)))


def _caption(f: Funnel, adjusted: bool, sites: int) -> str:
    kind = "binomial" if f.kind == FunnelModel.BINOMIAL else "Poisson"
    if f.phi is None:
        return (f"exact {kind} limits (95 % and 99.8 %), not adjusted for over-dispersion "
                "(fewer than 3 sites: over-dispersion cannot be estimated).")
    test = (f"I·φ = {sites * f.phi:,.1f} {'>' if f.overdispersed else '≤'} "
            f"χ²(95 %, {sites - 1} df) = {f.critical:.2f}")
    numbers = f"φ = {f.phi:.2f} over {sites} sites ({test}), τ² = {f.tau2:.3g}"
    if adjusted:
        return ("95 % and 99.8 % limits adjusted for over-dispersion (additive random "
                f"effects, Spiegelhalter 2005): {numbers}.")
    if f.overdispersed:
        return (f"exact {kind} limits (95 % and 99.8 %), not adjusted for over-dispersion "
                f"although the sites differ more than chance allows: {numbers}.")
    return (f"exact {kind} limits (95 % and 99.8 %), not adjusted for over-dispersion: "
            f"the sites differ no more than chance allows ({numbers}).")
