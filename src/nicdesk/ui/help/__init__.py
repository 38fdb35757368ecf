"""Help inside the app: the guide's window (Help → Guide, F1, the toolbar's "?", the
measure page's "Why these signals?" links and the empty states' links open it).

`open_guide(slug, near)` is the one way in: one guide window per app, raised and turned
to the page asked for.  The pages themselves, their slugs and search are
`nicdesk.guide` (pure Python)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from .window import GuideWindow

__all__ = ["guide_window", "open_guide"]

_window: GuideWindow | None = None


def guide_window() -> GuideWindow | None:
    """The guide window, if one is open (or was, and still exists)."""
    global _window
    if _window is not None:
        from shiboken6 import isValid

        if not isValid(_window):
            _window = None
    return _window


def open_guide(slug: str = "start", near: QWidget | None = None) -> GuideWindow:
    """Show the guide at page `slug`, beside the window of `near` if given."""
    global _window
    window = guide_window()
    if window is None:
        from .window import GuideWindow

        window = _window = GuideWindow()
        top = near.window() if near is not None else None
        if top is not None and top.isVisible():  # beside the work, not on top of it
            frame = top.frameGeometry()
            window.move(frame.x() + max(0, frame.width() - window.width()) // 2 + 40,
                        frame.y() + 40)
    window.show_page(slug)
    window.show()
    window.raise_()
    window.activateWindow()
    return window
