"""bundle_imports: which signed bundles this workspace has applied (replay protection)

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bundle_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signer", sa.String(length=32), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created", sa.String(length=40), nullable=False),
        sa.Column("imported", sa.String(length=40), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundle_imports")),
        sa.UniqueConstraint("signer", "sequence", name=op.f("uq_bundle_imports_signer")),
    )
    if op.get_bind().dialect.name == "sqlite":  # the file header; servers need none
        op.execute("PRAGMA user_version = 4")


def downgrade() -> None:
    op.drop_table("bundle_imports")
    if op.get_bind().dialect.name == "sqlite":  # the file header; servers need none
        op.execute("PRAGMA user_version = 3")
