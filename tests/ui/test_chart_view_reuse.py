"""The chart view redraws by giving its items new data (issue #20): the same objects are
reused, what a new series no longer has (a phase, a signal, a note, a PDSA start, the
target) disappears, and the legend is rebuilt only when its entries change."""

from __future__ import annotations

import datetime as dt
import random

import pyqtgraph as pg
import pytest

from nicdesk.core.signals import Phase, Point, analyse_series
from nicdesk.store.views.series import MeasureSeries, SeriesMeasure
from nicdesk.ui.common.chart_view import BLUE, ChartView, stamp

START = dt.date(2024, 1, 1)


def series_of(values: list[float], *, phases: tuple[Phase, ...] = (), target: float | None = None,
              notes: tuple[tuple[dt.date, str], ...] = (),
              starts: tuple[tuple[dt.date, str, str], ...] = ()) -> MeasureSeries:
    points = tuple(Point(START + dt.timedelta(weeks=k), value=v) for k, v in enumerate(values))
    analysis = analyse_series(points, phases, chart_kind="run", value_type="continuous",
                              frequency="weekly")
    measure = SeriesMeasure("m", "Reading minutes", "min", "continuous", "weekly", target)
    return MeasureSeries(measure, "site", analysis.rule_set, (), points, phases, notes, starts,
                         analysis=analysis)


def shifted() -> MeasureSeries:
    """Two phases, a shift in the second, a target, a note and two PDSA starts."""
    rng = random.Random(3)
    values = [50 + rng.uniform(-3, 3) for _ in range(20)] + \
             [50 + rng.uniform(-3, 3) for _ in range(10)] + [70 + rng.uniform(-1, 1)
                                                              for _ in range(10)]
    phases = (Phase(START + dt.timedelta(weeks=20), "rebase", "New timetable {odd}"),)
    return series_of(values, phases=phases, target=65.0,
                     notes=((START + dt.timedelta(weeks=5), "Snow week"),),
                     starts=((START + dt.timedelta(weeks=22), "Reading buddies", "c1"),
                             (START + dt.timedelta(weeks=26), "Buddies, round 2", "c2")))


def quiet_series() -> MeasureSeries:
    """One phase, no signal, no target, no notes, no PDSA starts, fewer points."""
    values = [50, 53, 49, 52, 48, 51, 50, 54, 47, 52, 49, 53, 50, 48, 52, 51, 49, 50]
    series = series_of([float(v) for v in values])
    assert series.analysis is not None and not series.analysis.signals
    return series


def items(chart: ChartView, kind: type) -> list:
    return [i for i in chart.plot.getPlotItem().items if isinstance(i, kind)]


def drawn(item: pg.PlotDataItem) -> tuple[list[float], list[float]]:
    x, y = item.getData()
    return [float(v) for v in x], [float(v) for v in y]


@pytest.fixture
def chart(qtbot) -> ChartView:
    view = ChartView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_redraw_reuses_items_and_drops_stale_ones(chart: ChartView) -> None:
    first = shifted()
    chart.show_series(first)
    chart.grab()
    data = chart._items["data"][0]
    assert drawn(data) == ([stamp(p.period) for p in first.points],
                           [p.value for p in first.points])
    scatters = items(chart, pg.ScatterPlotItem)
    plain = chart._scatters[(BLUE, "o", 7)]
    marked = [s for s in scatters if s is not plain]
    assert marked, "the shift's points are marked"
    assert first.analysis is not None
    assert any(s.kind == "shift" for s in first.analysis.signals)
    signalled = {i for s in first.analysis.signals if s.kind in ("shift", "long run")
                 for i in s.points}
    marked_x = sorted(float(x) for s in marked for x in s.getData()[0])
    assert marked_x == sorted(stamp(first.points[i].period) for i in signalled)
    assert len(chart._items["centre"]) == 2 and len(chart._items["phase"]) == 1
    assert chart._items["phase"][0].label.textItem.toPlainText() == "New timetable {odd}"
    assert len(chart._items["pdsa"]) == 2 and len(chart._items["note"]) == 1
    assert [name for name, _ in chart._legend_now] == ["Data", "Median", "Target"]
    legend_rows = list(chart.legend.items)
    centre = chart._items["centre"][0]
    opened: list[str] = []
    chart.open_cycle = opened.append
    chart._items["pdsa"][1].sigClicked.emit(chart._items["pdsa"][1], None)
    assert opened == ["c2"]

    # the same series again: every item is the one already there, the legend untouched
    before = {id(i) for i in chart.plot.getPlotItem().items}
    chart.show_series(first)
    assert {id(i) for i in chart.plot.getPlotItem().items} == before
    assert list(chart.legend.items) == legend_rows

    second = quiet_series()
    chart.show_series(second)
    chart.grab()
    assert chart._items["data"][0] is data  # updated, not re-created
    assert drawn(data) == ([stamp(p.period) for p in second.points],
                           [p.value for p in second.points])
    assert chart._items["centre"] == [centre]  # one phase now: the second line is gone
    assert second.analysis is not None
    median = second.analysis.segments[0].centre[0]
    assert drawn(centre)[1] == [median, median]
    assert items(chart, pg.ScatterPlotItem) == [plain]  # no signal marks left
    assert drawn(plain)[0] == [stamp(p.period) for p in second.points]
    assert not chart._items.get("phase") and not chart._items.get("pdsa")
    assert not chart._items.get("note") and not chart._items.get("target")
    lines = items(chart, pg.InfiniteLine)
    assert lines == []
    assert [name for name, _ in chart._legend_now] == ["Data", "Median"]
    assert len(chart.legend.items) == 2

    # and back: the kept items come back into use, new ones only for what is missing
    chart.show_series(first)
    assert chart._items["data"][0] is data and chart._items["centre"][0] is centre
    assert len(chart._items["centre"]) == 2 and len(chart._items["pdsa"]) == 2
    assert chart._scatters[(BLUE, "o", 7)] is plain
    assert [name for name, _ in chart._legend_now] == ["Data", "Median", "Target"]
    assert len(chart.legend.items) == 3


def test_empty_series_then_data_clears_the_note(chart: ChartView) -> None:
    empty = series_of([])
    chart.show_series(empty)
    notes = items(chart, pg.TextItem)
    assert len(notes) == 1
    chart.show_series(quiet_series())
    assert items(chart, pg.TextItem) == []
    assert len(items(chart, pg.ScatterPlotItem)) == 1


def test_one_grid_level(chart: ChartView) -> None:
    axis = chart.plot.getAxis("left")
    chart.show_series(shifted())
    chart.grab()
    low, high = chart.plot.getViewBox().viewRange()[1]
    assert len(axis.tickValues(low, high, 400)) == 1
