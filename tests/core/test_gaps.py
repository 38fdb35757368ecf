"""Properties of the gap series (`nicdesk.core.gaps`): only shared periods are paired, a
suppressed cell makes its gap missing whatever its value was, the sign and ratio follow
the definition, and "narrowed" always means moving toward parity."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.gaps import (
    DIFFERENCE,
    RATIO,
    Cell,
    GapAim,
    aim_progress,
    gap_series,
    gap_side,
    judge_gap,
)

START = dt.date(2025, 1, 6)
values = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
cells = st.builds(Cell, st.one_of(st.none(), values), st.booleans())
series = st.dictionaries(st.integers(0, 60).map(lambda k: START + dt.timedelta(weeks=k)),
                         cells, max_size=40)


@given(series, series, st.sampled_from([DIFFERENCE, RATIO]))
def test_only_periods_in_both_are_paired_in_order(focus, reference, kind):
    gaps = gap_series(focus, reference, kind)
    periods = [p.period for p in gaps.points]
    assert periods == sorted(set(focus) & set(reference))


@given(series, series, st.sampled_from([DIFFERENCE, RATIO]))
def test_a_gap_is_the_difference_or_ratio_of_shown_values(focus, reference, kind):
    for p in gap_series(focus, reference, kind).points:
        f, r = focus[p.period], reference[p.period]
        if f.suppressed or r.suppressed:
            assert p.gap is None and p.why_missing == "suppressed"
        elif f.value is None or r.value is None:
            assert p.gap is None
        elif kind == DIFFERENCE:
            assert p.gap == pytest.approx(f.value - r.value)
        elif r.value == 0:
            assert p.gap is None and p.why_missing == "reference is 0"
        else:
            assert p.gap == pytest.approx(f.value / r.value)


@given(series, series, st.sampled_from([DIFFERENCE, RATIO]), values, st.data())
def test_a_suppressed_value_never_reaches_the_gap(focus, reference, kind, other, data):
    """Changing what a suppressed cell holds changes nothing that is shown."""
    hidden = [d for d, c in focus.items() if c.suppressed]
    if not hidden:
        return
    day = data.draw(st.sampled_from(hidden))
    changed = dict(focus) | {day: Cell(other, True)}
    assert gap_series(focus, reference, kind) == gap_series(changed, reference, kind)


@given(st.lists(values, min_size=1, max_size=30), st.lists(values, min_size=1, max_size=30))
def test_difference_is_antisymmetric(a, b):
    days = [START + dt.timedelta(weeks=k) for k in range(min(len(a), len(b)))]
    fa = {d: Cell(v) for d, v in zip(days, a, strict=False)}
    fb = {d: Cell(v) for d, v in zip(days, b, strict=False)}
    ab, ba = gap_series(fa, fb), gap_series(fb, fa)
    for x, y in zip(ab.points, ba.points, strict=True):
        assert x.gap == pytest.approx(-y.gap)  # type: ignore[operator]
    assert gap_side(ab) == -gap_side(ba)


@given(st.floats(0.05, 0.45), st.floats(0.02, 0.3), st.integers(10, 14),
       st.booleans(), st.sampled_from(["IHI run-chart rules", "Anhøj", "Making Data Count"]))
def test_moving_toward_parity_is_narrowing_whichever_group_is_ahead(
        gap, step, before, focus_ahead, rule_set):
    """A gap that sits at `gap` and then drops closer to parity is never judged
    "widened", whether the focus group is ahead or behind; the reverse never "narrowed"."""
    n_after = 12
    wobble = [0.004 * ((k * 7) % 5 - 2) for k in range(before + n_after)]
    sizes = [gap] * before + [max(gap - step, gap / 4)] * n_after
    sign = 1 if focus_ahead else -1
    days = [START + dt.timedelta(weeks=k) for k in range(before + n_after)]
    reference = {d: Cell(0.5) for d in days}
    closer = {d: Cell(0.5 + sign * (s + w)) for d, s, w in zip(days, sizes, wobble, strict=True)}
    judged = judge_gap(gap_series(closer, reference), "EL", "all students",
                       rule_set=rule_set, percent=True)
    assert judged.side == sign
    assert "widened" not in judged.words
    assert "narrowed" in judged.words
    further = {d: Cell(0.5 + sign * (s + w)) for d, s, w in
               zip(days, list(reversed(sizes)), wobble, strict=True)}
    judged = judge_gap(gap_series(further, reference), "EL", "all students",
                       rule_set=rule_set, percent=True)
    assert "narrowed" not in judged.words


def test_the_sentence_names_the_groups_the_signal_and_the_latest_gap():
    days = [START + dt.timedelta(weeks=k) for k in range(20)]
    reference = {d: Cell(0.70) for d in days}
    focus = {d: Cell(0.50 if k < 10 else 0.62) for k, d in enumerate(days)}
    focus[days[3]] = Cell(None, True)
    judged = judge_gap(gap_series(focus, reference), "English learners", "all students",
                       percent=True)
    assert judged.words.startswith("Gap between English learners and all students narrowed: "
                                   "shift of ")
    assert "above the median" in judged.words
    assert "latest gap −8.0 points" in judged.words
    assert "1 period left out" in judged.words


def test_an_all_hidden_gap_says_so_and_an_unknown_kind_is_refused():
    d = START
    words = judge_gap(gap_series({d: Cell(None, True)}, {d: Cell(0.5)}), "A", "B").words
    assert words == "Gap between A and B: not shown — every period has a group too small to show."
    with pytest.raises(ValueError, match="Unknown kind of gap 'sum'"):
        gap_series({}, {}, "sum")


@given(st.floats(-0.5, 0.5), st.floats(-0.5, 0.5), st.floats(-0.5, 0.5))
def test_aim_progress_reads_the_share_of_the_way(baseline, target, latest):
    from nicdesk.core.gaps import GapPoint

    aim = GapAim(DIFFERENCE, baseline, target, dt.date(2026, 6, 30))
    words = aim_progress(aim, GapPoint(dt.date(2026, 3, 2), latest), percent=True)
    assert words.startswith("Aim: gap from ")
    if baseline == target:
        return
    share = (baseline - latest) / (baseline - target)
    if share >= 1:
        assert "target reached" in words
    elif share >= 0:
        assert f"{share:.0%} of the way" in words
    else:
        assert "wider than at the baseline" in words


def test_a_gap_that_passes_parity_is_closed_and_reversed():
    days = [START + dt.timedelta(weeks=k) for k in range(24)]
    reference = {d: Cell(0.70) for d in days}
    focus = {d: Cell(0.50 + 0.002 * (k % 3) if k < 12 else 0.78 + 0.002 * (k % 3))
             for k, d in enumerate(days)}
    words = judge_gap(gap_series(focus, reference), "EL", "all students", percent=True).words
    assert words.startswith("Gap between EL and all students closed and reversed: shift of ")
