"""Export for the network (with a preview of exactly what leaves) and bundle import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.model import KIND_LABELS, PRIVATE_FIELDS


class ExportPreview(QDialog):
    """Counts per kind of record that will leave this computer, and what never does."""

    def __init__(self, parent: Any, counts: dict[str, int], site: str,
                 records: Any = None, *, digest: bool = False,
                 sites: list[tuple[str, str]] | None = None) -> None:
        super().__init__(parent)
        self.records = records  # callable giving {kind: [record dicts]}, on request
        self.recipient: QComboBox | None = None
        self.setWindowTitle("Send the network digest" if digest else "Export for the network")
        self.resize(520, 520)
        layout = QVBoxLayout(self)
        total = sum(counts.values())
        from html import escape

        if digest:
            intro = QLabel(f"<b>{total} records of the whole network</b> will be written to a "
                           "signed digest for every site: each site's own work, other sites' "
                           "work as network views show it (small counts suppressed), and the "
                           "network's records. Nothing private leaves this computer.")
            if sites:
                # a site with two computers gets its own small counts back in a digest
                # written for it alone (no other site can import that one)
                row = QHBoxLayout()
                row.addWidget(QLabel("For:"))
                self.recipient = QComboBox()
                self.recipient.setObjectName("digestFor")
                self.recipient.addItem("Every site (small counts suppressed)", None)
                for name, site_id in sites:
                    self.recipient.addItem(f"{name} only (keeps its own small counts)",
                                           site_id)
                row.addWidget(self.recipient, 1)
        else:
            intro = QLabel(f"<b>{total} {'record' if total == 1 else 'records'} of "
                           f"{escape(site)}</b> will be written to a signed bundle file for "
                           "the network coordinator. Nothing else leaves this computer.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        if self.recipient is not None:
            layout.addLayout(row)
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


    def for_site(self) -> str | None:
        """The one site a digest is written for (None: every site)."""
        return self.recipient.currentData() if self.recipient is not None else None

    def show_records(self) -> None:
        """Every record that would leave, exactly as it would be written."""
        from PySide6.QtWidgets import QPlainTextEdit

        from ...bundle.format import dumps_line

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


def _ask_passphrase(window: Any, why: str) -> str | None:
    """The passphrase of this workspace's key when it has one ("" when it has none);
    None when the person cancels."""
    from ...bundle import keys
    from ...services.membership import needs_passphrase

    meta = window.workspace.meta()
    if not needs_passphrase(meta):
        return ""
    prompt = f"{why}\n\nThe passphrase of this computer's key:"
    for _attempt in range(3):  # a mistyped passphrase asks again, not from the start
        text, ok = QInputDialog.getText(window, "Passphrase", prompt,
                                        QLineEdit.EchoMode.Password)
        if not ok:
            return None
        try:
            keys.load(meta.get("signing_key", ""), text)
        except keys.KeyError_:
            prompt = f"{why}\n\nThat passphrase did not open the key. Try again:"
            continue
        return text
    return text  # the third wrong one: signing says so in plain words


def export_for_network(window: Any) -> Path | None:
    from ...bundle.export import export_bundle, preview, preview_records
    from ...bundle.keys import KeyError_
    from ...services.membership import key_on_this_computer, pending_request
    from ...store.errors import WorkspaceError
    from ..shell.runner import show_error

    ws = window.workspace
    meta = ws.meta()
    if not key_on_this_computer(meta.get("signing_key") or ""):
        request_to_join(window)  # no key here yet: make one and ask to join
        return None
    if pending_request(meta) is not None:
        show_pending_request(window)
        return None
    if not meta.get("local_site_id"):
        show_error(window, "Nothing to export", "This workspace does not say which site it "
                   "speaks for, so it has nothing to send. Open your school's workspace, or "
                   "join the network with the invitation file from your coordinator "
                   "(File → Join a Network…).")
        return None
    # the coordinator sends the network digest back; a site sends its own records
    kind = "digest" if meta.get("role") == "coordinator" else "site"
    try:
        counts = preview(ws, kind)
    except WorkspaceError as exc:
        show_error(window, exc.title, exc.message)
        return None
    from ...store.schema import Site

    with ws.read() as s:
        site = s.get(Site, meta["local_site_id"]).name
        others = [(x.name, x.id) for x in s.query(Site).filter(
            Site.network_id == s.get(Site, meta["local_site_id"]).network_id,
            Site.id != meta["local_site_id"], Site.deleted.is_(False)).order_by(Site.name)]
    dialog = ExportPreview(window, counts, site, lambda: preview_records(
        ws, kind, dialog.for_site()), digest=kind == "digest", sites=others)
    window.last_dialog = dialog
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    for_site = dialog.for_site()
    only = next((n for n, i in others if i == for_site), "")
    default = (f"Network digest {dt.date.today():%Y-%m-%d}.nicbundle" if kind == "digest"
               and not for_site else f"Digest for {only} {dt.date.today():%Y-%m-%d}.nicbundle"
               if kind == "digest" else f"{site} {dt.date.today():%Y-%m-%d}.nicbundle")
    name, _ = QFileDialog.getSaveFileName(window, "Save bundle", default,
                                          "NICdesk bundles (*.nicbundle)")
    if not name:
        return None
    passphrase = _ask_passphrase(window, "The bundle is signed with this computer's key.")
    if passphrase is None:
        return None
    try:
        result = export_bundle(ws, name if name.endswith(".nicbundle") else name + ".nicbundle",
                               kind=kind, passphrase=passphrase or None, for_site=for_site)
    except KeyError_ as exc:
        show_error(window, "Bundle not written", f"{exc} Nothing was written.")
        return None
    except WorkspaceError as exc:
        show_error(window, exc.title, exc.message)
        return None
    window.notify_external_change(f"Bundle {result.sequence} exported")
    window.statusBar().showMessage(f"Bundle {result.sequence} written to {result.path}", 15000)
    return result.path


def import_bundles(window: Any, paths: list[str] | None = None) -> list[str]:
    """Import each bundle; one summary at the end (refusals say why, nothing changed)."""
    from ...bundle.importer import BundleError, import_bundle

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

    kinds: set[str] = set()
    ids: set[str] = set()
    applied = 0
    for i, path in enumerate(paths, start=1):
        dialog.setLabelText(f"Verifying and merging {Path(path).name} ({i} of {len(paths)})")
        try:
            summary = import_bundle(window.workspace, path, progress)
            lines.append(summary.text())
            kinds |= summary.changes.kinds
            ids |= summary.changes.ids
            applied += not summary.already
        except BundleError as exc:
            lines.append(exc.message)
        except Exception as exc:  # noqa: BLE001 - one bad bundle never stops the rest
            lines.append(f"{Path(path).name} was not imported: an unexpected problem "
                         f"({type(exc).__name__}); nothing was changed. Please report it "
                         "with the file.")
        if dialog.wasCanceled():
            break
    dialog.close()
    if lines:
        from ...store.operations import OpChanges

        # the imports are operations too: screens redraw from what they changed
        if applied:  # refused or repeated bundles changed nothing: nothing to redraw
            label = f"Imported {applied} of {len(paths)} bundle(s)"
            window.notify_external_change(label, OpChanges(label, frozenset(kinds),
                                                           frozenset(ids)))
        box = QMessageBox(QMessageBox.Icon.Information, "Bundles", "\n\n".join(lines),
                          QMessageBox.StandardButton.Ok, window)
        window.last_dialog = box
        box.exec()
    return lines


def _request_key(window: Any) -> Any:
    """The key of the join request written from the open workspace, if any: joining then
    keeps it (the coordinator enrolled that key)."""
    from ...bundle.keys import KeyError_, workspace_public_key
    from ...services.membership import key_on_this_computer, pending_request

    ws = getattr(window, "workspace", None)
    if ws is None:
        return None
    meta = ws.meta()
    if pending_request(meta) is None or not key_on_this_computer(meta.get("signing_key", "")):
        return None
    try:
        return workspace_public_key(meta)
    except KeyError_:
        return None


def join_network(window: Any, invitation: str | None = None, target: str | None = None) -> bool:
    """Scenario 1, step 1: a principal opens the coordinator's invitation.  A school that
    asked to join from this computer keeps the key of its request, and the work in the
    workspace open now (the request's, or a standalone school workspace) comes along."""
    from ...bundle.importer import BundleError
    from ...paths import data_dir
    from ...services.membership import can_bring, join
    from ...store.errors import WorkspaceError
    from ..shell.runner import show_error

    if invitation is None:
        invitation, _ = QFileDialog.getOpenFileName(window, "Join a network: choose the "
                                                    "invitation", "",
                                                    "NICdesk invitations (*.nicbundle)")
    if not invitation:
        return False
    if target is None:
        while True:  # joining makes a new file: an existing one is never "replaced"
            target, _ = QFileDialog.getSaveFileName(
                window, "Where to keep your school's network workspace", str(data_dir()),
                "NICdesk workspaces (*.nicdesk)",
                options=QFileDialog.Option.DontConfirmOverwrite)
            if not target:
                return False
            target = target if target.endswith(".nicdesk") else target + ".nicdesk"
            if not Path(target).exists():
                break
            show_error(window, "Choose a new file name",
                       f"{Path(target).name} already exists. Joining makes a new workspace "
                       "file; choose a name that is not taken (your existing file stays as "
                       "it is).")
    if not target:
        return False
    target = target if target.endswith(".nicdesk") else target + ".nicdesk"
    current = getattr(window, "workspace", None)
    bring = current if can_bring(current) else None
    try:
        joined = join(invitation, target, key=_request_key(window), bring=bring)
    except (BundleError, WorkspaceError) as exc:
        show_error(window, exc.title, exc.message)
        return False
    came = f"\n\n{joined.brought.text()}" if joined.brought is not None else ""
    if joined.enrolled:
        text = (f"You joined as {joined.site}.\n\nThe coordinator's fingerprint is "
                f"{joined.coordinator_fingerprint}. Check it with the coordinator.\n\n"
                "The coordinator has already enrolled this computer's key (your code "
                f"{joined.site_key.fingerprint()}), so you can export for the network "
                f"right away.{came}")
    else:
        pub = Path(target).with_suffix(".pub")
        pub.write_text(joined.site_key.file_text())
        text = (f"You joined as {joined.site}.\n\nThe coordinator's fingerprint is "
                f"{joined.coordinator_fingerprint}. Check it with the coordinator.\n\n"
                f"Send this file to the coordinator so they can enrol this computer:\n"
                f"{pub}\n(your fingerprint {joined.site_key.fingerprint()}){came}")
    box = QMessageBox(QMessageBox.Icon.Information, "Joined the network", text,
                      QMessageBox.StandardButton.Ok, window)
    if not joined.enrolled:  # the key file sits beside the workspace: offer a copy to send
        save = box.addButton("Save a copy to send…", QMessageBox.ButtonRole.ActionRole)

        def save_copy() -> None:
            name, _ = QFileDialog.getSaveFileName(
                window, "Save this computer's public key", str(Path.home() / pub.name),
                "Public keys (*.pub)")
            if name:
                Path(name).write_text(joined.site_key.file_text())

        save.clicked.connect(save_copy)
    window.last_dialog = box
    box.exec()
    return window.open_workspace(target)


def _choose_site(window: Any, title: str) -> Any:
    from PySide6.QtWidgets import QInputDialog
    from sqlalchemy import select

    from ...store.schema import Site

    with window.workspace.read() as s:
        sites = sorted((x.name, x.id) for x in s.scalars(select(Site).where(
            Site.deleted.is_(False))))
    if not sites:
        return None
    names = [n for n, _ in sites]
    name, ok = QInputDialog.getItem(window, title, "Site:", names, 0, False)
    return sites[names.index(name)][1] if ok else None


def _ensure_coordinator_key(window: Any) -> bool:
    """A coordinator workspace without a key on this computer offers to make one."""
    from ...services.membership import init_key, key_on_this_computer

    ws = window.workspace
    meta = ws.meta()
    if key_on_this_computer(meta.get("signing_key") or ""):
        return True
    answer = QMessageBox.question(
        window, "No coordinator key", "This workspace cannot sign invitations yet: it has no "
        "coordinator key on this computer.\n\nMake this workspace the network's "
        "coordinator and create its key now? Do this only in the coordinator's own "
        "workspace.")
    if answer != QMessageBox.StandardButton.Yes:
        return False
    site_id = meta.get("local_site_id") or _choose_site(window, "Which site coordinates "
                                                                 "the network?")
    if not site_id:
        return False
    init_key(ws, site_id, coordinator=True)
    window.notify_external_change("Coordinator key created")
    return True


def invite_site(window: Any, site_id: str | None = None, path: str | None = None) -> Path | None:
    """Coordinator: an invitation file for one site (carries the coordinator's key)."""
    from ...bundle.export import export_bundle
    from ...bundle.keys import KeyError_, workspace_public_key
    from ...store.errors import WorkspaceError
    from ..shell.runner import show_error

    if not _ensure_coordinator_key(window):
        return None
    site_id = site_id or _choose_site(window, "Invite a site")
    if not site_id:
        return None
    if path is None:
        path, _ = QFileDialog.getSaveFileName(window, "Save the invitation", "invitation.nicbundle",
                                              "NICdesk invitations (*.nicbundle)")
    if not path:
        return None
    passphrase = _ask_passphrase(window, "The invitation is signed with the coordinator's key.")
    if passphrase is None:
        return None
    try:
        result = export_bundle(window.workspace, path, kind="invitation", invite_site=site_id,
                               passphrase=passphrase or None)
    except KeyError_ as exc:
        show_error(window, "Invitation not written", f"{exc} Nothing was written.")
        return None
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
    """Coordinator: accept a site's key — from its join request, or from a plain public
    key file — after comparing fingerprints."""
    from ...bundle.minisign import SignatureError, parse_public_key
    from ...services.membership import enrol_key, is_join_request
    from ...store.errors import WorkspaceError
    from ...store.schema import Site
    from ..shell.runner import show_error

    if pub_path is None:
        pub_path, _ = QFileDialog.getOpenFileName(
            window, "The site's join request or public key", "",
            "Join requests and public keys (*.nicjoin *.pub)")
    if not pub_path:
        return False
    if is_join_request(pub_path):
        return enrol_from_request(window, pub_path) is not None
    try:
        key = parse_public_key(Path(pub_path).read_text())
    except (OSError, UnicodeDecodeError, SignatureError) as exc:
        show_error(window, "Not a public key", f"{Path(pub_path).name}: {exc}")
        return False
    site_id = site_id or _choose_site(window, "Enrol the key for which site?")
    if not site_id:
        return False
    with window.workspace.read() as s:
        site = s.get(Site, site_id)
    answer = QMessageBox.question(
        window, "Enrol key", f"Enrol key {key.key_id_hex} for {site.name}?\n\nFingerprint: "
        f"{key.fingerprint()}\n\nOnly say yes if {site.name} read you the same fingerprint.")
    if answer != QMessageBox.StandardButton.Yes:
        return False
    try:
        done = enrol_key(window.workspace, key, site_id)
    except WorkspaceError as exc:
        show_error(window, exc.title, exc.message)
        return False
    window.notify_external_change(f"Enrol key for {done.site_name}")
    return True


def _code_label(text: str, name: str) -> QLabel:
    """A fingerprint, large enough to read aloud from the back of the room."""
    label = QLabel(text)
    label.setObjectName(name)
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSizeF(max(label.font().pointSizeF(), 9.0) * 1.8)
    font.setBold(True)
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _wrapped(text: str, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    if name:
        label.setObjectName(name)
    return label


class JoinRequestDialog(QDialog):
    """A school asks to join: what will happen, its name, an optional passphrase, the
    request file, then the code to read to the coordinator."""

    def __init__(self, parent: Any, ws: Any) -> None:
        from ...services.membership import key_on_this_computer, needs_passphrase
        from ...store.schema import Site

        super().__init__(parent)
        self.ws = ws
        self.request: Any = None
        meta = ws.meta()
        self.has_key = key_on_this_computer(meta.get("signing_key") or "")
        self.sealed = self.has_key and needs_passphrase(meta)
        # a workspace that already joined only needs this computer's key enrolled
        self.joined = bool(meta.get("trusted_coordinator_key") and meta.get("local_site_id"))
        with ws.read() as s:
            site = s.get(Site, meta.get("local_site_id") or "")
            name = site.name if site is not None else ""
        self.setWindowTitle("Ask to join a network")
        self.resize(560, 480)
        outer = QVBoxLayout(self)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages)

        form_page = QWidget()
        layout = QVBoxLayout(form_page)
        key_step = ("NICdesk uses the key this computer already has for this workspace."
                    if self.has_key else "NICdesk makes a <b>key</b> for this computer: a "
                    "signature only this computer can make, so the network knows your "
                    "bundles really come from your school.")
        layout.addWidget(_wrapped(
            "<p>To share your work with a network, your coordinator first enrols your "
            "school. Here is what happens:</p><ol>"
            f"<li>{key_step}</li>"
            "<li>You save a small <b>join request</b> file: your school's name and the "
            "public half of the key. Nothing from your workspace is in it.</li>"
            "<li>Send the file to your network coordinator (e-mail or USB stick).</li>"
            "<li>When the coordinator calls, read them the short code NICdesk shows you "
            "next, so they know the request is really yours.</li>"
            + ("<li>The coordinator enrols the key; from then on the network accepts your "
               "bundles.</li></ol>" if self.joined else
               "<li>The coordinator sends back an invitation file: open it with "
               "<i>File → Join a Network…</i></li></ol>"), "joinExplanation"))
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.school = QLineEdit(name)
        self.school.setObjectName("joinSchool")
        self.school.setPlaceholderText("Lincoln High School")
        form.addRow("School's name:", self.school)
        self.contact = QLineEdit()
        self.contact.setObjectName("joinContact")
        self.contact.setPlaceholderText("Ann Smith, ann.smith@lincoln.example (optional)")
        form.addRow("Who to call back:", self.contact)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("joinPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setObjectName("joinPassphraseAgain")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        if not self.has_key:
            self.passphrase.setPlaceholderText("optional")
            form.addRow("Passphrase:", self.passphrase)
            form.addRow("Passphrase again:", self.again)
            note = ("A passphrase protects the key when others use this computer; you type "
                    "it each time you export. Leave both empty for none. A forgotten "
                    "passphrase means a new key and a new request.")
        elif self.sealed:
            form.addRow("Passphrase of the key:", self.passphrase)
            note = "The key has a passphrase: type it to sign the request."
        else:
            note = ""
        layout.addLayout(form)
        if note:
            hint = _wrapped(note)
            hint.setStyleSheet("color: #555555;")
            layout.addWidget(hint)
        self.problem = _wrapped("", "joinProblem")
        self.problem.setStyleSheet("color: #D55E00;")
        layout.addWidget(self.problem)
        layout.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("Save join request…",
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("joinSave")
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.pages.addWidget(form_page)

        done_page = QWidget()
        done = QVBoxLayout(done_page)
        self.saved_text = _wrapped("", "joinSaved")
        done.addWidget(self.saved_text)
        self.code = _code_label("", "joinFingerprint")
        done.addWidget(self.code)
        then = ("Once they have enrolled it, export for the network as usual." if self.joined
                else "They will send you an invitation file: open it with <i>File → Join a "
                "Network…</i> while this workspace is open — your work here comes along "
                "when you join.")
        done.addWidget(_wrapped(
            "Read this code to your coordinator when they call (by phone or in person, not "
            f"in the same e-mail as the file). {then}"))
        done.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.accept)
        self.close_button = close.button(QDialogButtonBox.StandardButton.Close)
        done.addWidget(close)
        self.pages.addWidget(done_page)
        for field in (self.school, self.passphrase, self.again):
            field.textChanged.connect(self.check)
        self.check()

    def check(self) -> bool:
        """Inline validation: a name, and the same passphrase twice."""
        why = ""
        if not self.school.text().strip():
            why = "Type your school's name (as the network should see it)."
        elif not self.has_key and self.passphrase.text() != self.again.text():
            why = "The two passphrases are not the same."
        elif self.sealed and not self.passphrase.text():
            why = "Type the passphrase of this computer's key."
        self.problem.setText(why)
        self.save_button.setEnabled(not why)
        return not why

    def save(self) -> None:
        from ...services.membership import REQUEST_SUFFIX, write_join_request
        from ...store.errors import WorkspaceError

        if not self.check():
            return
        name = " ".join(self.school.text().split())
        stem = "".join(c for c in name if c.isalnum() or c in " -_").strip() or "school"
        path, _ = QFileDialog.getSaveFileName(self, "Save the join request",
                                              f"{stem} join request{REQUEST_SUFFIX}",
                                              f"Join requests (*{REQUEST_SUFFIX})")
        if not path:
            return
        if not path.endswith(REQUEST_SUFFIX):
            path += REQUEST_SUFFIX
        try:
            self.request = write_join_request(self.ws, path, name,
                                              self.passphrase.text() or None,
                                              self.contact.text())
        except WorkspaceError as exc:
            self.problem.setText(exc.message)
            return
        self.saved_text.setText(f"<p><b>Join request saved</b> to {_escape(path)}.</p><p>Send this "
                                "file to your network coordinator.</p><p>Your code:</p>")
        self.code.setText(self.request.fingerprint)
        self.pages.setCurrentIndex(1)
        self.close_button.setFocus()

    def visible_texts(self) -> list[str]:
        """Every text a person can read in the dialog (for checks and screen readers)."""
        out = [self.windowTitle()]
        for widget in self.findChildren(QLabel):
            out.append(widget.text())
        for widget in self.findChildren(QPushButton):
            out.append(widget.text())
        for widget in self.findChildren(QLineEdit):
            out.append(widget.placeholderText())
        return out


def request_to_join(window: Any) -> Path | None:
    """A school asks to join a network: its key and a join request file."""
    from ..shell.runner import show_error

    if window.workspace is None:
        show_error(window, "No workspace open", "Open your school's workspace first (File → "
                   "Open…), or start one with File → New Workspace…; then ask to join.")
        return None
    if window.workspace.meta().get("joined_into"):
        show_joined_into(window)  # its work went into the network's workspace already
        return None
    if window.workspace.meta().get("demo_seed"):
        box = QMessageBox(QMessageBox.Icon.Information, "The sample network",
                          "This is the sample network: nothing in it is real, so it is not "
                          "shared with anyone. To join your network, start your school's "
                          "own workspace (File → New Workspace…) and ask to join from "
                          "there.", QMessageBox.StandardButton.Ok, window)
        window.last_dialog = box
        box.exec()
        return None
    dialog = JoinRequestDialog(window, window.workspace)
    window.last_dialog = dialog
    dialog.exec()
    if dialog.request is None:
        return None
    window.notify_external_change("Join request written")
    return dialog.request.path


def show_pending_request(window: Any) -> None:
    """Export while the join request is still with the coordinator: what to do now."""
    from ...bundle.keys import KeyError_, workspace_public_key
    from ...services.membership import pending_request

    meta = window.workspace.meta()
    pending = pending_request(meta) or {}
    if pending.get("joined_into"):
        show_joined_into(window)
        return
    try:
        code = workspace_public_key(meta).fingerprint()
    except KeyError_:
        code = "—"
    when = str(pending.get("created", ""))[:10]
    box = QMessageBox(QMessageBox.Icon.Information, "Waiting for the invitation",
                      f"Your request to join (written {when}) is with the network "
                      "coordinator. When they send the invitation file, open it with "
                      "File → Join a Network… while this workspace is open: your school's "
                      "network workspace starts from it, your work here comes along, and "
                      f"then you can export.\n\nYour code: {code}",
                      QMessageBox.StandardButton.Close, window)
    open_button = box.addButton("Open the invitation…", QMessageBox.ButtonRole.AcceptRole)
    again = box.addButton("Write the request again…", QMessageBox.ButtonRole.ActionRole)
    window.last_dialog = box
    box.exec()
    if box.clickedButton() is open_button:
        join_network(window)
    elif box.clickedButton() is again:
        request_to_join(window)


def show_joined_into(window: Any) -> None:
    """This workspace's work was brought into the network's workspace when the school
    joined: say where it went, and open that workspace on request."""
    meta = window.workspace.meta()
    where = Path(meta.get("joined_into", ""))
    when = str(meta.get("joined_on", ""))[:10]
    here = Path(getattr(window.workspace, "path", "")).name
    there = where.exists() and where.suffix == ".nicdesk"
    text = (f"Your school joined the network{' on ' + when if when else ''}, and the work in "
            f"{here} came along into {where.name}. Your school's work goes on there: edit "
            f"and export for the network from {where.name}.\n\n{here} stays as it was "
            "before you joined; changes made here from now on stay on this computer.")
    if not there:
        text += (f"\n\n{where.name} is no longer at {where.parent}. If it is gone, open the "
                 "invitation again with File → Join a Network… while this workspace is "
                 "open: your work comes along again.")
    box = QMessageBox(QMessageBox.Icon.Information, "Your work moved to the network "
                      "workspace", text, QMessageBox.StandardButton.Close, window)
    open_button = box.addButton(f"Open {where.name}", QMessageBox.ButtonRole.AcceptRole) \
        if there else None
    window.last_dialog = box
    box.exec()
    if open_button is not None and box.clickedButton() is open_button:
        window.open_workspace(str(where))


class EnrolRequestDialog(QDialog):
    """Coordinator: a school's join request — who, the code to compare, and which site of
    the network it is (an existing one, or a new one)."""

    def __init__(self, parent: Any, request: Any, sites: list[tuple[str, str]],
                 match: str | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Enrol a school from its join request")
        self.resize(540, 360)
        self.sites = sites
        layout = QVBoxLayout(self)
        contact = f"<br>Call back: {_escape(request.contact)}" if request.contact else ""
        layout.addWidget(_wrapped(
            f"<p><b>{_escape(request.site_name)}</b> ({_escape(request.site_kind)}) asks to "
            f"join. Request written {_escape(request.created[:10])}.{contact}</p>"
            "<p>Call the school and ask them to read you their code. Enrol only if it is "
            "exactly this:</p>", "enrolWho"))
        layout.addWidget(_code_label(request.fingerprint, "enrolFingerprint"))
        form = QFormLayout()
        self.new_choice = QRadioButton("Add it as a new site named:")
        self.new_choice.setObjectName("enrolNew")
        self.new_name = QLineEdit(request.site_name)
        self.new_name.setObjectName("enrolNewName")
        self.existing_choice = QRadioButton("It is this site of the network:")
        self.existing_choice.setObjectName("enrolExisting")
        self.existing = QComboBox()
        self.existing.setObjectName("enrolSite")
        for name, site_id in sites:
            self.existing.addItem(name, site_id)
        group = QButtonGroup(self)
        group.addButton(self.new_choice)
        group.addButton(self.existing_choice)
        form.addRow(self.new_choice, self.new_name)
        form.addRow(self.existing_choice, self.existing)
        layout.addLayout(form)
        if match is not None:
            self.existing_choice.setChecked(True)
            self.existing.setCurrentIndex(max(self.existing.findData(match), 0))
        else:
            self.new_choice.setChecked(True)
        self.existing_choice.setEnabled(bool(sites))
        layout.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.enrol_button = buttons.addButton("The code matches — enrol",
                                              QDialogButtonBox.ButtonRole.AcceptRole)
        self.enrol_button.setObjectName("enrolAccept")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.new_name.textChanged.connect(self._check)
        self.new_choice.toggled.connect(self._check)
        self._check()

    def _check(self) -> None:
        self.enrol_button.setEnabled(self.existing_choice.isChecked()
                                     or bool(self.new_name.text().strip()))

    def choice(self) -> tuple[str, bool]:
        """(site id or new name, whether it is a new site)."""
        if self.new_choice.isChecked():
            return " ".join(self.new_name.text().split()), True
        return self.existing.currentData(), False


def _escape(text: str) -> str:
    """A name from a file, for a rich-text label: shown as typed, never as markup, and
    isolated so a right-to-left name cannot reorder the sentence around it."""
    import html

    from ...core.safe_text import isolate

    return html.escape(isolate(text))


def enrol_from_request(window: Any, path: str | None = None) -> Any:
    """Coordinator: read a school's join request, compare its code, enrol its key for an
    existing or a new site, then offer to write the invitation."""
    from ...services.membership import (
        coordinator_network,
        enrol_key,
        find_site,
        network_sites,
        read_join_request,
    )
    from ...store.errors import WorkspaceError
    from ..shell.runner import show_error

    ws = window.workspace
    if ws is None:
        return None
    if path is None:
        path, _ = QFileDialog.getOpenFileName(window, "The school's join request", "",
                                              "Join requests (*.nicjoin)")
    if not path:
        return None
    try:
        request = read_join_request(path)
        network = coordinator_network(ws)
        sites = network_sites(ws, network)
        match = find_site(ws, request.site_name, network)
    except WorkspaceError as exc:
        show_error(window, exc.title, exc.message)
        return None
    dialog = EnrolRequestDialog(window, request, sites, match)
    window.last_dialog = dialog
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    site, new = dialog.choice()
    try:
        done = enrol_key(ws, request.key, site, new=new, kind=request.site_kind)
    except WorkspaceError as exc:
        show_error(window, exc.title, exc.message)
        return None
    window.notify_external_change(f"Enrol key for {done.site_name}")
    if done.already:
        lead = f"This key was already enrolled for {done.site_name}."
    else:
        lead = f"{done.site_name} is enrolled" + (" as a new site." if done.new_site else ".")
    answer = QMessageBox.question(
        window, "Enrolled", f"{lead}\n\nWrite the invitation for {done.site_name} now? "
        "They open it with File → Join a Network…")
    if answer == QMessageBox.StandardButton.Yes:
        invite_site(window, done.site_id)
    return done
