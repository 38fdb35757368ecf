"""First run: a short choice instead of a blank window — create my school's workspace,
join a network with an invitation file, ask to join one (no invitation yet), or explore
the sample network.

The dialogs here only ask: `ask_welcome` returns the person's `WelcomeAnswer` (cancelling
anywhere means the sample), and `app.run_welcome` carries it out, so this module never
imports the application that shows it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QCommandLinkButton,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

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


class WelcomeChoice(StrEnum):
    """What the person chose on the welcome (the values are the buttons' keys)."""

    CREATE = "create"
    JOIN = "join"
    REQUEST = "request"
    SAMPLE = "sample"


@dataclass(frozen=True)
class WelcomeAnswer:
    """The choice, with the names typed for a new school's workspace (CREATE, REQUEST)
    and the folder chosen for its file (None: the data folder)."""

    choice: WelcomeChoice
    school: str = ""
    network: str = ""
    folder: Path | None = None
    #: start the guided first cycle (problem → fishbone → driver diagram → PDSA → measure)
    walkthrough: bool = False


class WelcomeDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
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
        # for a school's own workspace (created or joined), not the sample
        self.guided = QCheckBox("Guide me through a first improvement cycle (a checklist "
                                "beside my work)")
        self.guided.setObjectName("welcomeWalkthrough")
        self.guided.setToolTip("From the problem to a fishbone, a driver diagram, a first "
                               "PDSA cycle and a measure, ticked off as you save each one. "
                               "Help → Guided First Cycle turns it on or off later.")
        self.guided.setChecked(True)
        layout.addWidget(self.guided)
        self.buttons: dict[str, QCommandLinkButton] = {}
        for key, text, detail in CHOICES:
            button = QCommandLinkButton(text, detail)
            button.setObjectName(f"welcome_{key}")
            button.clicked.connect(lambda _c=False, k=key: self.choose(k))
            layout.addWidget(button)
            self.buttons[key] = button
        self.resize(560, 470)

    def choose(self, key: str) -> None:
        self.choice = key
        self.accept()


class SchoolDialog(QDialog):
    """School and network names for a new workspace, and where its file will be (the
    data folder unless the person chooses another)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Create my school's workspace")
        self.folder: Path | None = None  # None: NICdesk's data folder
        outer = QVBoxLayout(self)
        intro = QLabel("Your school's work is kept in one file on this computer, saved as "
                       "you work. Name your school; the file is named after it.")
        intro.setWordWrap(True)
        outer.addWidget(intro)
        form = QFormLayout()
        self.school = QLineEdit()
        self.school.setObjectName("schoolName")
        self.school.setPlaceholderText("Lincoln High School")
        self.network = QLineEdit()
        self.network.setObjectName("networkName")
        self.network.setPlaceholderText("Our improvement network (optional)")
        form.addRow("School:", self.school)
        form.addRow("Network:", self.network)
        where = QHBoxLayout()
        self.where = QLabel()
        self.where.setObjectName("workspaceFile")
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.choose_button = QPushButton("Choose…")
        self.choose_button.setToolTip("Keep the file in another folder")
        self.choose_button.clicked.connect(self.choose_folder)
        where.addWidget(self.where, 1)
        where.addWidget(self.choose_button, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow("Saved as:", where)
        outer.addLayout(form)
        outer.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.school.textChanged.connect(lambda _t: self._show_path())
        self._show_path()
        self.setMinimumWidth(520)
        self.resize(600, 260)

    def path(self) -> Path:
        """The file the workspace will be written to."""
        from ...services.workspaces import school_workspace_path

        return school_workspace_path(self.school.text() or "My school", self.folder)

    def _show_path(self) -> None:
        self.where.setText(str(self.path()))

    def choose_folder(self) -> None:
        from ...paths import data_dir

        folder = QFileDialog.getExistingDirectory(self, "Where to keep the workspace",
                                                  str(self.folder or data_dir()))
        if folder:
            self.folder = Path(folder)
            self._show_path()


def ask_welcome(parent: QWidget | None = None,
                shown: Callable[[QDialog], object] | None = None) -> WelcomeAnswer:
    """Ask the welcome (and, to create a school's workspace, its names); `shown` gets
    each dialog before it opens (the window keeps it as `last_dialog`).  A cancelled or
    empty school dialog falls back to the sample."""
    dialog = WelcomeDialog(parent)
    if shown is not None:
        shown(dialog)
    dialog.exec()
    choice = WelcomeChoice(dialog.choice or WelcomeChoice.SAMPLE.value)
    if choice in (WelcomeChoice.CREATE, WelcomeChoice.REQUEST):
        ask = SchoolDialog(parent)
        if shown is not None:
            shown(ask)
        if ask.exec() and ask.school.text().strip():
            return WelcomeAnswer(choice, ask.school.text(), ask.network.text(), ask.folder,
                                 walkthrough=dialog.guided.isChecked())
        return WelcomeAnswer(WelcomeChoice.SAMPLE)
    return WelcomeAnswer(choice, walkthrough=dialog.guided.isChecked()
                         and choice is WelcomeChoice.JOIN)
