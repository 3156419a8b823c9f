"""Who holds a firm's certificate key: the registry (custodial, derived) or the firm itself.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("firms") as batch:
        batch.add_column(sa.Column("key_custody", sa.String(length=16), server_default="custodial", nullable=False))
        batch.create_check_constraint(op.f("ck_firms_key_custody_known"), "key_custody IN ('custodial', 'firm')")


def downgrade() -> None:
    with op.batch_alter_table("firms") as batch:
        batch.drop_constraint(op.f("ck_firms_key_custody_known"), type_="check")
        batch.drop_column("key_custody")
