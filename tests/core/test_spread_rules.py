"""The spread rules of `nicdesk.core.spread`: statuses derived from PDSA decisions, a
site's own record overriding them from its date, counts over time and the sentence a
chart's caption says.  Property tests check what must hold for any history."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nicdesk.core.entities import ADOPTION_STATUSES, PDSA_DECISIONS
from nicdesk.core.spread import (
    ADOPTION_ORDER,
    DECISION_STATUS,
    Adoption,
    AdoptionRecord,
    CycleFact,
    Source,
    SpreadEvent,
    counts_over_time,
    current_status,
    event_of_record,
    events_of_cycle,
    fold,
    month_ends,
    segments,
    spread_sentence,
    status_on,
)

D = dt.date


def cycle(cid: str, decision: str = "", start: D | None = None, end: D | None = None,
          number: int = 1, site: str = "s") -> CycleFact:
    return CycleFact(cid, site, "idea", decision, start, end, number, f"cycle {cid}")


def events(*cycles: CycleFact) -> list[SpreadEvent]:
    return [e for c in cycles for e in events_of_cycle(c)]


def record(rid: str, status: str, since: D, site: str = "s") -> SpreadEvent:
    return event_of_record(AdoptionRecord(rid, site, "idea", status, since, f"note {rid}"))


# ------------------------------------------------------------------ examples
def test_every_decision_and_status_is_known() -> None:
    assert tuple(ADOPTION_ORDER) == ADOPTION_STATUSES
    assert set(DECISION_STATUS) == set(PDSA_DECISIONS) - {""}


def test_an_undecided_cycle_means_testing_since_its_start() -> None:
    now = current_status(events(cycle("a", start=D(2025, 9, 3), end=D(2025, 9, 30))))
    assert now is not None and now.status == Adoption.TESTING and now.since == D(2025, 9, 3)


def test_decisions_map_to_statuses_dated_by_the_cycle_end() -> None:
    for decision, status in (("adopt", "adopted"), ("adapt", "adapting"),
                             ("abandon", "abandoned"), ("spread", "adopted"),
                             ("expand", "testing")):
        evs = events(cycle("a", decision, D(2025, 9, 3), D(2025, 10, 1)))
        now = current_status(evs)
        assert now is not None and now.status == status, decision
        # a status that begins with the test keeps the test's date as its "since"
        assert now.since == (D(2025, 9, 3) if status == "testing" else D(2025, 10, 1))
        assert status_on(evs, D(2025, 9, 15)).status == Adoption.TESTING


def test_a_new_test_does_not_undo_an_adoption_but_restarts_an_abandoned_idea() -> None:
    adopted = events(cycle("a", "adopt", D(2025, 9, 1), D(2025, 9, 30)),
                     cycle("b", "", D(2025, 10, 5), number=2))
    assert current_status(adopted).status == Adoption.ADOPTED
    dropped = events(cycle("a", "abandon", D(2025, 9, 1), D(2025, 9, 30)),
                     cycle("b", "", D(2025, 10, 5), number=2))
    now = current_status(dropped)
    assert now.status == Adoption.TESTING and now.since == D(2025, 10, 5)


def test_an_explicit_record_wins_from_its_date_until_a_later_decision() -> None:
    evs = [*events(cycle("a", "adapt", D(2025, 9, 1), D(2025, 9, 30))),
           record("r", "adopted", D(2025, 11, 1)),
           *events(cycle("b", "abandon", D(2026, 1, 5), D(2026, 2, 1), number=2))]
    assert status_on(evs, D(2025, 10, 31)).status == Adoption.ADAPTING
    on_record = status_on(evs, D(2025, 11, 1))
    assert on_record.status == Adoption.ADOPTED and on_record.explicit
    assert status_on(evs, D(2026, 1, 31)).status == Adoption.ADOPTED  # the new test: no change
    assert status_on(evs, D(2026, 2, 1)).status == Adoption.ABANDONED


def test_on_one_day_the_record_has_the_last_word() -> None:
    evs = [*events(cycle("a", "adopt", D(2025, 9, 1), D(2025, 9, 30))),
           record("r", "abandoned", D(2025, 9, 30))]
    assert current_status(evs).status == Adoption.ABANDONED


def test_an_undated_cycle_counts_now_but_never_on_a_day() -> None:
    evs = events(cycle("a"))
    assert current_status(evs).status == Adoption.TESTING
    assert current_status(evs).since is None
    assert status_on(evs, D(2030, 1, 1)) is None
    assert segments(evs, D(2025, 1, 1), D(2025, 12, 31)) == ()


def test_segments_follow_the_changes_and_are_cut_at_the_window() -> None:
    evs = [*events(cycle("a", "adapt", D(2025, 9, 3), D(2025, 9, 30))),
           record("r", "adopted", D(2025, 11, 20))]
    got = [(x.status.value, x.start, x.end) for x in
           segments(evs, D(2025, 10, 1), D(2026, 1, 31))]
    assert got == [("adapting", D(2025, 10, 1), D(2025, 11, 19)),
                   ("adopted", D(2025, 11, 20), D(2026, 1, 31))]
    with pytest.raises(ValueError, match="before its start"):
        segments(evs, D(2026, 1, 1), D(2025, 1, 1))


def test_counts_and_the_sentence_name_when_the_peak_was_reached() -> None:
    by_site = {
        "a": events(cycle("a1", "adopt", D(2025, 9, 1), D(2025, 10, 10), site="a")),
        "b": events(cycle("b1", "adopt", D(2025, 9, 1), D(2026, 2, 10), site="b")),
        "c": [*events(cycle("c1", "", D(2025, 9, 1), site="c")),
              record("rc", "adopted", D(2026, 1, 15), site="c")],
        "d": events(cycle("d1", "abandon", D(2025, 9, 1), D(2025, 12, 1), site="d")),
    }
    days = month_ends(D(2025, 9, 1), D(2026, 3, 10))
    assert days[0] == D(2025, 9, 30) and days[-1] == D(2026, 3, 10) and len(days) == 7
    counts = counts_over_time(by_site, days, 5)
    assert [c.of("adopted") for c in counts] == [0, 1, 1, 1, 2, 3, 3]
    assert counts[3].of("abandoned") == 1 and counts[0].of("testing") == 4
    assert spread_sentence(counts, "schools") == "adopted by 3 of 5 schools by February 2026"
    with pytest.raises(ValueError, match="compared"):
        counts_over_time(by_site, days, 3)


def test_sentences_without_adoption() -> None:
    days = month_ends(D(2025, 9, 1), D(2025, 10, 31))
    testing = counts_over_time({"a": events(cycle("a", "", D(2025, 9, 2)))}, days, 4)
    assert spread_sentence(testing) == "being tested at 1 of 4 sites, adopted by none yet"
    assert spread_sentence(counts_over_time({}, days, 4)) == \
        "not tested at any of the 4 sites yet"
    dropped = counts_over_time({"a": events(cycle("a", "abandon", D(2025, 9, 2)))}, days, 2)
    assert spread_sentence(dropped) == "abandoned at 1 of 2 sites"


def test_a_status_outside_the_vocabulary_is_refused_in_words() -> None:
    with pytest.raises(ValueError, match="is not a spread status"):
        record("x", "piloting", D(2025, 1, 1))


# ------------------------------------------------------------------ properties
days = st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31))
maybe_day = st.one_of(st.none(), days)


@st.composite
def histories(draw: st.DrawFn) -> list[SpreadEvent]:
    n = draw(st.integers(0, 8))
    out: list[SpreadEvent] = []
    for i in range(n):
        if draw(st.booleans()):
            out.extend(events(cycle(f"c{i}", draw(st.sampled_from(PDSA_DECISIONS)),
                                    draw(maybe_day), draw(maybe_day), draw(st.integers(0, 5)))))
        else:
            out.append(record(f"r{i}", draw(st.sampled_from(ADOPTION_STATUSES)), draw(days)))
    return out


@settings(max_examples=300)
@given(histories(), st.randoms(use_true_random=False), days)
def test_the_order_events_are_read_in_never_matters(evs, rnd, day) -> None:
    shuffled = list(evs)
    rnd.shuffle(shuffled)
    assert fold(shuffled) == fold(evs)
    assert status_on(shuffled, day) == status_on(evs, day)
    assert current_status(shuffled) == current_status(evs)


@settings(max_examples=300)
@given(histories(), st.sampled_from(ADOPTION_STATUSES), days, days)
def test_a_record_sets_the_status_from_its_date_and_nothing_before(evs, status, since, day):
    own = record("zz-own", status, since)
    with_record = [*evs, own]
    if day < since:
        assert status_on(with_record, day) == status_on(evs, day)
    # a later decision or record may say otherwise (another record of the same day too),
    # and a new test restarts an abandoned idea
    later = [e for e in evs if e.since is not None and e.since <= day
             and (e.since > since or (e.since == since and e.explicit))
             and (e.source != Source.TEST_STARTED or status == "abandoned")]
    if day >= since and not later:
        assert status_on(with_record, day).status == status


@settings(max_examples=300)
@given(histories(), days, st.integers(0, 400))
def test_segments_tile_the_window_with_the_status_of_each_day(evs, start, length) -> None:
    end = start + dt.timedelta(days=length)
    segs = segments(evs, start, end)
    for a, b in zip(segs, segs[1:], strict=False):
        assert a.end + dt.timedelta(days=1) == b.start and a.status != b.status
    for seg in segs:
        assert start <= seg.start <= seg.end <= end
        for day in {seg.start, seg.end}:
            assert status_on(evs, day).status == seg.status
    covered = {seg.start for seg in segs}
    before = status_on(evs, start)
    assert (before is not None) == (start in covered)


@settings(max_examples=200)
@given(st.dictionaries(st.sampled_from("abcdef"), histories(), max_size=6),
       st.integers(0, 4), days, st.integers(0, 500))
def test_counts_add_up_to_the_sites_with_a_status(by_site, extra, start, length) -> None:
    days_ = month_ends(start, start + dt.timedelta(days=length))
    total = len(by_site) + extra
    for count in counts_over_time(by_site, days_, total):
        with_status = sum(1 for evs in by_site.values() if status_on(evs, count.day))
        assert sum(count.counts.values()) == with_status <= count.sites == total


def test_month_starts_are_the_ticks_inside_the_window() -> None:
    from nicdesk.core.spread import month_starts

    assert month_starts(dt.date(2025, 9, 15), dt.date(2025, 12, 1)) == [
        dt.date(2025, 10, 1), dt.date(2025, 11, 1), dt.date(2025, 12, 1)]
    assert month_starts(dt.date(2025, 12, 1), dt.date(2026, 1, 31)) == [
        dt.date(2025, 12, 1), dt.date(2026, 1, 1)]
