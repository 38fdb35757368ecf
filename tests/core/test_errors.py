"""One error root (issue #17): every error class NICdesk defines descends from
`NicdeskError` and names its own title, the words a person sees above the message."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import nicdesk
from nicdesk.core.errors import NicdeskError
from tests.conftest import HEADLESS

#: the UI (and the entry points, which may start it) only where Qt may be imported: the
#: headless run of the suite blocks it
SKIP_PREFIXES = ("nicdesk.__main__", "nicdesk.main") + (("nicdesk.ui",) if HEADLESS else ())

#: a class that may keep its parent's title, and why (none today)
SHARES_TITLE: dict[str, str] = {}

#: exceptions that are no errors: signals between two functions that never reach a person
NOT_ERRORS = {
    "nicdesk.bundle.merging._Cancelled":
        "the progress callback stopping an import; re-raised as BundleError",
    "nicdesk.bundle.merging._Collided":
        "a record taken as new is stored after all; the importer then applies the bundle "
        "again by lookup",
    "nicdesk.report.layout.PacketCancelled":
        "the person cancelled a packet; the dialog closes, nothing is shown",
}


def error_classes() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(nicdesk.__path__, "nicdesk."):
        if info.name.startswith(SKIP_PREFIXES) or ".migrations" in info.name:
            continue
        module = importlib.import_module(info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            name = f"{value.__module__}.{value.__qualname__}"
            if issubclass(value, BaseException) and value.__module__.startswith("nicdesk") \
                    and name not in NOT_ERRORS:
                found[name] = value
    return [found[k] for k in sorted(found)]


CLASSES = error_classes()


def test_the_walk_finds_the_known_errors() -> None:
    names = {c.__name__ for c in CLASSES}
    assert {"NicdeskError", "WorkspaceError", "SignatureError", "KeyError_",
            "ClockDriftError", "ControlChartError", "BundleError", "ExportError",
            "CsvImportError", "ServerError", "DamagedWorkspaceError"} <= names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__qualname__)
def test_every_error_descends_from_the_root(cls: type[BaseException]) -> None:
    assert issubclass(cls, NicdeskError), f"{cls.__module__}.{cls.__qualname__}"


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__qualname__)
def test_every_error_has_its_own_title(cls: type[BaseException]) -> None:
    title = cls.__dict__.get("title")
    qualified = f"{cls.__module__}.{cls.__qualname__}"
    if title is None:
        assert qualified in SHARES_TITLE, f"{qualified} shares its parent's title"
        title = getattr(cls, "title", "")
    assert isinstance(title, str) and title.strip(), qualified
    assert title == title.strip() and not title.endswith("."), qualified


def test_titles_are_told_apart() -> None:
    titles = [c.__dict__["title"] for c in CLASSES if "title" in c.__dict__]
    assert len(titles) == len(set(titles))


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__qualname__)
def test_every_error_carries_message_and_details(cls: type[NicdeskError]) -> None:
    error = cls("What went wrong; what to do.", details="the database said so")
    assert str(error) == error.message == "What went wrong; what to do."
    assert error.details == "the database said so"
    assert cls("No details.").details == ""


@pytest.mark.parametrize("name", ["SignatureError", "KeyError_", "ClockDriftError",
                                  "ControlChartError"])
def test_errors_caught_as_value_errors_still_are(name: str) -> None:
    """Callers catch these among other bad input as `ValueError`."""
    cls = next(c for c in CLASSES if c.__name__ == name)
    assert issubclass(cls, ValueError)
