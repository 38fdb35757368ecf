"""From a measure's points to signals in words: rule sets, phases and classification.

This is what charts, network views and bundles share, so that merged data from all sites
is judged alike: the network chooses a named `RuleSet`, and every `SeriesAnalysis` records
which preset (name and version) judged it.

Phases (DOMAIN.md "Chart phase") are explicit and dated:
* a **rebase** at date D starts a new segment at D, with its own centre line;
* a **baseline freeze** at date D freezes the centre line (and limits) of the segment it
  falls in on that segment's points *before* D; later points are judged against it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from .control import KINDS as CONTROL_KINDS
from .control import RATIO_KINDS, ControlChart, ControlChartError, control_chart
from .mdc import XMR_FACTOR, classify, near_lines
from .runchart import RunChartAnalysis, analyze, ihi_runs_limits, ihi_runs_not_judged
from .states import (
    WITH_DENOMINATOR,
    Assessment,
    Direction,
    Frequency,
    PhaseKind,
    SignalKind,
)

#: frequencies whose periods are written as months ("Mar 2024"), not days
MONTH_LABELLED = (Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.TERMLY, Frequency.YEARLY)


@dataclass(frozen=True)
class RuleSet:
    name: str
    version: int
    shift: int | None  # consecutive useful points on one side (None: not used)
    trend: int | None  # consecutive points up or down
    anhoj: bool  # longest run and crossings (Anhøj)
    runs_table: bool  # too few / too many runs, IHI (Perla, Provost & Murray 2011, Table 1)
    description: str
    # Making Data Count's own rules, as NHSRplotthedots computes them (`core.mdc`)
    two_of_three: bool = False  # 2 of 3 points beyond two sigma, all 3 on one side
    screen_moving_ranges: bool = False  # I chart: drop moving ranges ≥ 3.267·MR̄
    strict_ties: bool = False  # on the centre line breaks a run; equal steps end a trend
    i_limit_factor: float | None = None  # I-chart limits mean ± factor·MR̄ (None: 3/1.128)

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"


RULE_SETS: dict[str, RuleSet] = {
    r.name: r
    for r in (
        # v2: too few / too many runs from the published table (Perla et al. 2011, Table 1)
        # instead of an exact Swed–Eisenhart computation, which judged some charts differently
        RuleSet("IHI run-chart rules", 2, 6, 5, False, True,
                "Shift: 6 or more points on one side of the median (the mean on a control "
                "chart). Trend: 5 or more points all going up or down. Too few or too many "
                "runs (fewer or more than the limits "
                "of Perla, Provost & Murray 2011, Table 1, for 10 to 60 useful points). "
                "Control charts: a point outside the limits."),
        RuleSet("Anhøj", 1, None, None, True, False,
                "Unusually long run (longer than log2(n) + 3) or too few crossings of the "
                "median (fewer than the 5th percentile of a binomial). Control charts: a "
                "point outside the limits."),
        # v2: as NHSRplotthedots (the NHS-R reference implementation): two in three beyond
        # two sigma, moving ranges screened, its ties, limits at 2.66·MR̄ (`core.mdc`)
        RuleSet("Making Data Count", 2, 7, 7, False, False,
                "A point outside the limits; a trend of 7 points each strictly up or down; "
                "2 of 3 points in a row beyond two sigma, all 3 on the same side of the "
                "centre line; 7 points in a row on one side (a point on the line breaks "
                "the run). I chart: limits at mean ± 2.66 × the mean moving range, moving "
                "ranges of 3.267 × their mean or more left out. As NHSRplotthedots.",
                two_of_three=True, screen_moving_ranges=True, strict_ties=True,
                i_limit_factor=XMR_FACTOR),
    )
}
DEFAULT_RULE_SET = "IHI run-chart rules"


class Point(NamedTuple):
    """One plotted period (a named tuple: network views build hundreds of thousands)."""

    period: dt.date
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    excluded: bool = False
    note: str = ""
    astronomical: bool = False  # a person's mark: IHI's astronomical point (reason: note)


@dataclass(frozen=True)
class Phase:
    start: dt.date
    kind: str  # "rebase" or "baseline freeze"
    reason: str = ""


@dataclass(frozen=True)
class Signal:
    kind: str  # shift, trend, long run, few crossings, few runs, many runs, outside limits
    first: int  # index into the points
    last: int
    direction: int  # +1 up / above, -1 down / below, 0 none
    assessment: str  # improvement, concern, unusual
    text: str
    indices: tuple[int, ...] = ()  # the points it covers, when not every point in between

    @property
    def points(self) -> tuple[int, ...]:
        return self.indices or tuple(range(self.first, self.last + 1))


@dataclass
class Segment:
    first: int
    last: int  # inclusive
    baseline_end: int | None  # last index used for the centre line, if frozen
    centre: list[float | None]
    lower: list[float | None]
    upper: list[float | None]
    analysis: RunChartAnalysis
    control: ControlChart | None = None
    reason: str = ""


@dataclass
class SeriesAnalysis:
    rule_set: str
    chart_kind: str
    y: list[float | None]
    segments: list[Segment] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    suggest_rebase: dt.date | None = None

    def summary(self) -> list[str]:
        lines = [s.text for s in self.signals] or self.notes or [
            "No signal: the variation looks random (common cause)."]
        return lines


def fmt_span(first: dt.date, last: dt.date, frequency: str) -> str:
    def one(d: dt.date) -> str:
        if frequency in MONTH_LABELLED:
            return d.strftime("%b %Y")
        return f"{d.day} {d.strftime('%b %Y')}"

    if first == last:
        return one(first)
    if frequency in MONTH_LABELLED and first.year == last.year:
        return f"{first.strftime('%b')}–{one(last)}"
    return f"{one(first)} – {one(last)}"


def plotted_values(points: Sequence[Point], chart_kind: str, value_type: str) -> list[float | None]:
    """The statistic a chart plots per point (None when missing or excluded from view)."""
    out: list[float | None] = []
    for p in points:
        if p.denominator and p.numerator is not None and value_type in WITH_DENOMINATOR:
            out.append(p.numerator / p.denominator)
        else:
            out.append(p.value)
    return out


def _assess(direction: int, better: str) -> str:
    """Improvement or concern by the measure's better side; a measure with no preferred
    direction (`Direction.NEUTRAL`) has no better side, so all its signals are unusual."""
    if direction == 0 or better == Direction.NEUTRAL:
        return Assessment.UNUSUAL
    good = direction > 0 if better == Direction.UP else direction < 0
    return Assessment.IMPROVEMENT if good else Assessment.CONCERN


def analyse_series(
    points: Sequence[Point],
    phases: Sequence[Phase] = (),
    *,
    chart_kind: str = "run",
    value_type: str = "continuous",
    direction: str = "up",
    frequency: str = "monthly",
    rule_set: str = DEFAULT_RULE_SET,
) -> SeriesAnalysis:
    rules = RULE_SETS.get(rule_set, RULE_SETS[DEFAULT_RULE_SET])
    points = sorted(points, key=lambda p: p.period)
    y = plotted_values(points, chart_kind, value_type)
    result = SeriesAnalysis(rules.label, chart_kind, y)
    if not points:
        result.notes.append("No data yet: enter values or import a CSV file to see the chart.")
        return result
    # segment boundaries from rebases; baseline freezes inside segments
    rebases = sorted({ph.start for ph in phases if ph.kind == PhaseKind.REBASE})
    freezes = sorted((ph for ph in phases if ph.kind == PhaseKind.BASELINE_FREEZE),
                     key=lambda ph: ph.start)
    reasons = {ph.start: ph.reason for ph in phases}
    starts = [0]
    for d in rebases:
        i = next((k for k, p in enumerate(points) if p.period >= d), None)
        if i is not None and i > starts[-1]:
            starts.append(i)
    bounds = list(zip(starts, [*starts[1:], len(points)], strict=True))
    for first, end in bounds:
        seg_points = points[first:end]
        freeze = next((f for f in freezes
                       if seg_points[0].period < f.start <= seg_points[-1].period), None)
        baseline = None
        if freeze is not None:
            baseline = sum(1 for p in seg_points if p.period < freeze.start)
        _segment(result, points, y, first, end, baseline, chart_kind, value_type, rules,
                 direction, frequency, reasons.get(points[first].period, ""))
    _astronomical(result, points, frequency)
    last = result.segments[-1] if result.segments else None
    if last is not None:  # a sustained shift: after a frozen baseline, or still going on
        for s in result.signals:
            if s.kind != SignalKind.SHIFT or s.first < last.first:
                continue
            after_freeze = last.baseline_end is not None and s.first > last.baseline_end
            if after_freeze or (last.baseline_end is None and s.first > last.first
                                and s.last >= last.last - 2):
                result.suggest_rebase = points[s.first].period
                break
    return result


def _astronomical(result: SeriesAnalysis, points: Sequence[Point], frequency: str) -> None:
    """IHI's fourth rule, the astronomical data point, as a person's explicit mark.

    IHI leaves "obviously, even blatantly, different" to the judgement of people who
    know the process, so NICdesk never decides it: a point marked astronomical (its note
    says why) is listed as a signal of its own, with the side of the centre line it lies
    on but assessed as unusual — the mark says the point is different, not whether that
    is better or worse — so it never changes a variation icon."""
    for i, p in enumerate(points):
        if not p.astronomical:
            continue
        seg = next((g for g in result.segments if g.first <= i <= g.last), None)
        centre = seg.centre[i - seg.first] if seg is not None else None
        v = result.y[i]
        side = 0 if v is None or centre is None or v == centre else (1 if v > centre else -1)
        reason = p.note.strip() or "no reason written"
        result.signals.append(Signal(
            SignalKind.ASTRONOMICAL, i, i, side, Assessment.UNUSUAL,
            f"Astronomical point (marked by a person): "
            f"{fmt_span(p.period, p.period, frequency)} — {reason}"))
    result.signals.sort(key=lambda s: (s.first, s.kind))


def _segment(result: SeriesAnalysis, points: Sequence[Point], y: list[float | None],
             first: int, end: int, baseline: int | None, chart_kind: str, value_type: str,
             rules: RuleSet, better: str, frequency: str, reason: str) -> None:
    values = [None if points[i].excluded else y[i] for i in range(first, end)]
    n = end - first
    control: ControlChart | None = None
    centre_value: float | None = None
    if chart_kind in CONTROL_KINDS:
        try:
            if chart_kind in RATIO_KINDS:
                counts = [points[i].numerator for i in range(first, end)]
                sizes = [points[i].denominator for i in range(first, end)]
                control = control_chart(chart_kind, counts, sizes, baseline=baseline,
                                        exclude=[k for k in range(n) if points[first + k].excluded])
            else:
                control = control_chart(chart_kind, [y[i] for i in range(first, end)],
                                        baseline=baseline,
                                        exclude=[k for k in range(n) if points[first + k].excluded],
                                        mr_screen=rules.screen_moving_ranges,
                                        mr_factor=rules.i_limit_factor)
            centre_value = control.mean
        except ControlChartError as exc:
            result.notes.append(f"{exc} Showing a run chart instead.")
            control = None
    # control charts judge excluded points too (left out of the limits, not out of view)
    judged = list(control.y) if control is not None else values
    analysis = analyze(judged, baseline=baseline, centre=centre_value)
    if control is not None:
        centre = list(control.centre)
        lower, upper = list(control.lower), list(control.upper)
    else:
        centre = [analysis.median] * n
        lower = upper = [None] * n
    seg = Segment(first, end - 1, first + baseline - 1 if baseline else None, centre, lower,
                  upper, analysis, control, reason)
    result.segments.append(seg)
    line = "mean" if control is not None else "median"  # the centre line the chart draws
    if not analysis.judgeable:
        result.notes.append(analysis.why_not_judgeable(line))

    def period(k: int) -> dt.date:
        return points[first + k].period

    def span(a: int, b: int) -> str:
        return fmt_span(period(a - first), period(b - first), frequency)

    def add(kind: str, a: int, b: int, direction: int, text: str,
            indices: tuple[int, ...] = ()) -> None:
        assessment = _assess(direction, better)
        suffix = f" — {assessment}" if assessment != Assessment.UNUSUAL else " — unusual variation"
        result.signals.append(Signal(kind, first + a, first + b, direction, assessment,
                                     text + suffix, tuple(first + k for k in indices)))

    marks = None
    if rules.strict_ties:  # Making Data Count: the peer's own point rules (`core.mdc`)
        near_lo, near_hi = ([None] * n, [None] * n) if control is None else near_lines(
            control.kind, centre, lower, upper, control.mr_bar, rules.i_limit_factor)
        marks = classify(judged, centre, lower, upper, near_lo, near_hi)
        for a, b, side, flagged in marks.spans(marks.run):
            add(SignalKind.SHIFT, a, b, side, f"Shift: {len(flagged)} points "
                f"{'above' if side > 0 else 'below'} the {line}, {span(first + a, first + b)}")
        for a, b, sign in marks.trends:
            count = sum(1 for k in range(a, b + 1) if judged[k] is not None)
            add(SignalKind.TREND, a, b, sign, f"Trend: {count} points all going "
                f"{'up' if sign > 0 else 'down'}, {span(first + a, first + b)}")
        for a, b, side, flagged in (marks.spans(marks.two_of_three, gap=2)
                                    if rules.two_of_three else []):
            add(SignalKind.TWO_OF_THREE, a, b, side, f"{len(flagged)} points close to the "
                f"{'upper' if side > 0 else 'lower'} limit (2 of 3 in a row beyond two "
                f"sigma), {span(first + a, first + b)}", tuple(flagged))
    if rules.shift is not None and marks is None:
        spans = [(a, b, s) for (a, b), s in zip(analysis.shifts, analysis.shift_sides,
                                                  strict=True)]
        for a, b, side in _runs_at_least(analysis, judged, rules.shift, spans):
            count = sum(1 for k in range(a, b + 1) if judged[k] is not None
                        and judged[k] != analysis.median)
            where = "above" if side > 0 else "below"
            add(SignalKind.SHIFT, a, b, side, f"Shift: {count} points {where} the {line}, "
                f"{span(first + a, first + b)}")
    if rules.trend is not None and marks is None:
        for trends, sign in ((analysis.up_trends, 1), (analysis.down_trends, -1)):
            for a, b in trends:
                distinct = _distinct_count(judged, a, b)
                if distinct >= rules.trend:
                    add(SignalKind.TREND, a, b, sign, f"Trend: {distinct} points all going "
                        f"{'up' if sign > 0 else 'down'}, {span(first + a, first + b)}")
    if rules.anhoj and analysis.judgeable:
        if analysis.longest_run > (analysis.longest_run_max or 0) and analysis.longest_run_span:
            a, b = analysis.longest_run_span
            add(SignalKind.LONG_RUN, a, b, analysis.longest_run_side,
                f"Unusually long run: {analysis.longest_run} points "
                f"{'above' if analysis.longest_run_side > 0 else 'below'} the {line} "
                f"(more than {analysis.longest_run_max} is unusual), {span(first + a, first + b)}")
        if analysis.crossings < (analysis.crossings_min or 0):
            add(SignalKind.FEW_CROSSINGS, 0, n - 1, 0, f"Too few crossings of the {line}: "
                f"{analysis.crossings} (at least {analysis.crossings_min} expected for "
                f"{analysis.n_useful} points)")
    if rules.runs_table and analysis.judgeable:
        # the table's own wording: "fewer than" the lower limit, "more than" the upper one
        limits = ihi_runs_limits(analysis.n_useful)
        useful = f"{analysis.n_useful} useful points (off the {line})"
        if limits is None:
            result.notes.append(ihi_runs_not_judged(analysis.n_useful, line))
        elif analysis.runs < limits[0]:
            add(SignalKind.FEW_RUNS, 0, n - 1, 0, f"Too few runs: {analysis.runs} runs where "
                f"at least {limits[0]} are expected for {useful}")
        elif analysis.runs > limits[1]:
            add(SignalKind.MANY_RUNS, 0, n - 1, 0, f"Too many runs: {analysis.runs} runs where "
                f"at most {limits[1]} are expected for {useful} — check how the data are "
                "collected")
    if control is not None:
        for side in (1, -1):
            ks = tuple(k for k in control.signals if control.outside(k) == side)
            if not ks:
                continue
            which = "upper" if side > 0 else "lower"
            where = span(first + ks[0], first + ks[-1])
            text = (f"Point outside the {which} control limit, {where}" if len(ks) == 1 else
                    f"{len(ks)} points outside the {which} control limit, {where}")
            add(SignalKind.OUTSIDE_LIMITS, ks[0], ks[-1], side, text, ks)
    result.signals.sort(key=lambda s: (s.first, s.kind))


def _runs_at_least(analysis: RunChartAnalysis, judged: list[float | None], minimum: int,
                   ihi_spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Runs of at least `minimum` useful points on one side (IHI's 6 or MDC's 7)."""
    if minimum == 6:
        return ihi_spans
    centre = analysis.median
    out: list[tuple[int, int, int]] = []
    start: int | None = None
    side, count = 0, 0
    last_useful = 0  # set with `start`, before either is read
    for k, v in enumerate(judged):
        if v is None or centre is None or v == centre:
            continue
        s = 1 if v > centre else -1
        if s != side:
            if count >= minimum and start is not None:
                out.append((start, last_useful, side))
            start, side, count = k, s, 0
        count += 1
        last_useful = k
    if count >= minimum and start is not None:
        out.append((start, last_useful, side))
    return out


def _distinct_count(values: list[float | None], a: int, b: int) -> int:
    count, previous = 0, None
    for v in values[a:b + 1]:
        if v is None:
            continue
        if v != previous:
            count += 1
        previous = v
    return count
