"""Run-chart benchmark (issue: measures).  Not a test: run with `make bench`.

1. `analyze` on 100,000 points against `statistics.median` on the same list (the median's
   sort is the floor any run-chart analysis pays); target: analyze well under 50 ms.
2. `control_chart("p", ...)` on 100,000 points.
3. Redraw of a 5-year weekly series (260 points, with signals) in the chart view, against
   a bare pyqtgraph plot of the same points, both offscreen and rendered to an image.
Medians of several repeats.
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
    print(f"bare pyqtgraph plot, 260 points:  {b * 1000:7.1f} ms (baseline)")
    print(f"chart view redraw, 260 points:    {o * 1000:7.1f} ms  ratio {o / b:.2f}x")


if __name__ == "__main__":
    main()
