"""A coordinator store on PostgreSQL: the same models and Alembic migrations as the
workspace file, several coordinators at once.

Opening checks, in order, and stops with a message that names what to fix (nothing is
written before the checks pass): the URL's form and driver, that the server answers,
that the login may read, the schema revision (a newer one is refused), and — for an
empty or older database — that the login may create tables.  There is no backup file as
with SQLite: the server's own backups (pg_dump, base backups) cover it; see README.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from .errors import NewerSchemaError, WorkspaceError
from .file_check import HEAD_REVISION, SCHEMA_VERSION

DRIVER = "postgresql+psycopg"

W = TypeVar("W")


class ServerError(WorkspaceError):
    title = "Cannot use that database"


class ServerLock:
    """Servers serialise writers themselves; this stands in for the file lock."""

    def __init__(self) -> None:
        self.fd: int | None = 0

    def release(self) -> None:
        self.fd = None


def safe_url(url: str) -> str:
    """The URL without its password, for messages and titles."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(unreadable URL)"


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ServerError(f"“{url}” is not a database URL. Write it as "
                          "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE.") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername=DRIVER)
    try:
        return create_engine(parsed, future=True, pool_pre_ping=True,
                             connect_args={"connect_timeout": 10})
    except NoSuchModuleError:
        raise ServerError(f"NICdesk does not know the database driver “{parsed.drivername}”."
                          f" Use {DRIVER}://…") from None
    except ModuleNotFoundError:
        raise ServerError("The PostgreSQL driver is not installed. Install it with "
                          "pip install 'psycopg[binary]' (or nicdesk[postgres]).") from None


def _explain(exc: DBAPIError, url: str) -> ServerError:
    text_ = str(exc.orig or exc).strip().splitlines()[0] if (exc.orig or exc) else ""
    low = text_.lower()
    where = safe_url(url)
    if "password authentication failed" in low or "authentication" in low:
        why = "the server refused the user name or password. Check them in the URL."
    elif "does not exist" in low and "database" in low:
        why = "that database does not exist on the server. Create it first (createdb)."
    elif "permission denied" in low or "must be owner" in low:
        why = ("the login lacks a privilege NICdesk needs (read and write the NICdesk "
               "tables; create them on first use). Ask the database administrator to "
               "grant them.")
    elif "connection refused" in low or "could not connect" in low or "timeout" in low \
            or "no such file" in low or "name or service" in low or "resolve" in low:
        why = ("the server did not answer. Check the host and port, that PostgreSQL is "
               "running, and that this computer may reach it.")
    else:
        why = text_ or exc.__class__.__name__
    return ServerError(f"{where}: {why} Nothing was written.", details=text_)


def revision_of(engine: Engine) -> str | None:
    with engine.connect() as con:
        if not inspect(con).has_table("alembic_version"):
            tables = inspect(con).get_table_names()
            if tables:
                raise ServerError(
                    f"{safe_url(str(engine.url))} already holds tables that are not "
                    f"NICdesk's ({', '.join(sorted(tables)[:5])}…). Use an empty database "
                    "for NICdesk. Nothing was written.")
            return None
        return con.execute(text("SELECT version_num FROM alembic_version")).scalar()


def open_server(url: str, make: Callable[[Path, Engine, ServerLock], W]) -> W:
    """Check and (if older) migrate the database at `url`, then `make` the workspace on
    it (`Workspace` passes itself, so this module never imports the workspace's)."""
    from .migrate import known_revisions, upgrade

    engine = make_engine(url)
    try:
        revision = revision_of(engine)
        if revision not in (None, HEAD_REVISION) and revision not in known_revisions():
            raise NewerSchemaError(
                f"{safe_url(url)} was set up by a newer version of NICdesk (schema revision "
                f"{revision}); this NICdesk understands schema version {SCHEMA_VERSION}. "
                "Install the newer NICdesk to use it. Nothing was written.")
        if revision != HEAD_REVISION:
            upgrade(engine)
        ws = make(Path(make_url(url).database or "nicdesk"), engine, ServerLock())
    except DBAPIError as exc:
        engine.dispose()
        raise _explain(exc, url) from exc
    except BaseException:
        engine.dispose()
        raise
    return ws
