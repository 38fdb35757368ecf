"""Shared fixtures.  Every test gets its own NICdesk data dir (no user settings touched).

With NICDESK_HEADLESS=1 (the second run of `make test`) Qt cannot be imported at all, which
proves that everything outside nicdesk.ui works without it.
"""

from __future__ import annotations

import importlib.abc
import os
import shutil
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HEADLESS = os.environ.get("NICDESK_HEADLESS") == "1"
BLOCKED = ("PySide6", "shiboken6", "pyqtgraph")


class _BlockQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} imported in a headless run")
        return None


if HEADLESS:
    sys.meta_path.insert(0, _BlockQt())


@pytest.fixture(autouse=True)
def data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path_factory.mktemp("nicdesk-data")
    monkeypatch.setenv("NICDESK_DATA_DIR", str(path))
    return path


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample workspace, built once per run; copy it before changing it."""
    from nicdesk.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.nicdesk"
    build_demo(path).close()
    return path


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.nicdesk"
    shutil.copyfile(demo_file, target)
    return target


@pytest.fixture(scope="session")
def pg_cluster():
    """A real PostgreSQL server for the run (skips, saying why, if none can start)."""
    from .pgcluster import Cluster, ClusterUnavailable

    try:
        cluster = Cluster().start()
    except ClusterUnavailable as exc:
        pytest.skip(f"no PostgreSQL server for the tests: {exc}")
    yield cluster
    cluster.stop()


_databases = iter(range(1, 1_000_000))


@pytest.fixture
def pg_url(pg_cluster) -> str:
    """An empty database of its own for one test."""
    name = f"t{next(_databases)}"
    yield pg_cluster.create_database(name)
    pg_cluster.drop_database(name)


@pytest.fixture
def workspace(tmp_path: Path, request: pytest.FixtureRequest):
    """A fresh workspace: a file, or (tests/store, param "postgresql") a server database."""
    from nicdesk.store.workspace import Workspace

    if getattr(request, "param", "sqlite") == "postgresql":
        ws = Workspace.open(request.getfixturevalue("pg_url"))
    else:
        ws = Workspace.create(tmp_path / "test.nicdesk")
    yield ws
    ws.close()


@pytest.fixture
def network(workspace) -> str:
    return workspace.ops.create("network", name="Test NIC").id
