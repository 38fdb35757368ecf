"""meetings: start time and place; agenda items: linked material

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("meetings", sa.Column("start_time", sa.String(length=5), nullable=False,
                                        server_default=""))
    op.add_column("meetings", sa.Column("place", sa.Text(), nullable=False, server_default=""))
    op.add_column("agenda_items", sa.Column("material", sa.Text(), nullable=False,
                                            server_default=""))
    if op.get_bind().dialect.name == "sqlite":  # the file header; servers need none
        op.execute("PRAGMA user_version = 5")


def downgrade() -> None:
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_column("material")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("place")
        batch_op.drop_column("start_time")
    if op.get_bind().dialect.name == "sqlite":  # the file header; servers need none
        op.execute("PRAGMA user_version = 4")
