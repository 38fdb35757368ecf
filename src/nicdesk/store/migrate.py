"""Alembic, imported only when a file's schema revision differs from the code's."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

MIGRATIONS = Path(__file__).with_name("migrations")


def config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(config())
    return {rev.revision for rev in script.walk_revisions()}


def head() -> str:
    return ScriptDirectory.from_config(config()).get_current_head() or ""


def upgrade(engine: Engine, target: str = "head", *,
            check: Callable[[Connection], None] | None = None) -> None:
    """Migrate in one transaction.  Foreign keys are switched off for the migration (SQLite
    rebuilds tables by copying them, which a live constraint would refuse) and checked as a
    whole before the transaction commits; so is `check` (on SQLite), whose exception rolls
    the whole migration back."""
    cfg = config()
    if engine.dialect.name != "sqlite":  # a server: plain transactional DDL
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, target)
        return
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None  # an open connection has its DB-API connection
        raw.execute("PRAGMA foreign_keys=OFF")  # must happen outside a transaction
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, target)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left {len(broken)} broken references")
                if check is not None:
                    check(connection)
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


@lru_cache(maxsize=8)
def schema_objects(revision: str | None) -> frozenset[tuple[str, str, str]]:
    """(type, name, table) of every object the migrations create up to `revision`, read
    from a scratch in-memory database: what an older workspace file may hold."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    try:
        if revision is not None:
            upgrade(engine, revision)
        with engine.connect() as con:
            rows = con.exec_driver_sql("SELECT type, name, tbl_name FROM sqlite_master").all()
    finally:
        engine.dispose()
    return frozenset((str(t), str(n), str(tb)) for t, n, tb in rows)


def downgrade(engine: Engine, target: str) -> None:
    cfg = config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, target)
