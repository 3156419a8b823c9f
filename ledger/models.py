"""Relational record of the ledger (SQLAlchemy 2 typed models).

Units and conventions, stated once:

- Energy is integer watt-hours (``*_wh``, ``BigInteger``); power capacity is MW (``capacity_mw``).
- Interval times are UNIX seconds UTC (``*_start_s``, ``*_end_s``; ends exclusive), the same numbers
  the chain stores; bookkeeping timestamps (``created_at``, ``updated_at``) are timezone-aware UTC.
- Hashes and ids from the chain are ``0x``-prefixed lowercase hex strings (``batch_id``, ``root``,
  ``input_hash``, ``tx_hash``, ``leaf_hash``); token ids are decimal strings (a ``uint256`` does
  not fit any portable SQL integer); EVM addresses are EIP-55 checksummed strings.
- A batch moves ``pending`` → ``sent`` → ``confirmed`` (or ``failed``); see
  :mod:`greenproof.ledger.issuance`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

__all__ = [
    "BATCH_STATES",
    "AllocationLeafRow",
    "Base",
    "BatchPlant",
    "BatchState",
    "CapLeafRow",
    "ChainBindingRow",
    "ClaimRow",
    "Firm",
    "FirmIntervalResult",
    "FirmLoadDevice",
    "IssuanceBatch",
    "MeterReadingRow",
    "Plant",
    "ProvenanceRecordRow",
    "RetirementLine",
    "RetirementRow",
    "TechnologyFlowRow",
    "UtcDateTime",
    "WebSessionRow",
]

#: Constraint names are fixed so migrations and the models agree on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ADDRESS_LEN = 42
HASH_LEN = 66
TOKEN_ID_LEN = 78  # decimal digits of 2**256 - 1


class BatchState:
    """States of an issuance batch in the outbox (plain strings in the database)."""

    PENDING = "pending"
    SENT = "sent"
    CONFIRMED = "confirmed"
    FAILED = "failed"


BATCH_STATES = (BatchState.PENDING, BatchState.SENT, BatchState.CONFIRMED, BatchState.FAILED)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite stores naive text; we add UTC back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes and store the UTC instant."""
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError(f"timestamp {value.isoformat()} has no time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)


def utc_now() -> datetime:
    """Return the current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base holding the ledger's metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Plant(Base):
    """A generating plant of the park; renewable plants receive certificates."""

    __tablename__ = "plants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200), default="")
    technology: Mapped[str] = mapped_column(String(32))
    capacity_mw: Mapped[float] = mapped_column(Float)
    renewable: Mapped[bool] = mapped_column(Boolean)
    location_code: Mapped[str] = mapped_column(String(32), default="CN-JS-YC-BH")
    latitude_deg: Mapped[float | None] = mapped_column(Float)
    longitude_deg: Mapped[float | None] = mapped_column(Float)
    device_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    operator_address: Mapped[str] = mapped_column(String(ADDRESS_LEN))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    __table_args__ = (CheckConstraint("capacity_mw > 0", name="capacity_positive"),)


class Firm(Base):
    """A firm of the park holding certificates at ``address`` (its EVM certificate account).

    ``key_custody`` says who holds the account's key: ``"custodial"`` (derived by the registry
    from its issuer key, the demo default: the park can sign for the firm) or ``"firm"`` (a key
    only the firm holds: the firm signs each retirement, the park relays it).
    """

    __tablename__ = "firms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(ADDRESS_LEN), unique=True)
    key_custody: Mapped[str] = mapped_column(String(16), default="custodial", server_default="custodial")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    __table_args__ = (CheckConstraint("key_custody IN ('custodial', 'firm')", name="key_custody_known"),)

    devices: Mapped[list[FirmLoadDevice]] = relationship(back_populates="firm", cascade="all, delete-orphan")


class FirmLoadDevice(Base):
    """A withdrawal device (snapshot ``withdrawals.device_id``) that belongs to a firm."""

    __tablename__ = "firm_load_devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[str] = mapped_column(String(128), unique=True)

    firm: Mapped[Firm] = relationship(back_populates="devices")


class MeterReadingRow(Base):
    """Metered generation of one plant over one interval, whole Wh."""

    __tablename__ = "meter_readings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plant_id: Mapped[int] = mapped_column(ForeignKey("plants.id"))
    interval_start_s: Mapped[int] = mapped_column(BigInteger)
    interval_s: Mapped[int] = mapped_column(Integer)
    energy_wh: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    __table_args__ = (
        UniqueConstraint("plant_id", "interval_start_s"),
        CheckConstraint("energy_wh >= 0", name="energy_non_negative"),
        CheckConstraint("interval_s > 0", name="interval_positive"),
    )


class IssuanceBatch(Base):
    """One issuance batch: a Merkle root over allocation and cap leaves of a period, with its outbox state."""

    __tablename__ = "issuance_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(HASH_LEN), unique=True)
    period_start_s: Mapped[int] = mapped_column(BigInteger)
    period_end_s: Mapped[int] = mapped_column(BigInteger)
    interval_s: Mapped[int] = mapped_column(Integer)
    input_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    root: Mapped[str] = mapped_column(String(HASH_LEN))
    mode: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)
    tx_hash: Mapped[str | None] = mapped_column(String(HASH_LEN))
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, onupdate=utc_now)

    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sent', 'confirmed', 'failed')", name="state_known"),
        CheckConstraint("mode IN ('anchor', 'direct')", name="mode_known"),
        CheckConstraint("period_end_s > period_start_s", name="period_not_empty"),
    )


class BatchPlant(Base):
    """A plant issued by a batch (the batch's on-chain ``plants``, by plant id = on-chain index)."""

    __tablename__ = "batch_plants"

    batch_pk: Mapped[int] = mapped_column(ForeignKey("issuance_batches.id", ondelete="CASCADE"), primary_key=True)
    plant_id: Mapped[int] = mapped_column(ForeignKey("plants.id"), primary_key=True)


class AllocationLeafRow(Base):
    """``amount_wh`` of a plant's interval certificates allocated to ``holder_address`` in a batch.

    ``firm_id`` is null when the holder is the plant's own account (energy exported, stored, lost
    or taken by non-firm loads).
    """

    __tablename__ = "allocation_leaves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_pk: Mapped[int] = mapped_column(ForeignKey("issuance_batches.id", ondelete="CASCADE"))
    plant_id: Mapped[int] = mapped_column(ForeignKey("plants.id"))
    interval_start_s: Mapped[int] = mapped_column(BigInteger)
    interval_s: Mapped[int] = mapped_column(Integer)
    holder_address: Mapped[str] = mapped_column(String(ADDRESS_LEN), index=True)
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("firms.id"))
    amount_wh: Mapped[int] = mapped_column(BigInteger)
    token_id: Mapped[str] = mapped_column(String(TOKEN_ID_LEN), index=True)
    leaf_hash: Mapped[str] = mapped_column(String(HASH_LEN))

    __table_args__ = (
        UniqueConstraint("batch_pk", "plant_id", "interval_start_s", "holder_address"),
        Index("ix_allocation_leaves_leaf_hash", "leaf_hash"),
        CheckConstraint("amount_wh > 0", name="amount_positive"),
    )


class CapLeafRow(Base):
    """A plant's metered generation in one interval (whole Wh): the cap of its plant-interval node.

    ``leaf_hash`` holds the hash of the plant-interval node (contract v2), which commits to the cap
    and to the sum of the leaves under it.
    """

    __tablename__ = "cap_leaves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_pk: Mapped[int] = mapped_column(ForeignKey("issuance_batches.id", ondelete="CASCADE"))
    plant_id: Mapped[int] = mapped_column(ForeignKey("plants.id"))
    interval_start_s: Mapped[int] = mapped_column(BigInteger)
    interval_s: Mapped[int] = mapped_column(Integer)
    cap_wh: Mapped[int] = mapped_column(BigInteger)
    token_id: Mapped[str] = mapped_column(String(TOKEN_ID_LEN), index=True)
    leaf_hash: Mapped[str] = mapped_column(String(HASH_LEN))

    __table_args__ = (
        UniqueConstraint("batch_pk", "plant_id", "interval_start_s"),
        CheckConstraint("cap_wh > 0", name="cap_positive"),
    )


class ClaimRow(Base):
    """An allocation leaf minted on-chain: claimed with a proof, or minted directly by ``issueBatch``."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leaf_id: Mapped[int] = mapped_column(ForeignKey("allocation_leaves.id"), unique=True)
    mode: Mapped[str] = mapped_column(String(16))
    tx_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    __table_args__ = (CheckConstraint("mode IN ('proof', 'direct')", name="mode_known"),)


class RetirementRow(Base):
    """A firm's retirement of certificates against a shipment (one claim reference)."""

    __tablename__ = "retirements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_ref: Mapped[str] = mapped_column(String(128), unique=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id"), index=True)
    beneficiary: Mapped[str] = mapped_column(String(200))
    period_start_s: Mapped[int] = mapped_column(BigInteger)
    period_end_s: Mapped[int] = mapped_column(BigInteger)
    purpose: Mapped[str] = mapped_column(String(200))
    shipment_id: Mapped[str] = mapped_column(String(128))
    product: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[float] = mapped_column(Float)
    quantity_unit: Mapped[str] = mapped_column(String(16))
    destination: Mapped[str] = mapped_column(String(200))
    embedded_mwh: Mapped[float] = mapped_column(Float)
    amount_wh: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16))
    #: What the ledger reference hashes (the provenance claim), stored with the intent for a rerun (0007).
    claim_document: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, onupdate=utc_now)

    lines: Mapped[list[RetirementLine]] = relationship(back_populates="retirement", cascade="all, delete-orphan",
                                                       order_by="RetirementLine.id")

    __table_args__ = (
        CheckConstraint("amount_wh > 0", name="amount_positive"),
        CheckConstraint("state IN ('pending', 'confirmed', 'failed')", name="state_known"),
    )


class RetirementLine(Base):
    """The part of a retirement taken from one allocation leaf.

    Lines of one batch are retired in one transaction under one on-chain claim reference
    (``chain_claim_ref``, shared by those lines).
    """

    __tablename__ = "retirement_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    retirement_id: Mapped[int] = mapped_column(ForeignKey("retirements.id", ondelete="CASCADE"), index=True)
    leaf_id: Mapped[int] = mapped_column(ForeignKey("allocation_leaves.id"), index=True)
    chain_claim_ref: Mapped[str] = mapped_column(String(HASH_LEN), index=True)
    #: The part (transaction) the line belongs to: batch id or "minted", "/k" chunk, "@n" attempt (0007).
    part: Mapped[str | None] = mapped_column(String(96))
    amount_wh: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str | None] = mapped_column(String(HASH_LEN))
    block_number: Mapped[int | None] = mapped_column(BigInteger)

    retirement: Mapped[RetirementRow] = relationship(back_populates="lines")

    __table_args__ = (CheckConstraint("amount_wh > 0", name="amount_positive"),)


class FirmIntervalResult(Base):
    """One firm's consumption in one interval and its traced renewable part (Wh) and emissions (kg CO2).

    Derived data: recomputable from the grid model, the meter data and the tracer; kept so that
    shares, hourly matching and dashboards do not re-run attribution.
    """

    __tablename__ = "firm_interval_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    firm_code: Mapped[str] = mapped_column(String(64))
    interval_start_s: Mapped[int] = mapped_column(BigInteger)
    interval_s: Mapped[int] = mapped_column(Integer)
    consumption_wh: Mapped[int] = mapped_column(BigInteger)
    renewable_wh: Mapped[int] = mapped_column(BigInteger)
    emissions_kg: Mapped[float] = mapped_column(Float)

    __table_args__ = (UniqueConstraint("firm_code", "interval_start_s"),)


class TechnologyFlowRow(Base):
    """Energy one technology supplied to one sink in one interval, Wh, as traced (upstream, gross).

    A sink is a firm code, or ``export``, ``storage_charge`` or ``other`` for withdrawals that are
    not firms' loads. Gross tracing charges losses to the sinks, so a sink's rows of an interval sum
    to its demand plus its share of losses. Derived data like :class:`FirmIntervalResult`, written by
    the same attribution run; kept so the dashboard's technology → firm Sankey needs no re-simulation.
    """

    __tablename__ = "technology_flows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interval_start_s: Mapped[int] = mapped_column(BigInteger)
    interval_s: Mapped[int] = mapped_column(Integer)
    sink: Mapped[str] = mapped_column(String(64))
    technology: Mapped[str] = mapped_column(String(32))
    energy_wh: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        UniqueConstraint("interval_start_s", "sink", "technology"),
        CheckConstraint("energy_wh >= 0", name="energy_not_negative"),
    )


class ProvenanceRecordRow(Base):
    """A provenance record issued for a retirement, stored as the canonical JSON that was handed out.

    Every claim in it is checked against the chain when verified; storing it verbatim lets the
    public verify URL serve exactly what was issued.
    """

    __tablename__ = "provenance_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_ref: Mapped[str] = mapped_column(String(HASH_LEN), unique=True)
    firm_code: Mapped[str] = mapped_column(String(64), index=True)
    record_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class WebSessionRow(Base):
    """A signed-in dashboard session: the browser holds a random token, the ledger its SHA-256 and the API key id.

    The API key itself is never stored here or in the cookie; each request looks the key id up in
    the key store again, so revoking the key ends its sessions. Signing out deletes the row.
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class ChainBindingRow(Base):
    """The chain and contract a ledger was first used with: later runs refuse any other (0007).

    ``genesis_hash`` is the hash of block 0 (a node reset or replaced by another chain changes it);
    ``code_hash`` is keccak256 of the contract's runtime code (another contract at the address changes it).
    """

    __tablename__ = "chain_bindings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    contract_address: Mapped[str] = mapped_column(String(ADDRESS_LEN), unique=True)
    genesis_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    code_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
