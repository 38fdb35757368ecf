"""Workspace-taking readers for the measure page, the Network view and the conflict and
bundle-history dialogs: plain values, never ORM rows, and the same answers as the
session-based builders they wrap."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from nicdesk.store.views import conflicts as cv
from nicdesk.store.views import evidence as evidence
from nicdesk.store.views import network as nv
from nicdesk.store.views import network_page as npg
from nicdesk.store.views.measures import measure_page
from nicdesk.store.views.series import MeasureSeries, ObservationRow, measure_series
from nicdesk.store.workspace import Workspace
from tests.view_models import assert_plain

from .test_network_views import MONTHS, _network, _theory


# ------------------------------------------------------------------ a measure's series
def test_measure_series_is_a_plain_frozen_view(workspace: Workspace, network: str) -> None:
    ws = workspace
    site = ws.ops.create("site", network_id=network, name="Lincoln").id
    measure = ws.ops.create("measure", network_id=network, name="Attendance", unit="%",
                            value_type="proportion", frequency="monthly", target=0.9).id
    first = ws.ops.create("observation", measure_id=measure, site_id=site,
                          period=dt.date(2026, 1, 1), value=0.5, numerator=5, denominator=10,
                          note="snow day").id
    ws.ops.create("observation", measure_id=measure, site_id=site, period=dt.date(2026, 2, 1),
                  value=0.6, numerator=6, denominator=10, excluded=True,
                  exclusion_reason="test week")
    ws.ops.create("chart_phase", measure_id=measure, site_id=site, kind="rebase",
                  start=dt.date(2026, 2, 1), reason="new bell schedule")
    ws.ops.create("annotation", measure_id=measure, site_id=site, date=dt.date(2026, 1, 15),
                  text="visit")
    series = measure_series(ws, measure, site)
    assert_plain(series)
    assert isinstance(series, MeasureSeries)
    m = series.measure
    assert (m.id, m.name, m.unit, m.value_type, m.frequency, m.target) == (
        measure, "Attendance", "%", "proportion", "monthly", 0.9)
    assert series.percent and series.site_id == site
    assert series.observations[0] == ObservationRow(first, dt.date(2026, 1, 1), 0.5, 5, 10,
                                                    False, "", "snow day")
    assert (series.observations[1].excluded, series.observations[1].exclusion_reason) == (
        True, "test week")
    assert [p.period for p in series.points] == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    assert [(p.start, p.kind, p.reason) for p in series.phases] == [
        (dt.date(2026, 2, 1), "rebase", "new bell schedule")]
    assert series.annotations == ((dt.date(2026, 1, 15), "visit"),)
    assert series.analysis is not None and len(series.analysis.y) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        series.analysis = None  # type: ignore[misc]
    page = measure_page(ws, measure, site)
    assert page is not None and page.series == series
    assert_plain(page)


# ------------------------------------------------------------------ the Network view
def test_network_page_heading_and_data_span(workspace: Workspace) -> None:
    ids = _network(workspace)
    page = npg.network_page(workspace, ids["net"])
    assert_plain(page)
    assert (page.network_id, page.name, page.suppression_threshold) == (ids["net"], "NIC", 10)
    assert [(m.id, m.name, m.kind) for m in page.measures] == [(ids["m"], "On track",
                                                                "outcome")]
    assert page.tag_choices == {"locale": ["city", "rural", "town"]}
    assert (page.first, page.last) == (MONTHS[0], MONTHS[-1])
    assert npg.network_measure_ids(workspace, ids["net"]) == [ids["m"]]


def test_network_page_without_measures_has_no_span(workspace: Workspace) -> None:
    net = workspace.ops.create("network", name="Empty").id
    page = npg.network_page(workspace, net)
    assert (page.measures, page.tag_choices, page.first, page.last) == ((), {}, None, None)


def test_network_readers_match_the_session_builders(workspace: Workspace) -> None:
    ids = _theory(workspace, _network(workspace))
    rural = nv.ContextFilter.of(locale="rural")
    sm = npg.small_multiples(workspace, ids["m"], rural)
    funnel = npg.funnel_view(workspace, ids["m"], start=dt.date(2025, 7, 1))
    spots = npg.bright_spots(workspace, ids["net"])
    matrix = npg.change_matrix(workspace, ids["net"])
    combined = npg.combined_diagrams(workspace, ids["net"])
    for value in (sm, funnel, spots, matrix, combined):
        assert_plain(value)
    with workspace.read() as s:
        assert sm == nv.small_multiples(s, ids["m"], rural)
        assert funnel == nv.funnel_view(s, ids["m"], start=dt.date(2025, 7, 1))
        assert spots == nv.bright_spots(s, ids["net"])
        assert matrix == evidence.change_matrix(s, ids["net"])
        assert combined == evidence.combined_diagrams(s, ids["net"])
    assert sorted(p.name for p in sm.panels) == ["Beta", "Delta"]
    assert [(b.site, b.assessment) for b in spots] == [("Alpha", "improvement")]


# ------------------------------------------------------------------ conflicts and history
def test_conflict_and_history_readers_on_a_fresh_workspace(workspace: Workspace,
                                                           network: str) -> None:
    assert cv.open_conflicts(workspace) == []
    assert cv.bundle_history(workspace) == []
