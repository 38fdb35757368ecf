"""causes: the kind of evidence behind a cause (data, empathy interview, observation...)

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("causes", sa.Column("evidence_kind", sa.String(length=24), nullable=False,
                                      server_default=""))
    if op.get_bind().dialect.name == "sqlite":  # the file header; servers need none
        op.execute("PRAGMA user_version = 3")


def downgrade() -> None:
    with op.batch_alter_table("causes", schema=None) as batch_op:
        batch_op.drop_column("evidence_kind")
    if op.get_bind().dialect.name == "sqlite":  # the file header; servers need none
        op.execute("PRAGMA user_version = 2")
