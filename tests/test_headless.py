"""Everything below the UI imports and runs without Qt (ARCHITECTURE.md layers)."""

import importlib
import pkgutil
import sys

import pytest

import nicdesk
from tests.conftest import BLOCKED, HEADLESS


def test_non_ui_modules_import_without_qt() -> None:
    for mod in pkgutil.walk_packages(nicdesk.__path__, "nicdesk."):
        if mod.name.startswith(("nicdesk.ui", "nicdesk.main", "nicdesk.__main__")):
            continue
        if ".migrations" in mod.name:
            continue
        importlib.import_module(mod.name)
    if HEADLESS:
        leaked = [m for m in sys.modules if m.split(".")[0] in BLOCKED]
        assert leaked == []


@pytest.mark.skipif(not HEADLESS, reason="only meaningful in the headless run")
def test_qt_really_is_blocked() -> None:
    with pytest.raises(ImportError):
        importlib.import_module("PySide6.QtCore")
