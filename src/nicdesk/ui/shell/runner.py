"""One runner for every operation the GUI performs (Anki's `aqt/operations` pattern).

Screens never write to the store themselves: they hand a call to `OpRunner.run`, which
shows a plain-words error if it fails and otherwise emits `changed` with the `OpChanges`,
so every screen redraws from one signal.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from ...core.errors import NicdeskError
from ...store.errors import InvalidChangeError

log = logging.getLogger(__name__)


def show_error(parent: QWidget | None, title: str, message: str, details: str = "") -> None:
    """An error that speaks to the principal; the traceback sits behind "Show Details"."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok,
                      parent)
    if details:
        box.setDetailedText(details)
    box.exec()


class OpRunner(QObject):
    changed = Signal(object)  # OpChanges
    failed = Signal(str)  # message of an invalid change, for inline display

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            result = fn(*args, **kwargs)
        except InvalidChangeError as exc:
            self.failed.emit(exc.message)
            return None
        except NicdeskError as exc:
            show_error(self._parent, exc.title, exc.message)
            return None
        except Exception as exc:  # noqa: BLE001 - last resort: never lose the window
            log.exception("operation failed")
            show_error(self._parent, "Something went wrong",
                       f"The change could not be saved ({exc}). Nothing was changed.",
                       traceback.format_exc())
            return None
        if result is not None:
            self.changed.emit(result)
        return result
