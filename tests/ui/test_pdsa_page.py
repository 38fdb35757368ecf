"""PDSA through real widgets: a whole cycle by keyboard, "adapt", the next cycle; autosave
survives SIGKILL; ramp reorder with undo; list filters."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from nicdesk.store.schema import PdsaCycle, PdsaQuestion
from nicdesk.ui.pdsa.lists import CycleListPage, RampPage
from nicdesk.ui.pdsa.page import PdsaPage
from tests.ui.conftest import window_on


@pytest.fixture
def window(qtbot, tmp_path: Path):
    from nicdesk.store.workspace import Workspace

    ws = Workspace.create(tmp_path / "p.nicdesk")
    net = ws.ops.create("network", name="Test NIC").id
    site = ws.ops.create("site", network_id=net, name="Lincoln", kind="school").id
    ws.ops.create("change_idea", network_id=net, title="Calls home")
    ws.ops.create("pdsa_cycle", site_id=site, title="Calls home, cycle 1")
    ws.close()
    w = window_on(qtbot, tmp_path / "p.nicdesk")
    yield w
    w.close_workspace()


def typed(qtbot, widget, text: str) -> None:
    widget.setFocus()
    if hasattr(widget, "selectAll"):
        widget.selectAll()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Tab)  # leaving the field stores it


def stored(w, cycle_id: str) -> PdsaCycle:
    with w.workspace.read() as s:
        return s.get(PdsaCycle, cycle_id)


def test_whole_cycle_by_keyboard_then_next_cycle(window, qtbot) -> None:
    w = window
    assert w.select_path("Lincoln/PDSA cycles/Calls home, cycle 1")
    page = w.stack.currentWidget()
    assert isinstance(page, PdsaPage)
    plan, do, study, act = page.forms
    assert "change idea" in page.hints.text()
    idea = plan.fields["change_idea_id"].widget
    idea.setFocus()
    qtbot.keyClick(idea, Qt.Key.Key_Down)  # keyboard choice of the change idea
    idea.activated.emit(idea.currentIndex())
    typed(qtbot, plan.fields["scale"].widget, "1 teacher, 2 weeks")
    typed(qtbot, plan.fields["start_date"].widget, "2026-03-02")
    typed(qtbot, plan.fields["end_date"].widget, "2026-03-13")
    typed(qtbot, plan.fields["objective"].widget, "Do calls home after a first F help?")
    qtbot.mouseClick(next(b for b in plan.findChildren(QPushButton)
                          if b.text() == "Add question"), Qt.MouseButton.LeftButton)
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "Will families pick up?")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)  # next cell: the prediction
    qtbot.keyClicks(QApplication.focusWidget(), "Most of them")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    page.tabs.setCurrentIndex(1)
    typed(qtbot, do.fields["do_what_happened"].widget, "Ms Lee called 6 families")
    page.tabs.setCurrentIndex(2)
    study.questions.setCurrentCell(0, 2)
    study.questions.editItem(study.questions.item(0, 2))
    qtbot.keyClicks(QApplication.focusWidget(), "5 of 6 picked up")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    typed(qtbot, study.fields["study_learned"].widget, "Evening calls work best")
    page.tabs.setCurrentIndex(3)
    decision = act.fields["decision"].widget
    decision.setCurrentIndex(decision.findData("adapt"))
    decision.activated.emit(decision.currentIndex())
    typed(qtbot, act.fields["act_next"].widget, "Adapt: three teachers, evening calls")
    cid = page.cycle_id
    c = stored(w, cid)
    assert (c.scale, str(c.start_date), c.decision) == ("1 teacher, 2 weeks", "2026-03-02",
                                                         "adapt")
    assert c.do_what_happened == "Ms Lee called 6 families"
    assert c.study_learned == "Evening calls work best" and c.change_idea_id
    with w.workspace.read() as s:
        q = s.query(PdsaQuestion).filter_by(cycle_id=cid).one()
    assert (q.question, q.prediction, q.result) == ("Will families pick up?", "Most of them",
                                                    "5 of 6 picked up")
    assert page.hints.isHidden() and page.stage.text().strip() == "DONE"

    qtbot.mouseClick(act.next_button, Qt.MouseButton.LeftButton)
    assert page.cycle_id != cid
    new = stored(w, page.cycle_id)
    assert new.title == "Calls home, cycle 2" and new.cycle_number == 2
    assert new.change_idea_id == c.change_idea_id
    assert "Adapt: three teachers, evening calls" in plan.fields["objective"].widget.toPlainText()
    assert w.navigator.current_node().id == page.cycle_id


def test_autosave_survives_sigkill(tmp_path: Path, demo_file: Path) -> None:
    import shutil

    path = tmp_path / "crash.nicdesk"
    shutil.copyfile(demo_file, path)
    script = f"""
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtTest import QTest
from nicdesk.ui.shell.app import application
from nicdesk.ui.shell.main_window import MainWindow
app = application()
w = MainWindow(); w.persist_settings = False; w.show()
w.open_workspace({str(path)!r})
w.select_path("Lincoln High School/PDSA cycles/Ramp: Advisory/Advisory check-ins, cycle 1")
page = w.stack.currentWidget(); page.tabs.setCurrentIndex(1)
field = page.forms[1].fields["do_deviations"].widget
field.setFocus(); field.selectAll()
QTest.keyClicks(field, "Battery died while typing this")
end = time.time() + 1.5
while time.time() < end:
    app.processEvents(); time.sleep(0.02)
print("typed", flush=True)
time.sleep(60)
"""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ))
    line = proc.stdout.readline()
    assert line.strip() == "typed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    from nicdesk.store.workspace import Workspace

    with Workspace.open(path) as ws, ws.read() as s:
        cycle = s.query(PdsaCycle).filter(
            PdsaCycle.do_deviations == "Battery died while typing this").one()
        assert cycle.title == "Advisory check-ins, cycle 1"
    assert time.time()  # reopened cleanly after a kill: the lock died with the process


def test_ramp_reorder_with_undo_and_list_filters(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy)
    assert w.select_path("Lincoln High School/PDSA cycles/Ramp: Advisory")
    ramp = w.stack.currentWidget()
    assert isinstance(ramp, RampPage) and len(ramp.cards) == 3
    first = ramp.cards[0].findChildren(type(ramp.cards[0].layout().itemAt(0).widget()))[0]
    assert first.text() == "<b>Cycle 1</b>"
    scales = lambda: [c.findChildren(type(first))[1].text() for c in ramp.cards]  # noqa: E731
    before = scales()
    left = next(b for b in ramp.cards[1].findChildren(QPushButton) if b.text() == "◀")
    qtbot.mouseClick(left, Qt.MouseButton.LeftButton)
    assert scales() == [before[1], before[0], before[2]]
    w.act_undo.trigger()
    assert scales() == before

    assert w.select_path("Great Lakes Focus Schools NIC/PDSA cycles")
    page = w.stack.currentWidget()
    assert isinstance(page, CycleListPage)
    total = page.proxy.rowCount()
    with w.workspace.read() as s:  # the network's cycles as stored (demo.michigan, .spread)
        from nicdesk.store.schema import Site

        net = s.get(Site, w.workspace.meta()["local_site_id"]).network_id
        stored = [c for c in s.query(PdsaCycle).filter_by(deleted=False)
                  if s.get(Site, c.site_id).network_id == net]
    assert total == len(stored)
    page.decision.setCurrentIndex(page.decision.findData("abandon"))
    assert page.proxy.rowCount() == sum(c.decision == "abandon" for c in stored) == 2
    page.decision.setCurrentIndex(0)
    page.stage.setCurrentIndex(page.stage.findData("done"))
    assert page.proxy.rowCount() == sum(bool(c.decision) for c in stored) == total - 1
    page.stage.setCurrentIndex(page.stage.findData("planning"))
    assert page.proxy.rowCount() == 0
    page.stage.setCurrentIndex(0)
    from PySide6.QtCore import QDate

    page.since.setDate(QDate(2025, 9, 1))
    page.use_since.setChecked(True)
    autumn = [c for c in stored if c.start_date and c.start_date >= dt.date(2025, 9, 1)]
    assert page.proxy.rowCount() == len(autumn) == 8  # Harbor's two, and demo.spread's
    w.close_workspace()


def test_chart_marker_opens_the_cycle(qtbot, demo_copy: Path) -> None:
    import pyqtgraph as pg

    w = window_on(qtbot, demo_copy)
    assert w.select_path("Lincoln High School/Measures/Weekly advisory check-ins")
    chart = w.stack.currentWidget().chart
    ticks = [i for i in chart.plot.getPlotItem().items
             if isinstance(i, pg.InfiniteLine) and "click to open" in (i.toolTip() or "")]
    assert len(ticks) == 3
    ticks[0].sigClicked.emit(ticks[0], None)
    page = w.stack.currentWidget()
    assert isinstance(page, PdsaPage) and page.title.text() == "Advisory check-ins, cycle 1"
    w.close_workspace()
