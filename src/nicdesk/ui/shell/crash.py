"""The safety net: an unexpected exception is logged with its traceback and shown in a
dialog with a report people can copy into an e-mail, and the log's path; the app keeps
running (Qt's event loop survives a Python exception in a slot once it is handled here).
Nothing is lost by it: every edit was already committed when it was made."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType
from typing import Any

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
)

from ...logs import describe_environment, log_path

log = logging.getLogger("nicdesk.crash")


class CrashDialog(QDialog):
    def __init__(self, report: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("NICdesk hit a problem")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "<b>Something went wrong inside NICdesk.</b> Your work is safe: every change "
            "was saved when you made it. You can keep working; if this happens again, "
            "send the report below (or the log file) to whoever supports NICdesk for you."
            f"<br><br>Log file: <code>{log_path()}</code>")
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(intro.textInteractionFlags()
                                      | intro.textInteractionFlags().TextSelectableByMouse)
        layout.addWidget(intro)
        self.report = QPlainTextEdit(report)
        self.report.setObjectName("crashReport")
        self.report.setReadOnly(True)
        layout.addWidget(self.report, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy report", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(720, 460)

    def copy(self) -> None:
        QApplication.clipboard().setText(self.report.toPlainText())


def report_text(kind: type[BaseException], value: BaseException,
                tb: TracebackType | None) -> str:
    trace = "".join(traceback.format_exception(kind, value, tb))
    return f"{describe_environment()}\n\n{trace}"


class SafetyNet:
    """Installed as `sys.excepthook` while the GUI runs."""

    def __init__(self, show_dialog: bool = True) -> None:
        self.show_dialog = show_dialog
        self.showing = False
        self.last_report = ""

    def __call__(self, kind: type[BaseException], value: BaseException,
                 tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        self.last_report = report_text(kind, value, tb)
        log.error("Unexpected error\n%s", self.last_report)
        if not self.show_dialog or self.showing or QApplication.instance() is None:
            return
        self.showing = True  # one dialog at a time, even if painting keeps failing
        try:
            CrashDialog(self.last_report, QApplication.activeWindow()).exec()
        finally:
            self.showing = False


def install(show_dialog: bool = True) -> SafetyNet:
    net = SafetyNet(show_dialog)
    sys.excepthook = net
    return net
