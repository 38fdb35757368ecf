"""IHI "too few / too many runs": the published table, its wording and its boundaries.

The expectations below are Perla, Provost & Murray (2011), "The run chart: a simple
analytical tool for learning from variation in healthcare processes", BMJ Qual Saf
20:46–51, Table 1, written out row by row independently of the code's constant, so a slip
in either shows up here.  A signal needs fewer runs than the lower limit or more runs than
the upper one; runs equal to a limit are no signal.
"""

from __future__ import annotations

import datetime as dt

import pytest

from nicdesk.core.runchart import analyze, ihi_runs_limits
from nicdesk.core.signals import Point, analyse_series

# (useful points, lower limit, upper limit), as printed in Table 1
PERLA_2011_TABLE_1 = [
    (10, 3, 9), (11, 3, 10), (12, 3, 11), (13, 4, 11), (14, 4, 12), (15, 5, 12),
    (16, 5, 13), (17, 5, 13), (18, 6, 14), (19, 6, 15), (20, 6, 16), (21, 7, 16),
    (22, 7, 17), (23, 7, 17), (24, 8, 18), (25, 8, 18), (26, 9, 19), (27, 10, 19),
    (28, 10, 20), (29, 10, 20), (30, 11, 21), (31, 11, 22), (32, 11, 23), (33, 12, 23),
    (34, 12, 24), (35, 12, 24), (36, 13, 25), (37, 13, 25), (38, 14, 26), (39, 14, 26),
    (40, 15, 27), (41, 15, 27), (42, 16, 28), (43, 16, 28), (44, 17, 29), (45, 17, 30),
    (46, 17, 30), (47, 18, 31), (48, 18, 31), (49, 19, 32), (50, 19, 32), (51, 20, 33),
    (52, 20, 33), (53, 21, 34), (54, 21, 35), (55, 21, 35), (56, 22, 36), (57, 22, 36),
    (58, 23, 37), (59, 23, 38), (60, 24, 38),
]
RUN_KINDS = ("few runs", "many runs")


def test_the_table_covers_10_to_60_useful_points() -> None:
    assert [n for n, _lo, _hi in PERLA_2011_TABLE_1] == list(range(10, 61))


@pytest.mark.parametrize(("n", "lower", "upper"), PERLA_2011_TABLE_1)
def test_limits_match_perla_table_1(n: int, lower: int, upper: int) -> None:
    assert ihi_runs_limits(n) == (lower, upper)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 9, 61, 62, 100, 1000])
def test_no_limits_outside_the_table(n: int) -> None:
    assert ihi_runs_limits(n) is None


def sides(n: int, runs: int) -> list[int]:
    """n useful points (+1 above, -1 below; one more above when n is odd) in `runs` runs,
    starting above; every run has one point and the rest go to the first run of a side."""
    above, below = (n + 1) // 2, n // 2
    above_runs, below_runs = (runs + 1) // 2, runs // 2
    assert 2 <= runs <= n and above >= above_runs and below >= below_runs
    out: list[int] = []
    for r in range(runs):
        side, extra = (1, above - above_runs) if r % 2 == 0 else (-1, below - below_runs)
        first_of_side = r < 2
        out += [side] * (1 + (extra if first_of_side else 0))
    assert len(out) == n
    return out


def values(n: int, runs: int) -> list[float]:
    """Values around a median of exactly 2: 3 above, 1 below.  With an odd n two points on
    2 pin the median there (they are on the centre line, so not useful, and sit first)."""
    body = [3.0 if s > 0 else 1.0 for s in sides(n, runs)]
    return ([2.0, 2.0] if n % 2 else []) + body


def monthly(ys: list[float]) -> list[Point]:
    out = []
    for k, v in enumerate(ys):
        y, m = divmod(k, 12)
        out.append(Point(dt.date(2020 + y, m + 1, 1), value=v))
    return out


def run_signals(ys: list[float], chart_kind: str = "run") -> list[str]:
    a = analyse_series(monthly(ys), chart_kind=chart_kind, rule_set="IHI run-chart rules")
    return [s.text for s in a.signals if s.kind in RUN_KINDS]


@pytest.mark.parametrize(("n", "runs"), [(10, 2), (11, 7), (20, 5), (31, 31), (60, 24)])
def test_the_series_builder_gives_what_it_says(n: int, runs: int) -> None:
    a = analyze(values(n, runs))
    assert (a.median, a.n_useful, a.runs) == (2.0, n, runs)


@pytest.mark.parametrize(("n", "lower", "upper"), PERLA_2011_TABLE_1)
def test_boundaries_fewer_than_and_more_than(n: int, lower: int, upper: int) -> None:
    """runs == lower and runs == upper are no signal; lower − 1 and upper + 1 are."""
    assert run_signals(values(n, lower)) == []
    assert run_signals(values(n, upper)) == []
    few = run_signals(values(n, lower - 1))
    assert len(few) == 1 and few[0].startswith(f"Too few runs: {lower - 1} runs where at "
                                                f"least {lower} are expected for {n} useful")
    many = run_signals(values(n, upper + 1))
    assert len(many) == 1 and many[0].startswith(f"Too many runs: {upper + 1} runs where at "
                                                  f"most {upper} are expected for {n} useful")


def test_six_runs_in_twenty_points_is_no_longer_too_few() -> None:
    """The old exact computation called 6 runs in 20 points "too few"; the table does not."""
    assert run_signals(values(20, 6)) == []


def test_run_chart_texts_name_the_median() -> None:
    assert run_signals(values(20, 5)) == [
        "Too few runs: 5 runs where at least 6 are expected for 20 useful points "
        "(off the median) — unusual variation"]
    assert run_signals(values(20, 17)) == [
        "Too many runs: 17 runs where at most 16 are expected for 20 useful points "
        "(off the median) — check how the data are collected — unusual variation"]


def test_control_chart_texts_name_the_mean() -> None:
    """An I chart draws the mean (here exactly 2, as 10 ones and 10 threes)."""
    few = run_signals(values(20, 5), chart_kind="i")
    assert few == ["Too few runs: 5 runs where at least 6 are expected for 20 useful points "
                   "(off the mean) — unusual variation"]
    many = run_signals(values(20, 17), chart_kind="i")
    assert len(many) == 1 and "(off the mean)" in many[0] and "median" not in many[0]


def test_every_centre_line_word_matches_the_chart() -> None:
    """No signal or note on a control chart says "median", none on a run chart "mean"."""
    ys = values(20, 5)
    for kind, wrong in (("run", "mean"), ("i", "median")):
        a = analyse_series(monthly(ys), chart_kind=kind, rule_set="IHI run-chart rules")
        words = [s.text for s in a.signals] + a.notes
        assert words and not any(wrong in w.split() or f"{wrong})" in w for w in words)


@pytest.mark.parametrize("n", [4, 9])
def test_below_the_table_says_not_enough_points(n: int) -> None:
    a = analyse_series(monthly(values(n, 2)), rule_set="IHI run-chart rules")
    assert not [s for s in a.signals if s.kind in RUN_KINDS]
    assert any(note.startswith("Not enough points to judge by runs: "
                               f"{n} useful points (off the median)") for note in a.notes)


def test_above_the_table_says_it_stops_at_60() -> None:
    a = analyse_series(monthly(values(61, 2)), rule_set="IHI run-chart rules")
    assert not [s for s in a.signals if s.kind in RUN_KINDS]
    assert any("61 useful points" in note and "stops at 60" in note for note in a.notes)


def test_other_rule_sets_do_not_use_the_runs_table() -> None:
    for rules in ("Anhøj", "Making Data Count"):
        a = analyse_series(monthly(values(20, 5)), rule_set=rules)
        assert not [s for s in a.signals if s.kind in RUN_KINDS]
        assert not any("judge by runs" in note or "runs table" in note for note in a.notes)


def test_why_not_judgeable_names_the_centre_line() -> None:
    a = analyze([2.0, 2.0, 3.0])  # median 2: one useful point
    assert "off the median" in a.why_not_judgeable()
    assert "off the mean" in a.why_not_judgeable("mean")
