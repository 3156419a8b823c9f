"""Per-interval technology → sink energy of attribution runs (the dashboard's Sankey reads it instead of re-solving).

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
    op.create_table(
        "technology_flows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interval_start_s", sa.BigInteger(), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("sink", sa.String(length=64), nullable=False),
        sa.Column("technology", sa.String(length=32), nullable=False),
        sa.Column("energy_wh", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("energy_wh >= 0", name=op.f("ck_technology_flows_energy_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technology_flows")),
        sa.UniqueConstraint("interval_start_s", "sink", "technology",
                            name=op.f("uq_technology_flows_interval_start_s_sink_technology")),
    )


def downgrade() -> None:
    op.drop_table("technology_flows")
