"""Logging to a rotating file in the platform's log folder (`paths.log_dir()`): what a
district IT person asks for first when something went wrong.  No Qt here; the GUI's
crash dialog (`nicdesk.ui.shell.crash`) points people at this file."""

from __future__ import annotations

import logging
import logging.handlers
import platform
import sys
from pathlib import Path

from . import __version__
from .paths import log_dir

LOG_NAME = "nicdesk.log"
_handler: logging.Handler | None = None


def setup_logging(level: int = logging.INFO) -> Path:
    """Log to `nicdesk.log` (1 MB, 5 old files kept); idempotent.  Returns the path."""
    global _handler
    path = log_dir() / LOG_NAME
    root = logging.getLogger("nicdesk")
    if _handler is None or getattr(_handler, "baseFilename", "") != str(path):
        if _handler is not None:
            root.removeHandler(_handler)
        _handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000,
                                                        backupCount=5, encoding="utf-8")
        _handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(_handler)
        root.setLevel(level)
        root.info("NICdesk %s on Python %s, %s", __version__, platform.python_version(),
                  platform.platform())
    return path


def log_path() -> Path:
    return log_dir() / LOG_NAME


def describe_environment() -> str:
    return (f"NICdesk {__version__}\nPython {sys.version.split()[0]} on "
            f"{platform.platform()}\nLog: {log_path()}")
