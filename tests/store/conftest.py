"""The store's tests run on both engines: every test that takes `workspace` runs once on
a SQLite file and once on a PostgreSQL database (skipped, with the reason, when no
server can start)."""

from __future__ import annotations

import pytest


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "workspace" in metafunc.fixturenames:
        metafunc.parametrize("workspace", ["sqlite", "postgresql"], indirect=True)
