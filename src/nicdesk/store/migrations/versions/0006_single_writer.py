"""single writer: every record gets its owner; bundle imports remember their manifest

Records made before a workspace knew its site (network-level records of older files and
of the sample) are given the owner the authority rules say they have
(`nicdesk.store.ownership.assign_owners`).  `bundle_imports.manifest_sha256` lets a
second bundle with an already-used sequence but other content be told apart from a
harmless replay.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nicdesk.store.ownership import assign_owners

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("bundle_imports", sa.Column("manifest_sha256", sa.String(length=64),
                                              nullable=True))
    assign_owners(op.get_bind())
    if op.get_bind().dialect.name == "sqlite":  # the file header; servers need none
        op.execute("PRAGMA user_version = 6")


def downgrade() -> None:
    with op.batch_alter_table("bundle_imports", schema=None) as batch_op:
        batch_op.drop_column("manifest_sha256")
    if op.get_bind().dialect.name == "sqlite":  # the file header; servers need none
        op.execute("PRAGMA user_version = 5")
