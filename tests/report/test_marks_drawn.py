"""The packet's chart draws a person's astronomical mark (a star) and the unusual signals
of a measure with no preferred direction (purple squares), and its legend names both."""

from __future__ import annotations

import datetime as dt

from reportlab.graphics.shapes import Polygon, Rect, String

from nicdesk.core.signals import Point, analyse_series
from nicdesk.report.charts import PINK, PURPLE, legend_drawing, run_chart_drawing


def _shapes(drawing, kind, colour):
    return [s for s in drawing.contents if isinstance(s, kind) and s.fillColor == colour]


def test_star_for_the_mark_and_purple_for_unusual() -> None:
    values = [10.0, 11, 9, 10, 12, 9, 10, 11, 10, 9] + [20.0] * 8
    points = [Point(dt.date(2024, 1, 1) + dt.timedelta(weeks=k), v)
              for k, v in enumerate(values)]
    points[3] = points[3]._replace(astronomical=True, note="snow day")
    analysis = analyse_series(points, chart_kind="run", direction="neutral")
    drawing = run_chart_drawing([p.period for p in points], analysis, 400, 200)
    assert len(_shapes(drawing, Polygon, PINK)) == 1
    assert len(_shapes(drawing, Rect, PURPLE)) >= 6  # the shift's points
    legend = [s.text for s in legend_drawing(500).contents if isinstance(s, String)]
    assert "unusual (no preferred direction)" in legend
    assert "astronomical point (marked by a person)" in legend
