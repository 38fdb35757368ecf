"""A school joins from the app: Export for the Network on a workspace without a key walks
through the key and the join request; the coordinator enrols it from the Network menu and
writes the invitation; the school joins and keeps its key.  Real dialogs, driven while
they are up; the only stand-in is the file chooser's "Save as" answer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMessageBox

from nicdesk.cli.parser import main
from nicdesk.services.membership import pending_request, read_join_request
from nicdesk.store.schema import Site
from nicdesk.store.workspace import Workspace
from nicdesk.ui.exchange.enrol import EnrolRequestDialog
from nicdesk.ui.exchange.join import JoinRequestDialog

from .conftest import window_on

COMMANDS = ("nicdesk keys", "nicdesk network", "nicdesk join", "nicdesk export")


def when_modal(kind: type, action, seen: list | None = None) -> None:
    """Act on the next modal dialog of `kind` once it is up (exec() blocks otherwise)."""
    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind) and dialog.isVisible():
            if seen is not None:
                seen.append(dialog)
            action(dialog)
        else:
            QTimer.singleShot(20, poll)
    QTimer.singleShot(20, poll)


def save_as(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: (str(path), "")))


def school_workspace(tmp_path: Path) -> Path:
    """As the welcome's "Create my school's workspace" leaves it: no key."""
    from nicdesk.services.workspaces import create_school_workspace

    return create_school_workspace("Maple Grove Middle School", "Maple team", tmp_path)


def computer(monkeypatch, tmp_path: Path, name: str) -> None:
    folder = tmp_path / f"computer-{name}"
    folder.mkdir(exist_ok=True)
    monkeypatch.setenv("NICDESK_DATA_DIR", str(folder))


def fill_and_save(passphrase: str, texts: list[str]):
    def act(dialog: JoinRequestDialog) -> None:
        texts.extend(dialog.visible_texts())
        assert dialog.school.text() == "Maple Grove Middle School"  # from the local site
        dialog.contact.setText("Ann Smith, ann@maple.example")
        dialog.passphrase.setText(passphrase)
        dialog.again.setText(passphrase)
        assert dialog.save_button.isEnabled()
        dialog.save_button.click()
        assert dialog.pages.currentIndex() == 1, dialog.problem.text()
        texts.extend(dialog.visible_texts())
        texts.append("CODE:" + dialog.code.text())
        dialog.close_button.click()
    return act


def test_export_without_a_key_writes_a_join_request(qtbot, tmp_path: Path, monkeypatch) -> None:
    path = school_workspace(tmp_path)
    w = window_on(qtbot, path)
    out = tmp_path / "maple.nicjoin"
    save_as(monkeypatch, out)
    texts: list[str] = []
    seen: list = []
    when_modal(JoinRequestDialog, fill_and_save("blue river", texts), seen)
    w.act_export.trigger()
    assert seen, "Export for the Network did not open the join request dialog"
    request = read_join_request(out)
    assert request.site_name == "Maple Grove Middle School"
    assert request.contact == "Ann Smith, ann@maple.example"
    assert f"CODE:{request.fingerprint}" in texts
    meta = w.workspace.meta()
    assert meta["signing_key"] == request.key.key_id_hex
    assert pending_request(meta) is not None
    assert not [t for t in texts if any(c in t for c in COMMANDS)]
    assert any("File → Join a Network" in t for t in texts)

    # exporting again, before the invitation came: what to do now, and the code again
    shown: list[str] = []

    def close(box: QMessageBox) -> None:
        shown.append(box.text())
        box.button(QMessageBox.StandardButton.Close).click()

    when_modal(QMessageBox, close)
    w.act_export.trigger()
    assert request.fingerprint in shown[0] and "Join a Network" in shown[0]
    assert not any(c in shown[0] for c in COMMANDS)
    w.close_workspace()


def test_passphrases_must_match_and_a_name_is_needed(qtbot, tmp_path: Path) -> None:
    w = window_on(qtbot, school_workspace(tmp_path))
    dialog = JoinRequestDialog(w, w.workspace)
    qtbot.addWidget(dialog)
    dialog.passphrase.setText("one")
    dialog.again.setText("two")
    assert not dialog.save_button.isEnabled() and "not the same" in dialog.problem.text()
    dialog.again.setText("one")
    assert dialog.save_button.isEnabled()
    dialog.school.setText("  ")
    assert not dialog.save_button.isEnabled() and "name" in dialog.problem.text()
    w.close_workspace()


def test_menu_items_and_the_whole_flow_in_the_app(qtbot, tmp_path: Path, monkeypatch) -> None:
    # the school asks from the Network menu
    computer(monkeypatch, tmp_path, "school")
    school = school_workspace(tmp_path)
    w = window_on(qtbot, school)
    network_menu = next(a.menu() for a in w.menuBar().actions()
                        if a.text().replace("&", "") == "Network")
    labels = [a.text().replace("&", "") for a in network_menu.actions()]
    assert "Request to join…" in labels and "Enrol a school from a join request…" in labels
    request_file = tmp_path / "maple.nicjoin"
    save_as(monkeypatch, request_file)
    texts: list[str] = []
    when_modal(JoinRequestDialog, fill_and_save("", texts))
    w.act_request_join.trigger()
    request = read_join_request(request_file)
    w.close_workspace()

    # the coordinator enrols it as a new site, then writes the invitation
    computer(monkeypatch, tmp_path, "coordinator")
    coord = tmp_path / "coord.nicdesk"
    assert main(["network", "create", str(coord), "--name", "Valley NIC"]) == 0
    assert w.open_workspace(coord)
    invite = tmp_path / "maple-invite.nicbundle"
    save_as(monkeypatch, invite)
    seen: list[str] = []

    def written(box: QMessageBox) -> None:
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Ok).click()

    def yes(box: QMessageBox) -> None:
        seen.append(box.text())
        when_modal(QMessageBox, written)
        box.button(QMessageBox.StandardButton.Yes).click()

    def enrol(dialog: EnrolRequestDialog) -> None:
        seen.append(dialog.new_name.text())
        seen.append(dialog.findChild(QLabel, "enrolFingerprint").text())
        assert dialog.new_choice.isChecked()  # no site of that name yet
        when_modal(QMessageBox, yes)
        dialog.enrol_button.click()

    from nicdesk.ui.exchange.enrol import enrol_from_request

    when_modal(EnrolRequestDialog, enrol)
    done = enrol_from_request(w, str(request_file))
    assert done is not None and done.new_site
    assert seen[0] == "Maple Grove Middle School" and seen[1] == request.fingerprint
    assert "Write the invitation" in seen[2] and "coordinator fingerprint" in seen[3]
    assert invite.exists()
    with w.workspace.read() as s:
        assert s.get(Site, done.site_id).public_keys == [request.key.line()]
    w.close_workspace()

    # the school opens the invitation from its own workspace: the request's key is kept
    computer(monkeypatch, tmp_path, "school")
    assert w.open_workspace(school)
    joined: list[str] = []

    def ok(box: QMessageBox) -> None:
        joined.append(box.text())
        box.button(QMessageBox.StandardButton.Ok).click()

    from nicdesk.ui.exchange.join import join_network

    when_modal(QMessageBox, ok)
    assert join_network(w, str(invite), str(tmp_path / "maple-network"))
    assert "already enrolled" in joined[0] and not any(c in joined[0] for c in COMMANDS)
    assert w.workspace.meta()["signing_key"] == request.key.key_id_hex
    assert not (tmp_path / "maple-network.pub").exists()
    w.close_workspace()
    with Workspace.open(tmp_path / "maple-network.nicdesk") as ws:
        assert ws.meta()["trusted_coordinator_key"]


def test_first_run_asks_to_join(qtbot, data_dir: Path, tmp_path: Path, monkeypatch) -> None:
    """The welcome's "Ask to join a network": the school's workspace, then the request."""
    from nicdesk.ui.shell.app import initial_workspace
    from nicdesk.ui.shell.main_window import MainWindow
    from nicdesk.ui.shell.welcome import SchoolDialog, WelcomeDialog

    w = MainWindow()
    w.persist_settings = False
    qtbot.addWidget(w)
    w.show()
    out = tmp_path / "cedar.nicjoin"
    save_as(monkeypatch, out)
    texts: list[str] = []

    def school(dialog: SchoolDialog) -> None:
        dialog.school.setText("Cedar Elementary")
        when_modal(JoinRequestDialog, request)
        dialog.accept()

    def request(dialog: JoinRequestDialog) -> None:
        assert dialog.school.text() == "Cedar Elementary"
        dialog.save_button.click()
        texts.extend(dialog.visible_texts())
        dialog.close_button.click()

    def welcome(dialog: WelcomeDialog) -> None:
        when_modal(SchoolDialog, school)
        dialog.buttons["request"].click()

    when_modal(WelcomeDialog, welcome)
    initial_workspace(w, None)
    assert w.workspace.path == data_dir / "Cedar Elementary.nicdesk"
    assert read_join_request(out).site_name == "Cedar Elementary"
    assert not [t for t in texts if any(c in t for c in COMMANDS)]
    w.close_workspace()
