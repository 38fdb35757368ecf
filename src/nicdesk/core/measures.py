"""Rules about a measure's values that every output shares: how a value is written, when
it is a percentage, which chart judges a summary, how sites pool, and a series' signals
in words.

Why here: the screen (data grid, chart tips, small multiples, funnel), the CLI, record
summaries and meeting packets each used to write these rules themselves — value
formatting eight times in six files, "is this a percentage?" three different ways — so
one measure could read 62 % on a chart and 0.62 in the table beside it.  With the rules
in one pure module (no Qt, no SQL), one change reaches every output at once and the
properties in tests/core/test_measures_rules.py pin each rule to the reason it exists.

* **Percent** (`is_percent`): a proportion is stored as a fraction 0..1; so is any value
  typed with a "%" sign (`core.csvdata` divides it by 100), which is why a measure whose
  unit says "%" is shown as a percentage too.  Everything else is shown as stored.
* **Formatting** (`format_value` and its presets): one function, with the precision and
  the sign spelled out by the caller, because the precision genuinely differs by place —
  an axis label has room for "62%", a table of latest values for "62.4 %", a data-entry
  cell for "62.4" (the column header says "%"), a typed target for what was typed.
* **Summary chart** (`summary_chart_kind`): a run chart has no limits, but a packet's
  assurance icon needs them, so the summary judges a run-chart measure with the control
  chart that fits its kind of value (p for proportions, u rates, c counts, I otherwise —
  DOMAIN.md "Control charts").
* **Pooling** (`pool_sites`): a network summary adds the sites' numerators and
  denominators per period and recomputes the proportion — the mean of the sites'
  proportions would weigh a school of 40 like one of 2,000.  Values without denominators
  (counts) are added up.
* **In words** (`judge_series`): the NHS "Making Data Count" variation and assurance
  icons' meanings, and the sentence a packet prints beside them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .signals import Point, SeriesAnalysis
from .states import Assessment, ChartKind, Direction, ValueType

__all__ = [
    "ASSURANCE_WORDS", "CONTROL_CHART_FOR", "RECENT_POINTS", "VARIATION_WORDS",
    "SeriesVerdict", "axis_value", "format_value", "is_percent", "judge_series",
    "pool_sites", "rate_value", "summary_chart_kind",
]

MISSING = "—"  # what a table shows for "no value"


# ------------------------------------------------------------------ percent
def is_percent(value_type: str, unit: str | None = None) -> bool:
    """Whether a measure's values are fractions (0..1) shown as percentages (0..100 %).

    A proportion always is; a measure of another kind is when its unit says "%", since a
    value typed or imported with a "%" sign is stored divided by 100."""
    return value_type == ValueType.PROPORTION or "%" in (unit or "")


# ------------------------------------------------------------------ formatting
def format_value(value: float | None, percent: bool = False, *, spec: str = "g",
                 percent_spec: str = ".1f", sign: str = " %", missing: str = MISSING,
                 scaled: bool = False) -> str:
    """A measure's value as text — the one place values are written.

    `percent`: the value is a fraction shown ×100 with `percent_spec` and then `sign`
    (`scaled=True`: it is already ×100, as a plotted y is); otherwise it is written with
    `spec`.  `missing` stands for None.  The sign of a negative value is always kept and
    the digits read back (`core.csvdata.parse_number`) to the value within the precision
    asked for."""
    if value is None:
        return missing
    if percent:
        shown = value if scaled else value * 100
        return f"{shown:{percent_spec}}{sign}"
    return f"{value:{spec}}"


def axis_value(value: float, percent: bool, *, scaled: bool = False) -> str:
    """A chart's axis or target label (screen and paper): short, "62%" or "0.845"."""
    return format_value(value, percent, spec=".3g", percent_spec=".0f", sign="%",
                        scaled=scaled)


def rate_value(value: float | None, percent: bool, *, sign: str = "%",
               scaled: bool = False) -> str:
    """A funnel plot's rate or proportion: one decimal either way ("62.4%", "3.1")."""
    return format_value(value, percent, spec=".1f", sign=sign, scaled=scaled)


# ------------------------------------------------------------------ charts
CONTROL_CHART_FOR = {"proportion": "p", "rate": "u", "count": "c"}  # anything else: "i"


def summary_chart_kind(chart_kind: str, value_type: str) -> str:
    """The chart a summary judges a measure by: its own, unless that is a run chart,
    which has no limits to judge assurance against — then the control chart fitting its
    kind of value."""
    if chart_kind != ChartKind.RUN:
        return chart_kind
    return CONTROL_CHART_FOR.get(value_type, "i")


# ------------------------------------------------------------------ pooling
def pool_sites(series: Sequence[Sequence[Point]]) -> list[Point]:
    """Several sites' points as one network series, one point per period, oldest first.

    Per period the numerators and the denominators are summed (so the pooled proportion
    is Σ numerators / Σ denominators, every pupil weighing the same); where no site gave
    a denominator the values are summed instead (a count's total).  A missing numerator,
    denominator or value counts as 0; pooled points are never excluded.  One site's
    series is returned as it is."""
    if len(series) == 1:
        return list(series[0])
    pooled: dict[dt.date, list[float]] = {}
    for points in series:
        for pt in points:
            acc = pooled.setdefault(pt.period, [0.0, 0.0, 0.0])
            acc[0] += pt.numerator or 0
            acc[1] += pt.denominator or 0
            acc[2] += pt.value or 0
    return [Point(d, a[2] if not a[1] else None, a[0] if a[1] else None, a[1] or None)
            for d, a in sorted(pooled.items())]


# ------------------------------------------------------------------ in words
VARIATION_WORDS = {
    "common": "common cause",
    "improvement": "special cause: improvement",
    "concern": "special cause: concern",
    "none": "not enough data",
}
ASSURANCE_WORDS = {
    "pass": "will consistently meet the target",
    "fail": "will consistently miss the target",
    "hit and miss": "may or may not meet the target",
    "none": "no target or no limits",
}
RECENT_POINTS = 3  # a signal ending within the last 3 points describes "now"


@dataclass(frozen=True)
class SeriesVerdict:
    """What a summary line says about one series: its latest value, the variation and
    assurance keys (of `VARIATION_WORDS`, `ASSURANCE_WORDS`) and a sentence."""

    latest: float | None
    variation: str
    assurance: str
    words: str


def judge_series(analysis: SeriesAnalysis, target: float | None,
                 direction: str) -> SeriesVerdict:
    """Variation: the latest improvement or concern signal that reaches one of the last
    `RECENT_POINTS` points, else common cause.  Assurance: where the target lies against
    the last control limits — inside them "hit and miss"; on the worse side of both
    limits (below the lower one when higher is better) "pass", since the process clears
    it; on the better side "fail", since it will not reach it.  The words name the
    recent signal first, when there is one."""
    values = [v for v in analysis.y if v is not None]
    if not values:
        return SeriesVerdict(None, "none", "none", "No values yet.")
    n = len(analysis.y)
    recent = [s for s in analysis.signals if s.assessment in (Assessment.IMPROVEMENT, Assessment.CONCERN)
              and s.last >= n - RECENT_POINTS]
    variation = recent[-1].assessment if recent else "common"
    seg = analysis.segments[-1] if analysis.segments else None
    lower = seg.lower[-1] if seg and seg.lower else None
    upper = seg.upper[-1] if seg and seg.upper else None
    assurance = "none"
    if target is not None and lower is not None and upper is not None:
        up = direction != Direction.DOWN
        if lower <= target <= upper:
            assurance = "hit and miss"
        elif (target < lower) == up:
            assurance = "pass"
        else:
            assurance = "fail"
    words = f"{VARIATION_WORDS[variation].capitalize()}; {ASSURANCE_WORDS[assurance]}."
    if recent:
        words = recent[-1].text + ". " + words
    return SeriesVerdict(values[-1], variation, assurance, words)
