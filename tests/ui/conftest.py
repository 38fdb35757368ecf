"""Helpers for GUI tests."""

from __future__ import annotations

from pathlib import Path

from nicdesk.ui.shell.main_window import MainWindow


def shown_window(qtbot, size: tuple[int, int] = (1400, 900)) -> MainWindow:
    """A shown main window with no workspace (settings left alone), in front; closed with
    the test by qtbot."""
    w = MainWindow()
    w.persist_settings = False
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    w.activateWindow()
    return w


def window_on(qtbot, path: Path, select: str = "", size: tuple[int, int] = (1400, 900)
              ) -> MainWindow:
    """A shown main window (settings left alone) on a workspace, optionally at a navigator
    path; closed with the test by qtbot."""
    w = shown_window(qtbot, size)
    assert w.open_workspace(path)
    if select:
        assert w.select_path(select)
    return w


def make_invitation(folder: Path, site: str = "Lincoln") -> Path:
    """A coordinator file (hub + one school) and its invitation for `site`."""
    from nicdesk.cli.parser import main
    from nicdesk.store.workspace import Workspace

    coord = folder / "coord.nicdesk"
    with Workspace.create(coord) as ws:
        net = ws.ops.create("network", name="Great NIC").id
        ws.ops.create("site", network_id=net, name="Hub")
        ws.ops.create("site", network_id=net, name=site, kind="school")
    assert main(["keys", "init", str(coord), "--site", "Hub", "--coordinator"]) == 0
    invite = folder / "invite.nicbundle"
    assert main(["network", "invite", str(coord), "--site", site, "--out", str(invite)]) == 0
    return invite


def referrals_window(qtbot, path: Path, *, frequency: str, direction: str) -> MainWindow:
    """A window on a new workspace holding one school and one count measure, "Referrals",
    shown at that school: the measure-page tests' common start."""
    from nicdesk.store.workspace import Workspace

    ws = Workspace.create(path)
    net = ws.ops.create("network", name="Test NIC").id
    site = ws.ops.create("site", network_id=net, name="Lincoln", kind="school").id
    ws.ops.create("measure", network_id=net, name="Referrals", kind="balancing",
                  value_type="count", frequency=frequency, direction=direction,
                  chart_kind="run")
    ws.close()
    w = MainWindow()
    w.persist_settings = False
    qtbot.addWidget(w)
    w.show()
    assert w.open_workspace(path)
    assert w.select_path("Lincoln/Measures/Referrals")
    w.site_id = site
    return w


def signal_lines(page) -> list[str]:
    """The chart's signal list as the person reads it."""
    lst = page.chart.signals
    return [lst.item(i).text() for i in range(lst.count())]


# ------------------------------------------------------------------ dialogs and events
def settle(ms: int = 1) -> None:
    """Let queued events and timers run (a click's consequences, a dialog's opening)."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    QTest.qWait(ms)


def when_modal(kind: type, action) -> None:
    """Act on the next modal dialog of `kind` once it is up (exec() blocks otherwise)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind) and dialog.isVisible():
            action(dialog)
        else:
            QTimer.singleShot(20, poll)
    QTimer.singleShot(20, poll)


def answer_text(text: str) -> None:
    """Type `text` over whatever the next input dialog holds and press Enter."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    def act(dialog: QInputDialog) -> None:
        edit = dialog.findChild(QLineEdit)
        edit.selectAll()
        QTest.keyClicks(edit, text)
        QTest.keyClick(edit, Qt.Key.Key_Return)
    when_modal(QInputDialog, act)

