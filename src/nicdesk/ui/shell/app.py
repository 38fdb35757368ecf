"""Application start-up: the window paints first, the workspace loads right after.

`run_app` shows the shell, then (on the first turn of the event loop) opens the file
given, else the last workspace, else the sample workspace (built on first run).
`screenshot` does the same offscreen and writes a PNG, so anyone can look at a screen
without a display.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import cast

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

from .main_window import MainWindow, settings


def application() -> QApplication:
    # cast: `instance()` is typed as the core application; NICdesk only ever makes this one
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    app.setApplicationName("NICdesk")
    app.setOrganizationName("NICdesk")
    app.setApplicationDisplayName("NICdesk")
    app.setDesktopFileName("nicdesk")  # matches packaging/nicdesk.desktop (Wayland, docks)
    from ..common.icons import app_icon

    app.setWindowIcon(app_icon())
    return app


def initial_workspace(window: MainWindow, path: Path | str | None) -> None:
    """The file given, else the last one used, else the sample (created if missing).

    The first of those that is a file gets a first look (`MainWindow.show_first_look`):
    the navigator and its form show from plain sqlite3 at once, and the workspace opens
    on the next turn of the event loop with the lock the look took."""
    from ...paths import is_database_url

    candidates: list[tuple[Path | str, bool]]  # (target, quiet)
    if path is not None:
        candidates = [(path, False)]
    else:
        candidates = [(recent, True) for recent in window.recent_files()
                      if Path(recent).exists()]
    first = candidates[0][0] if candidates else None
    lock = (window.show_first_look(Path(first))
            if first is not None and not is_database_url(first) else None)

    def open_rest() -> None:
        for index, (target, quiet) in enumerate(candidates):
            if window.open_workspace(target, quiet=quiet, lock=lock if index == 0 else None):
                return
        if first_run():
            settings().setValue("welcomed", True)
            run_welcome(window)
            return
        open_sample(window)

    if lock is not None:  # the first screen is up: the rest on the next turn
        QTimer.singleShot(0, open_rest)
    else:
        open_rest()


def run_welcome(window: MainWindow) -> str:
    """Show the welcome, then carry out the choice; returns what was done ("create",
    "join", "request" or "sample": anything not carried through ends on the sample)."""
    from ...services.workspaces import create_school_workspace
    from .welcome import WelcomeChoice, ask_welcome

    def keep(dialog: QDialog) -> None:
        window.last_dialog = dialog

    answer = ask_welcome(window, keep)
    if answer.choice in (WelcomeChoice.CREATE, WelcomeChoice.REQUEST):
        path = create_school_workspace(answer.school, answer.network, answer.folder)
        if window.open_workspace(path):
            window.statusBar().showMessage(f"Your school's workspace is saved as {path}")
            if answer.walkthrough:  # the guided first cycle, beside the new workspace
                window.walkthrough.start()
            if answer.choice is WelcomeChoice.REQUEST:
                from ..exchange.join import request_to_join

                request_to_join(window)  # cancelled: the school's workspace stays open
            return answer.choice.value
    elif answer.choice is WelcomeChoice.JOIN:
        from ..exchange.join import join_network

        if join_network(window):
            if answer.walkthrough and window.workspace is not None:
                window.walkthrough.start()
            return WelcomeChoice.JOIN.value
    open_sample(window)
    return WelcomeChoice.SAMPLE.value


def first_run() -> bool:
    """Nobody has been welcomed on this computer yet and no workspace was ever opened."""
    return not settings().value("welcomed", False, type=bool) and not settings().value(
        "recent", [])


def open_sample(window: MainWindow) -> bool:
    """The sample network, built the first time it is asked for."""
    from ...paths import sample_workspace

    sample = sample_workspace()
    if not sample.exists():
        from ...demo import build_demo

        build_demo(sample).close()
    return window.open_workspace(sample)


def run_app(path: Path | str | None = None) -> int:
    """The GUI: the window paints first; logging, the crash dialog and the single-instance
    server start right after; the first screen shows from a first look; the workspace
    (SQLAlchemy and all) opens on the turn after that."""
    app = application()
    timing = os.environ.get("NICDESK_TIMING")
    # a running NICdesk (of this user and data folder) opens the file instead; measured
    # starts pay this check too (bench/startup.py runs with its own data folder)
    from ...paths import is_database_url
    from .single_instance import send_to_running

    handed = [] if not path else [str(path) if is_database_url(path)
                                  else str(Path(path).resolve())]
    if send_to_running(handed):
        return 0  # the running NICdesk opens it and comes to the front
    window = MainWindow()

    def after_paint() -> None:
        from ...logs import setup_logging
        from .crash import install
        from .single_instance import InstanceServer

        setup_logging()
        install()
        # listen for later launches (QtNetwork loads only now)
        window.instance_server = InstanceServer(window.open_paths)

    if timing:  # benchmarks: report first paint, first screen and editable, then quit
        import time

        def mark(name: str) -> None:
            print(f"{name} {time.time():.6f}", flush=True)

        window.first_painted.connect(lambda: mark("first-paint"))
        window.first_screen.connect(lambda: mark("ready"))

        def editable() -> None:
            mark("editable")
            QTimer.singleShot(0, window.close)

        window.workspace_loaded.connect(lambda: QTimer.singleShot(0, editable))
    # the shell paints first; the first look right after, then the rest
    window.first_painted.connect(
        lambda: QTimer.singleShot(0, lambda: initial_workspace(window, path or None)))
    window.first_painted.connect(lambda: QTimer.singleShot(0, after_paint))
    window.show()
    return app.exec()


def screenshot(workspace: Path | str, out: Path, select: str = "",
               size: str = "1400x900") -> int:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        width, height = (int(x) for x in size.lower().split("x"))
    except ValueError:
        print(f"--size must look like 1400x900, not {size!r}", file=sys.stderr)
        return 2
    app = application()
    window = MainWindow()
    window.persist_settings = False
    window.resize(width, height)
    window.show()
    from ...paths import is_database_url

    # the first screen from the first look is the screen the open workspace shows
    # (tests/ui/test_first_look.py compares the two pictures), without loading the store
    lock = (window.show_first_look(Path(workspace), picture=True)
            if not select and not is_database_url(workspace) else None)
    if lock is not None:
        lock.release()
    elif not window.open_workspace(workspace, quiet=True):
        print(f"Cannot open {workspace}", file=sys.stderr)
        return 2
    if select and not window.select_path(select):
        print(f"Nothing in the navigator matches {select!r}", file=sys.stderr)
        window.close()
        return 1
    for _ in range(5):
        app.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(out))
    window.close()
    print(f"Screenshot written to {out}" if ok else f"Could not write {out}")
    return 0 if ok else 1


def main() -> int:
    """GUI entry point (`nicdesk-gui`)."""
    return run_app(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
