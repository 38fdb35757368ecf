"""Alembic, imported only when a file's schema revision differs from the code's."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

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


def upgrade(engine: Engine, target: str = "head") -> None:
    """Migrate in one transaction.  Foreign keys are switched off for the migration (SQLite
    rebuilds tables by copying them, which a live constraint would refuse) and checked as a
    whole before the transaction commits."""
    cfg = config()
    if engine.dialect.name != "sqlite":  # a server: plain transactional DDL
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, target)
        return
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys=OFF")  # must happen outside a transaction
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, target)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left {len(broken)} broken references")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def downgrade(engine: Engine, target: str) -> None:
    cfg = config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, target)
