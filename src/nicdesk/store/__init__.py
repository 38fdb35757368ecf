"""Persistence: SQLAlchemy models, Alembic migrations, workspace open/lock, operations."""
