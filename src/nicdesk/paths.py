"""Where NICdesk keeps its own files.  `NICDESK_DATA_DIR` overrides platformdirs (tests,
portable use from a USB stick)."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    override = os.environ.get("NICDESK_DATA_DIR")
    if override:
        path = Path(override)
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("nicdesk", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def sample_workspace() -> Path:
    return data_dir() / "Sample network.nicdesk"


def log_dir() -> Path:
    """platformdirs' log folder (under NICDESK_DATA_DIR when that is set)."""
    override = os.environ.get("NICDESK_DATA_DIR")
    if override:
        path = Path(override) / "logs"
    else:
        from platformdirs import user_log_dir

        path = Path(user_log_dir("nicdesk", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def is_database_url(target: object) -> bool:
    """`postgresql://…`, `postgresql+psycopg://…`: a server, not a file.  Here rather than
    in the store so the GUI can tell before its first paint without loading SQLAlchemy."""
    return isinstance(target, str) and target.split(":", 1)[0].split("+")[0] in (
        "postgresql", "postgres")


def workspace_target(text: str) -> str | Path:
    """A command-line WORKSPACE: a file, or a coordinator database URL
    (postgresql+psycopg://…), which must not be read as a path."""
    if is_database_url(text):
        return text
    return Path(text)
