"""Contract v2: the lines of a retirement share one on-chain claim reference per transaction (per batch).

A shipment now retires each batch's leaves in one ``retireLeaves`` transaction, under a claim
reference derived from (holder, shipment, part): the lines of one part share it, so it is indexed
rather than unique.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("retirement_lines", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_retirement_lines_chain_claim_ref"), type_="unique")
        batch_op.create_index(batch_op.f("ix_retirement_lines_chain_claim_ref"), ["chain_claim_ref"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("retirement_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retirement_lines_chain_claim_ref"))
        batch_op.create_unique_constraint(batch_op.f("uq_retirement_lines_chain_claim_ref"), ["chain_claim_ref"])
