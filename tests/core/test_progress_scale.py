"""IHI's progress scale and the step chart's points (`core.progress`), and the
timeline's rules (`core.milestones`)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.entities import MILESTONE_KINDS, PROGRESS_SCORES
from nicdesk.core.milestones import (
    MilestoneFacts,
    Standing,
    standing,
    timeline_order,
    usual_milestones,
)  # fmt: skip
from nicdesk.core.progress import (
    SCALE,
    SOURCE,
    ScorePoint,
    change,
    describe_change,
    level,
    normal_score,
    step_points,
)  # fmt: skip

D = dt.date


def test_scale_matches_the_stored_choices_and_names_ihi() -> None:
    assert tuple(lv.score for lv in SCALE) == PROGRESS_SCORES
    assert SCALE[0].name == "Intent to participate"
    assert SCALE[4].name == "Changes tested but no improvement"
    assert SCALE[-1].name == "Outstanding sustainable results"
    assert "IHI Assessment Scale for Collaboratives" in SOURCE
    assert all(lv.meaning for lv in SCALE)


@pytest.mark.parametrize(("typed", "stored"), [("3", "3.0"), (" 2.5 ", "2.5"), ("5", "5.0"),
                                               ("0.50", "0.5")])
def test_typed_scores_are_read_in_their_stored_spelling(typed: str, stored: str) -> None:
    assert level(typed).score == stored


@pytest.mark.parametrize("bad", ["0", "2.7", "5.5", "six", "", "-1"])
def test_a_score_off_the_scale_is_refused_with_the_choices(bad: str) -> None:
    with pytest.raises(ValueError, match="0.5, 1.0, 1.5") as err:
        level(bad)
    assert "IHI's scale" in str(err.value)


@given(st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8))
def test_normal_score_never_invents_a_level(raw: float | str) -> None:
    text = str(raw)
    out = normal_score(text)
    assert out in PROGRESS_SCORES or out == text.strip()


def test_step_points_hold_each_score_until_the_next() -> None:
    pts = [ScorePoint(D(2025, 3, 1), "2.5"), ScorePoint(D(2024, 9, 1), "1.0"),
           ScorePoint(D(2024, 12, 1), "2.0")]
    edges, values = step_points(pts, until=D(2025, 6, 30))
    assert edges == [D(2024, 9, 1), D(2024, 12, 1), D(2025, 3, 1), D(2025, 6, 30)]
    assert values == [1.0, 2.0, 2.5]


def test_step_points_same_day_last_wins_and_single_score_still_a_step() -> None:
    pts = [ScorePoint(D(2025, 1, 1), "2.0"), ScorePoint(D(2025, 1, 1), "3.0")]
    edges, values = step_points(pts)
    assert values == [3.0] and edges == [D(2025, 1, 1), D(2025, 1, 2)]
    assert step_points([]) == ([], [])


@given(st.lists(st.tuples(st.dates(D(2020, 1, 1), D(2030, 1, 1)),
                          st.sampled_from(PROGRESS_SCORES)), max_size=30))
def test_step_points_shape(raw: list[tuple[dt.date, str]]) -> None:
    edges, values = step_points([ScorePoint(d, s) for d, s in raw])
    assert len(edges) == (len(values) + 1 if values else 0)
    assert edges == sorted(edges) and len(set(edges)) == len(edges)
    assert len(values) == len({d for d, _ in raw})


def test_change_over_a_period_starts_at_the_score_standing_then() -> None:
    pts = [ScorePoint(D(2024, 9, 1), "1.0"), ScorePoint(D(2025, 2, 1), "2.5"),
           ScorePoint(D(2025, 9, 1), "4.0")]
    first, last = change(pts, D(2025, 1, 1), D(2025, 8, 31))
    assert (first.score, last.score) == ("1.0", "2.5")
    assert describe_change(first, last) == "from 1.0 to 2.5 (Changes tested but no improvement)"
    assert describe_change(None, None) == "no score recorded"


def test_milestone_standing_and_order() -> None:
    today = D(2025, 6, 1)
    done = MilestoneFacts("charter agreed", "Charter", D(2025, 1, 1), D(2025, 1, 5))
    late = MilestoneFacts("first cycles", "Cycles", D(2025, 5, 1), None)
    ahead = MilestoneFacts("mid-year review", "Review", D(2025, 7, 1), None)
    undated = MilestoneFacts("other", "Someday", None, None)
    assert [standing(m, today) for m in (done, late, ahead, undated)] == [
        Standing.DONE, Standing.LATE, Standing.PLANNED, Standing.UNDATED]
    assert timeline_order([undated, ahead, late, done]) == [done, late, ahead, undated]


def test_usual_milestones_skip_kinds_the_network_has() -> None:
    start = D(2025, 8, 1)
    every = usual_milestones(start)
    assert [k for k, _, _ in every] == [k for k in MILESTONE_KINDS if k != "other"]
    assert all(day > start for _, _, day in every)
    assert [d for _, _, d in every] == sorted(d for _, _, d in every)
    rest = usual_milestones(start, {"charter agreed", "first convening"})
    assert {k for k, _, _ in rest} == {"members named", "first cycles", "mid-year review",
                                        "sustainability plan"}
