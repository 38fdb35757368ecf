"""A person marks a point as astronomical in the data grid and the chart lists it as a
signal with the reason; a measure with no preferred direction reads "unusual"."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from nicdesk.store.schema import Observation
from nicdesk.ui.measures import page as mp
from tests.ui.conftest import referrals_window, signal_lines

REASON = "fire drill: the whole school left at 10 am"


@pytest.fixture
def window(qtbot, tmp_path: Path):
    w = referrals_window(qtbot, tmp_path / "a.nicdesk", frequency="monthly", direction="neutral")
    yield w
    w.close_workspace()


def test_mark_a_point_astronomical_and_see_the_signal(window, qtbot) -> None:
    page = window.stack.currentWidget()
    assert isinstance(page, mp.MeasurePage)
    grid = page.grid
    page.tabs.setCurrentWidget(page.data_holder)
    values = [10, 11, 9, 10, 12, 9, 10, 11, 10, 9, 40, 10, 11]
    grid.paste("\n".join(f"2025-{m + 1:02d}-01\t{v}" if m < 12 else f"2026-01-01\t{v}"
                         for m, v in enumerate(values)))
    qtbot.waitUntil(lambda: len(grid.series.observations) == len(values))
    assert not any("Astronomical" in line for line in signal_lines(page))
    col = next(k for k, (key, _label) in enumerate(grid.columns) if key == "astronomical")
    assert grid.horizontalHeaderItem(col).text() == "Astronomical"

    # the context menu's action, with the reason the dialog asked for
    assert grid.mark_astronomical(10, REASON)
    qtbot.waitUntil(lambda: grid.series.observations[10].astronomical)
    with window.workspace.read() as s:
        marked = [(o.period.isoformat(), o.note) for o in s.query(Observation)
                  if o.astronomical]
    assert marked == [("2025-11-01", REASON)]
    expected = f"★ Astronomical point (marked by a person): Nov 2025 — {REASON}"
    qtbot.waitUntil(lambda: expected in signal_lines(page))
    assert grid.item(10, col).checkState() == Qt.CheckState.Checked

    # the check box takes the mark off again (one undoable operation each)
    grid.item(10, col).setCheckState(Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: grid.pending == 0 and not grid.series.observations[10].astronomical)
    qtbot.waitUntil(lambda: expected not in signal_lines(page))
    window.act_undo.trigger()
    qtbot.waitUntil(lambda: expected in signal_lines(page))

    # no preferred direction: nothing is an improvement or a concern
    assert not any(line.startswith(("▲", "▼")) for line in signal_lines(page))
