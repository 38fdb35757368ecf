"""Alembic environment: runs on the connection NICdesk hands over (no alembic.ini URL)."""

from alembic import context

from nicdesk.store.schema import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via nicdesk.store.migrate
    raise RuntimeError("run migrations through nicdesk.store.migrate")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
)
with context.begin_transaction():
    context.run_migrations()
