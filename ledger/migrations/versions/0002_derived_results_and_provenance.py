"""Derived per-firm interval results and issued provenance records (formerly created by the API at startup).

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
    op.create_table(
        "firm_interval_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("firm_code", sa.String(length=64), nullable=False),
        sa.Column("interval_start_s", sa.BigInteger(), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("consumption_wh", sa.BigInteger(), nullable=False),
        sa.Column("renewable_wh", sa.BigInteger(), nullable=False),
        sa.Column("emissions_kg", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_firm_interval_results")),
        sa.UniqueConstraint("firm_code", "interval_start_s",
                            name=op.f("uq_firm_interval_results_firm_code_interval_start_s")),
    )
    op.create_table(
        "provenance_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_ref", sa.String(length=66), nullable=False),
        sa.Column("firm_code", sa.String(length=64), nullable=False),
        sa.Column("record_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provenance_records")),
        sa.UniqueConstraint("claim_ref", name=op.f("uq_provenance_records_claim_ref")),
    )
    op.create_index(op.f("ix_provenance_records_firm_code"), "provenance_records", ["firm_code"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_provenance_records_firm_code"), table_name="provenance_records")
    op.drop_table("provenance_records")
    op.drop_table("firm_interval_results")
