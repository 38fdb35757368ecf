"""Why a chart's signal fired, said with this chart's own numbers.

A signal line ("Too few runs: 5 runs where at least 6 are expected…") assumes that the
reader knows the rule.  `explain_signal` turns one signal of a `SeriesAnalysis` into a
short explanation for a person who does not — a principal, not a statistician: the
numbers of *this* chart (points not on the centre line, runs, crossings, the longest run,
the values against their limits), the threshold the rule set uses for that many points,
and why crossing it is unlikely by luck alone, said as "about 1 in 60" rather than as a
formula.  The centre line is named as the rule used it (`_centre_line`): the median on a
run chart, the mean on a control chart — even where a measure's summary, judged on a
control chart, says "mean" for a measure drawn as a run chart.  Every number comes from what the analysis already computed and from the
rule's own thresholds — the published table (`runchart.IHI_RUNS_TABLE`), Anhøj's limits
(`runchart.longest_run_limit`, `runchart.crossings_limit`), the rule set's shift and trend
lengths and Making Data Count's constants (`core.mdc`) — never from a second formula.

`rule` is the `SignalKind` that fired; the guide (`nicdesk.guide.rule_page`) maps it to
the page that explains the rule in general.  Pure Python: no Qt, no SQL.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .formatting import format_value
from .mdc import MR_SCREEN, NEAR_FRACTION, RUN_POINTS, TREND_POINTS, XMR_FACTOR, near_lines
from .runchart import ihi_runs_limits
from .signals import DEFAULT_RULE_SET, RULE_SETS, RuleSet, Segment, SeriesAnalysis, Signal
from .states import CHART_NAMES, ChartKind, SignalKind

__all__ = ["RULE_TITLES", "Explanation", "explain_series", "explain_signal", "rule_set_of"]

#: each rule's name as a heading ("Too few runs"), the same under every rule set
RULE_TITLES: dict[str, str] = {
    SignalKind.SHIFT: "Shift",
    SignalKind.TREND: "Trend",
    SignalKind.LONG_RUN: "Unusually long run",
    SignalKind.FEW_CROSSINGS: "Too few crossings",
    SignalKind.FEW_RUNS: "Too few runs",
    SignalKind.MANY_RUNS: "Too many runs",
    SignalKind.OUTSIDE_LIMITS: "Point outside the control limits",
    SignalKind.TWO_OF_THREE: "Two of three points near a limit",
    SignalKind.ASTRONOMICAL: "Astronomical point",
}


@dataclass(frozen=True)
class Explanation:
    """One signal explained: the rule that fired (a `SignalKind`), the rule set's label,
    a heading and the explanation in plain words with this chart's numbers."""

    rule: str
    rule_set: str
    title: str
    text: str


def rule_set_of(label: str) -> RuleSet:
    """The rule set an analysis names ("IHI run-chart rules v2", or the bare name)."""
    for rules in RULE_SETS.values():
        if label in (rules.label, rules.name) or label.startswith(rules.name + " v"):
            return rules
    return RULE_SETS[DEFAULT_RULE_SET]


def explain_series(analysis: SeriesAnalysis, *, percent: bool = False) -> list[Explanation]:
    """One explanation per signal, in the order of `analysis.signals`."""
    return [explain_signal(analysis, s, percent=percent) for s in analysis.signals]


def _rules_words(rules: RuleSet) -> str:
    """"the IHI run-chart rules", "the Anhøj rules", "the Making Data Count rules"."""
    return f"the {rules.name}" if rules.name.endswith("rules") else f"the {rules.name} rules"


def _fraction(f: float) -> str:
    """Making Data Count's two-sigma fraction in words ("two thirds")."""
    return "two thirds" if abs(f - 2 / 3) < 1e-9 else f"{f:.2f}"


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _one_in(p: float) -> str:
    """A chance as a person says it, "about 1 in 60 (1.7 %)": the "1 in" to two figures
    ("about 1 in 2,500 (0.04 %)")."""
    whole = round(1 / p)
    if whole >= 100:
        whole = round(whole, 2 - len(str(whole)))
    percent = f"{p * 100:.2g} %" if p >= 1e-4 else "under 0.01 %"
    return f"about 1 in {whole:,} ({percent})"


def _centre_line(seg: Segment) -> tuple[str, float | None]:
    """The centre line the rules judged a segment's points against, as its chart draws
    it: ("median", its value) on a run chart, ("mean", its value) on a control chart —
    the value the analysis used (`RunChartAnalysis.median` holds the mean on a control
    chart), never a second computation."""
    return ("mean" if seg.control is not None else "median"), seg.analysis.median


def _segment(analysis: SeriesAnalysis, signal: Signal) -> Segment | None:
    return next((g for g in analysis.segments if g.first <= signal.first <= g.last), None)


def explain_signal(analysis: SeriesAnalysis, signal: Signal, *,
                   percent: bool = False) -> Explanation:
    """Why `signal` (one of `analysis.signals`) fired, with this chart's numbers.

    `percent`: the measure's values are fractions shown as percentages, so numbers are
    written as the chart's axis writes them."""
    rules = rule_set_of(analysis.rule_set)
    seg = _segment(analysis, signal)
    kind = signal.kind
    title = RULE_TITLES.get(kind, kind.capitalize())

    def fmt(v: float | None) -> str:
        return format_value(v, percent, spec=".3g")

    if seg is None:  # never so for a signal of this analysis; said plainly all the same
        return Explanation(kind, rules.label, title, signal.text)
    a = seg.analysis
    control = seg.control
    line, centre_value = _centre_line(seg)
    centre = fmt(centre_value)
    not_on = (f"{a.n_useful} points not on the {line} (points on the {line} do not "
              "count)")
    y = analysis.y
    mdc = rules.strict_ties
    if kind == SignalKind.FEW_RUNS or kind == SignalKind.MANY_RUNS:
        lower, upper = ihi_runs_limits(a.n_useful) or (0, 0)
        head = (f"Your chart has {not_on} and {a.runs} runs. A run is a stretch of "
                f"points in a row on one side of the {line}. ")
        if kind == SignalKind.FEW_RUNS:
            text = head + (
                f"With {a.n_useful} points, fewer than {lower} runs is unusual (Perla, "
                f"Provost & Murray 2011, Table 1: {lower} to {upper} runs are expected). "
                "Too few runs show that the points stay on one side longer than chance would "
                "keep them there: something in the process has probably changed.")
        else:
            text = head + (
                f"With {a.n_useful} points, more than {upper} runs is unusual (Perla, "
                f"Provost & Murray 2011, Table 1: {lower} to {upper} runs are expected). "
                "The points swap sides more often than chance would make them: often two "
                "processes mixed in one measure (alternating classes, days or data "
                "collectors), or numbers that were rounded or adjusted. Check how the "
                "data are collected.")
    elif kind == SignalKind.SHIFT:
        threshold = RUN_POINTS if mdc else (rules.shift or 0)
        side = "above" if signal.direction > 0 else "below"
        count = sum(1 for k in range(signal.first, signal.last + 1)
                    if (v := y[k]) is not None and a.median is not None and v != a.median)
        ways = 2 ** threshold
        ties = ("A point exactly on the line breaks the run." if mdc else
                f"Points exactly on the {line} are skipped: they neither break nor add to "
                "the run.")
        text = (f"Your chart has {count} points in a row {side} the {line} ({centre}). "
                f"Under {_rules_words(rules)}, {threshold} or more points in a row on one "
                f"side is a shift. If nothing had changed, each point would be as likely to "
                f"land above the {line} as below it, like a coin toss. Of the {ways:,} ways "
                f"{threshold} tosses can fall, only 2 are all heads or all tails, so the "
                f"chance of {threshold} points in a row landing on the same side by luck "
                f"alone is {_one_in(2 / ways)}. {ties}")
    elif kind == SignalKind.TREND:
        threshold = TREND_POINTS if mdc else (rules.trend or 0)
        way = "up" if signal.direction > 0 else "down"
        values = [v for k in range(signal.first, signal.last + 1) if (v := y[k]) is not None]
        count = len(values) if mdc else sum(
            1 for i, v in enumerate(values) if i == 0 or v != values[i - 1])
        chance = 2 / math.factorial(threshold)
        ties = ("Each point must be strictly above (or below) the one before; an equal "
                "neighbour ends the trend." if mdc else
                "A point equal to the one before neither breaks nor adds to the trend.")
        text = (f"Your chart has {count} points in a row each going {way}, from "
                f"{fmt(values[0] if values else None)} to "
                f"{fmt(values[-1] if values else None)}. Under {_rules_words(rules)}, "
                f"{threshold} or more points all going up (or all going down) is a trend. "
                f"In a stable process the points come in no particular order. Of the "
                f"{math.factorial(threshold):,} orders {threshold} points can come in, only "
                f"2 are all rising or all falling, so the chance of {threshold} points in a "
                f"row going the same way by luck alone is {_one_in(chance)}. {ties}")
    elif kind == SignalKind.LONG_RUN:
        side = "above" if a.longest_run_side > 0 else "below"
        log2 = math.log2(a.n_useful) if a.n_useful else 0.0
        halvings = (a.longest_run_max or 3) - 3
        text = (f"Your chart has {not_on}; its longest run is {a.longest_run} points "
                f"{side} the {line}. With {a.n_useful} points, a run longer than "
                f"{a.longest_run_max} points is unusual (Anhøj & Olesen 2014: "
                f"{a.n_useful} can be halved about {log2:.1f} times before it gets down to "
                f"1; rounded, that is {halvings}, and the limit is {halvings} + 3 = "
                f"{a.longest_run_max}). The longer a chart, the longer the runs luck alone "
                "makes, so the limit grows with the number of points. A run this long "
                "suggests the process has shifted.")
    elif kind == SignalKind.FEW_CROSSINGS:
        text = (f"Your chart has {not_on}, and its line crosses the {line} "
                f"{_times(a.crossings)}. With {a.n_useful} points, fewer than "
                f"{a.crossings_min} crossings is unusual (Anhøj & Olesen 2014). In a stable "
                f"process each of the {a.n_useful - 1} steps from one point to the next "
                f"crosses the {line} with an even chance, like a coin toss, and fewer than "
                f"{a.crossings_min} crossings happen by luck alone in fewer than 1 stable "
                "chart in 20 (under 5 %). Too few crossings show that the points stay on "
                "one side too long: the process has probably changed.")
    elif kind == SignalKind.OUTSIDE_LIMITS and control is not None:
        text = _outside(analysis, signal, seg, rules, fmt)
    elif kind == SignalKind.TWO_OF_THREE and control is not None:
        near_lo, near_hi = near_lines(control.kind, seg.centre, seg.lower, seg.upper,
                                      control.mr_bar, rules.i_limit_factor)
        k = signal.points[0] - seg.first
        near = near_hi[k] if signal.direction > 0 else near_lo[k]
        limit = seg.upper[k] if signal.direction > 0 else seg.lower[k]
        which = "upper" if signal.direction > 0 else "lower"
        flagged = ", ".join(fmt(y[i]) for i in signal.points[:4])
        text = (f"Your chart has {len(signal.points)} points ({flagged}) beyond the "
                f"two-sigma line ({fmt(near)}) but still inside the {which} limit "
                f"({fmt(limit)}), at least 2 of any 3 points in a row, with all 3 on the "
                f"same side of the mean ({fmt(control.mean)}). The two-sigma line lies "
                f"{_fraction(NEAR_FRACTION)} of the way from the mean to the limit. In a "
                "stable process a point lands that far out on one side about 2 % of the "
                "time, so the chance of two of three in a row doing so by luck alone is "
                f"{_one_in(3 * 0.0228 ** 2)}.")
    elif kind == SignalKind.ASTRONOMICAL:
        text = (f"{signal.text}. A person who knows the process marked this point as "
                "obviously, even blatantly, different from the rest (IHI's fourth run-chart "
                "rule). NICdesk never decides this itself; the note says why, and the mark "
                "travels with the data.")
    else:
        text = signal.text
    return Explanation(kind, rules.label, title, text)


def _outside(analysis: SeriesAnalysis, signal: Signal, seg: Segment, rules: RuleSet,
             fmt: Callable[[float | None], str]) -> str:
    """A point (or points) outside the limits: the values against their own limits, and
    how this chart's limits are made."""
    control = seg.control
    assert control is not None  # only asked for a control chart's signal
    above = signal.direction > 0
    which = "upper" if above else "lower"
    shown = []
    for i in signal.points[:3]:
        k = i - seg.first
        limit = seg.upper[k] if above else seg.lower[k]
        shown.append(f"{fmt(analysis.y[i])} against a limit of {fmt(limit)}")
    more = f" and {len(signal.points) - 3} more" if len(signal.points) > 3 else ""
    count = len(signal.points)
    points = "point" if count == 1 else "points"
    kind = control.kind
    name = CHART_NAMES.get(kind, kind)
    if kind == ChartKind.I:
        factor = rules.i_limit_factor or 3 / 1.128
        how = (f"On this {name} the limits are the mean ({fmt(control.mean)}) ± "
               f"{factor:.2f} × the mean moving range ({fmt(control.mr_bar)}), the "
               "typical change from one point to the next.")
        if rules.screen_moving_ranges:
            how += (f" Moving ranges of {MR_SCREEN} × their mean or more are left out, so "
                    "one wild jump does not widen the limits.")
        if rules.i_limit_factor is not None and abs(rules.i_limit_factor - XMR_FACTOR) < 1e-9:
            how += " (2.66 is 3 / 1.128, Making Data Count's rounding.)"
    elif kind in (ChartKind.P, ChartKind.PP):
        how = (f"On this {name} the limits are the mean proportion ({fmt(control.mean)}) ± "
               "3 × √(p̄(1 − p̄) / n), with each point's own denominator n: points from "
               "fewer people get wider limits.")
    elif kind in (ChartKind.U, ChartKind.UP):
        how = (f"On this {name} the limits are the mean rate ({fmt(control.mean)}) ± "
               "3 × √(ū / n), with each point's own denominator n: points from fewer "
               "people get wider limits.")
    else:
        how = (f"On this {name} the limits are the mean count ({fmt(control.mean)}) ± "
               "3 × √(mean count).")
    if control.sigma_z is not None:
        how += (f" Laney's correction multiplies each point's sigma by σz = "
                f"{control.sigma_z:.2f}, the variation between points actually seen, so very "
                "large denominators do not make every point look special (Laney 2002).")
    return (f"Your chart has {count} {points} beyond the {which} control limit: "
            f"{'; '.join(shown)}{more}. {how} A stable process puts a point outside its "
            "three-sigma limits only about 3 times in 1,000, so a point out there has "
            "a cause worth finding.")
