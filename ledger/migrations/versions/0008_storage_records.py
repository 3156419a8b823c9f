"""Storage accounts and their records: units, charge (SCR), discharge (SDR), allocation (SAR) records, discharge leaves.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "storage_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("device_id", sa.String(length=128), nullable=True),
        sa.Column("efficiency_ppm", sa.Integer(), nullable=False),
        sa.Column("allocation_rule", sa.String(length=16), nullable=False),
        sa.Column("operator_address", sa.String(length=42), nullable=False),
        sa.Column("opening_wh", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("efficiency_ppm > 0 AND efficiency_ppm <= 1000000",
                           name=op.f("ck_storage_units_efficiency_in_range")),
        sa.CheckConstraint("allocation_rule IN ('fifo', 'pro_rata')", name=op.f("ck_storage_units_rule_known")),
        sa.CheckConstraint("opening_wh >= 0", name=op.f("ck_storage_units_opening_non_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_units")),
        sa.UniqueConstraint("code", name=op.f("uq_storage_units_code")),
        sa.UniqueConstraint("device_id", name=op.f("uq_storage_units_device_id")),
    )
    op.create_table(
        "storage_charge_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_pk", sa.Integer(), nullable=False),
        sa.Column("storage_id", sa.Integer(), nullable=False),
        sa.Column("plant_id", sa.Integer(), nullable=True),
        sa.Column("interval_start_s", sa.BigInteger(), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("charged_wh", sa.BigInteger(), nullable=False),
        sa.Column("stored_wh", sa.BigInteger(), nullable=False),
        sa.Column("leaf_id", sa.Integer(), nullable=True),
        sa.Column("recorded_tx_hash", sa.String(length=66), nullable=True),
        sa.CheckConstraint("charged_wh > 0", name=op.f("ck_storage_charge_records_charged_positive")),
        sa.CheckConstraint("stored_wh >= 0 AND stored_wh <= charged_wh",
                           name=op.f("ck_storage_charge_records_stored_within_charged")),
        sa.ForeignKeyConstraint(["batch_pk"], ["issuance_batches.id"], ondelete="CASCADE",
                                name=op.f("fk_storage_charge_records_batch_pk_issuance_batches")),
        sa.ForeignKeyConstraint(["storage_id"], ["storage_units.id"],
                                name=op.f("fk_storage_charge_records_storage_id_storage_units")),
        sa.ForeignKeyConstraint(["plant_id"], ["plants.id"], name=op.f("fk_storage_charge_records_plant_id_plants")),
        sa.ForeignKeyConstraint(["leaf_id"], ["allocation_leaves.id"],
                                name=op.f("fk_storage_charge_records_leaf_id_allocation_leaves")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_charge_records")),
        sa.UniqueConstraint("leaf_id", name=op.f("uq_storage_charge_records_leaf_id")),
    )
    op.create_index(op.f("ix_storage_charge_records_batch_pk"), "storage_charge_records", ["batch_pk"])
    op.create_index(op.f("ix_storage_charge_records_storage_id"), "storage_charge_records", ["storage_id"])
    op.create_table(
        "storage_discharge_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_pk", sa.Integer(), nullable=False),
        sa.Column("storage_id", sa.Integer(), nullable=False),
        sa.Column("interval_start_s", sa.BigInteger(), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("discharged_wh", sa.BigInteger(), nullable=False),
        sa.Column("untracked_wh", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("discharged_wh > 0", name=op.f("ck_storage_discharge_records_discharged_positive")),
        sa.CheckConstraint("untracked_wh >= 0 AND untracked_wh <= discharged_wh",
                           name=op.f("ck_storage_discharge_records_untracked_within")),
        sa.ForeignKeyConstraint(["batch_pk"], ["issuance_batches.id"], ondelete="CASCADE",
                                name=op.f("fk_storage_discharge_records_batch_pk_issuance_batches")),
        sa.ForeignKeyConstraint(["storage_id"], ["storage_units.id"],
                                name=op.f("fk_storage_discharge_records_storage_id_storage_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_discharge_records")),
        sa.UniqueConstraint("batch_pk", "storage_id", "interval_start_s",
                            name=op.f("uq_storage_discharge_records_batch_pk_storage_id_interval_start_s")),
    )
    op.create_index(op.f("ix_storage_discharge_records_batch_pk"), "storage_discharge_records", ["batch_pk"])
    op.create_index(op.f("ix_storage_discharge_records_storage_id"), "storage_discharge_records", ["storage_id"])
    op.create_table(
        "storage_allocation_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("discharge_id", sa.Integer(), nullable=False),
        sa.Column("charge_id", sa.Integer(), nullable=False),
        sa.Column("amount_wh", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_wh > 0", name=op.f("ck_storage_allocation_records_amount_positive")),
        sa.ForeignKeyConstraint(["discharge_id"], ["storage_discharge_records.id"], ondelete="CASCADE",
                                name=op.f("fk_storage_allocation_records_discharge_id_storage_discharge_records")),
        sa.ForeignKeyConstraint(["charge_id"], ["storage_charge_records.id"],
                                name=op.f("fk_storage_allocation_records_charge_id_storage_charge_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_allocation_records")),
        sa.UniqueConstraint("discharge_id", "charge_id",
                            name=op.f("uq_storage_allocation_records_discharge_id_charge_id")),
    )
    op.create_index(op.f("ix_storage_allocation_records_discharge_id"), "storage_allocation_records",
                    ["discharge_id"])
    op.create_index(op.f("ix_storage_allocation_records_charge_id"), "storage_allocation_records", ["charge_id"])
    op.create_table(
        "discharge_leaves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_pk", sa.Integer(), nullable=False),
        sa.Column("storage_id", sa.Integer(), nullable=False),
        sa.Column("plant_id", sa.Integer(), nullable=False),
        sa.Column("origin_start_s", sa.BigInteger(), nullable=False),
        sa.Column("origin_s", sa.Integer(), nullable=False),
        sa.Column("holder_address", sa.String(length=42), nullable=False),
        sa.Column("firm_id", sa.Integer(), nullable=True),
        sa.Column("amount_wh", sa.BigInteger(), nullable=False),
        sa.Column("token_id", sa.String(length=78), nullable=False),
        sa.Column("leaf_hash", sa.String(length=66), nullable=False),
        sa.Column("claim_tx_hash", sa.String(length=66), nullable=True),
        sa.Column("retired_wh", sa.BigInteger(), nullable=False),
        sa.Column("retire_tx_hash", sa.String(length=66), nullable=True),
        sa.CheckConstraint("amount_wh > 0", name=op.f("ck_discharge_leaves_amount_positive")),
        sa.CheckConstraint("retired_wh >= 0 AND retired_wh <= amount_wh",
                           name=op.f("ck_discharge_leaves_retired_within")),
        sa.ForeignKeyConstraint(["batch_pk"], ["issuance_batches.id"], ondelete="CASCADE",
                                name=op.f("fk_discharge_leaves_batch_pk_issuance_batches")),
        sa.ForeignKeyConstraint(["storage_id"], ["storage_units.id"],
                                name=op.f("fk_discharge_leaves_storage_id_storage_units")),
        sa.ForeignKeyConstraint(["plant_id"], ["plants.id"], name=op.f("fk_discharge_leaves_plant_id_plants")),
        sa.ForeignKeyConstraint(["firm_id"], ["firms.id"], name=op.f("fk_discharge_leaves_firm_id_firms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discharge_leaves")),
        sa.UniqueConstraint("batch_pk", "storage_id", "plant_id", "origin_start_s", "holder_address",
                            name=op.f("uq_discharge_leaves_batch_pk_storage_id_plant_id_origin_start_s_holder_address")),
    )
    op.create_index(op.f("ix_discharge_leaves_batch_pk"), "discharge_leaves", ["batch_pk"])
    op.create_index(op.f("ix_discharge_leaves_holder_address"), "discharge_leaves", ["holder_address"])
    op.create_table(
        "discharge_retirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("leaf_id", sa.Integer(), nullable=False),
        sa.Column("chain_claim_ref", sa.String(length=66), nullable=False),
        sa.Column("amount_wh", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_wh > 0", name=op.f("ck_discharge_retirements_amount_positive")),
        sa.ForeignKeyConstraint(["leaf_id"], ["discharge_leaves.id"],
                                name=op.f("fk_discharge_retirements_leaf_id_discharge_leaves")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discharge_retirements")),
    )
    op.create_index(op.f("ix_discharge_retirements_leaf_id"), "discharge_retirements", ["leaf_id"])
    op.create_index(op.f("ix_discharge_retirements_chain_claim_ref"), "discharge_retirements",
                    ["chain_claim_ref"])


def downgrade() -> None:
    for table in ("discharge_retirements", "discharge_leaves", "storage_allocation_records",
                  "storage_discharge_records", "storage_charge_records", "storage_units"):
        op.drop_table(table)
