"""Properties of `core.measures`, each able to fail for the reason its rule exists:
values read back as written and keep their sign; a percentage typed with "%" shows as
typed; a summary judges by a chart that has limits; pooling weighs every pupil alike; a
series' words follow its variation and assurance."""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.csvdata import parse_number
from nicdesk.core.measures import (
    ASSURANCE_WORDS,
    CONTROL_CHART_FOR,
    VARIATION_WORDS,
    axis_value,
    format_value,
    is_percent,
    judge_series,
    pool_sites,
    summary_chart_kind,
)  # fmt: skip
from nicdesk.core.signals import Point, SeriesAnalysis, Signal, analyse_series, plotted_values

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
fraction = st.floats(min_value=0, max_value=1, allow_nan=False)
VALUE_TYPES = ("proportion", "rate", "count", "continuous")
START = dt.date(2025, 1, 1)


# ------------------------------------------------------------------ formatting
@given(finite)
def test_plain_values_read_back_within_six_digits(v: float) -> None:
    number, had_percent = parse_number(format_value(v))
    assert not had_percent and number is not None
    assert math.isclose(number, v, rel_tol=5e-6, abs_tol=1e-300)


@given(finite)
def test_percent_values_read_back_as_the_fraction(v: float) -> None:
    for spec, tolerance in (("g", 5e-6 * abs(v) + 1e-300), (".1f", 0.0005 + 1e-9 * abs(v))):
        number, had_percent = parse_number(format_value(v, True, percent_spec=spec))
        assert had_percent and number is not None
        assert abs(number / 100 - v) <= tolerance


@given(finite, st.booleans())
def test_never_loses_a_sign(v: float, percent: bool) -> None:
    texts = [format_value(v, percent), format_value(v, percent, spec=".3g"),
             format_value(v, percent, percent_spec=".0f", sign=""), axis_value(v, percent)]
    for text in texts:
        assert text.startswith("-") == (v < 0 or math.copysign(1, v) < 0), text


@given(fraction)
def test_a_fraction_is_shown_between_0_and_100_percent(v: float) -> None:
    text = format_value(v, is_percent("proportion"))
    number, had_percent = parse_number(text)
    assert had_percent and number is not None and 0 <= number <= 100
    assert format_value(v * 100, True, scaled=True) == text  # a plotted y: already ×100


def test_missing_values_and_screen_and_paper_variants() -> None:
    assert format_value(None) == "—" and format_value(None, True, missing="") == ""
    assert format_value(0.625, True) == "62.5 %"  # tables and summaries
    assert format_value(0.625, True, sign="", missing="") == "62.5"  # data grid ("%" above)
    assert axis_value(0.625, True) == "62%" and axis_value(1234.5, False) == "1.23e+03"
    assert format_value(0.8, True, percent_spec=".0f") == "80 %"  # targets on paper


# ------------------------------------------------------------------ percent
@given(st.sampled_from(VALUE_TYPES), st.text(max_size=12),
       st.decimals(min_value=0, max_value=1000, places=1))
def test_a_value_typed_with_percent_shows_as_typed(value_type: str, unit: str,
                                                   typed: object) -> None:
    """Typed or imported with "%", a value is stored ÷100 (core.csvdata); the unit then
    says "%", and the value must come back as typed — not 100 times smaller."""
    number, had_percent = parse_number(f"{typed}%")
    assert had_percent and number is not None
    stored = number / 100
    assert format_value(stored, is_percent(value_type, unit + " %")) == f"{float(typed):.1f} %"  # type: ignore[arg-type]


@given(st.sampled_from(VALUE_TYPES), st.text(max_size=12))
def test_percent_rule(value_type: str, unit: str) -> None:
    assert is_percent("proportion", unit)  # a proportion is a fraction whatever its unit
    assert is_percent(value_type, unit) == (value_type == "proportion" or "%" in unit)
    assert is_percent(value_type, None) == (value_type == "proportion")


# ------------------------------------------------------------------ chart choice
def _series(value_type: str, sizes: list[int], counts: list[int]) -> list[Point]:
    if value_type in ("proportion", "rate"):
        return [Point(START + dt.timedelta(days=31 * i), None, min(c, s), s)
                for i, (c, s) in enumerate(zip(counts, sizes, strict=False))]
    return [Point(START + dt.timedelta(days=31 * i), float(c)) for i, c in enumerate(counts)]


@given(st.sampled_from(VALUE_TYPES),
       st.lists(st.integers(20, 200), min_size=4, max_size=24),
       st.lists(st.integers(1, 19), min_size=4, max_size=24))
def test_a_run_chart_measure_is_summarised_with_limits(value_type: str, sizes: list[int],
                                                       counts: list[int]) -> None:
    """A run chart has no limits, and assurance needs them: the summary chart does."""
    kind = summary_chart_kind("run", value_type)
    assert kind == CONTROL_CHART_FOR.get(value_type, "i")
    analysis = analyse_series(_series(value_type, sizes, counts), chart_kind=kind,
                              value_type=value_type)
    assert analysis.segments and analysis.segments[-1].upper[-1] is not None
    run = analyse_series(_series(value_type, sizes, counts), chart_kind="run",
                         value_type=value_type)
    assert not any(v is not None for seg in run.segments for v in seg.upper)


@given(st.sampled_from(("p", "u", "c", "i")), st.sampled_from(VALUE_TYPES))
def test_a_chosen_control_chart_is_kept(kind: str, value_type: str) -> None:
    assert summary_chart_kind(kind, value_type) == kind


# ------------------------------------------------------------------ pooling
site_series = st.lists(st.tuples(st.integers(0, 11), st.integers(0, 50), st.integers(1, 80)),
                       max_size=12)


@given(st.lists(site_series, min_size=2, max_size=5))
def test_pooling_recomputes_from_summed_numerators_and_denominators(sites: list) -> None:  # type: ignore[type-arg]
    series = [[Point(START.replace(month=1 + m), None, min(n, d), d)
               for m, n, d in {m: (m, n, d) for m, n, d in site}.values()] for site in sites]
    pooled = pool_sites(series)
    periods = sorted({p.period for s in series for p in s})
    assert [p.period for p in pooled] == periods
    for point, value in zip(pooled, plotted_values(pooled, "p", "proportion"), strict=True):
        nums = sum(p.numerator for s in series for p in s if p.period == point.period)
        dens = sum(p.denominator for s in series for p in s if p.period == point.period)
        assert (point.numerator, point.denominator) == (nums, dens)
        assert value is not None and math.isclose(value, nums / dens)
        assert not point.excluded


def test_pooling_weighs_every_pupil_alike() -> None:
    small = [Point(START, None, 1, 2)]  # 50 % of 2
    big = [Point(START, None, 100, 1000)]  # 10 % of 1,000
    (pooled,) = pool_sites([small, big])
    assert pooled.numerator / pooled.denominator == 101 / 1002  # not (50 % + 10 %) / 2


@given(st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=6), min_size=2, max_size=4))
def test_counts_pool_as_totals(counts: list[list[int]]) -> None:
    series = [[Point(START.replace(month=1 + i), float(c)) for i, c in enumerate(site)]
              for site in counts]
    for point in pool_sites(series):
        month = point.period.month - 1
        assert point.value == sum(site[month] for site in counts if month < len(site))
        assert point.denominator is None


def test_one_site_is_its_own_series() -> None:
    points = [Point(START, 0.5, 1, 2, True, "note")]
    assert pool_sites([points]) == points


# ------------------------------------------------------------------ in words
def _analysis(y: list[float | None], lower: float | None, upper: float | None,
              signals: list[Signal] = ()) -> SeriesAnalysis:  # type: ignore[assignment]
    seg = SimpleNamespace(lower=[lower] * len(y), upper=[upper] * len(y))
    return SeriesAnalysis("IHI run-chart rules v1", "p", y, [seg], list(signals))  # type: ignore[list-item]


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.sampled_from(("up", "down")))
def test_assurance_follows_the_target_against_the_limits(a: float, b: float, target: float,
                                                         direction: str) -> None:
    lower, upper = min(a, b), max(a, b)
    verdict = judge_series(_analysis([0.5, 0.6], lower, upper), target, direction)
    flipped = judge_series(_analysis([0.5, 0.6], lower, upper), target,
                           "up" if direction == "down" else "down")
    if lower <= target <= upper:
        assert verdict.assurance == flipped.assurance == "hit and miss"
    else:
        # the process clears a target on the worse side of both limits
        clears = target < lower if direction == "up" else target > upper
        assert verdict.assurance == ("pass" if clears else "fail")
        assert {verdict.assurance, flipped.assurance} == {"pass", "fail"}
    assert verdict.words.endswith(f"{ASSURANCE_WORDS[verdict.assurance]}.")


@given(st.integers(0, 9), st.sampled_from(("improvement", "concern", "unusual")))
def test_variation_is_the_last_points_class(last: int, assessment: str) -> None:
    """As Making Data Count (NHSRplotthedots' point_type): only a judged signal that
    covers the last point sets the icon — one that ended a point earlier does not."""
    n = 10
    signal = Signal("shift", max(0, last - 5), last, 1, assessment, "A shift up")
    verdict = judge_series(_analysis([0.5] * n, None, None, [signal]), None, "up")
    recent = assessment != "unusual" and last == n - 1
    assert verdict.variation == (assessment if recent else "common")
    assert verdict.words.startswith("A shift up. " if recent else "Common cause;")
    assert VARIATION_WORDS[verdict.variation].capitalize() in verdict.words
    assert verdict.assurance == "none" and verdict.latest == 0.5


def test_no_values_say_so() -> None:
    verdict = judge_series(_analysis([None, None], 0.1, 0.9), 0.5, "up")
    assert (verdict.latest, verdict.variation, verdict.assurance, verdict.words) == (
        None, "none", "none", "No values yet.")
