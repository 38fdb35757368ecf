"""Helpers for GUI tests."""

from __future__ import annotations

from pathlib import Path

from nicdesk.ui.main_window import MainWindow


def window_on(qtbot, path: Path, select: str = "", size: tuple[int, int] = (1400, 900)  # noqa: ANN001
              ) -> MainWindow:
    """A shown main window (settings left alone) on a workspace, optionally at a navigator
    path; closed with the test by qtbot."""
    w = MainWindow()
    w.persist_settings = False
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    assert w.open_workspace(path)
    if select:
        assert w.select_path(select)
    return w
