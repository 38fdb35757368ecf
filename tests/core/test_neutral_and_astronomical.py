"""A measure with no preferred direction, and a person's astronomical-point mark.

Neutral (`Direction.NEUTRAL`): neither side is better, so no rule set may ever call a
signal an improvement or a concern — they are unusual, shown with Making Data Count's
purple "neutral high/low" icons — and a target gives no assurance judgement (said in
words), as NHSRplotthedots does for `improvement_direction = "neutral"`.

Astronomical (IHI's fourth rule): only a person who knows the process can call a point
blatantly different, so it is their explicit mark on the observation, listed as a signal
of its own with the reason from the point's note, and never an icon's class.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from nicdesk.core.measures import ASSURANCE_WORDS, VARIATION_WORDS, judge_series
from nicdesk.core.signals import RULE_SETS, Point, analyse_series
from nicdesk.core.states import Assessment, Direction, SignalKind

START = dt.date(2024, 1, 1)


def _month(k: int) -> dt.date:
    return dt.date(START.year + (START.month - 1 + k) // 12, (START.month - 1 + k) % 12 + 1, 1)


def _points(values: list[float | None]) -> list[Point]:
    return [Point(_month(k), v) for k, v in enumerate(values)]


def _proportions(rows: list[tuple[int, int]]) -> list[Point]:
    return [Point(_month(k), r / n, float(r), float(n)) for k, (r, n) in enumerate(rows)]


@settings(max_examples=150, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.floats(-50, 50, allow_nan=False)),
                       min_size=0, max_size=40),
       chart=st.sampled_from(["run", "i", "c"]),
       rules=st.sampled_from(sorted(RULE_SETS)),
       target=st.one_of(st.none(), st.floats(-60, 60, allow_nan=False)))
def test_a_neutral_measure_never_improves_or_worsens(values: list[float | None], chart: str,
                                                     rules: str, target: float | None) -> None:
    if chart == "c":
        values = [None if v is None else abs(round(v)) for v in values]
    analysis = analyse_series(_points(values), chart_kind=chart, direction="neutral",
                              rule_set=rules)
    assert all(s.assessment == Assessment.UNUSUAL for s in analysis.signals)
    assert not any("improvement" in s.text or "concern" in s.text for s in analysis.signals)
    verdict = judge_series(analysis, target, Direction.NEUTRAL)
    assert verdict.variation in ("common", "neutral high", "neutral low", "none")
    assert verdict.assurance in ("none", "neutral")
    assert verdict.assurance == "neutral" or target is None or not any(
        v is not None for v in values)
    assert "improvement" not in verdict.words and "concern" not in verdict.words


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.integers(0, 400).flatmap(
           lambda r: st.tuples(st.just(r), st.integers(max(r, 1), 800))),
           min_size=1, max_size=30),
       chart=st.sampled_from(["run", "p", "pp"]),
       rules=st.sampled_from(sorted(RULE_SETS)))
def test_a_neutral_proportion_never_improves_or_worsens(rows: list[tuple[int, int]],
                                                        chart: str, rules: str) -> None:
    analysis = analyse_series(_proportions(rows), chart_kind=chart, value_type="proportion",
                              direction="neutral", rule_set=rules)
    assert all(s.assessment == Assessment.UNUSUAL for s in analysis.signals)
    assert judge_series(analysis, 0.5, "neutral").variation in (
        "common", "neutral high", "neutral low")


def test_a_shift_on_a_neutral_measure_is_unusually_high() -> None:
    values: list[float | None] = [10.0, 11, 9, 10, 12, 8, 10, 11, 9, 10] + [20.0] * 8
    up = analyse_series(_points(values), chart_kind="i", direction="up")
    neutral = analyse_series(_points(values), chart_kind="i", direction="neutral")
    assert Assessment.IMPROVEMENT in {s.assessment for s in up.signals}
    assert len(neutral.signals) == len(up.signals)  # the same signals, judged otherwise
    assert {s.assessment for s in neutral.signals} == {Assessment.UNUSUAL}
    assert all(s.text.endswith("— unusual variation") for s in neutral.signals)
    verdict = judge_series(neutral, 15.0, "neutral")
    assert verdict.variation == "neutral high"
    assert verdict.assurance == "neutral"
    assert ASSURANCE_WORDS["neutral"] in verdict.words
    assert VARIATION_WORDS["neutral high"].capitalize() in verdict.words
    low = judge_series(analyse_series(_points([-v for v in values if v is not None]),
                                      chart_kind="i", direction="neutral"), None, "neutral")
    assert low.variation == "neutral low" and low.assurance == "none"


def test_astronomical_mark_is_a_signal_with_its_reason() -> None:
    points = _points([10.0, 11, 9, 10, 12, 8, 10, 11, 9, 10, 11, 9])
    points[4] = points[4]._replace(value=40.0, astronomical=True,
                                   note="fire drill: the whole school left at 10 am")
    points[7] = points[7]._replace(astronomical=True)
    for direction in ("up", "down", "neutral"):
        analysis = analyse_series(points, chart_kind="run", direction=direction)
        marked = [s for s in analysis.signals if s.kind == SignalKind.ASTRONOMICAL]
        assert [(s.first, s.last) for s in marked] == [(4, 4), (7, 7)]
        assert marked[0].text == ("Astronomical point (marked by a person): May 2024 — "
                                  "fire drill: the whole school left at 10 am")
        assert marked[1].text.endswith("Aug 2024 — no reason written")
        assert marked[0].direction == 1
        assert all(s.assessment == Assessment.UNUSUAL for s in marked)
        assert marked[0].text in analysis.summary()
    # a mark on the last point is a person's note, not the icon's class
    last = _points([10.0, 11, 9, 10, 12, 8, 10, 11, 9, 10, 11, 9])
    last[-1] = last[-1]._replace(astronomical=True, note="typo in the export")
    analysis = analyse_series(last, chart_kind="i", direction="up")
    assert judge_series(analysis, None, "up").variation == "common"
