"""Every rule a chart analysis can report is explained with the chart's own numbers, and
the thresholds it quotes are the rules' own: the published IHI runs table
(`runchart.IHI_RUNS_TABLE`), Anhøj's limits (`runchart.longest_run_limit`,
`runchart.crossings_limit`), the rule sets' shift and trend lengths and Making Data
Count's constants — never a number the explanation computed its own way."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Sequence

import pytest

from nicdesk import guide
from nicdesk.core.explain import RULE_TITLES, explain_series, explain_signal, rule_set_of
from nicdesk.core.mdc import RUN_POINTS, TREND_POINTS
from nicdesk.core.runchart import IHI_RUNS_TABLE, crossings_limit, longest_run_limit
from nicdesk.core.signals import (
    RULE_SETS,
    Point,
    RuleSet,
    SeriesAnalysis,
    Signal,
    analyse_series,
)
from nicdesk.core.states import SignalKind

IHI, ANHOJ, MDC = "IHI run-chart rules", "Anhøj", "Making Data Count"
START = dt.date(2025, 1, 6)


def series(values: Sequence[float], *, chart: str = "run", rules: str = IHI,
           marks: dict[int, str] | None = None) -> SeriesAnalysis:
    points = [Point(START + dt.timedelta(weeks=k), v, astronomical=k in (marks or {}),
                    note=(marks or {}).get(k, "")) for k, v in enumerate(values)]
    return analyse_series(points, chart_kind=chart, value_type="continuous",
                          direction="up", frequency="weekly", rule_set=rules)


def only(analysis: SeriesAnalysis, kind: str) -> Signal:
    found = [s for s in analysis.signals if s.kind == kind]
    assert found, (kind, [s.text for s in analysis.signals])
    return found[0]


def text_of(analysis: SeriesAnalysis, kind: str) -> str:
    explanation = explain_signal(analysis, only(analysis, kind))
    assert explanation.rule == kind
    assert explanation.title == RULE_TITLES[kind]
    return explanation.text


# 20 values, 10 below and 10 above the median, in 5 runs (4, 5, 3, 5, 3): no run of 6,
# no 5 points going one way
FIVE_RUNS = [1, 2, 1, 2, 9, 8, 9, 8, 9, 2, 1, 2, 8, 9, 8, 9, 8, 1, 2, 1]


def test_the_issues_example_too_few_runs_with_the_published_table() -> None:
    analysis = series(FIVE_RUNS)
    lower, upper = IHI_RUNS_TABLE[20]
    text = text_of(analysis, SignalKind.FEW_RUNS)
    assert ("Your chart has 20 points not on the median (points on the median do not count) "
            "and 5 runs") in text
    assert f"With 20 points, fewer than {lower} runs is unusual" in text
    assert f"{lower} to {upper} runs are expected" in text


def test_too_many_runs_quotes_the_tables_upper_limit() -> None:
    analysis = series([1, 9] * 11)  # 22 points, 22 runs
    lower, upper = IHI_RUNS_TABLE[22]
    text = text_of(analysis, SignalKind.MANY_RUNS)
    assert "22 points not on the median (points on the median do not count) and 22 runs" in text
    assert f"more than {upper} runs is unusual" in text and f"{lower} to {upper}" in text


def test_an_ihi_shift_counts_its_points_and_quotes_six() -> None:
    analysis = series([1, 2, 1, 2, 1, 2, 1, 9, 8, 9, 8, 9, 8, 9])
    text = text_of(analysis, SignalKind.SHIFT)  # the first: the 7 low points
    shift = RULE_SETS[IHI].shift
    assert "7 points in a row below the median (5)" in text
    assert f"{shift} or more points in a row on one side is a shift" in text
    # 2 of the 64 ways 6 coin tosses fall are all one side: 1 in 32
    assert "Of the 64 ways 6 tosses can fall, only 2 are all heads or all tails" in text
    assert "by luck alone is about 1 in 32 (3.1 %)" in text


def test_an_ihi_trend_counts_its_points_and_quotes_five() -> None:
    analysis = series([3, 1, 3, 1, 3, 1, 2, 3, 4, 5, 6, 3, 1, 3, 1])
    text = text_of(analysis, SignalKind.TREND)
    assert "6 points in a row each going up, from 1 to 6" in text
    assert f"{RULE_SETS[IHI].trend} or more points all going up" in text
    assert ("Of the 120 orders 5 points can come in, only 2 are all rising or all falling, so "
            "the chance of 5 points in a row going the same way by luck alone is about 1 in "
            "60 (1.7 %)") in text


@pytest.mark.parametrize(("chart", "line", "other"), [("run", "median", "mean"),
                                                    ("i", "mean", "median")])
def test_explanations_name_the_centre_line_the_rule_used(chart: str, line: str,
                                                         other: str) -> None:
    """A run chart's rules judge points against the median, a control chart's against
    the mean: each explanation names the line (and the value) the analysis used and the
    chart draws, never the other one — whatever a measure's summary line says."""
    values = [1, 2, 1, 2, 1, 2, 1, 9, 8, 9, 8, 9, 8, 12]  # median 5, mean 5.21
    analysis = series(values, chart=chart)
    seg = analysis.segments[0]
    assert (seg.control is not None) == (line == "mean")
    drawn = seg.centre[0]
    assert drawn == seg.analysis.median  # the line drawn is the line the rules used
    assert drawn == (5 if chart == "run" else pytest.approx(73 / 14))
    shift = only(analysis, SignalKind.SHIFT)
    assert f"below the {line}" in shift.text  # the chart's own signal line
    text = explain_signal(analysis, shift).text
    assert f"7 points in a row below the {line} ({drawn:.3g})" in text
    assert f"land above the {line} as below it" in text
    for explanation in explain_series(analysis):
        assert not re.search(rf"\b{other}\b", explanation.text), explanation.text


def test_anhoj_long_run_and_few_crossings_quote_their_limits() -> None:
    analysis = series([1, 2] * 5 + [9, 8] * 5, rules=ANHOJ)  # 20 points, one crossing
    run = text_of(analysis, SignalKind.LONG_RUN)
    assert ("20 points not on the median (points on the median do not count); its longest "
            "run is 10 points") in run
    assert "the limit is 4 + 3 = 7" in run
    assert f"longer than {longest_run_limit(20)} points is unusual" in run
    crossings = text_of(analysis, SignalKind.FEW_CROSSINGS)
    assert "crosses the median once" in crossings
    assert f"fewer than {crossings_limit(20)} crossings is unusual" in crossings


def test_a_point_outside_the_limits_is_set_against_its_own_limit() -> None:
    values = [10, 11, 10, 12, 11, 10, 11, 12, 10, 11, 30, 11]
    analysis = series(values, chart="i")
    signal = only(analysis, SignalKind.OUTSIDE_LIMITS)
    seg = analysis.segments[0]
    text = explain_signal(analysis, signal).text
    assert f"30 against a limit of {seg.upper[10]:.3g}" in text
    assert f"mean ({seg.control.mean:.3g})" in text
    assert "2.66 × the mean moving range" in text


def test_making_data_count_uses_seven_and_says_that_ties_break() -> None:
    low, high = [1, 2] * 4, [9, 8] * 4
    analysis = series(low + high, rules=MDC)
    text = text_of(analysis, SignalKind.SHIFT)
    assert f"{RUN_POINTS} or more points in a row on one side" in text
    assert "8 points in a row below the median (5)" in text and "breaks the run" in text
    trend = series([5, 3, 5, 3, 1, 2, 3, 4, 5, 6, 7, 8, 3, 5, 3], rules=MDC)
    words = text_of(trend, SignalKind.TREND)
    assert f"{TREND_POINTS} or more points all going up" in words
    assert "8 points in a row each going up, from 1 to 8" in words


def test_an_astronomical_point_keeps_the_persons_reason() -> None:
    analysis = series([5, 6, 5, 6, 40, 5, 6], marks={4: "fire drill"})
    text = text_of(analysis, SignalKind.ASTRONOMICAL)
    assert "fire drill" in text and "marked this point" in text


def _find(kind: str, rules: str, chart: str) -> SeriesAnalysis | None:
    """A random series (fixed seeds) on which `rules` report `kind`."""
    for seed in range(400):
        rng = random.Random(seed)
        values = [round(rng.gauss(50, 5), 1) for _ in range(24)]
        jump = rng.choice([0, 0, 6, 9, 12])
        values = [v + (jump if k >= 12 else 0) for k, v in enumerate(values)]
        analysis = series(values, chart=chart, rules=rules)
        if any(s.kind == kind for s in analysis.signals):
            return analysis
    return None


def kinds_reported(rules: RuleSet) -> set[str]:
    """The signal kinds a rule set's analysis can report, read from its own flags."""
    kinds = {SignalKind.OUTSIDE_LIMITS, SignalKind.ASTRONOMICAL}  # every set, control charts
    kinds |= {SignalKind.SHIFT} if rules.shift is not None else set()
    kinds |= {SignalKind.TREND} if rules.trend is not None else set()
    kinds |= {SignalKind.LONG_RUN, SignalKind.FEW_CROSSINGS} if rules.anhoj else set()
    kinds |= {SignalKind.FEW_RUNS, SignalKind.MANY_RUNS} if rules.runs_table else set()
    kinds |= {SignalKind.TWO_OF_THREE} if rules.two_of_three else set()
    return kinds


def test_the_rule_sets_together_report_every_kind_of_signal() -> None:
    assert set().union(*(kinds_reported(r) for r in RULE_SETS.values())) == set(SignalKind)


CASES = [(kind, name) for name, rules in RULE_SETS.items()
         for kind in sorted(kinds_reported(rules)) if kind != SignalKind.ASTRONOMICAL]


@pytest.mark.parametrize(("kind", "rules"), CASES)
def test_every_rule_every_set_reports_is_explained_with_numbers(kind: str, rules: str) -> None:
    analysis = None
    if kind == SignalKind.MANY_RUNS:
        analysis = series([40, 60] * 12, rules=rules)
    for chart in ("i", "run"):
        analysis = analysis or _find(kind, rules, chart)
    assert analysis is not None, f"no series found on which {rules} reports {kind}"
    explanations = explain_series(analysis)
    assert [e.rule for e in explanations] == [s.kind for s in analysis.signals]
    for explanation, signal in zip(explanations, analysis.signals, strict=True):
        assert explanation.rule_set == rule_set_of(analysis.rule_set).label
        assert re.search(r"\d", explanation.text), explanation.text
        # said for a principal: no formulas or statisticians' words
        for jargon in ("!", "½", "log2", "binomial", "percentile", "off the", "useful"):
            assert jargon not in explanation.text, (jargon, explanation.text)
        assert explanation.text.startswith("Your chart has") or \
            signal.kind == SignalKind.ASTRONOMICAL
        assert guide.rule_page(signal.kind) in guide.PAGES
    mine = next(e for e in explanations if e.rule == kind)
    threshold = {
        SignalKind.SHIFT: RUN_POINTS if rules == MDC else RULE_SETS[rules].shift,
        SignalKind.TREND: TREND_POINTS if rules == MDC else RULE_SETS[rules].trend,
    }.get(kind)
    if threshold is not None:
        assert f"{threshold} or more points" in mine.text
    seg = next(g for g in analysis.segments
               if g.first <= only(analysis, kind).first <= g.last).analysis
    if kind == SignalKind.FEW_RUNS:
        assert f"fewer than {IHI_RUNS_TABLE[seg.n_useful][0]} runs" in mine.text
    if kind == SignalKind.MANY_RUNS:
        assert f"more than {IHI_RUNS_TABLE[seg.n_useful][1]} runs" in mine.text
    if kind == SignalKind.LONG_RUN:
        assert f"longer than {longest_run_limit(seg.n_useful)} points" in mine.text
    if kind == SignalKind.FEW_CROSSINGS:
        assert f"fewer than {crossings_limit(seg.n_useful)} crossings" in mine.text


def test_percent_measures_are_explained_in_percent() -> None:
    values = [0.31, 0.29, 0.3, 0.28, 0.3, 0.29, 0.7, 0.72, 0.71, 0.74, 0.7, 0.73]
    points = [Point(START + dt.timedelta(weeks=k), None, v * 50, 50.0)
              for k, v in enumerate(values)]
    analysis = analyse_series(points, value_type="proportion", frequency="weekly")
    text = explain_signal(analysis, only(analysis, SignalKind.SHIFT), percent=True).text
    assert "median (" in text and " %)" in text
