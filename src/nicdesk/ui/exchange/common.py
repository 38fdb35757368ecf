"""Small pieces the exchange dialogs share: asking for the key's passphrase, a fingerprint
large enough to read aloud, wrapped rich-text labels, and names from files shown safely."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit


def ask_passphrase(window: Any, why: str) -> str | None:
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
