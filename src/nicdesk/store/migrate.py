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
    cfg = config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, target)


def downgrade(engine: Engine, target: str) -> None:
    cfg = config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, target)
