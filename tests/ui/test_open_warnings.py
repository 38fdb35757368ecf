"""Warnings at open (`Workspace.warnings`, e.g. a -wal that was not the file's own, set
aside) reach the person: one line on stderr from any CLI command, a non-blocking message
box and the status bar in the GUI."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from nicdesk.cli.parser import main as cli
from nicdesk.store.workspace import Workspace
from nicdesk.ui.shell.main_window import MainWindow


def _with_foreign_wal(folder: Path) -> Path:
    """A workspace with a -wal beside it that is no log at all (as in
    tests/store/test_workspace_hygiene.py): opening sets it aside, with a warning."""
    path = folder / "mine.nicdesk"
    with Workspace.create(path) as ws:
        ws.ops.create("network", name="Mine")
    path.with_name("mine.nicdesk-wal").write_bytes(b"not a log at all " * 100)
    return path


def test_the_cli_prints_the_warning_and_goes_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _with_foreign_wal(tmp_path)
    capsys.readouterr()
    assert cli(["info", str(path)]) == 0
    out = capsys.readouterr()
    assert "mine.nicdesk: NICdesk workspace" in out.out
    lines = out.err.strip().splitlines()
    assert len(lines) == 1, out.err
    assert lines[0].startswith("Warning: mine.nicdesk-wal beside mine.nicdesk was not its own")
    assert "set it aside as mine.nicdesk-wal.set-aside-" in lines[0]
    assert Workspace.warning_hook is None  # the command line's hook ends with the command
    assert cli(["info", str(path)]) == 0  # set aside once: nothing more to say
    assert capsys.readouterr().err == ""


def test_the_window_shows_the_warning_without_blocking(qtbot, tmp_path: Path) -> None:
    path = _with_foreign_wal(tmp_path)
    window = MainWindow()
    window.persist_settings = False
    qtbot.addWidget(window)
    window.show()
    try:
        assert window.open_workspace(path)  # returns: the box does not wait for a click
        box = window.last_dialog
        assert isinstance(box, QMessageBox) and box.isVisible() and not box.isModal()
        assert box.icon() == QMessageBox.Icon.Warning
        assert "set it aside as mine.nicdesk-wal.set-aside-" in box.text()
        assert box.text() == "\n\n".join(window.workspace.warnings)
        assert "set it aside as" in window.statusBar().currentMessage()
        box.close()
    finally:
        window.close_workspace()
