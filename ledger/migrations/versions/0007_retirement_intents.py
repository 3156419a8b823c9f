"""Retirement intents: the claim document a ledger reference hashes, and each line's part.

Revision ID: 0007
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("retirements", sa.Column("claim_document", sa.Text(), nullable=True))
    op.add_column("retirement_lines", sa.Column("part", sa.String(length=96), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("retirement_lines") as batch:
        batch.drop_column("part")
    with op.batch_alter_table("retirements") as batch:
        batch.drop_column("claim_document")
