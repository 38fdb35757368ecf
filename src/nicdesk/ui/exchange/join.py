"""A school joins a network: its join request (when it has no invitation yet), joining
from the coordinator's invitation (its own work comes along), and what to do while the
request is with the coordinator — the flows of `services.membership` (`write_join_request`,
`join`), with the dialogs around them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..common.widgets import problem_label, quiet
from .common import ExchangeWindow, code_label, escape, open_workspace_of, wrapped

if TYPE_CHECKING:
    from ...bundle.minisign import PublicKey
    from ...services.membership import JoinRequest
    from ...store.workspace import Workspace


def _request_key(window: ExchangeWindow) -> PublicKey | None:
    """The key of the join request written from the open workspace, if any: joining then
    keeps it (the coordinator enrolled that key)."""
    from ...bundle.keys import KeyError_, workspace_public_key
    from ...services.membership import key_on_this_computer, pending_request

    ws = window.workspace
    if ws is None:
        return None
    meta = ws.meta()
    if pending_request(meta) is None or not key_on_this_computer(meta.get("signing_key", "")):
        return None
    try:
        return workspace_public_key(meta)
    except KeyError_:
        return None


def join_network(window: ExchangeWindow, invitation: str | None = None,
                 target: str | None = None) -> bool:
    """Scenario 1, step 1: a principal opens the coordinator's invitation.  A school that
    asked to join from this computer keeps the key of its request, and the work in the
    workspace open now (the request's, or a standalone school workspace) comes along."""
    from ...bundle.reader import BundleError
    from ...paths import data_dir
    from ...services.membership import can_bring, join
    from ...store.errors import WorkspaceError
    from ..shell.runner import show_error

    if invitation is None:
        invitation, _ = QFileDialog.getOpenFileName(window.window(), "Join a network: choose the "
                                                    "invitation", "",
                                                    "NICdesk invitations (*.nicbundle)")
    if not invitation:
        return False
    if target is None:
        while True:  # joining makes a new file: an existing one is never "replaced"
            target, _ = QFileDialog.getSaveFileName(
                window.window(), "Where to keep your school's network workspace",
                str(data_dir()),
                "NICdesk workspaces (*.nicdesk)",
                options=QFileDialog.Option.DontConfirmOverwrite)
            if not target:
                return False
            target = target if target.endswith(".nicdesk") else target + ".nicdesk"
            if not Path(target).exists():
                break
            show_error(window.window(), "Choose a new file name",
                       f"{Path(target).name} already exists. Joining makes a new workspace "
                       "file; choose a name that is not taken (your existing file stays as "
                       "it is).")
    if not target:
        return False
    target = target if target.endswith(".nicdesk") else target + ".nicdesk"
    current = window.workspace
    bring = current if can_bring(current) else None
    try:
        joined = join(invitation, target, key=_request_key(window), bring=bring)
    except (BundleError, WorkspaceError) as exc:
        show_error(window.window(), exc.title, exc.message)
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
                      QMessageBox.StandardButton.Ok, window.window())
    if not joined.enrolled:  # the key file sits beside the workspace: offer a copy to send
        save = box.addButton("Save a copy to send…", QMessageBox.ButtonRole.ActionRole)

        def save_copy() -> None:
            name, _ = QFileDialog.getSaveFileName(
                window.window(), "Save this computer's public key", str(Path.home() / pub.name),
                "Public keys (*.pub)")
            if name:
                Path(name).write_text(joined.site_key.file_text())

        save.clicked.connect(save_copy)
    window.last_dialog = box
    box.exec()
    return window.open_workspace(target)


class JoinRequestDialog(QDialog):
    """A school asks to join: what will happen, its name, an optional passphrase, the
    request file, then the code to read to the coordinator."""

    def __init__(self, parent: QWidget | None, ws: Workspace) -> None:
        from ...services.membership import key_on_this_computer, needs_passphrase
        from ...store.views.records import site_name

        super().__init__(parent)
        self.ws = ws
        self.request: JoinRequest | None = None
        meta = ws.meta()
        self.has_key = key_on_this_computer(meta.get("signing_key") or "")
        self.sealed = self.has_key and needs_passphrase(meta)
        # a workspace that already joined only needs this computer's key enrolled
        self.joined = bool(meta.get("trusted_coordinator_key") and meta.get("local_site_id"))
        name = site_name(ws, meta.get("local_site_id")) or ""
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
        layout.addWidget(wrapped(
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
            hint = wrapped(note)
            quiet(hint)
            layout.addWidget(hint)
        self.problem = wrapped("", "joinProblem")
        problem_label(self.problem)
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
        self.saved_text = wrapped("", "joinSaved")
        done.addWidget(self.saved_text)
        self.code = code_label("", "joinFingerprint")
        done.addWidget(self.code)
        then = ("Once they have enrolled it, export for the network as usual." if self.joined
                else "They will send you an invitation file: open it with <i>File → Join a "
                "Network…</i> while this workspace is open — your work here comes along "
                "when you join.")
        done.addWidget(wrapped(
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
        self.saved_text.setText(f"<p><b>Join request saved</b> to {escape(path)}.</p><p>Send this "
                                "file to your network coordinator.</p><p>Your code:</p>")
        self.code.setText(self.request.fingerprint)
        self.pages.setCurrentIndex(1)
        self.close_button.setFocus()

    def visible_texts(self) -> list[str]:
        """Every text a person can read in the dialog (for checks and screen readers)."""
        out = [self.windowTitle()]
        for label in self.findChildren(QLabel):
            out.append(label.text())
        for button in self.findChildren(QPushButton):
            out.append(button.text())
        for field in self.findChildren(QLineEdit):
            out.append(field.placeholderText())
        return out


def request_to_join(window: ExchangeWindow) -> Path | None:
    """A school asks to join a network: its key and a join request file."""
    from ..shell.runner import show_error

    ws = window.workspace
    if ws is None:
        show_error(window.window(), "No workspace open", "Open your school's workspace "
                   "first (File → Open…), or start one with File → New Workspace…; then ask "
                   "to join.")
        return None
    if ws.meta().get("joined_into"):
        show_joined_into(window)  # its work went into the network's workspace already
        return None
    if ws.meta().get("demo_seed"):
        box = QMessageBox(QMessageBox.Icon.Information, "The sample network",
                          "This is the sample network: nothing in it is real, so it is not "
                          "shared with anyone. To join your network, start your school's "
                          "own workspace (File → New Workspace…) and ask to join from "
                          "there.", QMessageBox.StandardButton.Ok, window.window())
        window.last_dialog = box
        box.exec()
        return None
    dialog = JoinRequestDialog(window.window(), ws)
    window.last_dialog = dialog
    dialog.exec()
    if dialog.request is None:
        return None
    window.notify_external_change("Join request written")
    return dialog.request.path


def show_pending_request(window: ExchangeWindow) -> None:
    """Export while the join request is still with the coordinator: what to do now."""
    from ...bundle.keys import KeyError_, workspace_public_key
    from ...services.membership import pending_request

    meta = open_workspace_of(window).meta()
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
                      QMessageBox.StandardButton.Close, window.window())
    open_button = box.addButton("Open the invitation…", QMessageBox.ButtonRole.AcceptRole)
    again = box.addButton("Write the request again…", QMessageBox.ButtonRole.ActionRole)
    window.last_dialog = box
    box.exec()
    if box.clickedButton() is open_button:
        join_network(window)
    elif box.clickedButton() is again:
        request_to_join(window)


def show_joined_into(window: ExchangeWindow) -> None:
    """This workspace's work was brought into the network's workspace when the school
    joined: say where it went, and open that workspace on request."""
    ws = open_workspace_of(window)
    meta = ws.meta()
    where = Path(meta.get("joined_into", ""))
    when = str(meta.get("joined_on", ""))[:10]
    here = ws.path.name
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
                      "workspace", text, QMessageBox.StandardButton.Close, window.window())
    open_button = box.addButton(f"Open {where.name}", QMessageBox.ButtonRole.AcceptRole) \
        if there else None
    window.last_dialog = box
    box.exec()
    if open_button is not None and box.clickedButton() is open_button:
        window.open_workspace(str(where))
