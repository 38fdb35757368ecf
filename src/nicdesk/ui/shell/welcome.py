"""First run: a short choice instead of a blank window — create my school's workspace,
join a network with an invitation file, ask to join one (no invitation yet), or explore
the sample network.  Each choice ends with a workspace open (cancelling anywhere falls
back to the sample)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from ...paths import data_dir
from ..common.widgets import page_title

CHOICES = (
    ("create", "Create my school's workspace",
     "Start with your school's aim, fishbone and driver diagram. You can join a network "
     "later."),
    ("join", "Join a network (I have an invitation file)",
     "Your network coordinator sent you a .nicbundle invitation."),
    ("request", "Ask to join a network (no invitation yet)",
     "Create your school's workspace and a join request file to send to your network "
     "coordinator; they send back the invitation."),
    ("sample", "Explore the sample network",
     "Five focus schools and six regional centres with two years of data: look around "
     "freely, nothing here is real."),
)


class WelcomeDialog(QDialog):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to NICdesk")
        self.choice: str | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(page_title("Welcome to NICdesk", 1.5))
        intro = QLabel("A workbench for improving together: define the problem, state a "
                       "theory, test changes in PDSA cycles, and learn across the network. "
                       "Everything is saved on this computer as you work.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.buttons: dict[str, QCommandLinkButton] = {}
        for key, text, detail in CHOICES:
            button = QCommandLinkButton(text, detail)
            button.setObjectName(f"welcome_{key}")
            button.clicked.connect(lambda _c=False, k=key: self.choose(k))
            layout.addWidget(button)
            self.buttons[key] = button
        self.resize(560, 440)

    def choose(self, key: str) -> None:
        self.choice = key
        self.accept()


class SchoolDialog(QDialog):
    """School and network names for a new workspace."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Create my school's workspace")
        form = QFormLayout(self)
        self.school = QLineEdit()
        self.school.setObjectName("schoolName")
        self.school.setPlaceholderText("Lincoln High School")
        self.network = QLineEdit()
        self.network.setObjectName("networkName")
        self.network.setPlaceholderText("Our improvement network (optional)")
        form.addRow("School:", self.school)
        form.addRow("Network:", self.network)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


def create_school_workspace(school: str, network: str = "", folder: Path | None = None
                            ) -> Path:
    """A workspace holding one network and this school as the local site."""
    from ...store.workspace import Workspace

    school = " ".join(school.split()) or "My school"
    stem = re.sub(r"[^\w\- ]+", "", school).strip() or "My school"
    folder = folder or data_dir()
    path = folder / f"{stem}.nicdesk"
    n = 2
    while path.exists():
        path = folder / f"{stem} ({n}).nicdesk"
        n += 1
    with Workspace.create(path) as ws:
        with ws.ops.batch("Create my school's workspace") as t:
            net = t.create("network", name=network.strip() or f"{school} improvement team")
            site = t.create("site", network_id=net, name=school, kind="school")
        ws.set_meta(local_site_id=site)
    return path


def run_welcome(window: Any) -> str:
    """Show the welcome, carry out the choice; returns what was done."""
    dialog = WelcomeDialog(window)
    window.last_dialog = dialog
    dialog.exec()
    choice = dialog.choice or "sample"
    if choice in ("create", "request"):
        ask = SchoolDialog(window)
        window.last_dialog = ask
        if ask.exec() and ask.school.text().strip():
            path = create_school_workspace(ask.school.text(), ask.network.text())
            if window.open_workspace(path):
                if choice == "request":
                    from ..exchange.dialogs import request_to_join

                    request_to_join(window)  # cancelled: the school's workspace stays open
                return choice
        choice = "sample"
    if choice == "join":
        from ..exchange.dialogs import join_network

        if join_network(window):
            return "join"
        choice = "sample"
    from .app import open_sample

    open_sample(window)
    return "sample"
