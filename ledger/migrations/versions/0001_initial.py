"""Initial schema: plants, firms, meter readings, batches, leaves, claims, retirements.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "firms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_firms")),
        sa.UniqueConstraint("address", name=op.f("uq_firms_address")),
        sa.UniqueConstraint("code", name=op.f("uq_firms_code")),
    )
    op.create_table(
        "issuance_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(length=66), nullable=False),
        sa.Column("period_start_s", sa.BigInteger(), nullable=False),
        sa.Column("period_end_s", sa.BigInteger(), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("input_hash", sa.String(length=66), nullable=False),
        sa.Column("root", sa.String(length=66), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mode IN ('anchor', 'direct')", name=op.f("ck_issuance_batches_mode_known")),
        sa.CheckConstraint(
            "state IN ('pending', 'sent', 'confirmed', 'failed')", name=op.f("ck_issuance_batches_state_known")
        ),
        sa.CheckConstraint("period_end_s > period_start_s", name=op.f("ck_issuance_batches_period_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issuance_batches")),
        sa.UniqueConstraint("batch_id", name=op.f("uq_issuance_batches_batch_id")),
    )
    with op.batch_alter_table("issuance_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issuance_batches_state"), ["state"], unique=False)

    op.create_table(
        "plants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("technology", sa.String(length=32), nullable=False),
        sa.Column("capacity_mw", sa.Float(), nullable=False),
        sa.Column("renewable", sa.Boolean(), nullable=False),
        sa.Column("location_code", sa.String(length=32), nullable=False),
        sa.Column("latitude_deg", sa.Float(), nullable=True),
        sa.Column("longitude_deg", sa.Float(), nullable=True),
        sa.Column("device_id", sa.String(length=128), nullable=True),
        sa.Column("operator_address", sa.String(length=42), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("capacity_mw > 0", name=op.f("ck_plants_capacity_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plants")),
        sa.UniqueConstraint("code", name=op.f("uq_plants_code")),
        sa.UniqueConstraint("device_id", name=op.f("uq_plants_device_id")),
    )
    op.create_table(
        "allocation_leaves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_pk", sa.Integer(), nullable=False),
        sa.Column("plant_id", sa.Integer(), nullable=False),
        sa.Column("interval_start_s", sa.BigInteger(), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("holder_address", sa.String(length=42), nullable=False),
        sa.Column("firm_id", sa.Integer(), nullable=True),
        sa.Column("amount_wh", sa.BigInteger(), nullable=False),
        sa.Column("token_id", sa.String(length=78), nullable=False),
        sa.Column("leaf_hash", sa.String(length=66), nullable=False),
        sa.CheckConstraint("amount_wh > 0", name=op.f("ck_allocation_leaves_amount_positive")),
        sa.ForeignKeyConstraint(
            ["batch_pk"],
            ["issuance_batches.id"],
            name=op.f("fk_allocation_leaves_batch_pk_issuance_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["firm_id"], ["firms.id"], name=op.f("fk_allocation_leaves_firm_id_firms")),
        sa.ForeignKeyConstraint(["plant_id"], ["plants.id"], name=op.f("fk_allocation_leaves_plant_id_plants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_leaves")),
        sa.UniqueConstraint(
            "batch_pk",
            "plant_id",
            "interval_start_s",
            "holder_address",
            name=op.f("uq_allocation_leaves_batch_pk_plant_id_interval_start_s_holder_address"),
        ),
    )
    with op.batch_alter_table("allocation_leaves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocation_leaves_holder_address"), ["holder_address"], unique=False)
        batch_op.create_index("ix_allocation_leaves_leaf_hash", ["leaf_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_allocation_leaves_token_id"), ["token_id"], unique=False)

    op.create_table(
        "batch_plants",
        sa.Column("batch_pk", sa.Integer(), nullable=False),
        sa.Column("plant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_pk"],
            ["issuance_batches.id"],
            name=op.f("fk_batch_plants_batch_pk_issuance_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["plant_id"], ["plants.id"], name=op.f("fk_batch_plants_plant_id_plants")),
        sa.PrimaryKeyConstraint("batch_pk", "plant_id", name=op.f("pk_batch_plants")),
    )
    op.create_table(
        "cap_leaves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_pk", sa.Integer(), nullable=False),
        sa.Column("plant_id", sa.Integer(), nullable=False),
        sa.Column("interval_start_s", sa.BigInteger(), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("cap_wh", sa.BigInteger(), nullable=False),
        sa.Column("token_id", sa.String(length=78), nullable=False),
        sa.Column("leaf_hash", sa.String(length=66), nullable=False),
        sa.CheckConstraint("cap_wh > 0", name=op.f("ck_cap_leaves_cap_positive")),
        sa.ForeignKeyConstraint(
            ["batch_pk"],
            ["issuance_batches.id"],
            name=op.f("fk_cap_leaves_batch_pk_issuance_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["plant_id"], ["plants.id"], name=op.f("fk_cap_leaves_plant_id_plants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cap_leaves")),
        sa.UniqueConstraint(
            "batch_pk", "plant_id", "interval_start_s", name=op.f("uq_cap_leaves_batch_pk_plant_id_interval_start_s")
        ),
    )
    with op.batch_alter_table("cap_leaves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cap_leaves_token_id"), ["token_id"], unique=False)

    op.create_table(
        "firm_load_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("firm_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["firm_id"], ["firms.id"], name=op.f("fk_firm_load_devices_firm_id_firms"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_firm_load_devices")),
        sa.UniqueConstraint("device_id", name=op.f("uq_firm_load_devices_device_id")),
    )
    with op.batch_alter_table("firm_load_devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_firm_load_devices_firm_id"), ["firm_id"], unique=False)

    op.create_table(
        "meter_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plant_id", sa.Integer(), nullable=False),
        sa.Column("interval_start_s", sa.BigInteger(), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("energy_wh", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("energy_wh >= 0", name=op.f("ck_meter_readings_energy_non_negative")),
        sa.CheckConstraint("interval_s > 0", name=op.f("ck_meter_readings_interval_positive")),
        sa.ForeignKeyConstraint(["plant_id"], ["plants.id"], name=op.f("fk_meter_readings_plant_id_plants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_readings")),
        sa.UniqueConstraint("plant_id", "interval_start_s", name=op.f("uq_meter_readings_plant_id_interval_start_s")),
    )
    op.create_table(
        "retirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_ref", sa.String(length=128), nullable=False),
        sa.Column("firm_id", sa.Integer(), nullable=False),
        sa.Column("beneficiary", sa.String(length=200), nullable=False),
        sa.Column("period_start_s", sa.BigInteger(), nullable=False),
        sa.Column("period_end_s", sa.BigInteger(), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("shipment_id", sa.String(length=128), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("quantity_unit", sa.String(length=16), nullable=False),
        sa.Column("destination", sa.String(length=200), nullable=False),
        sa.Column("embedded_mwh", sa.Float(), nullable=False),
        sa.Column("amount_wh", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('pending', 'confirmed', 'failed')", name=op.f("ck_retirements_state_known")),
        sa.CheckConstraint("amount_wh > 0", name=op.f("ck_retirements_amount_positive")),
        sa.ForeignKeyConstraint(["firm_id"], ["firms.id"], name=op.f("fk_retirements_firm_id_firms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retirements")),
        sa.UniqueConstraint("claim_ref", name=op.f("uq_retirements_claim_ref")),
    )
    with op.batch_alter_table("retirements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retirements_firm_id"), ["firm_id"], unique=False)

    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("leaf_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mode IN ('proof', 'direct')", name=op.f("ck_claims_mode_known")),
        sa.ForeignKeyConstraint(
            ["leaf_id"], ["allocation_leaves.id"], name=op.f("fk_claims_leaf_id_allocation_leaves")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("leaf_id", name=op.f("uq_claims_leaf_id")),
    )
    op.create_table(
        "retirement_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("retirement_id", sa.Integer(), nullable=False),
        sa.Column("leaf_id", sa.Integer(), nullable=False),
        sa.Column("chain_claim_ref", sa.String(length=66), nullable=False),
        sa.Column("amount_wh", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("amount_wh > 0", name=op.f("ck_retirement_lines_amount_positive")),
        sa.ForeignKeyConstraint(
            ["leaf_id"], ["allocation_leaves.id"], name=op.f("fk_retirement_lines_leaf_id_allocation_leaves")
        ),
        sa.ForeignKeyConstraint(
            ["retirement_id"],
            ["retirements.id"],
            name=op.f("fk_retirement_lines_retirement_id_retirements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retirement_lines")),
        sa.UniqueConstraint("chain_claim_ref", name=op.f("uq_retirement_lines_chain_claim_ref")),
    )
    with op.batch_alter_table("retirement_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retirement_lines_leaf_id"), ["leaf_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_retirement_lines_retirement_id"), ["retirement_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("retirement_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retirement_lines_retirement_id"))
        batch_op.drop_index(batch_op.f("ix_retirement_lines_leaf_id"))

    op.drop_table("retirement_lines")
    op.drop_table("claims")
    with op.batch_alter_table("retirements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retirements_firm_id"))

    op.drop_table("retirements")
    op.drop_table("meter_readings")
    with op.batch_alter_table("firm_load_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_firm_load_devices_firm_id"))

    op.drop_table("firm_load_devices")
    with op.batch_alter_table("cap_leaves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cap_leaves_token_id"))

    op.drop_table("cap_leaves")
    op.drop_table("batch_plants")
    with op.batch_alter_table("allocation_leaves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allocation_leaves_token_id"))
        batch_op.drop_index("ix_allocation_leaves_leaf_hash")
        batch_op.drop_index(batch_op.f("ix_allocation_leaves_holder_address"))

    op.drop_table("allocation_leaves")
    op.drop_table("plants")
    with op.batch_alter_table("issuance_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issuance_batches_state"))

    op.drop_table("issuance_batches")
    op.drop_table("firms")
