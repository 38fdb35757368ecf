"""What every view-model test checks: no ORM row anywhere inside what a reader returns
(screens, CLI and packets get plain values; issue #17)."""

from __future__ import annotations

import dataclasses
from typing import Any

from nicdesk.store.schema import Base


def assert_plain(value: Any, seen: set[int] | None = None) -> None:
    """No ORM object anywhere inside (dataclasses, dicts, lists, tuples walked)."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    assert not isinstance(value, Base), f"an ORM row reached a view model: {value!r}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            assert_plain(getattr(value, f.name), seen)
    elif isinstance(value, dict):
        for k, v in value.items():
            assert_plain(k, seen)
            assert_plain(v, seen)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            assert_plain(item, seen)
