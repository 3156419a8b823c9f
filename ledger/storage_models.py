"""Storage accounts and their records (issue 16), beside the ledger's other tables (:mod:`.models`).

The Granular Registry's storage vocabulary, kept as tables (units and conventions of :mod:`.models`):

- :class:`StorageUnit` — a registered storage unit (its id is its on-chain storage index) with its
  round-trip efficiency (ppm), discharge allocation rule (``fifo`` / ``pro_rata``) and the
  deliverable energy it held when the ledger started tracking it (``opening_wh``, of unknown origin).
- :class:`StorageChargeRow` — a **Storage Charge Record** (SCR): energy one source charged into a
  unit in one interval. For a renewable plant it cancels that plant-interval's certificates: the
  energy is an allocation leaf held by the unit's storage account (``leaf_id``), anchored in its
  batch and recorded on-chain (``recordCharges``). ``plant_id`` null = energy without certificate
  (coal, grid import, unknown) — it takes its place in the unit, but nobody gets its certificate.
- :class:`StorageDischargeRow` — a **Storage Discharge Record** (SDR): a unit's metered discharge in
  one interval, with the part no charge record covers (``untracked_wh``).
- :class:`StorageAllocationRow` — a **Storage Allocation Record** (SAR): Wh of one SDR taken from
  one SCR by the unit's rule. What an SCR still holds (its state of charge provenance) is its
  ``stored_wh`` minus its SARs in batches that did not fail.
- :class:`DischargeLeafRow` — a Storage Discharge certificate leaf: Wh of one origin
  plant-interval discharged to one holder in a batch (its discharge tree), claimed on-chain with
  ``claimDischarges``; :class:`DischargeRetirementRow` — Wh of it retired under one on-chain claim
  reference.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import ADDRESS_LEN, HASH_LEN, TOKEN_ID_LEN, Base, UtcDateTime, utc_now

__all__ = [
    "DischargeLeafRow",
    "DischargeRetirementRow",
    "StorageAllocationRow",
    "StorageChargeRow",
    "StorageDischargeRow",
    "StorageUnit",
]


class StorageUnit(Base):
    """A storage unit: its id is its on-chain storage index; its charge records sit in its storage account."""

    __tablename__ = "storage_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    device_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    efficiency_ppm: Mapped[int] = mapped_column(Integer)
    allocation_rule: Mapped[str] = mapped_column(String(16))
    operator_address: Mapped[str] = mapped_column(String(ADDRESS_LEN))
    opening_wh: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    __table_args__ = (
        CheckConstraint("efficiency_ppm > 0 AND efficiency_ppm <= 1000000", name="efficiency_in_range"),
        CheckConstraint("allocation_rule IN ('fifo', 'pro_rata')", name="rule_known"),
        CheckConstraint("opening_wh >= 0", name="opening_non_negative"),
    )


class StorageChargeRow(Base):
    """A Storage Charge Record: ``charged_wh`` into a unit from one source in one interval, ``stored_wh`` usable."""

    __tablename__ = "storage_charge_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_pk: Mapped[int] = mapped_column(ForeignKey("issuance_batches.id", ondelete="CASCADE"), index=True)
    storage_id: Mapped[int] = mapped_column(ForeignKey("storage_units.id"), index=True)
    plant_id: Mapped[int | None] = mapped_column(ForeignKey("plants.id"))
    interval_start_s: Mapped[int] = mapped_column(BigInteger)
    interval_s: Mapped[int] = mapped_column(Integer)
    charged_wh: Mapped[int] = mapped_column(BigInteger)
    stored_wh: Mapped[int] = mapped_column(BigInteger)
    leaf_id: Mapped[int | None] = mapped_column(ForeignKey("allocation_leaves.id"), unique=True)
    recorded_tx_hash: Mapped[str | None] = mapped_column(String(HASH_LEN))

    __table_args__ = (
        CheckConstraint("charged_wh > 0", name="charged_positive"),
        CheckConstraint("stored_wh >= 0 AND stored_wh <= charged_wh", name="stored_within_charged"),
    )


class StorageDischargeRow(Base):
    """A Storage Discharge Record: a unit's metered discharge in one interval (``untracked_wh``: no known origin)."""

    __tablename__ = "storage_discharge_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_pk: Mapped[int] = mapped_column(ForeignKey("issuance_batches.id", ondelete="CASCADE"), index=True)
    storage_id: Mapped[int] = mapped_column(ForeignKey("storage_units.id"), index=True)
    interval_start_s: Mapped[int] = mapped_column(BigInteger)
    interval_s: Mapped[int] = mapped_column(Integer)
    discharged_wh: Mapped[int] = mapped_column(BigInteger)
    untracked_wh: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        UniqueConstraint("batch_pk", "storage_id", "interval_start_s"),
        CheckConstraint("discharged_wh > 0", name="discharged_positive"),
        CheckConstraint("untracked_wh >= 0 AND untracked_wh <= discharged_wh", name="untracked_within"),
    )


class StorageAllocationRow(Base):
    """A Storage Allocation Record: ``amount_wh`` of a discharge record taken from a charge record."""

    __tablename__ = "storage_allocation_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    discharge_id: Mapped[int] = mapped_column(ForeignKey("storage_discharge_records.id", ondelete="CASCADE"),
                                              index=True)
    charge_id: Mapped[int] = mapped_column(ForeignKey("storage_charge_records.id"), index=True)
    amount_wh: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        UniqueConstraint("discharge_id", "charge_id"),
        CheckConstraint("amount_wh > 0", name="amount_positive"),
    )


class DischargeLeafRow(Base):
    """A Storage Discharge certificate leaf: ``amount_wh`` of a plant's origin interval to ``holder_address``."""

    __tablename__ = "discharge_leaves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_pk: Mapped[int] = mapped_column(ForeignKey("issuance_batches.id", ondelete="CASCADE"), index=True)
    storage_id: Mapped[int] = mapped_column(ForeignKey("storage_units.id"))
    plant_id: Mapped[int] = mapped_column(ForeignKey("plants.id"))
    origin_start_s: Mapped[int] = mapped_column(BigInteger)
    origin_s: Mapped[int] = mapped_column(Integer)
    holder_address: Mapped[str] = mapped_column(String(ADDRESS_LEN), index=True)
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("firms.id"))
    amount_wh: Mapped[int] = mapped_column(BigInteger)
    token_id: Mapped[str] = mapped_column(String(TOKEN_ID_LEN))
    leaf_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    claim_tx_hash: Mapped[str | None] = mapped_column(String(HASH_LEN))
    retired_wh: Mapped[int] = mapped_column(BigInteger, default=0)
    retire_tx_hash: Mapped[str | None] = mapped_column(String(HASH_LEN))

    __table_args__ = (
        UniqueConstraint("batch_pk", "storage_id", "plant_id", "origin_start_s", "holder_address"),
        CheckConstraint("amount_wh > 0", name="amount_positive"),
        CheckConstraint("retired_wh >= 0 AND retired_wh <= amount_wh", name="retired_within"),
    )


class DischargeRetirementRow(Base):
    """``amount_wh`` of a minted discharge leaf retired on-chain under ``chain_claim_ref`` (its holder's)."""

    __tablename__ = "discharge_retirements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leaf_id: Mapped[int] = mapped_column(ForeignKey("discharge_leaves.id"), index=True)
    chain_claim_ref: Mapped[str] = mapped_column(String(HASH_LEN), index=True)
    amount_wh: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    __table_args__ = (CheckConstraint("amount_wh > 0", name="amount_positive"),)
