"""Export for the network (with a preview of exactly what leaves) and bundle import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..core.model import KIND_LABELS, PRIVATE_FIELDS


class ExportPreview(QDialog):
    """Counts per kind of record that will leave this computer, and what never does."""

    def __init__(self, parent: Any, counts: dict[str, int], site: str,
                 records: Any = None) -> None:
        super().__init__(parent)
        self.records = records  # callable giving {kind: [record dicts]}, on request
        self.setWindowTitle("Export for the network")
        self.resize(520, 520)
        layout = QVBoxLayout(self)
        total = sum(counts.values())
        intro = QLabel(f"<b>{total} records of {site}</b> will be written to a signed bundle "
                       "file for the network coordinator. Nothing else leaves this computer.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        table = QTableWidget(len(counts), 2)
        table.setObjectName("exportCounts")
        table.setHorizontalHeaderLabels(["What", "Records"])
        table.verticalHeader().hide()
        table.horizontalHeader().setStretchLastSection(True)
        for row, (kind, n) in enumerate(counts.items()):
            table.setItem(row, 0, QTableWidgetItem(KIND_LABELS.get(kind, kind)))
            table.setItem(row, 1, QTableWidgetItem(str(n)))
        table.resizeColumnToContents(0)
        layout.addWidget(table, 1)
        private = "; ".join(f"{KIND_LABELS[k]}: {f.replace('_', ' ')}"
                            for k, fields in PRIVATE_FIELDS.items() for f in sorted(fields))
        note = QLabel(f"Never included: {private}.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555555;")
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        every = buttons.addButton("Show every record…", QDialogButtonBox.ButtonRole.HelpRole)
        every.clicked.connect(self.show_records)
        buttons.addButton("Save bundle…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


    def show_records(self) -> None:
        """Every record that would leave, exactly as it would be written."""
        from PySide6.QtWidgets import QPlainTextEdit

        from ..bundle.format import dumps_line

        if self.records is None:
            return
        dialog = QDialog(self)
        dialog.setWindowTitle("Every record in the bundle")
        dialog.resize(900, 600)
        layout = QVBoxLayout(dialog)
        text = QPlainTextEdit()
        text.setObjectName("everyRecord")
        text.setReadOnly(True)
        text.setPlainText("\n".join(f"# {KIND_LABELS.get(kind, kind)}\n" + "\n".join(
            dumps_line(r) for r in rows) for kind, rows in self.records().items()))
        layout.addWidget(text)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(dialog.reject)
        layout.addWidget(close)
        self.records_dialog = dialog
        dialog.exec()


def export_for_network(window: Any) -> Path | None:
    from ..bundle.export import export_bundle, preview, preview_records
    from ..store.errors import WorkspaceError
    from .runner import show_error

    ws = window.workspace
    try:
        counts = preview(ws)
    except WorkspaceError as exc:
        show_error(window, exc.title, exc.message)
        return None
    from ..store.schema import Site

    with ws.read() as s:
        site = s.get(Site, ws.meta()["local_site_id"]).name
    dialog = ExportPreview(window, counts, site, lambda: preview_records(ws))
    window.last_dialog = dialog
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    default = f"{site} {dt.date.today():%Y-%m-%d}.nicbundle"
    name, _ = QFileDialog.getSaveFileName(window, "Save bundle", default,
                                          "NICdesk bundles (*.nicbundle)")
    if not name:
        return None
    try:
        result = export_bundle(ws, name if name.endswith(".nicbundle") else name + ".nicbundle")
    except WorkspaceError as exc:
        show_error(window, exc.title, exc.message)
        return None
    window.notify_external_change(f"Bundle {result.sequence} exported")
    return result.path


def import_bundles(window: Any, paths: list[str] | None = None) -> list[str]:
    """Import each bundle; one summary at the end (refusals say why, nothing changed)."""
    from ..bundle.importer import BundleError, import_bundle

    if paths is None:
        paths, _ = QFileDialog.getOpenFileNames(window, "Import bundles", "",
                                                "NICdesk bundles (*.nicbundle)")
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QProgressDialog

    lines = []
    dialog = QProgressDialog("Importing bundles…", "Cancel", 0, 100, window)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)
    window.progress_dialog = dialog

    def progress(done: int, total: int) -> bool:
        dialog.setValue(int(100 * done / max(total, 1)))
        QApplication.processEvents()
        return not dialog.wasCanceled()  # cancelling rolls the bundle back

    for i, path in enumerate(paths, start=1):
        dialog.setLabelText(f"Verifying and merging {Path(path).name} ({i} of {len(paths)})")
        try:
            lines.append(import_bundle(window.workspace, path, progress).text())
        except BundleError as exc:
            lines.append(exc.message)
        if dialog.wasCanceled():
            break
    dialog.close()
    if lines:
        window.notify_external_change(f"Imported {len(paths)} bundle(s)")
        box = QMessageBox(QMessageBox.Icon.Information, "Bundles", "\n\n".join(lines),
                          QMessageBox.StandardButton.Ok, window)
        window.last_dialog = box
        box.exec()
    return lines


def join_network(window: Any, invitation: str | None = None, target: str | None = None) -> bool:
    """Scenario 1, step 1: a principal opens the coordinator's invitation."""
    from ..bundle.importer import BundleError, join
    from ..paths import data_dir
    from .runner import show_error

    if invitation is None:
        invitation, _ = QFileDialog.getOpenFileName(window, "Join a network: choose the "
                                                    "invitation", "",
                                                    "NICdesk invitations (*.nicbundle)")
    if not invitation:
        return False
    if target is None:
        target, _ = QFileDialog.getSaveFileName(window, "Where to keep your school's "
                                                "workspace", str(data_dir()),
                                                "NICdesk workspaces (*.nicdesk)")
    if not target:
        return False
    target = target if target.endswith(".nicdesk") else target + ".nicdesk"
    try:
        joined = join(invitation, target)
    except BundleError as exc:
        show_error(window, exc.title, exc.message)
        return False
    pub = Path(target).with_suffix(".pub")
    pub.write_text(joined.site_key.file_text())
    box = QMessageBox(QMessageBox.Icon.Information, "Joined the network",
                      f"You joined as {joined.site}.\n\nThe coordinator's fingerprint is "
                      f"{joined.coordinator_fingerprint}. Check it with the coordinator.\n\n"
                      f"Send this file to the coordinator so they can enrol this computer:\n"
                      f"{pub}\n(your fingerprint {joined.site_key.fingerprint()})",
                      QMessageBox.StandardButton.Ok, window)
    window.last_dialog = box
    box.exec()
    return window.open_workspace(target)


def _choose_site(window: Any, title: str) -> Any:
    from PySide6.QtWidgets import QInputDialog
    from sqlalchemy import select

    from ..store.schema import Site

    with window.workspace.read() as s:
        sites = sorted((x.name, x.id) for x in s.scalars(select(Site).where(
            Site.deleted.is_(False))))
    if not sites:
        return None
    names = [n for n, _ in sites]
    name, ok = QInputDialog.getItem(window, title, "Site:", names, 0, False)
    return sites[names.index(name)][1] if ok else None


def invite_site(window: Any, site_id: str | None = None, path: str | None = None) -> Path | None:
    """Coordinator: an invitation file for one site (carries the coordinator's key)."""
    from ..bundle.export import export_bundle
    from ..bundle.keys import workspace_public_key
    from ..store.errors import WorkspaceError
    from .runner import show_error

    site_id = site_id or _choose_site(window, "Invite a site")
    if not site_id:
        return None
    if path is None:
        path, _ = QFileDialog.getSaveFileName(window, "Save the invitation", "invitation.nicbundle",
                                              "NICdesk invitations (*.nicbundle)")
    if not path:
        return None
    try:
        result = export_bundle(window.workspace, path, kind="invitation", invite_site=site_id)
    except WorkspaceError as exc:
        show_error(window, exc.title, exc.message)
        return None
    fingerprint = workspace_public_key(window.workspace.meta()).fingerprint()
    box = QMessageBox(QMessageBox.Icon.Information, "Invitation written",
                      f"Send {result.path.name} to the site. When they open it, they should "
                      f"see the coordinator fingerprint {fingerprint} — tell them by phone or "
                      "in person, not in the same e-mail.", QMessageBox.StandardButton.Ok,
                      window)
    window.last_dialog = box
    box.exec()
    return result.path


def enrol_site_key(window: Any, pub_path: str | None = None, site_id: str | None = None) -> bool:
    """Coordinator: accept a site's public key after comparing fingerprints."""
    from ..bundle.minisign import SignatureError, parse_public_key
    from ..store.schema import Site
    from .runner import show_error

    if pub_path is None:
        pub_path, _ = QFileDialog.getOpenFileName(window, "The site's public key", "",
                                                  "Public keys (*.pub)")
    if not pub_path:
        return False
    try:
        key = parse_public_key(Path(pub_path).read_text())
    except (OSError, SignatureError) as exc:
        show_error(window, "Not a public key", f"{Path(pub_path).name}: {exc}")
        return False
    site_id = site_id or _choose_site(window, "Enrol the key for which site?")
    if not site_id:
        return False
    with window.workspace.read() as s:
        site = s.get(Site, site_id)
        current = list(site.public_keys or [])
    answer = QMessageBox.question(
        window, "Enrol key", f"Enrol key {key.key_id_hex} for {site.name}?\n\nFingerprint: "
        f"{key.fingerprint()}\n\nOnly say yes if {site.name} read you the same fingerprint.")
    if answer != QMessageBox.StandardButton.Yes:
        return False
    if key.line() not in current:
        window.runner.run(window.workspace.ops.update, "site", site_id,
                          public_keys=[*current, key.line()], label=f"Enrol key for {site.name}")
    return True
