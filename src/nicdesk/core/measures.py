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
  icons' meanings, and the sentence a packet prints beside them — the variation from the
  last point's own class and the assurance from the target against the last limits, as
  the reference implementation NHSRplotthedots decides them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .signals import Point, SeriesAnalysis, Signal
from .states import Assessment, ChartKind, Direction, SignalKind

__all__ = [
    "ASSURANCE_WORDS", "CLASS_PRECEDENCE", "CONTROL_CHART_FOR", "VARIATION_WORDS",
    "SeriesVerdict", "axis_value", "format_value", "is_percent", "judge_series",
    "point_class", "pool_sites", "rate_value", "summary_chart_kind",
]

from .formatting import axis_value, format_value, is_percent, rate_value

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
    # a measure with no preferred direction (Direction.NEUTRAL): unusual either way, the
    # Making Data Count purple icons (NHSRplotthedots' special_cause_neutral_high/_low)
    "neutral high": "special cause: unusually high (no preferred direction)",
    "neutral low": "special cause: unusually low (no preferred direction)",
    "none": "not enough data",
}
ASSURANCE_WORDS = {
    "pass": "will consistently meet the target",
    "fail": "will consistently miss the target",
    "hit and miss": "may or may not meet the target",
    # a target on a measure with no preferred direction: neither side of it is better,
    # so there is nothing to pass or fail (the peer gives no assurance type either)
    "neutral": "no preferred direction, so no assurance judgement against the target",
    "none": "no assurance (that needs a target and control limits)",
}
#: which signal gives a point its class when several cover it, first wins: the order of
#: NHSRplotthedots' `ptd_special_cause_type` (outside the limits, trend, two in three, run),
#: with the Anhøj long run after the runs it generalises
CLASS_PRECEDENCE: tuple[str, ...] = (
    SignalKind.OUTSIDE_LIMITS, SignalKind.TREND, SignalKind.TWO_OF_THREE, SignalKind.SHIFT,
    SignalKind.LONG_RUN)


@dataclass(frozen=True)
class SeriesVerdict:
    """What a summary line says about one series: its latest value, the variation and
    assurance keys (of `VARIATION_WORDS`, `ASSURANCE_WORDS`) and a sentence."""

    latest: float | None
    variation: str
    assurance: str
    words: str


def point_class(analysis: SeriesAnalysis, k: int) -> Signal | None:
    """The signal that gives point k its class (None: common cause).

    Why one class per point: the variation icon describes the process *now*, and the
    Making Data Count reference (NHSRplotthedots' `point_type`) takes it from the last
    point alone — a shift that ended two points ago no longer describes it.  Of the
    signals covering the point with a side (a few-runs or crossings signal has none, an
    astronomical mark is a person's note, not a class), the first kind in
    `CLASS_PRECEDENCE` wins, and of two of a kind the later one (a turning point shared
    by a rising and a falling trend belongs to the falling one, as in the peer)."""
    rank = {kind: r for r, kind in enumerate(CLASS_PRECEDENCE)}
    covering = [s for s in analysis.signals
                if s.direction != 0 and s.kind in rank and k in s.points]
    if not covering:
        return None
    return min(covering, key=lambda s: (rank[s.kind], -s.first))


def judge_series(analysis: SeriesAnalysis, target: float | None,
                 direction: str) -> SeriesVerdict:
    """Variation: the class of the last point with a value (`point_class`) — improvement
    or concern, else common cause.  Assurance, as NHSRplotthedots'
    `ptd_calculate_assurance_type`: where the target lies against the last control limits
    — on or inside them "hit and miss"; on the worse side of both limits (below the lower
    one when higher is better) "pass", since the process clears it; on the better side
    "fail", since it will not reach it; no assurance without a target, limits or a better
    direction.  The words name the deciding signal first, when there is one."""
    values = [v for v in analysis.y if v is not None]
    if not values:
        return SeriesVerdict(None, "none", "none", "No values yet.")
    last = max(k for k, v in enumerate(analysis.y) if v is not None)
    deciding = point_class(analysis, last)
    judged = deciding is not None and deciding.assessment in (Assessment.IMPROVEMENT,
                                                              Assessment.CONCERN)
    variation = deciding.assessment if deciding is not None and judged else "common"
    if deciding is not None and direction == Direction.NEUTRAL:  # unusual, high or low
        judged = True
        variation = "neutral high" if deciding.direction > 0 else "neutral low"
    seg = analysis.segments[-1] if analysis.segments else None
    limits = [(lo, hi) for lo, hi in zip(seg.lower, seg.upper, strict=False)
              if lo is not None and hi is not None] if seg else []
    assurance = "none"
    if target is not None and limits and direction in (Direction.UP, Direction.DOWN):
        lower, upper = limits[-1]
        up = direction == Direction.UP
        if lower <= target <= upper:
            assurance = "hit and miss"
        elif (target < lower) == up:
            assurance = "pass"
        else:
            assurance = "fail"
    elif target is not None and direction == Direction.NEUTRAL:
        assurance = "neutral"  # said in words: a target, but no better side of it
    words = f"{VARIATION_WORDS[variation].capitalize()}; {ASSURANCE_WORDS[assurance]}."
    if deciding is not None and judged:
        words = deciding.text + ". " + words
    return SeriesVerdict(values[-1], variation, assurance, words)
