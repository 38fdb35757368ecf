"""Opening files: migrations, newer schemas, garbage, and a second process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from nicdesk.store import migrate
from nicdesk.store.errors import AlreadyOpenError, NewerSchemaError, NotAWorkspaceError
from nicdesk.store.workspace import (
    APPLICATION_ID,
    HEAD_REVISION,
    SCHEMA_VERSION,
    Workspace,
    inspect_file,
)


def test_head_revision_constant_matches_alembic() -> None:
    assert migrate.head() == HEAD_REVISION


def test_new_file_is_migrated_from_empty(tmp_path: Path) -> None:
    path = tmp_path / "new.nicdesk"
    with Workspace.create(path) as ws:
        assert ws.integrity_ok()
        with ws.engine.connect() as con:
            pragmas = {p: con.exec_driver_sql(f"PRAGMA {p}").scalar()
                       for p in ("journal_mode", "foreign_keys", "synchronous")}
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 2}
    state = inspect_file(path)
    assert state.is_nicdesk and state.revision == HEAD_REVISION
    assert state.schema_version == SCHEMA_VERSION


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


def test_newer_schema_is_refused_and_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.nicdesk"
    Workspace.create(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num='0099'")
    con.execute("PRAGMA user_version=99")
    con.commit()
    con.close()
    before = _bytes(path)
    with pytest.raises(NewerSchemaError) as err:
        Workspace.open(path)
    assert "schema version 99" in err.value.message
    assert f"schema version {SCHEMA_VERSION}" in err.value.message
    assert "not changed" in err.value.message
    assert _bytes(path) == before
    assert not list(tmp_path.glob("*.bak-*"))


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"", "empty file"),
        (os.urandom(4096), "not a database file"),
        (b"date,value\n2025-01-01,3\n", "not a database file"),
    ],
)
def test_garbage_files_get_clear_messages(tmp_path: Path, content: bytes, phrase: str) -> None:
    path = tmp_path / "bad.nicdesk"
    path.write_bytes(content)
    with pytest.raises(NotAWorkspaceError) as err:
        Workspace.open(path)
    assert phrase in err.value.message
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.nicdesk"]


def test_plain_sqlite_from_elsewhere_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE grades (student TEXT, grade TEXT)")
    con.commit()
    con.close()
    before = _bytes(path)
    with pytest.raises(NotAWorkspaceError) as err:
        Workspace.open(path)
    assert "another program" in err.value.message
    assert _bytes(path) == before


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotAWorkspaceError, match="no file"):
        Workspace.open(tmp_path / "nope.nicdesk")


def test_older_file_is_backed_up_then_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.nicdesk"
    ws = Workspace.create(path)
    ws.close()
    # make it an "older" file: schema rolled back to before the first revision
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    migrate.downgrade(engine, "base")
    engine.dispose()
    state = inspect_file(path)
    assert state.is_nicdesk and state.revision is None
    with Workspace.open(path) as ws2:
        assert ws2.integrity_ok()
    backup = tmp_path / "old.nicdesk.bak-0"
    assert backup.exists()
    assert inspect_file(path).revision == HEAD_REVISION
    con = sqlite3.connect(backup)
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    con.close()


def test_second_process_is_told_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.nicdesk"
    with Workspace.create(path):
        code = (
            "import sys, time\n"
            "from nicdesk.store.workspace import Workspace\n"
            "from nicdesk.store.errors import AlreadyOpenError\n"
            "t = time.time()\n"
            "try:\n"
            f"    Workspace.open({str(path)!r})\n"
            "except AlreadyOpenError as e:\n"
            "    print('REFUSED', round(time.time() - t, 2), e.message)\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=60)
    assert "REFUSED" in out.stdout, out.stderr
    assert "already open in another NICdesk window" in out.stdout
    assert float(out.stdout.split()[1]) < 1.0
    # after closing, it opens fine
    Workspace.open(path).close()


def test_same_process_second_open_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.nicdesk"
    with Workspace.create(path), pytest.raises(AlreadyOpenError):
        Workspace.open(path)


def test_migrations_match_the_models(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from nicdesk.store.schema import Base

    engine = create_engine(f"sqlite:///{tmp_path / 'check.db'}")
    migrate.upgrade(engine)
    with engine.connect() as con, warnings.catch_warnings():
        # SQLite's reflection skips expression indexes (one: observations' unique point,
        # checked by hand below); alembic warns about each side
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expr")
        assert compare_metadata(MigrationContext.configure(con), Base.metadata) == []
        sql = con.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = "
                                  "'uq_observations_point'").scalar_one()
    assert " ".join(sql.split()) == ("CREATE UNIQUE INDEX uq_observations_point ON "
                                     "observations (measure_id, site_id, period, "
                                     "coalesce(group_id, ''))")
    engine.dispose()


def test_schema_1_file_with_data_is_backed_up_and_migrated(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    path = tmp_path / "v1.nicdesk"
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA application_id={APPLICATION_ID}")
    con.close()
    engine = create_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, "0001")
    with engine.begin() as c:
        c.exec_driver_sql(
            "INSERT INTO networks (id, name, common_aim, description, suppression_threshold, "
            "rule_set, coordinator_public_key, hlc, field_clocks, deleted) VALUES "
            "('n1', 'Old NIC', '', '', 10, 'Anhøj', '', '1', '{}', 0)")
        # rows that reference the tables the migration alters
        c.exec_driver_sql(
            "INSERT INTO driver_diagrams (id, network_id, name, hlc, field_clocks, deleted) "
            "VALUES ('d1', 'n1', 'Theory', '1', '{}', 0)")
        c.exec_driver_sql(
            "INSERT INTO driver_nodes (id, diagram_id, level, text, description, status, "
            "position, hlc, field_clocks, deleted) VALUES "
            "('x1', 'd1', 'aim', 'Aim', '', 'hypothesis', 0, '1', '{}', 0)")
        c.exec_driver_sql(
            "INSERT INTO change_ideas (id, network_id, node_id, title, description, hlc, "
            "field_clocks, deleted) VALUES ('c1', 'n1', 'x1', 'Idea', '', '1', '{}', 0)")
    engine.dispose()
    assert inspect_file(path).schema_version == 1
    with Workspace.open(path) as ws, ws.read() as s:
        from nicdesk.store.schema import DriverDiagram, Network

        assert s.get(Network, "n1").name == "Old NIC"
        diagram = s.get(DriverDiagram, "d1")  # new columns exist, old rows kept
        assert diagram.name == "Theory" and diagram.order_pinned is False
    assert inspect_file(path).schema_version == SCHEMA_VERSION
    backup = tmp_path / "v1.nicdesk.bak-0001"
    assert inspect_file(backup).schema_version == 1
