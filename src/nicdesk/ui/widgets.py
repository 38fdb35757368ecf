"""Small widgets every page uses the same way."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def page_title(text: str = "", scale: float = 1.3) -> QLabel:
    """The bold heading at the top of a page, scaled from the system font (so it follows
    the user's font size and display scaling)."""
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label
