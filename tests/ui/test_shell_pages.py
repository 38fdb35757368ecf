"""The GUI shell's seams: one page registry (the only lazy loader of page modules), pages
handed a `ShellContext` rather than the window, and a welcome that only asks."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from nicdesk.store.views.nav_tree import NavNode
from nicdesk.ui.shell.context import ShellContext
from nicdesk.ui.shell.main_window import MainWindow, WindowContext
from nicdesk.ui.shell.pages import PAGES, PDSA_LIST, page_key

from .conftest import window_on


# ------------------------------------------------------------------ registry
@pytest.mark.parametrize(("node", "key"), [
    (NavNode("network", "NIC", "n1", network_id="n1"), "network"),
    (NavNode("measure", "Referrals", "m1", site_id="s1", network_id="n1"), "measure"),
    (NavNode("measure", "no id"), None),
    (NavNode("network_view", "Network view", network_id="n1"), "network_view"),
    (NavNode("network_view", "Network view"), None),
    (NavNode("group", "PDSA cycles", site_id="s1", network_id="n1", group="pdsa"), PDSA_LIST),
    (NavNode("group", "Aims", network_id="n1", group="aims"), None),
    (NavNode("sites", "Sites", network_id="n1"), None),
    (NavNode("pdsa_list", "not a kind", "x1"), None),
    (NavNode("driver_diagram", "Theory", "d1", network_id="n1"), "driver_diagram"),
])
def test_page_key_picks_the_page_for_an_item(node: NavNode, key: str | None) -> None:
    assert page_key(node) == key


def test_every_registered_page_is_a_widget_built_from_the_shell() -> None:
    for key, spec in PAGES.items():
        cls = spec.load()
        assert isinstance(cls, type) and issubclass(cls, QWidget), key
        first = list(inspect.signature(cls).parameters)[0]
        assert first == "shell", f"{key}: {cls.__name__}({first}, …)"


PROBE = r"""
import sys
from PySide6.QtWidgets import QApplication
from nicdesk.ui.shell.main_window import MainWindow

HEAVY = ("pyqtgraph", "nicdesk.ui.diagram.scene", "nicdesk.ui.measures.page",
         "nicdesk.ui.network.view")
app = QApplication([])
w = MainWindow()
w.persist_settings = False
print("shell", [m for m in HEAVY if m in sys.modules])
assert w.open_workspace(sys.argv[1])
print("opened", [m for m in HEAVY if m in sys.modules])
assert w.select_path("Lincoln High School/Measures/9th graders on track")
print("measure", [m for m in HEAVY if m in sys.modules])
w.close_workspace()
"""


def test_page_modules_load_only_when_first_shown(demo_file: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", PROBE, str(demo_file)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines())
    assert lines["shell"] == "[]"
    assert lines["opened"] == "[]"  # the network's form shows first: no chart, no diagram
    assert "pyqtgraph" in lines["measure"] and "nicdesk.ui.measures.page" in lines["measure"]
    assert "nicdesk.ui.diagram.scene" not in lines["measure"]


# ------------------------------------------------------------------ context
def test_window_context_offers_everything_a_shell_context_promises() -> None:
    promised = {n for n in vars(ShellContext) if not n.startswith("_")}
    offered = {n for n in vars(WindowContext) if not n.startswith("_")}
    assert promised and promised <= offered


def test_pages_get_the_context_not_the_window(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy, "Lincoln High School/Measures/9th graders on track")
    page = w.stack.currentWidget()
    assert type(page).__name__ == "MeasurePage"
    assert page.shell is w.context and not isinstance(page.shell, MainWindow)
    assert w.select_path("Great Lakes Focus Schools NIC")
    form = w.stack.currentWidget()
    assert type(form).__name__ == "NetworkForm" and form.shell is w.context
    w.close_workspace()


def test_each_page_is_built_once(qtbot, demo_copy: Path) -> None:
    w = window_on(qtbot, demo_copy, "Lincoln High School/Aims")
    w.navigator.setCurrentItem(w.navigator.currentItem().child(0))
    form, count = w.stack.currentWidget(), w.stack.count()
    assert w.select_path("Eastside High School/Aims")
    w.navigator.setCurrentItem(w.navigator.currentItem().child(0))
    assert w.stack.currentWidget() is form  # rebound, not rebuilt
    assert w.stack.count() == count  # the groups share one summary page too
    w.close_workspace()


# ------------------------------------------------------------------ welcome
def _when_modal(action) -> None:
    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, poll)
        else:
            action(dialog)
    QTimer.singleShot(20, poll)


def test_welcome_only_returns_the_choice(qtbot) -> None:
    from nicdesk.ui.shell.welcome import WelcomeAnswer, WelcomeChoice, ask_welcome

    seen: list[object] = []

    def school(dialog) -> None:
        dialog.school.setText("  Maple Grove Middle School ")
        dialog.network.setText("Valley NIC")
        dialog.accept()

    _when_modal(lambda d: (d.buttons["request"].click(), _when_modal(school)))
    answer = ask_welcome(None, seen.append)
    assert answer == WelcomeAnswer(WelcomeChoice.REQUEST, "  Maple Grove Middle School ",
                                   "Valley NIC", walkthrough=True)  # "Guide me": ticked
    assert len(seen) == 2  # the welcome, then the school's names

    _when_modal(lambda d: (d.buttons["create"].click(), _when_modal(lambda s: s.reject())))
    assert ask_welcome() == WelcomeAnswer(WelcomeChoice.SAMPLE)  # cancelled: the sample

    _when_modal(lambda d: d.buttons["join"].click())
    assert ask_welcome().choice is WelcomeChoice.JOIN


def test_welcome_does_not_import_the_app() -> None:
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("nicdesk")
    assert graph.find_shortest_chain("nicdesk.ui.shell.welcome", "nicdesk.ui.shell.app") is None
    for part in ("pages", "actions", "context"):
        assert graph.find_shortest_chain(f"nicdesk.ui.shell.{part}",
                                         "nicdesk.ui.shell.main_window") is None, part
