"""observations: a person's "astronomical point" mark

IHI's fourth run-chart rule, an astronomical data point, is a judgement that only people
who know the process can make; NICdesk records it as an explicit mark on the observation
(its note says why) and lists it among the chart's signals.  Existing observations are
not marked.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("observations", sa.Column("astronomical", sa.Boolean(), nullable=False,
                                            server_default=sa.false()))
    if op.get_bind().dialect.name == "sqlite":  # the file header; servers need none
        op.execute("PRAGMA user_version = 7")


def downgrade() -> None:
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_column("astronomical")
    if op.get_bind().dialect.name == "sqlite":  # the file header; servers need none
        op.execute("PRAGMA user_version = 6")
