"""The coordinator store on a real PostgreSQL server: clear refusals that write nothing,
moving a coordinator file to the server, bundles merging exactly as in a file, and two
coordinators importing at the same moment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nicdesk.cli.parser import main
from nicdesk.store.errors import NewerSchemaError, WorkspaceError
from nicdesk.store.workspace import Workspace


def nicdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nicdesk", *args], capture_output=True,
                          text=True, timeout=300)


def _tables(pg_cluster, database: str) -> list[str]:
    import psycopg

    with psycopg.connect(host=str(pg_cluster.sock), port=pg_cluster.port, user="postgres",
                         dbname=database) as con:
        return [r[0] for r in con.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]


def test_refusals_name_what_to_fix_and_write_nothing(pg_cluster, pg_url: str) -> None:
    with pytest.raises(WorkspaceError, match="not a database URL"):
        Workspace.open("postgresql+psycopg://user@host:notaport/db")
    with pytest.raises(WorkspaceError, match="did not answer"):
        Workspace.open("postgresql+psycopg://nobody@127.0.0.1:1/nicdesk")
    with pytest.raises(WorkspaceError, match="does not exist"):
        Workspace.open(pg_cluster.url("no_such_database"))
    # another program's tables: refused, untouched
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(pg_url).database
    with psycopg.connect(host=str(pg_cluster.sock), port=pg_cluster.port, user="postgres",
                         dbname=name, autocommit=True) as con:
        con.execute("CREATE TABLE payroll (id int)")
        con.execute("CREATE ROLE clerk LOGIN")
    with pytest.raises(WorkspaceError, match="not NICdesk's"):
        Workspace.open(pg_url)
    assert _tables(pg_cluster, name) == ["payroll"]
    # a login without the privilege to create NICdesk's tables
    fresh = pg_cluster.create_database("noprivs")
    try:
        with psycopg.connect(host=str(pg_cluster.sock), port=pg_cluster.port,
                             user="postgres", dbname="noprivs", autocommit=True) as con:
            con.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        with pytest.raises(WorkspaceError, match="lacks a privilege"):
            Workspace.open(fresh.replace("postgres@", "clerk@"))
        assert _tables(pg_cluster, "noprivs") == []
    finally:
        pg_cluster.drop_database("noprivs")


def test_newer_schema_is_refused(pg_cluster, pg_url: str) -> None:
    with Workspace.open(pg_url) as ws:
        ws.ops.create("network", name="NIC")
        with ws.engine.begin() as con:
            con.exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
    with pytest.raises(NewerSchemaError, match="newer version of NICdesk"):
        Workspace.open(pg_url)


@pytest.fixture(scope="module")
def site_bundles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    from nicdesk.bundle.export import export_bundle
    from nicdesk.demo.network import build_network_demo

    root = tmp_path_factory.mktemp("net")
    build_network_demo(root)
    folder = root / "great-lakes-focus-schools-nic"
    bundles = []
    for site in sorted((folder / "sites").glob("*.nicdesk")):
        with Workspace.open(site) as ws:
            bundles.append(export_bundle(ws, root / f"{site.stem}.nicbundle").path)
    return folder / "coordinator.nicdesk", bundles


def _dump(target: str | Path, capsys) -> dict:
    capsys.readouterr()
    assert main(["dump", str(target)]) == 0
    return json.loads(capsys.readouterr().out)


def test_move_coordinator_to_server_and_merge_bundles(site_bundles, pg_url: str,
                                                      tmp_path: Path, capsys) -> None:
    coordinator, bundles = site_bundles
    local = tmp_path / "coordinator.nicdesk"
    local.write_bytes(coordinator.read_bytes())
    assert main(["copy", str(local), pg_url]) == 0
    assert "Copied" in capsys.readouterr().out
    assert main(["--database", pg_url, "import", *map(str, bundles)]) == 0
    assert main(["import", str(local), *map(str, bundles)]) == 0
    assert _dump(pg_url, capsys) == _dump(local, capsys)  # same merge on both engines
    assert main(["--database", pg_url, "import", str(bundles[0])]) == 0
    assert "already imported" in capsys.readouterr().out.lower()
    assert main(["funnel", "--database", pg_url, "--measure", "9th", "--csv"]) == 0
    assert "Lincoln High School" in capsys.readouterr().out
    assert main(["copy", str(local), pg_url]) == 2  # the target is not empty
    assert "already holds NICdesk records" in capsys.readouterr().err


def test_two_coordinators_import_at_the_same_moment(site_bundles, pg_url: str,
                                                    tmp_path: Path, capsys) -> None:
    coordinator, bundles = site_bundles
    assert main(["copy", str(coordinator), pg_url]) == 0
    first, second = bundles[: len(bundles) // 2], bundles[len(bundles) // 2:]
    # two processes at once, with one bundle in both (it must land exactly once)
    runs = [subprocess.Popen([sys.executable, "-m", "nicdesk", "--database", pg_url,
                              "import", *map(str, part)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
            for part in (first + [second[0]], second)]
    outs = [r.communicate(timeout=300) for r in runs]
    assert all(r.returncode == 0 for r in runs), outs
    with Workspace.open(pg_url) as ws:
        from nicdesk.store.schema import BundleImport

        with ws.read() as s:
            done = [(b.signer, b.sequence) for b in s.query(BundleImport)]
    assert len(done) == len(bundles) == len(set(done))
    local = tmp_path / "sequential.nicdesk"
    local.write_bytes(coordinator.read_bytes())
    assert main(["import", str(local), *map(str, bundles)]) == 0
    assert _dump(pg_url, capsys) == _dump(local, capsys)
