"""The installable-app pieces: first-run welcome, single-instance hand-off between two
processes, the crash safety net and log, About, and the Linux desktop/MIME files."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from nicdesk.ui.shell.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


def _window(qtbot) -> MainWindow:
    w = MainWindow()
    w.persist_settings = False
    qtbot.addWidget(w)
    w.show()
    return w


def _when_modal(action) -> None:
    """Act on the next modal dialog once it is up (exec() blocks the test otherwise)."""
    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, poll)
        else:
            action(dialog)
    QTimer.singleShot(20, poll)


# ------------------------------------------------------------------ first run
def test_first_run_explores_the_sample(qtbot, data_dir: Path) -> None:
    from nicdesk.ui.shell.app import first_run, initial_workspace

    assert first_run()
    w = _window(qtbot)
    _when_modal(lambda d: d.buttons["sample"].click())
    initial_workspace(w, None)
    assert w.workspace is not None and w.workspace.path.name == "Sample network.nicdesk"
    assert not first_run()  # welcomed once


def test_first_run_creates_my_school(qtbot, data_dir: Path) -> None:
    from nicdesk.store.schema import Network, Site
    from nicdesk.ui.shell.app import initial_workspace

    w = _window(qtbot)

    def school(dialog) -> None:
        dialog.school.setText("Maple Grove Middle School")
        dialog.network.setText("Valley NIC")
        dialog.accept()

    _when_modal(lambda d: (d.buttons["create"].click(), _when_modal(school)))
    initial_workspace(w, None)
    assert w.workspace.path == data_dir / "Maple Grove Middle School.nicdesk"
    with w.workspace.read() as s:
        assert s.query(Network).one().name == "Valley NIC"
        assert s.query(Site).one().name == "Maple Grove Middle School"
    assert "Site: Maple Grove Middle School" in w.site_label.text()


def test_first_run_joins_with_an_invitation(qtbot, data_dir: Path, tmp_path: Path,
                                            monkeypatch) -> None:
    from nicdesk.ui.exchange import join as join_dialogs
    from nicdesk.ui.shell.app import initial_workspace

    from .conftest import make_invitation

    invite = make_invitation(tmp_path)
    monkeypatch.setattr(join_dialogs.QFileDialog, "getOpenFileName",
                        lambda *a, **k: (str(invite), ""))
    monkeypatch.setattr(join_dialogs.QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "lincoln.nicdesk"), ""))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    w = _window(qtbot)
    _when_modal(lambda d: d.buttons["join"].click())
    initial_workspace(w, None)
    assert w.workspace.path == tmp_path / "lincoln.nicdesk"
    assert "Site: Lincoln" in w.site_label.text()


# ------------------------------------------------------------------ single instance
def test_second_launch_hands_the_file_to_the_running_window(qtbot, demo_copy: Path) -> None:
    from nicdesk.ui.shell.single_instance import InstanceServer

    w = _window(qtbot)
    server = InstanceServer(w.open_paths)
    assert server.listening
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    second = subprocess.Popen([sys.executable, "-m", "nicdesk", "open", str(demo_copy)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    qtbot.waitUntil(lambda: w.workspace is not None, timeout=30000)
    out, err = second.communicate(timeout=30)
    assert second.returncode == 0, err
    assert w.workspace.path == demo_copy.resolve()
    server.close()


def test_no_running_instance_means_no_hand_off(qtbot) -> None:
    from nicdesk.ui.shell.single_instance import send_to_running

    assert not send_to_running(["/nowhere.nicdesk"], timeout_ms=300)


# ------------------------------------------------------------------ safety net and log
def test_crash_is_logged_and_shown_and_the_app_goes_on(qtbot, data_dir: Path) -> None:
    from nicdesk.logs import log_path, setup_logging
    from nicdesk.ui.shell.crash import CrashDialog, SafetyNet

    setup_logging()
    w = _window(qtbot)
    net = SafetyNet(show_dialog=True)
    seen = []

    def look(dialog) -> None:
        assert isinstance(dialog, CrashDialog)
        dialog.copy()
        seen.append(QApplication.clipboard().text())
        dialog.reject()

    _when_modal(look)
    try:
        raise RuntimeError("boom in a slot")
    except RuntimeError:
        net(*sys.exc_info())
    assert seen and "RuntimeError: boom in a slot" in seen[0] and "NICdesk 0." in seen[0]
    for handler in logging.getLogger("nicdesk").handlers:
        handler.flush()
    assert "boom in a slot" in log_path().read_text(encoding="utf-8")
    assert w.isVisible()  # still running


def test_about_names_version_data_and_log(qtbot, data_dir: Path) -> None:
    from nicdesk import __version__

    w = _window(qtbot)
    text = w.about_text()
    assert __version__ in text and str(data_dir) in text and "nicdesk.log" in text
    assert "Licence: MIT" in text
    assert not w.windowIcon().isNull()


# ------------------------------------------------------------------ desktop files
def test_desktop_and_mime_files_are_valid(tmp_path: Path) -> None:
    for name in ("nicdesk.desktop", "nicdesk-mime.xml"):
        assert (ROOT / "packaging" / name).read_bytes() == (
            ROOT / "src" / "nicdesk" / "resources" / "desktop" / name).read_bytes()
    tree = ET.parse(ROOT / "packaging" / "nicdesk-mime.xml")
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    globs = {t.get("type"): t.find("m:glob", ns).get("pattern")
             for t in tree.getroot().findall("m:mime-type", ns)}
    assert globs == {"application/x-nicdesk-workspace": "*.nicdesk",
                     "application/x-nicdesk-bundle": "*.nicbundle"}
    validate = shutil.which("desktop-file-validate")
    if validate is None:
        pytest.skip("desktop-file-validate missing (Debian desktop-file-utils; .ci/run "
                    "installs it)")
    result = subprocess.run([validate, str(ROOT / "packaging" / "nicdesk.desktop")],
                            capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_install_desktop_for_the_user(tmp_path: Path) -> None:
    from nicdesk.desktop import install

    written = install(tmp_path / "share", command="/opt/NIC desk/nicdesk")
    desktop = tmp_path / "share" / "applications" / "nicdesk.desktop"
    text = desktop.read_text()
    assert 'Exec="/opt/NIC desk/nicdesk" open %f' in text
    assert (tmp_path / "share/icons/hicolor/48x48/apps/nicdesk.png").exists()
    assert (tmp_path / "share/icons/hicolor/scalable/apps/nicdesk.svg").exists()
    assert (tmp_path / "share/icons/hicolor/256x256/mimetypes/"
            "application-x-nicdesk-bundle.png").exists()
    assert (tmp_path / "share/mime/packages/nicdesk.xml").exists() and len(written) > 20
    if shutil.which("update-mime-database"):
        globs = (tmp_path / "share/mime/globs2").read_text()
        assert "application/x-nicdesk-workspace:*.nicdesk" in globs
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True,
                                text=True)
        assert result.returncode == 0 and not result.stdout.strip(), result.stdout
