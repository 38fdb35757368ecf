"""driver diagrams: adopted nodes remember their network node; a diagram can pin its order

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ALTER TABLE ADD COLUMN: no table copy (SQLite supports adding columns)
    op.add_column("driver_nodes", sa.Column("source_node_id", sa.String(length=36),
                                            nullable=True))
    op.create_index(op.f("ix_driver_nodes_source_node_id"), "driver_nodes", ["source_node_id"],
                    unique=False)
    op.add_column("driver_diagrams", sa.Column("order_pinned", sa.Boolean(), nullable=False,
                                               server_default=sa.false()))
    if op.get_bind().dialect.name == "sqlite":  # the file header; servers need none
        op.execute("PRAGMA user_version = 2")


def downgrade() -> None:
    with op.batch_alter_table("driver_diagrams", schema=None) as batch_op:
        batch_op.drop_column("order_pinned")
    with op.batch_alter_table("driver_nodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_driver_nodes_source_node_id"))
        batch_op.drop_column("source_node_id")
    if op.get_bind().dialect.name == "sqlite":  # the file header; servers need none
        op.execute("PRAGMA user_version = 1")
