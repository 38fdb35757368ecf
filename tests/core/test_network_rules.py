"""Properties of the network-view rules (`nicdesk.core.network`): suppression never lets a
small number through, comparability is judged symmetric in case and blanks, panel
statuses stay plain strings, and every ranking is a total order no input order changes."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, replace

from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.network import (
    AFTER_PRECEDENCE,
    ALL_SITES,
    CONTEXT_TAGS,
    DEFAULT_SUPPRESSION_THRESHOLD,
    ContextFilter,
    MeasureDefinition,
    PanelSort,
    PanelStatus,
    SignalAfter,
    combine_after,
    definition_difference,
    enters_funnel,
    judge_panel,
    latest_signal,
    network_threshold,
    point_size,
    rank_panels,
    same_measure_name,
    signal_after,
    suppress_points,
    tag_choices,
)
from nicdesk.core.signals import Point, Signal
from nicdesk.core.variation import is_suppressed

VALUE_TYPES = ("proportion", "rate", "count", "continuous")
DAY0 = dt.date(2024, 1, 1)


@st.composite
def series(draw: st.DrawFn) -> tuple[list[Point], str, int]:
    """Points of one value type with small and large sizes mixed, and a threshold."""
    value_type = draw(st.sampled_from(VALUE_TYPES))
    threshold = draw(st.integers(1, 30))
    sizes = draw(st.lists(st.one_of(st.none(), st.integers(0, 60)), max_size=25))
    points = []
    for i, size in enumerate(sizes):
        period = DAY0 + dt.timedelta(weeks=i)
        if value_type in ("proportion", "rate"):
            num = None if size is None else draw(st.integers(0, size))
            value = None if not size else num / size
            points.append(Point(period, value, num, size))
        else:
            points.append(Point(period, None if size is None else float(size)))
    return points, value_type, threshold


def _shown_small(points: tuple[Point, ...] | list[Point], value_type: str,
                 threshold: int) -> list[Point]:
    return [p for p in points if is_suppressed(point_size(p, value_type), threshold)]


# ------------------------------------------------------------------ suppression
def test_one_default_threshold() -> None:
    assert DEFAULT_SUPPRESSION_THRESHOLD == 10
    assert network_threshold(None) == network_threshold(0) == DEFAULT_SUPPRESSION_THRESHOLD


@given(st.integers(1, 1000))
def test_a_network_threshold_is_kept(configured: int) -> None:
    assert network_threshold(configured) == configured


@given(series())
def test_suppression_hides_every_small_value_and_keeps_the_rest(
        case: tuple[list[Point], str, int]) -> None:
    points, value_type, threshold = case
    shown, hidden = suppress_points(points, value_type, threshold)
    assert not _shown_small(shown, value_type, threshold)
    assert len(shown) + hidden == len(points)
    it = iter(points)  # shown is the input in order, minus the hidden ones
    assert all(any(p is q for q in it) for p in shown)


@given(series())
def test_no_panel_ever_draws_a_suppressed_value(case: tuple[list[Point], str, int]) -> None:
    points, value_type, threshold = case
    verdict = judge_panel(points, value_type, threshold)
    assert isinstance(verdict.status, PanelStatus)
    assert not _shown_small(verdict.points, value_type, threshold)
    if verdict.status in (PanelStatus.SUPPRESSED, PanelStatus.NO_DATA,
                          PanelStatus.NO_DENOMINATORS):
        assert not verdict.points and not verdict.chartable
    else:
        assert verdict.points and verdict.chartable
        assert (verdict.status == PanelStatus.ONE_POINT) == (len(verdict.points) == 1)
    if value_type == "count" and _shown_small(points, value_type, threshold):
        # a count series with gaps would tell where the small counts were
        assert verdict.status == PanelStatus.SUPPRESSED


@given(series())
def test_a_suppressed_panel_names_the_rule_not_the_values(
        case: tuple[list[Point], str, int]) -> None:
    points, value_type, threshold = case
    verdict = judge_panel(points, value_type, threshold)
    if verdict.status == PanelStatus.SUPPRESSED:
        assert verdict.explanation.startswith(f"suppressed (n < {threshold}):")
        assert verdict.suppressed_points == len(_shown_small(points, value_type, threshold))


def test_panel_texts_are_unchanged() -> None:
    p = [Point(DAY0, 0.5, 5, 10), Point(DAY0, 0.5, 1, 2)]
    assert judge_panel(p, "proportion", 10).explanation == "1 value suppressed (n < 10) left out."
    assert judge_panel([], "count", 10).explanation == "No data recorded for this measure."
    counts = [Point(DAY0, 3.0), Point(DAY0, 30.0)]
    assert judge_panel(counts, "count", 10).explanation == (
        "suppressed (n < 10): 1 of 2 values are built from fewer than 10, so this chart is "
        "not shown.")


# ------------------------------------------------------------------ statuses
def test_statuses_are_the_plain_strings_views_compare() -> None:
    assert PanelStatus.SUPPRESSED == "suppressed" and f"{PanelStatus.NO_DATA}" == "no data"
    assert str(PanelStatus.DEFINED_DIFFERENTLY) == "defined differently"
    assert json.dumps([PanelStatus.ONE_POINT, SignalAfter.CONCERN]) == '["one point", "no (concern)"]'
    assert {"ok": 1}[PanelStatus.OK] == 1
    assert [s for s in PanelStatus if enters_funnel(s)] == ["ok", "one point", "suppressed"]


# ------------------------------------------------------------------ comparability
texts = st.text(alphabet="abcAB %/ ", max_size=6)
definitions = st.builds(MeasureDefinition, st.just("M"), texts, texts, texts, texts)


@given(definitions)
def test_a_measure_is_alike_itself_whatever_the_case_and_blanks(d: MeasureDefinition) -> None:
    shouted = replace(d, unit=f"  {(d.unit or '').upper()} ",
                      definition=(d.definition or "").swapcase())
    assert definition_difference(d, d) == ""
    assert definition_difference(d, shouted) == ""
    assert same_measure_name(" Attendance ", "attendance")


@given(definitions, definitions)
def test_any_real_difference_is_reported(a: MeasureDefinition, b: MeasureDefinition) -> None:
    def norm(x: MeasureDefinition) -> tuple[str, ...]:
        return tuple((v or "").strip().casefold()
                     for v in (x.unit, x.value_type, x.definition, x.frequency))

    assert (definition_difference(a, b) == "") == (norm(a) == norm(b))


# ------------------------------------------------------------------ signals after a change
def _signal(first: int, last: int, assessment: str) -> Signal:
    return Signal("shift", first, last, 1, assessment, "")


signals = st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9),
                             st.sampled_from(["improvement", "concern", "unusual"])).map(
    lambda t: _signal(min(t[0], t[1]), max(t[0], t[1]), t[2])), max_size=6)
PERIODS = [DAY0 + dt.timedelta(weeks=i) for i in range(10)]


@given(signals, st.sampled_from(PERIODS))
def test_a_suppressed_panel_never_hints_at_its_signals(sigs: list[Signal],
                                                       start: dt.date) -> None:
    assert signal_after(PanelStatus.SUPPRESSED, sigs, PERIODS, start) == SignalAfter.SUPPRESSED


@given(signals, st.sampled_from(PERIODS))
def test_yes_only_when_the_latest_signal_after_the_start_is_an_improvement(
        sigs: list[Signal], start: dt.date) -> None:
    verdict = signal_after(PanelStatus.OK, sigs, PERIODS, start)
    after = [s for s in sigs if s.assessment != "unusual" and PERIODS[s.last] >= start]
    if not after:
        assert verdict == SignalAfter.NO
    else:
        latest = max(after, key=lambda s: (s.last, s.first))
        assert (verdict == SignalAfter.YES) == (latest.assessment == "improvement")
    assert signal_after(PanelStatus.OK, sigs, PERIODS, None) == SignalAfter.NO_DATA
    assert signal_after(None, sigs, PERIODS, start) == SignalAfter.NO_DATA


@given(signals)
def test_latest_signal_ignores_order_and_unusual_points(sigs: list[Signal]) -> None:
    found, again = latest_signal(sigs), latest_signal(list(reversed(sigs)))
    assert (found and (found.last, found.first)) == (again and (again.last, again.first))
    assert found is None or found.assessment in ("improvement", "concern")


@given(st.lists(st.sampled_from(list(AFTER_PRECEDENCE)), unique=True), st.randoms())
def test_combined_verdict_is_the_strongest_whatever_the_order(
        verdicts: list[SignalAfter], rnd: object) -> None:
    shuffled = list(verdicts)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    combined = combine_after(verdicts)
    assert combined == combine_after(shuffled)
    if not verdicts:
        assert combined == SignalAfter.NO_LINKED_MEASURE
    else:
        assert combined == min(verdicts, key=AFTER_PRECEDENCE.index)


# ------------------------------------------------------------------ ranking
@dataclass(frozen=True)
class FakePanel:
    site_id: str
    name: str
    status: str
    latest: float | None
    signal: str


panels = st.lists(st.builds(
    FakePanel, st.text(alphabet="xyz", min_size=1, max_size=3),
    st.sampled_from(["Alpha", "alpha", "Beta", "Gamma", "gamma "]),
    st.sampled_from(list(PanelStatus)),
    st.one_of(st.none(), st.just(math.nan), st.floats(-1, 1, allow_nan=False)),
    st.sampled_from(["improvement", "concern", ""])), unique_by=lambda p: p.site_id,
    max_size=12)


@given(panels, st.sampled_from([*PanelSort, "unknown"]), st.randoms())
def test_ranking_is_a_total_order_no_shuffle_changes(ps: list[FakePanel], by: str,
                                                     rnd: object) -> None:
    shuffled = list(ps)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    ranked = rank_panels(ps, by)
    assert ranked == rank_panels(shuffled, by)
    assert sorted(ranked, key=lambda p: p.site_id) == sorted(ps, key=lambda p: p.site_id)


@given(panels)
def test_signal_order_puts_bright_spots_then_concerns_first(ps: list[FakePanel]) -> None:
    order = {"improvement": 0, "concern": 1, "": 2}
    ranks = [order[p.signal] for p in rank_panels(ps, PanelSort.SIGNAL)]
    assert ranks == sorted(ranks)


@given(panels)
def test_latest_order_is_highest_first_and_no_value_last(ps: list[FakePanel]) -> None:
    ranked = rank_panels(ps, PanelSort.LATEST)
    values = [p.latest for p in ranked if p.latest is not None and not math.isnan(p.latest)]
    assert values == sorted(values, reverse=True)
    missing = [p.latest is None or math.isnan(p.latest) for p in ranked]
    assert missing == sorted(missing)


# ------------------------------------------------------------------ context
tags = st.dictionaries(st.sampled_from([*CONTEXT_TAGS, "district"]),
                       st.sampled_from(["", "9-12", "K-5", "city"]), max_size=4)


@given(tags, tags)
def test_a_filter_from_a_sites_tags_matches_that_site(site: dict[str, str],
                                                      other: dict[str, str]) -> None:
    assert ALL_SITES.matches(site) and ALL_SITES.matches(None)
    assert ContextFilter.of(**site).matches(site)
    assert ContextFilter.of(**site).matches({**other, **site})


@given(st.lists(st.one_of(st.none(), tags), max_size=6))
def test_tag_choices_are_ordered_and_never_blank(all_tags: list[dict[str, str] | None]) -> None:
    choices = tag_choices(all_tags)
    known = [k for k in choices if k in CONTEXT_TAGS]
    assert known == [k for k in CONTEXT_TAGS if k in choices]
    assert list(choices)[:len(known)] == known
    assert all(values == sorted(set(values)) and "" not in values
               for values in choices.values())
