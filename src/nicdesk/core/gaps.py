"""Gaps between student groups: the gap series, its judgement and its words (issue #21).

A gap compares a *focus* group (English learners, say) with a *reference* group, or with
all students, period by period:

* **difference** = focus − reference (in the measure's own units: a proportion's gap is
  a fraction, drawn and written as percentage points);
* **ratio** = focus / reference (undefined where the reference is 0).

Only periods present in both series are paired.  A cell that small-cell suppression
hides (`Cell.suppressed`) makes that period's gap *missing*: a gap is never computed
from a hidden value, so it cannot give the hidden value away by adding back the shown
one.

**Which way is "narrowing".**  The sign of a difference says which group is ahead, and
that depends on the measure (on track: higher is better; absences: lower is better), so
NICdesk never reads "up" or "down" as better.  Narrowing means the gap moves *toward
parity* (a difference toward 0, a ratio toward 1), whichever group is ahead.  Which side
of parity the gap starts on (`gap_side`) comes from the aim's baseline gap when there is
one, else from the median of the first points (the baseline a person reads the chart
against); a gap below parity narrows by going up, one above it by going down.  The gap
chart is then judged by the network's rule set with that direction as "better", so a
shift toward parity is an *improvement* signal ("narrowed") and one away from it a
*concern* ("widened").  A gap that starts exactly at parity has no narrowing side: its
signals are only "moved".

**Against what it is judged.**  The centre line is frozen on the gap's baseline — the
first `SIDE_BASELINE_POINTS` shown points, or the first half of a shorter series — as
a baseline freeze does on a measure's chart: a gap that closes for good would otherwise
pull the median of the whole series into its new level, and the old, wider points would
read as a shift *away* from it ("widened") long after the gap narrowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .signals import (
    DEFAULT_RULE_SET,
    Phase,
    Point,
    SeriesAnalysis,
    Signal,
    analyse_series,
    fmt_span,
)
from .states import Assessment, Direction, PhaseKind

DIFFERENCE = "difference"
RATIO = "ratio"
GAP_KINDS = (DIFFERENCE, RATIO)
#: how many leading points set the gap's side when no aim gives a baseline gap
SIDE_BASELINE_POINTS = 12
#: a series' judged signals that say something about the gap
_JUDGED = (Assessment.IMPROVEMENT, Assessment.CONCERN, Assessment.UNUSUAL)


@dataclass(frozen=True)
class Cell:
    """One group's value for one period as a view may use it: `suppressed` cells carry
    no value at all (the caller drops it), so nothing downstream can use it."""

    value: float | None
    suppressed: bool = False


@dataclass(frozen=True)
class GapPoint:
    """One period of a gap series: the gap, or None with the reason it is missing."""

    period: dt.date
    gap: float | None
    why_missing: str = ""  # "suppressed", "no value", "reference is 0"


@dataclass(frozen=True)
class GapSeries:
    kind: str
    points: tuple[GapPoint, ...]

    @property
    def shown(self) -> tuple[GapPoint, ...]:
        """The periods that have a gap (what the chart draws and the rules judge)."""
        return tuple(p for p in self.points if p.gap is not None)

    @property
    def suppressed(self) -> int:
        return sum(1 for p in self.points if p.why_missing == "suppressed")

    @property
    def latest(self) -> GapPoint | None:
        shown = self.shown
        return shown[-1] if shown else None


def parity(kind: str) -> float:
    """The gap of two equal groups: 0 for a difference, 1 for a ratio."""
    return 1.0 if kind == RATIO else 0.0


def gap_series(focus: Mapping[dt.date, Cell], reference: Mapping[dt.date, Cell],
               kind: str = DIFFERENCE) -> GapSeries:
    """The gap for every period present in both series, oldest first (module docstring).

    Raises ValueError for an unknown `kind`, naming the kinds there are."""
    if kind not in GAP_KINDS:
        raise ValueError(f"Unknown kind of gap {kind!r}: use one of {', '.join(GAP_KINDS)}.")
    out: list[GapPoint] = []
    for period in sorted(set(focus) & set(reference)):
        f, r = focus[period], reference[period]
        if f.suppressed or r.suppressed:
            out.append(GapPoint(period, None, "suppressed"))
        elif f.value is None or r.value is None:
            out.append(GapPoint(period, None, "no value"))
        elif kind == RATIO:
            out.append(GapPoint(period, f.value / r.value, "") if r.value != 0
                       else GapPoint(period, None, "reference is 0"))
        else:
            out.append(GapPoint(period, f.value - r.value))
    return GapSeries(kind, tuple(out))


def gap_side(series: GapSeries, baseline_gap: float | None = None) -> int:
    """Which side of parity the gap starts on: −1 below, +1 above, 0 at parity or
    unknown.  The aim's `baseline_gap` decides when given; else the median of the first
    `SIDE_BASELINE_POINTS` shown gaps."""
    level = baseline_gap
    if level is None:
        first = sorted(p.gap for p in series.shown[:SIDE_BASELINE_POINTS]
                       if p.gap is not None)
        if not first:
            return 0
        mid = len(first) // 2
        level = first[mid] if len(first) % 2 else (first[mid - 1] + first[mid]) / 2
    even = parity(series.kind)
    return 0 if level == even else (1 if level > even else -1)


def narrowing_direction(side: int) -> str:
    """The measure direction under which a narrowing gap is an improvement."""
    return {-1: Direction.UP, 1: Direction.DOWN}.get(side, Direction.NEUTRAL)


@dataclass(frozen=True)
class GapJudgement:
    """A gap series judged: the analysis of its shown points (indices into `points`),
    the side it started on and the sentence every output prints."""

    series: GapSeries
    points: tuple[Point, ...]
    analysis: SeriesAnalysis
    side: int
    words: str


def judge_gap(series: GapSeries, focus: str, reference: str, *,
              rule_set: str = DEFAULT_RULE_SET, frequency: str = "weekly",
              chart_kind: str = "run", percent: bool = False,
              baseline_gap: float | None = None) -> GapJudgement:
    """Judge the gap's shown points by `rule_set` on a run chart or an I chart
    (`chart_kind` "i"; a gap is a continuous value, so attribute charts do not apply)
    and say what it shows in one sentence (`gap_sentence`)."""
    side = gap_side(series, baseline_gap)
    points = tuple(Point(p.period, p.gap) for p in series.shown)
    frozen = min(SIDE_BASELINE_POINTS, len(points) // 2)
    phases = (Phase(points[frozen].period, PhaseKind.BASELINE_FREEZE, "the gap's baseline"),
              ) if frozen >= 2 else ()
    analysis = analyse_series(points, phases,
                              chart_kind="i" if chart_kind != "run" else "run",
                              value_type="continuous", direction=narrowing_direction(side),
                              frequency=frequency, rule_set=rule_set)
    # a gap is read, not entered: no "add a new phase" prompt (nothing to rebase)
    analysis.suggest_rebase = None
    words = gap_sentence(series, analysis, points, focus, reference, side,
                         percent=percent, frequency=frequency)
    return GapJudgement(series, points, analysis, side, words)


def format_gap(value: float | None, kind: str, percent: bool) -> str:
    """A gap in words: a proportion's difference in percentage points ("−12.5 points"),
    another difference in the measure's units, a ratio with two decimals ("0.81×")."""
    if value is None:
        return "—"
    if kind == RATIO:
        return f"{value:.2f}×"
    if percent:
        return f"{value * 100:+.1f} points".replace("-", "−")
    return f"{value:+.3g}".replace("-", "−")


def _signal_words(signal: Signal) -> str:
    """"Shift: 7 points below the median, … — improvement" → "shift of 7 points below
    the median, …"."""
    text = signal.text.split(" — ")[0]
    head, _, rest = text.partition(": ")
    if rest and head in ("Shift", "Trend"):
        return f"{head.lower()} of {rest}"
    return text[:1].lower() + text[1:]


def latest_gap_signal(analysis: SeriesAnalysis) -> Signal | None:
    """The most recent signal that says which way the gap went (latest end first); a
    signal with no side (too few crossings, too many runs) only when there is none."""
    signals = [s for s in analysis.signals if s.assessment in _JUDGED
               and s.kind != "astronomical"]
    sided = [s for s in signals if s.direction != 0] or signals
    return max(sided, key=lambda s: (s.last, s.first)) if sided else None


def gap_sentence(series: GapSeries, analysis: SeriesAnalysis, points: Sequence[Point],
                 focus: str, reference: str, side: int, *, percent: bool = False,
                 frequency: str = "weekly") -> str:
    """"Gap between English learners and all students narrowed: shift of 7 points above
    the median, 2 Feb – 16 Mar 2026; latest gap −8.0 points (16 Mar 2026)."""
    subject = f"Gap between {focus} and {reference}"
    latest = series.latest
    if latest is None:
        why = ("every period has a group too small to show" if series.suppressed
               else "no period has values for both groups")
        return f"{subject}: not shown — {why}."
    tail = (f"latest gap {format_gap(latest.gap, series.kind, percent)} "
            f"({fmt_span(latest.period, latest.period, frequency)})")
    if series.suppressed:
        tail += (f"; {series.suppressed} period{'s' if series.suppressed > 1 else ''} "
                 "left out (a group too small to show)")
    signal = latest_gap_signal(analysis)
    if signal is None:
        return f"{subject}: no signal, the variation looks random (common cause); {tail}."
    verbs: dict[str, str] = {Assessment.IMPROVEMENT: "narrowed", Assessment.CONCERN: "widened"}
    verb = verbs.get(signal.assessment, "moved")
    gap = latest.gap if latest.gap is not None else parity(series.kind)  # shown: never None
    if side == 0:
        verb = "moved"
    elif verb == "narrowed" and side * (gap - parity(series.kind)) < 0:
        verb = "closed and reversed"  # past parity: the other group is behind now
    return f"{subject} {verb}: {_signal_words(signal)}; {tail}."


@dataclass(frozen=True)
class GapAim:
    """A gap-closing aim's numbers (in the gap's own units, as the measure's values)."""

    kind: str
    baseline_gap: float | None
    target_gap: float | None
    deadline: dt.date | None


def aim_progress(aim: GapAim, latest: GapPoint | None, *, percent: bool = False,
                 frequency: str = "weekly") -> str:
    """The aim's progress in words: baseline gap → latest gap → target gap by the
    deadline, and how much of the way has been closed (it can be negative: widened)."""
    parts = []
    if aim.baseline_gap is not None:
        parts.append(f"from {format_gap(aim.baseline_gap, aim.kind, percent)}")
    if aim.target_gap is not None:
        by = (f" by {fmt_span(aim.deadline, aim.deadline, 'weekly')}" if aim.deadline
              else "")
        parts.append(f"to {format_gap(aim.target_gap, aim.kind, percent)}{by}")
    words = "Aim: gap " + " ".join(parts) if parts else "Aim: no gap numbers written yet"
    if latest is None or latest.gap is None:
        return words + "; no gap to compare yet."
    words += (f"; latest {format_gap(latest.gap, aim.kind, percent)} "
              f"({fmt_span(latest.period, latest.period, frequency)})")
    if aim.baseline_gap is not None and aim.target_gap is not None \
            and aim.baseline_gap != aim.target_gap:
        share = (aim.baseline_gap - latest.gap) / (aim.baseline_gap - aim.target_gap)
        if share >= 1:
            words += ": target reached"
        elif share >= 0:
            words += f": {share:.0%} of the way"
        else:
            words += ": wider than at the baseline"
        if aim.deadline is not None and latest.period > aim.deadline and share < 1:
            words += ", past the deadline"
    return words + "."
