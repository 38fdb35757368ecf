"""Text typed without a pause is stored at least once a second, and the last of it when
the workspace closes (issue 19, item 5: kill -9 a second after typing lost a sentence)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QPlainTextEdit

from nicdesk.store.schema import Network
from nicdesk.ui.common import fields
from nicdesk.ui.shell.main_window import MainWindow

SENTENCE = "By June 2027 every 9th grader is on track"


@pytest.fixture
def window(qtbot, tmp_path: Path):
    from nicdesk.store.workspace import Workspace

    ws = Workspace.create(tmp_path / "t.nicdesk")
    ws.ops.create("network", name="Test NIC")
    ws.close()
    w = MainWindow()
    w.persist_settings = False
    qtbot.addWidget(w)
    w.show()
    assert w.open_workspace(tmp_path / "t.nicdesk")
    assert w.select_path("Test NIC")
    yield w
    w.close_workspace()


def stored_aim(path: Path) -> str:
    from nicdesk.store.workspace import Workspace

    ws = Workspace.open(path)
    try:
        with ws.read() as s:
            return s.query(Network).one().common_aim
    finally:
        ws.close()


def aim_edit(window) -> QPlainTextEdit:
    edit = window.findChild(QPlainTextEdit, "field_common_aim")
    assert edit is not None and edit.isVisible()
    return edit


def test_continuous_typing_is_saved_every_second(window, qtbot) -> None:
    edit = aim_edit(window)
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    # ~1.6 s of typing at 40 ms a key: never the 800 ms pause the debounce waits for
    qtbot.keyClicks(edit, SENTENCE, delay=40)
    assert edit.hasFocus()
    with window.workspace.read() as s:
        saved = s.query(Network).one().common_aim
    assert saved, "nothing stored after more than a second of typing"
    assert SENTENCE.startswith(saved)


def test_text_waiting_for_its_timer_is_saved_on_close(window, qtbot, tmp_path: Path) -> None:
    edit = aim_edit(window)
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClicks(edit, SENTENCE)  # no pause has passed: nothing saved yet
    with window.workspace.read() as s:
        assert s.query(Network).one().common_aim == ""
    window.close_workspace()
    assert stored_aim(tmp_path / "t.nicdesk") == SENTENCE
    assert not list(fields._typing)
