"""Retirement intents (the claim document a ledger reference hashes, each line's part) and the chain binding.

``chain_bindings``: the chain (genesis block hash) and contract (runtime code hash) the ledger was
first used with (issue 17).

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
    op.create_table(
        "chain_bindings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("contract_address", sa.String(length=42), nullable=False),
        sa.Column("genesis_hash", sa.String(length=66), nullable=False),
        sa.Column("code_hash", sa.String(length=66), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_bindings")),
        sa.UniqueConstraint("contract_address", name=op.f("uq_chain_bindings_contract_address")),
    )


def downgrade() -> None:
    op.drop_table("chain_bindings")
    with op.batch_alter_table("retirement_lines") as batch:
        batch.drop_column("part")
    with op.batch_alter_table("retirements") as batch:
        batch.drop_column("claim_document")
