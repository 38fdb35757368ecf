"""Signals in words, phases and rule-set presets."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.signals import RULE_SETS, Phase, Point, analyse_series, fmt_span


def monthly(values, start=dt.date(2025, 1, 1)):
    out = []
    for k, v in enumerate(values):
        y, m = divmod(start.month - 1 + k, 12)
        out.append(Point(dt.date(start.year + y, m + 1, 1), value=v))
    return out


BASE = [10, 9, 11, 10, 9, 11, 10, 11, 9, 10]  # median 10; ends below, then on it
SHIFTED = BASE + [13, 14, 13, 15, 14, 13, 14]


def test_shift_in_words_with_dates_and_assessment() -> None:
    a = analyse_series(monthly(SHIFTED), [Phase(dt.date(2025, 11, 1), "baseline freeze")],
                       frequency="monthly", direction="up")
    shifts = [s for s in a.signals if s.kind == "shift"]
    assert [s.text for s in shifts] == [
        "Shift: 7 points above the median, Nov 2025 – May 2026 — improvement"]
    assert a.rule_set == "IHI run-chart rules v2"
    assert a.segments[0].baseline_end == 9
    assert a.suggest_rebase == dt.date(2025, 11, 1)


def test_direction_down_makes_the_same_shift_a_concern() -> None:
    a = analyse_series(monthly(SHIFTED), [Phase(dt.date(2025, 11, 1), "baseline freeze")],
                       direction="down")
    assert next(s for s in a.signals if s.kind == "shift").assessment == "concern"


def test_rebase_gives_each_phase_its_own_centre_line() -> None:
    a = analyse_series(monthly(SHIFTED), [Phase(dt.date(2025, 11, 1), "rebase", "Check-ins")])
    assert [(s.first, s.last) for s in a.segments] == [(0, 9), (10, 16)]
    assert a.segments[0].centre[0] == 10 and a.segments[1].centre[0] == 14
    assert a.segments[1].reason == "Check-ins"
    assert not [s for s in a.signals if s.kind == "shift"]


def test_making_data_count_needs_seven() -> None:
    six_up = BASE + [13, 14, 13, 15, 14, 13]
    freeze = [Phase(dt.date(2025, 11, 1), "baseline freeze")]
    ihi = analyse_series(monthly(six_up), freeze, rule_set="IHI run-chart rules")
    mdc = analyse_series(monthly(six_up), freeze, rule_set="Making Data Count")
    assert any(s.kind == "shift" for s in ihi.signals)
    assert not any(s.kind == "shift" for s in mdc.signals)


def test_anhoj_long_run_and_crossings() -> None:
    values = [1] * 9 + [5] * 9 + [1, 5] * 3
    a = analyse_series(monthly(values), rule_set="Anhøj")
    kinds = {s.kind for s in a.signals}
    assert "long run" in kinds
    assert a.rule_set == "Anhøj v1"


def test_p_chart_point_outside_limits_and_excluded_still_judged() -> None:
    points = [Point(dt.date(2025, 1, k + 1), numerator=n, denominator=50)
              for k, n in enumerate([12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22])]
    points[14] = Point(points[14].period, numerator=22, denominator=50, excluded=True)
    a = analyse_series(points, chart_kind="p", value_type="proportion", frequency="weekly")
    outside = [s for s in a.signals if s.kind == "outside limits"]
    assert [s.points for s in outside] == [(14,)]
    assert outside[0].text.startswith("Point outside the upper control limit, 15 Jan 2025")


def test_zero_denominator_falls_back_to_run_chart_with_reason() -> None:
    points = [Point(dt.date(2025, 1, k + 1), numerator=1, denominator=0 if k == 2 else 10)
              for k in range(5)]
    a = analyse_series(points, chart_kind="p", value_type="proportion")
    assert any("denominators above zero" in n for n in a.notes)
    assert a.segments[0].control is None


def test_empty_one_two_and_flat_series_say_why() -> None:
    assert "No data yet" in analyse_series([]).summary()[0]
    for values in ([5.0], [5.0, 6.0], [4.0, 4.0, 4.0, 4.0]):
        text = " ".join(analyse_series(monthly(values)).summary())
        # under the IHI rules fewer than 10 useful points also say the runs table is silent
        assert ("Too few points" in text or "random" in text
                or "Not enough points to judge by runs" in text)


def test_span_formats() -> None:
    assert fmt_span(dt.date(2026, 2, 1), dt.date(2026, 8, 1), "monthly") == "Feb–Aug 2026"
    assert fmt_span(dt.date(2026, 2, 2), dt.date(2026, 3, 9), "weekly") == \
        "2 Feb 2026 – 9 Mar 2026"


@given(st.lists(st.one_of(st.none(), st.integers(0, 9).map(float)), max_size=40),
       st.sampled_from(sorted(RULE_SETS)), st.sampled_from(["run", "c", "i"]))
def test_every_signal_points_into_the_series(values, rules, kind) -> None:
    points = monthly(values)
    a = analyse_series(points, chart_kind=kind, rule_set=rules)
    for s in a.signals:
        assert 0 <= s.first <= s.last < len(points)
        assert s.assessment in ("improvement", "concern", "unusual")
