"""Coordinator: enrol a school's key (from its join request, or a plain public key file,
after comparing fingerprints) and write its invitation — the flows of
`services.membership` (`enrol`, `invite`), with the dialogs around them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from .common import ExchangeWindow, ask_passphrase, code_label, escape, open_workspace_of, wrapped

if TYPE_CHECKING:
    from ...bundle.enrolment import Enrolment
    from ...services.membership import JoinRequest
    from ...services.workspaces import Named
    from ...store.workspace import Workspace


def _choose_site(window: ExchangeWindow, title: str) -> str | None:
    """One of the workspace's sites, by name; None when it has none or the person
    cancels."""
    from PySide6.QtWidgets import QInputDialog

    from ...services.workspaces import named_records

    sites = sorted((r.name, r.id) for r in named_records(open_workspace_of(window), "site"))
    if not sites:
        return None
    names = [n for n, _ in sites]
    name, ok = QInputDialog.getItem(window.window(), title, "Site:", names, 0, False)
    return sites[names.index(name)][1] if ok else None


def _ensure_coordinator_key(window: ExchangeWindow) -> bool:
    """A coordinator workspace without a key on this computer offers to make one."""
    from ...services.membership import init_key, key_on_this_computer

    ws = open_workspace_of(window)
    meta = ws.meta()
    if key_on_this_computer(meta.get("signing_key") or ""):
        return True
    answer = QMessageBox.question(
        window.window(), "No coordinator key", "This workspace cannot sign invitations yet: "
        "it has no coordinator key on this computer.\n\nMake this workspace the network's "
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


def invite_site(window: ExchangeWindow, site_id: str | None = None,
                path: str | None = None) -> Path | None:
    """Coordinator: an invitation file for one site (carries the coordinator's key)."""
    from ...bundle.keys import KeyError_
    from ...services.membership import invite
    from ...store.errors import WorkspaceError
    from ..shell.runner import show_error

    if not _ensure_coordinator_key(window):
        return None
    site_id = site_id or _choose_site(window, "Invite a site")
    if not site_id:
        return None
    if path is None:
        path, _ = QFileDialog.getSaveFileName(window.window(), "Save the invitation",
                                              "invitation.nicbundle",
                                              "NICdesk invitations (*.nicbundle)")
    if not path:
        return None
    passphrase = ask_passphrase(window, "The invitation is signed with the coordinator's key.")
    if passphrase is None:
        return None
    try:
        done = invite(open_workspace_of(window), site_id, path, passphrase or None)
    except KeyError_ as exc:
        show_error(window.window(), "Invitation not written", f"{exc} Nothing was written.")
        return None
    except WorkspaceError as exc:
        show_error(window.window(), exc.title, exc.message)
        return None
    box = QMessageBox(QMessageBox.Icon.Information, "Invitation written",
                      f"Send {done.path.name} to the site. When they open it, they should "
                      f"see the coordinator fingerprint {done.coordinator_fingerprint} — tell "
                      "them by phone or in person, not in the same e-mail.",
                      QMessageBox.StandardButton.Ok, window.window())
    window.last_dialog = box
    box.exec()
    return done.path


def enrol_site_key(window: ExchangeWindow, pub_path: str | None = None,
                   site_id: str | None = None) -> bool:
    """Coordinator: accept a site's key — from its join request, or from a plain public
    key file — after comparing fingerprints."""
    from ...services.membership import KeyFileError, enrol, is_join_request, read_public_key
    from ...store.errors import WorkspaceError
    from ..shell.runner import show_error

    if pub_path is None:
        pub_path, _ = QFileDialog.getOpenFileName(
            window.window(), "The site's join request or public key", "",
            "Join requests and public keys (*.nicjoin *.pub)")
    if not pub_path:
        return False
    if is_join_request(pub_path):
        return enrol_from_request(window, pub_path) is not None
    try:
        key = read_public_key(pub_path)
    except KeyFileError as exc:
        show_error(window.window(), exc.title, f"{Path(pub_path).name}: {exc.message}")
        return False
    site_id = site_id or _choose_site(window, "Enrol the key for which site?")
    if not site_id:
        return False
    names = dict((r.id, r.name) for r in _sites(open_workspace_of(window)))
    site = names.get(site_id, site_id)
    answer = QMessageBox.question(
        window.window(), "Enrol key", f"Enrol key {key.key_id_hex} for {site}?\n\n"
        f"Fingerprint: {key.fingerprint()}\n\nOnly say yes if {site} read you the same "
        "fingerprint.")
    if answer != QMessageBox.StandardButton.Yes:
        return False
    try:
        done = enrol(open_workspace_of(window), key, site_id)
    except WorkspaceError as exc:
        show_error(window.window(), exc.title, exc.message)
        return False
    window.notify_external_change(f"Enrol key for {done.site_name}")
    return True


def _sites(ws: Workspace) -> list[Named]:
    """Every site of the workspace, deleted ones too (a name is a name)."""
    from ...services.workspaces import named_records

    return named_records(ws, "site", include_deleted=True)


class EnrolRequestDialog(QDialog):
    """Coordinator: a school's join request — who, the code to compare, and which site of
    the network it is (an existing one, or a new one)."""

    def __init__(self, parent: QWidget | None, request: JoinRequest,
                 sites: list[tuple[str, str]], match: str | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Enrol a school from its join request")
        self.resize(540, 360)
        self.sites = sites
        layout = QVBoxLayout(self)
        contact = f"<br>Call back: {escape(request.contact)}" if request.contact else ""
        layout.addWidget(wrapped(
            f"<p><b>{escape(request.site_name)}</b> ({escape(request.site_kind)}) asks to "
            f"join. Request written {escape(request.created[:10])}.{contact}</p>"
            "<p>Call the school and ask them to read you their code. Enrol only if it is "
            "exactly this:</p>", "enrolWho"))
        layout.addWidget(code_label(request.fingerprint, "enrolFingerprint"))
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


def enrol_from_request(window: ExchangeWindow, path: str | None = None) -> Enrolment | None:
    """Coordinator: read a school's join request, compare its code, enrol its key for an
    existing or a new site, then offer to write the invitation."""
    from ...services.membership import (
        coordinator_network,
        enrol,
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
        path, _ = QFileDialog.getOpenFileName(window.window(), "The school's join request",
                                              "", "Join requests (*.nicjoin)")
    if not path:
        return None
    try:
        request = read_join_request(path)
        network = coordinator_network(ws)
        sites = network_sites(ws, network)
        match = find_site(ws, request.site_name, network)
    except WorkspaceError as exc:
        show_error(window.window(), exc.title, exc.message)
        return None
    dialog = EnrolRequestDialog(window.window(), request, sites, match)
    window.last_dialog = dialog
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    site, new = dialog.choice()
    try:
        done = enrol(ws, request, site, new=new)
    except WorkspaceError as exc:
        show_error(window.window(), exc.title, exc.message)
        return None
    window.notify_external_change(f"Enrol key for {done.site_name}")
    if done.already:
        lead = f"This key was already enrolled for {done.site_name}."
    else:
        lead = f"{done.site_name} is enrolled" + (" as a new site." if done.new_site else ".")
    answer = QMessageBox.question(
        window.window(), "Enrolled", f"{lead}\n\nWrite the invitation for {done.site_name} "
        "now? They open it with File → Join a Network…")
    if answer == QMessageBox.StandardButton.Yes:
        invite_site(window, done.site_id)
    return done
