"""The store's tests run on both engines: every test that takes `workspace` runs once on
a SQLite file and once on a PostgreSQL database (skipped, with the reason, when no
server can start)."""

from __future__ import annotations

import pytest


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "workspace" in metafunc.fixturenames:
        metafunc.parametrize("workspace", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def setup(workspace, network):
    """The data-import tests' workspace (CSV and workbooks): Lincoln, a monthly proportion
    and a weekly count (a module's own `setup` fixture takes precedence)."""
    ops = workspace.ops
    site = ops.create("site", network_id=network, name="Lincoln").id
    prop = ops.create("measure", network_id=network, name="On track", value_type="proportion",
                      frequency="monthly").id
    count = ops.create("measure", network_id=network, name="Referrals", value_type="count",
                       frequency="weekly").id
    return workspace, site, prop, count
