"""Charts by student group on the measure page, through real widgets: choose a dimension,
see one chart per group (small groups hidden) and the gap chart with its words, change
the focus group, and check what is drawn against the stored data."""

from __future__ import annotations

from pathlib import Path

import pytest

from nicdesk.store.schema import Observation
from nicdesk.store.workspace import Workspace
from nicdesk.ui.measures import page as mp
from tests.ui.conftest import settle, window_on

from ..equity_data import SWD, WEEKS, add_gap_aim, build, shot


@pytest.fixture
def equity_window(qtbot, tmp_path: Path):
    path = tmp_path / "equity.nicdesk"
    with Workspace.create(path) as ws:
        ids = build(ws)
        add_gap_aim(ws, ids)
    w = window_on(qtbot, path, "District/Alpha/Measures/On track")
    yield w, ids
    w.close_workspace()


def _choose(box, data) -> None:
    index = box.findData(data)
    assert index >= 0, [box.itemText(i) for i in range(box.count())]
    box.setCurrentIndex(index)
    box.activated.emit(index)
    settle()


def test_choosing_a_dimension_shows_group_charts_and_the_gap(equity_window, qtbot) -> None:
    window, ids = equity_window
    page = window.stack.currentWidget()
    assert isinstance(page, mp.MeasurePage)
    box = page.groups.box
    assert [box.itemText(i) for i in range(box.count())] == [
        "All students", "By English learner status", "By Disability"]
    assert page.chart.isVisible()
    _choose(box, ids["el_dim"])
    panel = page.groups.panel
    assert panel is not None and panel.isVisible() and not page.chart.isVisible()
    minis = panel.grid.panels
    assert [m.panel.name for m in minis] == ["All students", "English learners",
                                             "Not English learners"]
    # every small chart on one scale, and each draws the stored values of its group
    assert {m.y_range for m in minis} == {panel.view.y_range}
    with window.workspace.read() as s:
        stored = {(o.group_id, o.period): o.numerator / o.denominator
                  for o in s.query(Observation).filter(Observation.site_id == ids["Alpha"])}
    for mini, group in zip(minis, (None, ids["EL"], ids["nonEL"]), strict=True):
        assert mini.panel.analysis.y == pytest.approx([stored[(group, d)] for d in WEEKS])
    # the gap chart: the aim's groups, EL − all students per week, its target line
    assert panel.focus.currentText() == "English learners"
    assert panel.reference.currentText() == "All students"
    gap = panel.gap_chart.series
    assert [p.period for p in gap.points] == WEEKS
    assert [p.value for p in gap.points] == pytest.approx(
        [stored[(ids["EL"], d)] - stored[(None, d)] for d in WEEKS])
    assert gap.measure.target == pytest.approx(-0.10)
    assert panel.gap_words.text().startswith(
        "Gap between English learners and all students narrowed: shift of ")
    assert panel.aim_words.text().startswith("Aim: gap from −24.0 points to −10.0 points")
    lines = [panel.gap_chart.signals.item(i).text()
             for i in range(panel.gap_chart.signals.count())]
    assert any(line.startswith("▲ Shift") for line in lines), lines
    shot(page, "measure_by_group")

    # another focus: not the aim's groups any more, so no aim line
    _choose(panel.focus, ids["nonEL"])
    assert panel.gap_chart.series.measure.name == "Gap: Not English learners − All students"
    assert panel.gap_chart.series.measure.target is None
    assert panel.aim_words.text().startswith("No gap-closing aim for these groups")
    _choose(panel.reference, ids["nonEL"])  # a group against itself: no gap to draw
    assert panel.gap_words.text().startswith("Choose two different groups")
    assert not panel.gap_chart.isVisible()
    _choose(panel.reference, None)
    assert panel.gap_chart.isVisible()

    # a dimension with a small group: nothing of it drawn, the gap not computed
    _choose(box, ids["d_dim"])
    minis = panel.grid.panels
    small = [m for m in minis if m.panel.name == "Students with disabilities"][0]
    assert small.panel.points == [] and small.panel.status == "suppressed"
    assert all(p.denominator != SWD for m in minis for p in m.panel.points)
    assert panel.gap_chart.series.points == ()
    assert "not shown — every period has a group too small to show" in panel.gap_words.text()
    shot(page, "measure_by_group_suppressed")

    # back to all students: the measure's own chart again
    _choose(box, None)
    assert page.chart.isVisible() and not panel.isVisible()


def test_the_aim_form_writes_a_gap_closing_aim(qtbot, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt

    from nicdesk.store.schema import Aim

    path = tmp_path / "aim.nicdesk"
    with Workspace.create(path) as ws:
        ids = build(ws)
        aim = ws.ops.create("aim", network_id=ids["net"], site_id=ids["Alpha"],
                            statement="Close the gap", measure_id=ids["m"]).id
    window = window_on(qtbot, path, "District/Alpha/Aims")
    window.navigator.setCurrentItem(window.navigator.currentItem().child(0))
    form = window.stack.currentWidget()
    focus = form.focus_choice.widget
    assert [focus.itemText(i) for i in range(focus.count())] == [
        "(not a gap-closing aim)", "English learner status: English learners",
        "English learner status: Not English learners",
        "Disability: Students with disabilities", "Disability: Students without disabilities"]
    _choose(focus, ids["EL"])
    _choose(form.gap_kind.widget, "difference")
    for field, text in zip(form.gap_fields, ("-24", "-10"), strict=True):
        field.widget.setFocus()
        field.widget.setText(text)
        qtbot.keyClick(field.widget, Qt.Key.Key_Return)
        settle(30)
    with window.workspace.read() as s:
        row = s.get(Aim, aim)
        assert (row.focus_group_id, row.reference_group_id, row.gap_kind) == (
            ids["EL"], None, "difference")
        assert row.baseline_gap == pytest.approx(-0.24)
        assert row.target_gap == pytest.approx(-0.10)
    shot(form, "aim_form")
    window.close_workspace()
