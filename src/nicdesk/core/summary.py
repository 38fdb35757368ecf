"""One series' judgement, the same on the screen, in the CLI and in meeting packets.

Why one function: the packet's measures summary used to re-analyse each series on its
own — without the series' phases — while the chart on screen judged it with them, so a
rebased or baseline-frozen series could read "special cause: concern" on paper and
common cause on screen (16 of 216 series disagreed).  Now every output asks `summarise`
and shows what it returns; nothing else judges a series for a summary.

What `summarise` decides, and why:

* **The chart that judges** is `core.measures.summary_chart_kind`: the measure's own,
  except that a run chart is judged on the control chart fitting its kind of value,
  since assurance needs limits.
* **Phases always apply**: a rebase starts a segment of its own and a baseline freeze
  holds the centre line and limits, so the judgement is the last phase's, as on the
  chart — and only the last phase's: a signal of the phase before a rebase described
  the old process, so it never makes the icon, even when it ended a point or two before
  the boundary (`last_phase`).  A caller that has no phases says why with `pooled=True`: a network series
  pools many sites' points and no site's phases belong to it — the words say so, so a
  reader comparing it with one school's chart knows why they can differ.
* **The verdict** (variation, assurance, words) is `core.measures.judge_series`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .measures import (
    ASSURANCE_WORDS,
    VARIATION_WORDS,
    SeriesVerdict,
    judge_series,
    summary_chart_kind,
)
from .signals import DEFAULT_RULE_SET, Phase, Point, SeriesAnalysis, analyse_series
from .states import CHART_NAMES

__all__ = ["POOLED_NOTE", "SeriesFacts", "SeriesSummary", "last_phase", "summarise"]

#: what a pooled series' words add, since it is judged without any site's phases
POOLED_NOTE = "Sites pooled: no phases of their own."


@dataclass(frozen=True)
class SeriesFacts:
    """What a judgement needs from a measure's definition (not its name or wording)."""

    chart_kind: str
    value_type: str
    direction: str
    frequency: str
    target: float | None


@dataclass(frozen=True)
class SeriesSummary:
    """A series' judgement: the analysis it was judged by (its phases applied, on the
    summary chart), the verdict, and whether it pools several sites."""

    analysis: SeriesAnalysis
    verdict: SeriesVerdict
    phases: tuple[Phase, ...]
    pooled: bool = False
    facts_chart_kind: str = ""  # the chart the measure draws (the summary may differ)

    @property
    def latest(self) -> float | None:
        return self.verdict.latest

    @property
    def variation(self) -> str:
        """A key of `core.measures.VARIATION_WORDS` (and of the packet's icons)."""
        return self.verdict.variation

    @property
    def assurance(self) -> str:
        """A key of `core.measures.ASSURANCE_WORDS` (and of the packet's icons)."""
        return self.verdict.assurance

    @property
    def variation_words(self) -> str:
        return VARIATION_WORDS[self.verdict.variation]

    @property
    def assurance_words(self) -> str:
        return ASSURANCE_WORDS[self.verdict.assurance]

    @property
    def words(self) -> str:
        """The sentence every output prints beside the icons."""
        if self.pooled:
            return f"{self.verdict.words} {POOLED_NOTE}"
        return self.verdict.words

    @property
    def judged_by(self) -> str:
        """Which chart and rules judged it, e.g. "P chart, Making Data Count v2"."""
        kind = self.analysis.chart_kind
        return f"{CHART_NAMES.get(kind, kind.upper() + ' chart')}, {self.analysis.rule_set}"

    @property
    def line(self) -> str:
        """The judgement as one line of text, word for word the same on the screen, in
        the CLI and on paper: "Summary (P chart, …): Common cause; …".  It judges the
        latest point, on a control chart even where the measure draws a run chart
        (assurance needs limits), so it says so: a trend the run chart flags earlier is
        not contradicted by "common cause" at the latest point."""
        if self.analysis.chart_kind != self.facts_chart_kind:
            return (f"Summary of the latest point (on the {self.judged_by.split(',')[0]} of "
                    f"these points, {self.analysis.rule_set}): {self.words}")
        return f"Summary of the latest point ({self.judged_by}): {self.words}"


def summarise(points: Sequence[Point], phases: Sequence[Phase], facts: SeriesFacts,
              rule_set: str = DEFAULT_RULE_SET, *, pooled: bool = False) -> SeriesSummary:
    """The judgement of one series under the network's `rule_set`, its `phases` applied.

    `pooled`: the points are several sites' summed (`core.measures.pool_sites`); such a
    series has no phases, and passing any is a caller's mistake (ValueError), since no
    one site's rebase describes the network's process."""
    if pooled and phases:
        raise ValueError("A pooled network series has no phases of its own.")
    analysis = analyse_series(
        points, phases, chart_kind=summary_chart_kind(facts.chart_kind, facts.value_type),
        value_type=facts.value_type, direction=facts.direction, frequency=facts.frequency,
        rule_set=rule_set)
    verdict = judge_series(last_phase(analysis), facts.target, facts.direction)
    return SeriesSummary(analysis, verdict, tuple(phases), pooled, facts.chart_kind)


def last_phase(analysis: SeriesAnalysis) -> SeriesAnalysis:
    """The analysis as far as "now" goes: its last segment and that segment's signals
    (indices unchanged, so the last point is still the series' last).  Without a rebase
    this is the whole analysis."""
    if len(analysis.segments) <= 1:
        return analysis
    last = analysis.segments[-1]
    return replace(analysis, segments=[last],
                   signals=[s for s in analysis.signals if s.first >= last.first])
