"""The Making Data Count preset against its reference, NHSRplotthedots (NHS-R, MIT).

The numbers below are the peer's own published test expectations (tests/testthat in
nhs-r-community/NHSRplotthedots: test-ptd_spc_standard.R and its snapshot,
test-ptd_spc.R's summary snapshot, test-ptd_calculate_point_type.R,
test-ptd_calculate_assurance_type.R), written again as our own cases; the properties
then check the whole preset — limits, every point's class, the icon — against a
line-by-line transliteration of the peer's R code (`_peer_*` below).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nicdesk.core import mdc
from nicdesk.core.control import control_chart
from nicdesk.core.measures import judge_series, point_class
from nicdesk.core.signals import RULE_SETS, Phase, Point, SeriesAnalysis, analyse_series

MDC = "Making Data Count"

# R: set.seed(123); rnorm(20) — the data of the peer's ptd_spc_standard and ptd_spc tests
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621,
    -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272,
    -0.55584113, 1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]


def daily(values: list[float | None], start: dt.date = dt.date(2020, 1, 2)) -> list[Point]:
    return [Point(start + dt.timedelta(days=k), value=v) for k, v in enumerate(values)]


def xmr(values: list[float | None], screen: bool = True):  # type: ignore[no-untyped-def]
    return control_chart("i", values, mr_screen=screen, mr_factor=mdc.XMR_FACTOR)


# ------------------------------------------------------------------ the preset itself
def test_preset_records_its_rules_and_version() -> None:
    rules = RULE_SETS[MDC]
    assert rules.label == "Making Data Count v2"
    assert rules.two_of_three and rules.screen_moving_ranges and rules.strict_ties
    assert rules.i_limit_factor == 2.66
    assert "NHSRplotthedots" in rules.description
    for other in ("IHI run-chart rules", "Anhøj"):  # the other presets are untouched
        r = RULE_SETS[other]
        assert not (r.two_of_three or r.screen_moving_ranges or r.strict_ties)
        assert r.i_limit_factor is None


# ------------------------------------------------------------------ limits (snapshots)
def test_limits_of_the_peer_snapshot() -> None:
    """_snaps/ptd_spc_standard.md, r1: mean 0.1416238, limits −3.01138 and 3.294627."""
    chart = xmr(RNORM_123)
    assert chart.mean == pytest.approx(0.1416238, abs=5e-8)
    assert chart.lower[0] == pytest.approx(-3.01138, abs=5e-6)
    assert chart.upper[0] == pytest.approx(3.294627, abs=5e-7)


def test_screening_an_outlier_as_the_peer_snapshot() -> None:
    """r2 (y[15] = 10, screened): −2.383666 / 3.722497; r3 (not screened): −4.596625 /
    5.935457; the mean is 0.6694159 either way and screening narrows the limits."""
    y: list[float | None] = list(RNORM_123)
    y[14] = 10
    screened, raw = xmr(y), xmr(y, screen=False)
    assert screened.mean == raw.mean == pytest.approx(0.6694159, abs=5e-8)
    assert screened.lower[0] == pytest.approx(-2.383666, abs=5e-7)
    assert screened.upper[0] == pytest.approx(3.722497, abs=5e-7)
    assert raw.lower[0] == pytest.approx(-4.596625, abs=5e-7)
    assert raw.upper[0] == pytest.approx(5.935457, abs=5e-7)
    assert raw.upper[0] - raw.lower[0] > screened.upper[0] - screened.lower[0]  # type: ignore[operator]


def test_limits_per_facet_as_the_peer_summary_snapshot() -> None:
    """_snaps/ptd_spc.md, facets 0 and 1 (10 points each): 0.0746 −2.60 2.75 and
    0.209 −3.28 3.70 (printed to 3 significant figures)."""
    for part, (mean, lpl, upl) in ((RNORM_123[:10], (0.0746, -2.60, 2.75)),
                                   (RNORM_123[10:], (0.209, -3.28, 3.70))):
        chart = xmr(list(part))
        assert f"{chart.mean:.3g} {chart.lower[0]:.3g} {chart.upper[0]:.3g}" == \
            f"{mean:.3g} {lpl:.3g} {upl:.3g}"


def test_the_preset_draws_those_limits_and_finds_only_common_cause() -> None:
    """The summary snapshot: 20 points, 20 common cause, none improvement or concern,
    variation type common cause; relative_to_mean as in the r1 snapshot."""
    a = analyse_series(daily(list(RNORM_123)), chart_kind="i", rule_set=MDC)
    seg = a.segments[0]
    assert seg.lower[0] == pytest.approx(-3.01138, abs=5e-6)
    assert seg.upper[0] == pytest.approx(3.294627, abs=5e-7)
    assert not [s for s in a.signals if s.direction]
    assert judge_series(a, None, "up").variation == "common"
    assert judge_series(a, 1.0, "up").assurance == "hit and miss"  # target 1, inside
    sides = [(v > seg.centre[0]) - (v < seg.centre[0]) for v in RNORM_123]  # type: ignore[operator]
    assert sides[:13] == [-1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1]


def test_two_close_points_on_opposite_sides_are_common_cause() -> None:
    """test-ptd_spc_standard.R: symmetrical data 1, −1, … with 5.5 and −5.5 last."""
    values: list[float | None] = [1.0, -1.0] * 8
    values[14], values[15] = 5.5, -5.5
    a = analyse_series(daily(values), chart_kind="i", rule_set=MDC)
    assert [point_class(a, k) for k in (14, 15)] == [None, None]
    assert judge_series(a, None, "up").variation == "common"


# ------------------------------------------------------------------ the peer's helpers
def test_seven_points_one_side() -> None:
    f = mdc.seven_points_one_side
    assert f([]) == []
    assert f([1] * 6) == [0] * 6
    assert f([1] * 6 + [-1]) == [0] * 7
    assert f([1] * 8 + [-1]) == [0, 0, 0, 0, 0, 0, 1, 1, 0]
    assert f([-1] * 8 + [1]) == [0, 0, 0, 0, 0, 0, 1, 1, 0]
    assert f([1] * 3 + [0] + [1] * 4) == [0] * 8  # a point on the centre line breaks it


def test_part_of_seven() -> None:
    f = mdc.part_of_seven
    assert f([]) == []
    assert f([0] * 6) == [0] * 6
    assert f([0] * 6 + [1, 0]) == [1] * 7 + [0]
    assert f([0] * 7 + [1, 0]) == [0] + [1] * 7 + [0]
    assert f([0] * 6 + [-1, 0]) == [1] * 7 + [0]
    assert f([0] * 7 + [-1, 0]) == [0] + [1] * 7 + [0]


def test_seven_point_trend() -> None:
    f = mdc.seven_point_trend
    assert f([]) == []
    assert f([1, 2, 3, 4, 5, 6]) == [0] * 6
    assert f([1, 2, 3, 3, 4, 5, 6]) == [0] * 7  # an equal neighbour ends a trend
    assert f([1, 2, 3, 4, 5, 6, 7]) == [0] * 6 + [1]
    assert f([2, 1, 2, 3, 4, 5, 6, 7, 3]) == [0] * 7 + [1, 0]
    assert f([7, 6, 5, 4, 3, 2, 1]) == [0] * 6 + [-1]
    assert f([2, 7, 6, 5, 4, 3, 2, 1, 3]) == [0] * 7 + [-1, 0]


def test_two_in_three() -> None:
    f = mdc.two_in_three
    assert f([], []) == []
    assert f([0, 0, 0], [0, 0, 0]) == [0, 0, 0]
    for close in ([1, 0, 1], [0, 1, 1], [1, 1, 0]):
        assert f(close, [1, 1, 1]) == [1, 1, 1]
        assert f(close, [1, -1, 1]) == [0, 0, 0]  # all three on one side, or nothing
    assert f([0, 0, 1, 0, 1, 0, 0], [1] * 7) == [0, 0, 1, 1, 1, 0, 0]
    assert f([0, 0, 1, 1, 0, 0, 0], [1] * 7) == [0, 1, 1, 1, 1, 0, 0]
    assert f([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1]) == [0] * 7
    assert f([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1]) == [0] * 7


@pytest.mark.parametrize(("close", "expected"), [
    ([1, 0, 1], [1, 0, 1]), ([0, 1, 1], [0, 1, 1]), ([1, 1, 0], [1, 1, 0]),
    ([0, 0, 1, 0, 1, 0, 0], [0, 0, 1, 0, 1, 0, 0]), ([0, 0, 1, 1, 0, 0, 0], [0, 0, 1, 1, 0, 0, 0]),
    ([1, 0, 0, 1], [0, 0, 0, 0]), ([1, 0, 0, 1, 1], [0, 0, 0, 1, 1]),
])
def test_part_of_two_in_three_flags_only_the_close_points(close: list[int],
                                                           expected: list[int]) -> None:
    """test-ptd_calculate_point_type.R, ptd_part_of_two_in_three: all points above the
    centre line, `close` between two and three sigma; through `classify`."""
    n = len(close)
    y = [2.5 if c else 0.5 for c in close]  # centre 0, two sigma at 2, limits at 3
    marks = mdc.classify(y, [0.0] * n, [-3.0] * n, [3.0] * n, [-2.0] * n, [2.0] * n)
    assert [abs(v) for v in marks.two_of_three] == expected


def test_special_cause_precedence() -> None:
    """test-ptd_calculate_point_type.R, ptd_special_cause_type: outside the limits before
    a trend, a trend before two in three, two in three before a run of 7."""
    side = [1, 1, 1, 1, -1, -1, -1, -1]
    marks = mdc.MdcMarks(list(range(8)), side, outside=[0, 0, 0, 0, 0, -1, -1, 0],
                         trend=[1, 1, 0, 0, 0, 0, 0, 0], two_of_three=[0, 0, 0, 0, -1, 0, 0, 0],
                         run=[0, 0, 1, 1, 0, 0, 0, 0], trends=[])
    assert [marks.special_cause(k) for k in range(8)] == [
        "7 Point Trend (Increasing)", "7 Point Trend (Increasing)", "7 Points Above CL",
        "7 Points Above CL", "2 in 3 Below CL", "Below LCL", "Below LCL", "Common Cause"]
    assert [marks.direction(k) for k in range(8)] == [1, 1, 1, 1, -1, -1, -1, 0]


# ------------------------------------------------------------------ assurance
@pytest.mark.parametrize(("direction", "expected"), [
    ("up", ["fail", "pass", "hit and miss"]),
    ("down", ["pass", "fail", "hit and miss"]),
    ("neutral", [None, None, None]),
])
def test_assurance_as_the_peer(direction: str, expected: list[str | None]) -> None:
    """test-ptd_calculate_assurance_type.R: target 4 against limits (1, 3), (5, 7), (1, 5).
    With no preferred direction the peer gives no assurance type (NA): no pass, fail or
    hit and miss (NICdesk says why in words, under its own key)."""
    got = [judge_series(_limits_only([(lo, hi)]), 4.0, direction).assurance
           for lo, hi in ((1, 3), (5, 7), (1, 5))]
    if direction == "neutral":
        assert not {"pass", "fail", "hit and miss"} & set(got)
    else:
        assert got == expected
    assert judge_series(_limits_only([(1, 3)]), None, direction).assurance == "none"


def test_assurance_uses_the_last_limits_after_rebases() -> None:
    """The peer's rebase case: the last group's limits decide (decrease is better)."""
    groups = [(1, 3), (5, 7), (1, 5)]
    for order, expected in (((0, 1, 2), "hit and miss"), ((1, 2, 0), "pass"),
                            ((2, 0, 1), "fail")):
        analysis = _limits_only([groups[k] for k in order])
        assert judge_series(analysis, 4.0, "down").assurance == expected


def test_a_target_on_a_limit_is_hit_and_miss() -> None:
    for target in (1.0, 3.0):
        assert judge_series(_limits_only([(1, 3)]), target, "up").assurance == "hit and miss"


def _limits_only(limits: list[tuple[float, float]]) -> SeriesAnalysis:
    segs = [SimpleNamespace(lower=[lo, lo], upper=[hi, hi]) for lo, hi in limits]
    return SeriesAnalysis("Making Data Count v2", "i", [2.0, 2.0] * len(limits), segs)  # type: ignore[arg-type]


# ------------------------------------------------------------------ ties, 2 of 3, icon
def test_a_point_on_the_mean_breaks_a_run() -> None:
    """IHI would skip the point on the centre line; the peer breaks the run there."""
    base = [0.0, 10.0] * 6  # mean 5 over all points
    run = base + [6.0, 7.0, 6.0, 5.0 + 0, 6.0, 7.0, 6.0, 7.0]
    values: list[float | None] = list(run)
    a = analyse_series(daily(values), [Phase(dt.date(2020, 1, 14), "baseline freeze")],
                       chart_kind="i", rule_set=MDC)
    assert a.segments[0].centre[0] == 5.0
    assert not [s for s in a.signals if s.kind == "shift"]  # 3 + 4, broken at the mean
    ihi = analyse_series(daily(values), [Phase(dt.date(2020, 1, 14), "baseline freeze")],
                         chart_kind="i", rule_set="IHI run-chart rules")
    assert [s for s in ihi.signals if s.kind == "shift"]  # 7 useful points, the tie skipped


def test_a_trend_needs_strict_steps() -> None:
    flat = [1.0, 2.0, 3.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    a = analyse_series(daily(list(flat)), rule_set=MDC)
    assert not [s for s in a.signals if s.kind == "trend"]
    b = analyse_series(daily([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]), rule_set=MDC)
    assert [(s.first, s.last, s.direction) for s in b.signals if s.kind == "trend"] == [(0, 6, 1)]


def test_two_of_three_beyond_two_sigma_signals_and_outside_points_do_not_count() -> None:
    base = [0.0, 2.0] * 8  # mean 1, MR̄ 2: limits 1 ± 5.32, two sigma at 1 ± 3.5467
    frozen = [Phase(dt.date(2020, 1, 18), "baseline freeze")]
    close = analyse_series(daily([*base, 4.8, 1.5, 4.9]), frozen, chart_kind="i", rule_set=MDC)
    twos = [s for s in close.signals if s.kind == "two of three"]
    assert [(s.points, s.direction) for s in twos] == [((16, 18), 1)]
    assert twos[0].text.startswith("2 points close to the upper limit (2 of 3 in a row")
    assert judge_series(close, None, "up").variation == "improvement"
    down = analyse_series(daily([*base, 4.8, 1.5, 4.9]), frozen, chart_kind="i", rule_set=MDC,
                          direction="down")
    assert judge_series(down, None, "down").variation == "concern"
    # one of the two beyond the limit is "outside", not close: no two-in-three
    beyond = analyse_series(daily([*base, 6.5, 1.5, 4.9]), frozen, chart_kind="i", rule_set=MDC)
    assert not [s for s in beyond.signals if s.kind == "two of three"]
    assert [s.points for s in beyond.signals if s.kind == "outside limits"] == [(16,)]
    # the third point on the other side of the mean: nothing
    across = analyse_series(daily([*base, 4.8, 0.5, 4.9]), frozen, chart_kind="i", rule_set=MDC)
    assert not [s for s in across.signals if s.kind == "two of three"]


def test_the_icon_is_the_last_points_class_not_a_recent_signal() -> None:
    """A point outside the upper limit two periods ago no longer sets the icon."""
    base = [0.0, 2.0] * 8
    frozen = [Phase(dt.date(2020, 1, 18), "baseline freeze")]
    a = analyse_series(daily([*base, 9.0, 1.0, 1.5]), frozen, chart_kind="i", rule_set=MDC)
    assert [s.kind for s in a.signals if s.direction] == ["outside limits"]
    assert judge_series(a, None, "up").variation == "common"
    b = analyse_series(daily([*base, 1.0, 1.5, 9.0]), frozen, chart_kind="i", rule_set=MDC)
    verdict = judge_series(b, None, "up")
    assert verdict.variation == "improvement"
    assert verdict.words.startswith("Point outside the upper control limit")


# ------------------------------------------------------------------ the peer, transliterated
def _peer_limits(y: list[float], screen: bool) -> tuple[float, float, float, float, float]:
    """ptd_spc_standard: mean, lpl, upl, nlpl, nupl."""
    mean = sum(y) / len(y)
    mr = [abs(b - a) for a, b in zip(y, y[1:], strict=False)]
    amr = sum(mr) / len(mr)
    if screen:
        kept = [r for r in mr if r < 3.267 * amr]
        amr = sum(kept) / len(kept)
    limit = 2.66
    close = 2 * (limit / 3)
    return mean, mean - limit * amr, mean + limit * amr, mean - close * amr, mean + close * amr


def _peer_point_direction(y: list[float], screen: bool = True) -> tuple[list[int], bool]:
    """ptd_special_cause_type then ptd_point_type's sign (+1 "Above|Increasing").

    Also says whether the peer's right-side trend rule disagreed with the direction of
    the point's own latest trend (our one deliberate difference)."""
    n = len(y)
    mean, lpl, upl, nlpl, nupl = _peer_limits(y, screen)
    outside = [v > upl or v < lpl for v in y]
    rtm = [(v > mean) - (v < mean) for v in y]
    close = [int(not outside[i] and (y[i] < nlpl or y[i] > nupl)) for i in range(n)]
    # ptd_seven_point_trend / ptd_part_of_seven_trend
    trend_end = [0] * n
    for i in range(6, n):
        d = [-((y[i - j + 1] > y[i - j]) - (y[i - j + 1] < y[i - j])) * -1 for j in range(1, 7)]
        trend_end[i] = 1 if all(x == 1 for x in d) else (-1 if all(x == -1 for x in d) else 0)
    part_trend = [int(any(trend_end[k] for k in range(i, min(n, i + 7)))) for i in range(n)]
    # ptd_two_in_three with its zero padding, then ptd_part_of_two_in_three
    vp, rp = [0, 0, *close, 0, 0], [0, 0, *rtm, 0, 0]
    tit = [int(any(sum(vp[i + a:i + a + 3]) >= 2 and abs(sum(rp[i + a:i + a + 3])) == 3
                   for a in (0, 1, 2))) for i in range(n)]
    part_two = [int(tit[i] == 1 and close[i] == 1) for i in range(n)]
    # ptd_seven_point_one_side_mean, padded with six zeros
    sp = [0] * 6 + rtm
    one_side = [int(all(sp[i + 6] == sp[i + 6 - j] for j in range(1, 7)) and sp[i + 6] != 0)
                for i in range(n)]
    part_side = [int(any(one_side[k] for k in range(i, min(n, i + 7)))) for i in range(n)]
    # the sign of the step, "if a point is part of a trend either side, use right side"
    sdy = [(b > a) - (b < a) for a, b in zip(y, y[1:], strict=False)]
    right = [*sdy, sdy[-1] if sdy else 0]
    left = [0, *sdy]
    step = [right[i] if (i + 1 < n and part_trend[i + 1] and part_trend[i]) else left[i]
            for i in range(n)]
    own = [0] * n  # our rule: the direction of the latest trend containing the point
    for i in range(n):
        if trend_end[i]:
            for j in range(i - 6, i + 1):
                own[j] = trend_end[i]
    differs = any(part_trend[i] and (1 if step[i] == 1 else -1) != own[i] for i in range(n))
    out = []
    for i in range(n):
        if outside[i]:
            out.append(1 if rtm[i] == 1 else -1)
        elif part_trend[i]:
            out.append(1 if step[i] == 1 else -1)
        elif part_two[i] or part_side[i]:
            out.append(1 if rtm[i] > 0 else -1)
        else:
            out.append(0)
    return out, differs


# pieces that make each rule fire often: noise, ramps (some with an equal step), spikes and
# level shifts; integers so that ties, points on the mean and equal steps are common
_NOISE = st.lists(st.integers(4, 8), min_size=1, max_size=8)
_RAMP = st.tuples(st.integers(0, 6), st.integers(5, 9), st.sampled_from((1, -1)),
                  st.booleans()).map(
    lambda t: [t[0] + 6 + t[2] * (k - (1 if t[3] and k > 2 else 0)) for k in range(t[1])])
_SPIKE = st.lists(st.sampled_from((0, 1, 11, 12, 20, -8)), min_size=1, max_size=3)
_LEVEL = st.tuples(st.sampled_from((3, 9)), st.integers(2, 9)).map(lambda t: [t[0]] * t[1])
SERIES = st.lists(st.one_of(_NOISE, _RAMP, _SPIKE, _LEVEL), min_size=2, max_size=8).map(
    lambda parts: [float(v) for part in parts for v in part]).filter(lambda y: len(y) >= 8)


@settings(max_examples=300, deadline=None)
@given(SERIES, st.sampled_from(("up", "down")))
def test_every_points_class_matches_the_peer(y: list[float], direction: str) -> None:
    """Integers 0–12 make ties, points on the mean and equal steps common."""
    assume(len(set(y)) > 1)  # the peer has no limits for a flat series (NaN)
    peer, differs = _peer_point_direction(y)
    assume(not differs)
    a = analyse_series(daily(list(y)), chart_kind="i", rule_set=MDC, direction=direction)
    mean, lpl, upl, _nl, _nu = _peer_limits(y, True)
    seg = a.segments[0]
    assert seg.centre[0] == pytest.approx(mean) and seg.lower[0] == pytest.approx(lpl)
    assert seg.upper[0] == pytest.approx(upl)
    ours = []
    for k in range(len(y)):
        s = point_class(a, k)
        ours.append(0 if s is None else s.direction)
    assert ours == peer
    # the icon is the last point's class, oriented by the better direction
    better = 1 if direction == "up" else -1
    expected = {0: "common", better: "improvement", -better: "concern"}[peer[-1]]
    assert judge_series(a, None, direction).variation == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=40))
def test_screening_never_widens_the_limits(y: list[float]) -> None:
    values: list[float | None] = list(y)
    screened, raw = xmr(values), xmr(values, screen=False)
    assert screened.mr_bar is not None and raw.mr_bar is not None
    assert screened.mr_bar <= raw.mr_bar
    assert screened.mean == raw.mean
    assert screened.upper[0] <= raw.upper[0] + 1e-9  # type: ignore[operator]


@settings(max_examples=200, deadline=None)
@given(SERIES)
def test_no_rule_met_means_no_special_cause(y: list[float]) -> None:
    """Where the marks find no point outside, no trend, no two-in-three and no run,
    there is no signal with a side, and every point and the icon are common cause."""
    a = analyse_series(daily(list(y)), chart_kind="i", rule_set=MDC)
    seg = a.segments[0]
    assert seg.control is not None
    lo, hi = mdc.near_lines("i", seg.centre, seg.lower, seg.upper, seg.control.mr_bar, 2.66)
    marks = mdc.classify(list(seg.control.y), seg.centre, seg.lower, seg.upper, lo, hi)
    quiet = not any(marks.outside + marks.trend + marks.two_of_three + marks.run)
    if quiet:
        assert not [s for s in a.signals if s.direction]
        assert judge_series(a, None, "up").variation == "common"
    for k in range(len(y)):
        assert (point_class(a, k) is None) == (marks.direction(k) == 0)


def test_the_one_deliberate_difference_a_trend_end_keeps_its_direction() -> None:
    """Two rising trends meeting at an equal step: the peer gives the first trend's last
    point the sign of the step to the next point (0, read as "Decreasing") — a concern in
    the middle of a rise.  Here it keeps its own trend's direction."""
    y = [float(v) for v in [1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 13]]
    peer, differs = _peer_point_direction(y)
    assert differs and peer[6] == -1
    a = analyse_series(daily(list(y)), chart_kind="i", rule_set=MDC)
    trends = [(s.first, s.last, s.direction) for s in a.signals if s.kind == "trend"]
    assert trends == [(0, 6, 1), (7, 13, 1)]
    deciding = point_class(a, 6)
    assert deciding is not None and deciding.direction == 1
