"""Small pieces the exchange dialogs share: the window they act on (`ExchangeWindow`),
asking for the key's passphrase, a fingerprint large enough to read aloud, wrapped
rich-text labels, and names from files shown safely."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QStatusBar, QWidget

if TYPE_CHECKING:
    from ...store.operations import OpChanges
    from ...store.workspace import Workspace


class ExchangeWindow(Protocol):
    """The main window as the exchange dialogs use it (`shell.main_window.MainWindow`,
    checked structurally: that module reaches these dialogs, so naming it here would close
    an import circle)."""

    @property
    def workspace(self) -> Workspace | None:
        """The open workspace (None while none is open)."""
        ...

    last_dialog: QWidget | None  # kept alive (and findable by tests) while shown
    progress_dialog: QWidget | None  # the bundle import's progress

    def window(self) -> QWidget:
        """The window as a widget, the parent of the dialogs (`QWidget.window()`: the main
        window itself)."""
        ...

    def statusBar(self) -> QStatusBar: ...

    def notify_external_change(self, label: str, changes: OpChanges | None = None) -> None:
        """Redraw after a change made outside the runner (an import, a new key)."""
        ...

    def open_workspace(self, path: str) -> bool:
        """Open a workspace file (False when it could not be opened)."""
        ...


def open_workspace_of(window: ExchangeWindow) -> Workspace:
    """The workspace a flow works on: the menus offer these flows only while one is open."""
    ws = window.workspace
    if ws is None:
        raise RuntimeError("No workspace is open.")
    return ws


def ask_passphrase(window: ExchangeWindow, why: str) -> str | None:
    """The passphrase of this workspace's key when it has one ("" when it has none);
    None when the person cancels."""
    from ...bundle import keys
    from ...services.membership import needs_passphrase

    meta = open_workspace_of(window).meta()
    if not needs_passphrase(meta):
        return ""
    prompt = f"{why}\n\nThe passphrase of this computer's key:"
    for _attempt in range(3):  # a mistyped passphrase asks again, not from the start
        text, ok = QInputDialog.getText(window.window(), "Passphrase", prompt,
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


def code_label(text: str, name: str) -> QLabel:
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


def wrapped(text: str, name: str = "") -> QLabel:
    """A word-wrapped rich-text label (explanations, problems), named for tests."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    if name:
        label.setObjectName(name)
    return label


def escape(text: str) -> str:
    """A name from a file, for a rich-text label: shown as typed, never as markup, and
    isolated so a right-to-left name cannot reorder the sentence around it."""
    import html

    from ...core.safe_text import isolate

    return html.escape(isolate(text))
