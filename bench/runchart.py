"""Run-chart benchmark (issue: measures).  Not a test: run with `make bench`.

1. `analyze` on 100,000 points against `statistics.median` on the same list (the median's
   sort is the floor any run-chart analysis pays); target: analyze well under 50 ms.
2. `control_chart("p", ...)` on 100,000 points.
3. Redraw of a 5-year weekly series (260 points, with signals) in the chart view, against
   a bare pyqtgraph plot of the same points, both offscreen and rendered to an image
   (target ≤ 2.5×, issue #20), then two series drawn in turn against a bare plot doing
   the same.  Checked: the data line and the markers hold the series' points, the trend
   is drawn, and a redraw reuses the items (no fast wrong drawing passes).
Medians of several repeats (BENCH_REPEATS).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics

from timing import timed as _timed  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))


def timed(fn) -> float:
    return _timed(fn, REPEATS)


def main() -> None:
    from nicdesk.core.control import control_chart
    from nicdesk.core.runchart import analyze

    rng = random.Random(1)
    values = [rng.gauss(50, 10) + (8 if i > 60_000 else 0) for i in range(100_000)]
    base = timed(lambda: statistics.median(values))
    ours = timed(lambda: analyze(values))
    print(f"statistics.median, 100k points: {base * 1000:7.1f} ms (baseline)")
    print(f"analyze, 100k points:           {ours * 1000:7.1f} ms  ratio {ours / base:.2f}x  "
          "target < 50 ms")
    counts = [rng.randint(0, 50) for _ in range(100_000)]
    sizes = [50] * 100_000
    pc = timed(lambda: control_chart("p", counts, sizes))
    print(f"control_chart p, 100k points:   {pc * 1000:7.1f} ms  ratio {pc / base:.2f}x")
    redraw()


def redraw() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from nicdesk.core.signals import Point, analyse_series
    from nicdesk.store.views.series import MeasureSeries, SeriesMeasure
    from nicdesk.ui.common.chart_view import ChartView, stamp

    app = QApplication.instance() or QApplication([])
    rng = random.Random(2)
    start = dt.date(2021, 9, 6)
    points = [Point(start + dt.timedelta(weeks=k), numerator=rng.randint(40, 60) + (10 if k > 150
                                                                                    else 0),
                    denominator=100) for k in range(260)]

    analysis = analyse_series(points, chart_kind="run", value_type="proportion",
                              frequency="weekly")
    measure = SeriesMeasure("measure", "Check-ins", "%", "proportion", "weekly", 0.7)
    series = MeasureSeries(measure, "site", "IHI run-chart rules", (), tuple(points), (),
                           analysis=analysis)
    view = ChartView()
    view.resize(1000, 600)
    view.show()
    bare = pg.PlotWidget()
    bare.resize(1000, 600)
    bare.show()
    xs = [stamp(p.period) for p in points]
    ys = [p.numerator / p.denominator * 100 for p in points]

    def draw_bare() -> None:
        bare.clear()
        bare.plot(xs, ys, pen="b", symbol="o")
        app.processEvents()
        bare.grab()

    def draw_ours() -> None:
        view.show_series(series)
        app.processEvents()
        view.plot.grab()

    b, o = timed(draw_bare), timed(draw_ours)
    # a fast wrong drawing cannot pass: the data line and the markers hold the series
    items = view.plot.getPlotItem().items
    curves = [i for i in items if isinstance(i, pg.PlotDataItem)]
    data_x, data_y = curves[0].getData()
    ok = (list(map(float, data_x)) == xs
          and all(abs(a - b) < 1e-9 for a, b in zip(data_y, ys, strict=True)))
    marked = sorted((float(x), float(y)) for i in items if isinstance(i, pg.ScatterPlotItem)
                    for x, y in zip(*i.getData(), strict=True))
    ok &= len(marked) == len(points) and all(
        abs(mx - x) < 1e-6 and abs(my - y) < 1e-9
        for (mx, my), x, y in zip(marked, xs, ys, strict=True))
    ok &= any(i.opts["pen"].widthF() == 5 for i in curves)  # the trend is drawn
    before = {id(i) for i in items}
    draw_ours()
    reused = {id(i) for i in view.plot.getPlotItem().items} == before
    print(f"bare pyqtgraph plot, 260 points:  {b * 1000:7.1f} ms (baseline)")
    print(f"chart view redraw, 260 points:    {o * 1000:7.1f} ms  ratio {o / b:.2f}x  "
          f"target ≤ 2.5x  {'ok' if o / b <= 2.5 else 'OVER'}; items hold the series: "
          f"{'yes' if ok else 'NO'}; reused on redraw: {'yes' if reused else 'NO'}")
    # a measure page switching sites: new data each time, signals coming and going
    other_points = [Point(start + dt.timedelta(weeks=k), numerator=rng.randint(45, 55),
                          denominator=100) for k in range(260)]
    other = MeasureSeries(measure, "site", "IHI run-chart rules", (), tuple(other_points), (),
                          analysis=analyse_series(other_points, chart_kind="run",
                                                  value_type="proportion",
                                                  frequency="weekly"))
    turn = [series, other]

    def switch() -> None:
        turn.reverse()
        view.show_series(turn[0])
        app.processEvents()
        view.plot.grab()

    other_ys = [p.numerator / p.denominator * 100 for p in other_points]
    bare_turn = [ys, other_ys]

    def switch_bare() -> None:
        bare_turn.reverse()
        bare.clear()
        bare.plot(xs, bare_turn[0], pen="b", symbol="o")
        app.processEvents()
        bare.grab()

    sb, sw = timed(switch_bare), timed(switch)
    shown = turn[0]
    data_x, data_y = curves[0].getData()  # the data line is the same item throughout
    ok &= list(map(float, data_x)) == [stamp(p.period) for p in shown.points] and all(
        abs(a - p.numerator) < 1e-9 for a, p in zip(data_y, shown.points, strict=True))
    print(f"bare plot, two series in turn:    {sb * 1000:7.1f} ms (baseline)")
    print(f"chart view, two series in turn:   {sw * 1000:7.1f} ms  ratio {sw / sb:.2f}x; "
          f"the data line holds the series shown: {'yes' if ok else 'NO'}")
    if not (ok and reused):
        raise SystemExit("chart view redraw: the drawing does not hold the series")


if __name__ == "__main__":
    main()
