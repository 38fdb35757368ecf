"""Export with preview and import by drop, through the main window."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from nicdesk.bundle.importer import BundleError, import_bundle
from nicdesk.cli.parser import main
from nicdesk.store.schema import Observation, Site
from nicdesk.store.workspace import Workspace
from nicdesk.ui.exchange import export as export_dialogs
from nicdesk.ui.shell.main_window import MainWindow
from tests.bundle.test_bundles import add_values, network  # noqa: F401


def test_export_preview_then_drop_on_coordinator(network, qtbot, monkeypatch) -> None:  # noqa: F811
    coord, sites, tmp = network
    add_values(sites["A"], {"2025-09-01": 0.5, "2025-10-01": 0.6})
    w = MainWindow()
    w.persist_settings = False
    qtbot.addWidget(w)
    w.show()
    assert w.open_workspace(sites["A"])
    seen = {}

    def fake_exec(dialog) -> int:
        table = dialog.findChild(export_dialogs.QTableWidget)
        seen["rows"] = {table.item(r, 0).text(): table.item(r, 1).text()
                        for r in range(table.rowCount())}
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(export_dialogs.ExportPreview, "exec", fake_exec)
    out = tmp / "A.nicbundle"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: (str(out), "")))
    w.act_export.trigger()
    assert seen["rows"]["Observation"] == "2" and out.exists()
    assert "Last bundle exported: 20" in w.export_label.text()
    w.close_workspace()

    assert w.open_workspace(coord)
    monkeypatch.setattr(QMessageBox, "exec", lambda self: seen.setdefault("summary",
                                                                           self.text()))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(out))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    w.dropEvent(drop)
    assert "2 new" in seen["summary"]
    with w.workspace.read() as s:
        assert s.query(Observation).count() == 2
    # the coordinator's Export for the Network writes the digest — here one for A alone
    from PySide6.QtWidgets import QComboBox

    def pick_a(dialog) -> int:
        combo = dialog.findChild(QComboBox, "digestFor")
        combo.setCurrentIndex(next(i for i in range(combo.count())
                                   if combo.itemText(i).startswith("A only")))
        seen["title"] = dialog.windowTitle()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(export_dialogs.ExportPreview, "exec", pick_a)
    digest = tmp / "digest-for-A.nicbundle"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: (str(digest), "")))
    w.act_export.trigger()
    assert seen["title"] == "Send the network digest"
    manifest = json.loads(zipfile.ZipFile(digest).read("manifest.json"))
    with w.workspace.read() as s:
        a_id = s.query(Site).filter_by(name="A").one().id
    assert manifest["kind"] == "digest" and manifest["for_site"] == a_id
    w.close_workspace()
    assert main(["verify", str(out), "--key", str(tmp / "A.pub")]) == 0
    with Workspace.open(sites["B"]) as ws, pytest.raises(BundleError, match="written for A"):
        import_bundle(ws, digest)
    with Workspace.open(sites["A"]) as ws:
        assert import_bundle(ws, digest).kind == "digest"


def test_conflicts_dialog_resolves(network, qtbot) -> None:  # noqa: F811
    from PySide6.QtWidgets import QPushButton

    from nicdesk.ui.exchange.conflicts import ConflictsDialog, HistoryDialog
    from tests.bundle.test_bundles import test_concurrent_edits_keep_both_versions

    test_concurrent_edits_keep_both_versions(network)
    from nicdesk.bundle.export import export_bundle
    from nicdesk.bundle.importer import import_bundle

    coord, _sites, _tmp = network
    w = MainWindow()
    w.persist_settings = False
    qtbot.addWidget(w)
    assert w.open_workspace(coord)
    dialog = ConflictsDialog(w)
    assert dialog.table.rowCount() == 1
    row = next(i for i, r in enumerate(dialog.rows) if r.field == "note")
    dialog.table.selectRow(row)
    take = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Use the other version")
    # the observation is A's: the coordinator sees it, locked, with who settles it
    assert not take.isEnabled()
    assert "owned by A" in dialog.owner_note.text()
    history = HistoryDialog(w)
    assert history.findChild(export_dialogs.QTableWidget).rowCount() == 2
    digest = _tmp / "d.nicbundle"
    export_bundle(w.workspace, digest, kind="digest")
    w.close_workspace()
    for laptop in (_sites["A"], _tmp / "A-laptop2.nicdesk"):  # the laptop whose note lost
        assert w.open_workspace(laptop)
        import_bundle(w.workspace, digest)
        dialog = ConflictsDialog(w)
        if dialog.table.rowCount():
            dialog.table.selectRow(0)
            other = dialog.rows[0].other
            take = next(b for b in dialog.findChildren(QPushButton)
                        if b.text() == "Use the other version")
            assert take.isEnabled() and dialog.owner_note.isHidden()
            qtbot.mouseClick(take, Qt.MouseButton.LeftButton)
            assert dialog.table.rowCount() == 0
            with w.workspace.read() as s:
                assert s.query(Observation).one().note == other
        w.close_workspace()


def test_join_from_invitation_in_the_app(tmp_path: Path, qtbot, monkeypatch) -> None:
    from nicdesk.ui.exchange.join import join_network

    from .conftest import make_invitation

    invite = make_invitation(tmp_path)
    w = MainWindow()
    w.persist_settings = False
    qtbot.addWidget(w)
    shown = []
    copy = tmp_path / "to-send" / "lincoln.pub"
    copy.parent.mkdir()

    def press_save_copy(box: QMessageBox) -> None:
        shown.append(box.text())
        save = next(b for b in box.buttons() if b.text() == "Save a copy to send…")
        save.click()  # the key file is saved where the person chooses, to send on

    monkeypatch.setattr(QMessageBox, "exec", press_save_copy)
    monkeypatch.setattr(export_dialogs.QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(copy), ""))
    assert join_network(w, str(invite), str(tmp_path / "lincoln"))
    assert "You joined as Lincoln" in shown[0]
    assert w.windowTitle() == "lincoln.nicdesk — NICdesk"
    assert (tmp_path / "lincoln.pub").exists()
    assert copy.read_text() == (tmp_path / "lincoln.pub").read_text()
    assert "Site: Lincoln" in w.site_label.text()
    w.close_workspace()


def test_coordinator_invites_and_enrols_in_the_app(tmp_path: Path, qtbot, monkeypatch) -> None:
    from nicdesk.store.schema import Site
    from nicdesk.ui.exchange.enrol import enrol_site_key, invite_site
    from nicdesk.ui.exchange.join import join_network

    coord = tmp_path / "coord.nicdesk"
    assert main(["network", "create", str(coord), "--name", "Valley NIC",
                 "--coordinator-site", "Hub"]) == 0
    from nicdesk.store.workspace import Workspace

    with Workspace.open(coord) as ws, ws.read() as s:
        net = s.query(Site).one().network_id
    with Workspace.open(coord) as ws:
        lincoln = ws.ops.create("site", network_id=net, name="Lincoln").id
    texts = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: texts.append(self.text()))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: texts.append(a[2]) or QMessageBox.StandardButton.Yes))
    w = MainWindow()
    w.persist_settings = False
    qtbot.addWidget(w)
    assert w.open_workspace(coord)
    invite = invite_site(w, lincoln, str(tmp_path / "invite.nicbundle"))
    assert invite is not None and "coordinator fingerprint" in texts[-1]
    w.close_workspace()
    assert join_network(w, str(invite), str(tmp_path / "lincoln"))
    w.close_workspace()
    assert w.open_workspace(coord)
    assert enrol_site_key(w, str(tmp_path / "lincoln.pub"), lincoln)
    assert "Fingerprint" in texts[-1]
    with w.workspace.read() as s:
        assert len(s.get(Site, lincoln).public_keys) == 1
    w.close_workspace()


def test_export_preview_shows_every_record_without_private_fields(network, qtbot, monkeypatch) -> None:  # noqa: F811, E501
    from nicdesk.bundle.export import preview, preview_records
    from nicdesk.store.workspace import Workspace

    _coord, sites, _tmp = network
    add_values(sites["A"], {"2025-09-01": 0.5})
    with Workspace.open(sites["A"]) as ws:
        ws.ops.create("member", site_id=ws.meta()["local_site_id"], name="Ann",
                      email="ann@school.example")
        dialog = export_dialogs.ExportPreview(None, preview(ws), "A",
                                              lambda: preview_records(ws))
        qtbot.addWidget(dialog)
        shown = {}
        from PySide6.QtWidgets import QPlainTextEdit

        monkeypatch.setattr(QDialog, "exec", lambda self: shown.setdefault(
            "text", self.findChild(QPlainTextEdit).toPlainText()))
        dialog.show_records()
    assert '"name":"Ann"' in shown["text"] and "ann@school.example" not in shown["text"]
    assert "# Observation" in shown["text"]


def test_a_mistyped_passphrase_is_asked_again(network, qtbot, monkeypatch) -> None:  # noqa: F811
    """Export with a sealed key: a wrong passphrase asks again (the preview and the file
    name are not lost), the right one signs."""
    from PySide6.QtWidgets import QInputDialog

    coord, sites, tmp = network
    assert main(["keys", "init", str(sites["A"]), "--site", "A", "--passphrase", "pw"]) == 0
    w = MainWindow()
    w.persist_settings = False
    qtbot.addWidget(w)
    assert w.open_workspace(sites["A"])
    monkeypatch.setattr(export_dialogs.ExportPreview, "exec",
                        lambda self: QDialog.DialogCode.Accepted)
    out = tmp / "sealed.nicbundle"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: (str(out), "")))
    answers = iter([("wrong", True), ("pw", True)])
    prompts = []

    def answer(_parent, _title, prompt, *_a, **_k):
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(answer))
    w.act_export.trigger()
    assert len(prompts) == 2 and "did not open the key" in prompts[1]
    assert out.exists()
    w.close_workspace()
