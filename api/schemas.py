"""Request and response bodies of the HTTP API (pydantic), kept apart from the ledger's ORM rows.

Request bodies (and the provenance record, which is also posted back) refuse unknown fields.

Conventions: energies are whole watt-hours (``*_wh``) where they are certificate quantities and
MWh (``*_mwh``) where they are physical aggregates; times are timezone-aware UTC (ISO 8601);
shares are fractions in [0, 1]; carbon intensities are tCO2/MWh; hashes and ids from the chain
are ``0x``-prefixed hex; token ids are decimal strings (uint256).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

__all__ = [
    "MAX_PERIOD_DAYS",
    "AttributionRunCreate",
    "AttributionRunPublic",
    "BalanceLine",
    "BatchPublic",
    "BusIntensityPublic",
    "CapLeafPublic",
    "CertificatePublic",
    "CertificateStatus",
    "EvidenceBundle",
    "FirmTotalPublic",
    "HealthPublic",
    "HourMatch",
    "HourlyMatchingPublic",
    "IngestResult",
    "IssuanceMode",
    "LeafPublic",
    "LeafVerificationPublic",
    "MeterReadingCreate",
    "MeterReadingsCreate",
    "NodalIntensityPublic",
    "ParkRegistrationPublic",
    "PlantRetiredPublic",
    "ProvenanceClaim",
    "ProvenanceLine",
    "ProvenanceRecord",
    "RecordCheck",
    "Resolution",
    "RetirementCreate",
    "RetirementLinePublic",
    "RetirementPublic",
    "RetirementStatementPublic",
    "SeriesPointPublic",
    "ShareSeriesPublic",
    "ShipmentCreate",
    "ShipmentPublic",
    "UtcTime",
    "VerificationPublic",
]

#: Longest period a single request may cover.
MAX_PERIOD_DAYS = 400
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _in_supported_range(moment: datetime) -> datetime:
    if not _EARLIEST <= moment < _LATEST:
        raise ValueError(f"{moment.isoformat()} is outside the supported range 2000-01-01 .. 2100-01-01 (UTC)")
    return moment.astimezone(UTC)


#: A timezone-aware instant between 2000 and 2100, normalised to UTC.
UtcTime = Annotated[AwareDatetime, AfterValidator(_in_supported_range)]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


class HealthPublic(BaseModel):
    """Liveness of the service and what it is connected to."""

    status: str = Field(description="'ok' when the database answers.")
    version: str
    chain_configured: bool = Field(description="Whether an RPC URL and contract address are set (not probed).")


class MeterReadingCreate(BaseModel):
    """One plant's metered generation over one interval. Give exactly one of ``energy_wh``, ``energy_mwh``."""

    model_config = ConfigDict(extra="forbid")

    plant_code: Code
    interval_start: UtcTime
    interval_s: int = Field(default=900, ge=1, le=86_400, description="Interval length, seconds.")
    energy_wh: int | None = Field(default=None, ge=0, le=10**15, description="Generated energy, whole Wh.")
    energy_mwh: float | None = Field(default=None, ge=0, le=10**9, description="Generated energy, MWh.")
    source: str = Field(default="meter", min_length=1, max_length=64)


class MeterReadingsCreate(BaseModel):
    """A JSON upload of meter readings (all or nothing; re-sending the same values is a no-op)."""

    model_config = ConfigDict(extra="forbid")

    readings: list[MeterReadingCreate] = Field(min_length=1, max_length=200_000)


class IngestResult(BaseModel):
    """What an upload changed."""

    inserted: int = Field(ge=0, description="Readings stored by this upload.")
    unchanged: int = Field(ge=0, description="Readings already stored with the same value (idempotent no-ops).")


class Resolution(StrEnum):
    """Aggregation step of a time series."""

    QUARTER_HOUR = "15min"
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"


class CertificateStatus(StrEnum):
    """EnergyTag granular-certificate status of a holder's certificates of one leaf."""

    ACTIVE = "active"
    RETIRED = "retired"
    EXPIRED = "expired"


class CertificatePublic(BaseModel):
    """A holder's certificates of one plant and interval (one allocation leaf)."""

    token_id: str = Field(description="ERC-1155 token id (decimal uint256) of the plant-interval.")
    plant_code: str
    technology: str
    interval_start: datetime
    interval_s: int
    batch_id: str
    leaf_hash: str = Field(description="Hash of the allocation leaf (key of its evidence bundle).")
    holder: str = Field(description="EVM address of the certificate account.")
    firm_code: str | None = Field(description="Holder firm; null for a plant's own account.")
    allocated_wh: int = Field(ge=0, description="Wh allocated to the holder by attribution.")
    claimed: bool = Field(description="Whether the leaf is minted on-chain (claimed with a proof or issued directly).")
    retired_wh: int = Field(ge=0)
    status: CertificateStatus


class ClaimCreate(BaseModel):
    """Claim one anchored allocation leaf of the firm on-chain."""

    leaf_hash: str = Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="Hash of the allocation leaf to mint.")


class ClaimPublic(BaseModel):
    """An allocation leaf minted on-chain to its holder."""

    leaf_hash: str
    mode: str = Field(description="'proof' (claimed with a Merkle proof) or 'direct' (minted at issuance).")
    tx_hash: str
    block_number: int | None


class BalanceLine(BaseModel):
    """A holder's certificates of one plant, summed over a period."""

    plant_code: str
    technology: str
    allocated_wh: int = Field(ge=0)
    retired_wh: int = Field(ge=0)
    expired_wh: int = Field(ge=0)
    active_wh: int = Field(ge=0, description="allocated - retired - expired (unretired, still valid).")


class SeriesPointPublic(BaseModel):
    """One step of a firm's renewable-share series."""

    start: datetime
    end: datetime
    consumption_mwh: float = Field(ge=0, description="Energy the firm drew in the step, MWh.")
    renewable_mwh: float = Field(ge=0, description="Part of it traced to renewable plants, MWh.")
    renewable_share: float = Field(ge=0, le=1, description="renewable_mwh / consumption_mwh (0 if nothing drawn).")
    carbon_intensity_t_per_mwh: float = Field(ge=0, description="Traced emissions per consumed MWh, tCO2/MWh.")


class ShareSeriesPublic(BaseModel):
    """A firm's traced renewable share over time, aggregated server-side."""

    firm_code: str
    resolution: Resolution
    renewable_share: float = Field(ge=0, le=1, description="Energy-weighted share over the whole period.")
    points: list[SeriesPointPublic]


class HourMatch(BaseModel):
    """One hour of hourly matching: consumption against certificates of the same hour."""

    hour_start: datetime
    consumption_wh: int = Field(ge=0)
    certificates_wh: int = Field(ge=0, description="Certificates allocated to the firm for intervals of this hour.")
    matched_wh: int = Field(ge=0, description="min(consumption_wh, certificates_wh).")


class HourlyMatchingPublic(BaseModel):
    """Share of a firm's consumption matched by renewable certificates of the same hour (EnergyTag hourly matching)."""

    firm_code: str
    period_start: datetime
    period_end: datetime
    consumption_wh: int = Field(ge=0)
    matched_wh: int = Field(ge=0)
    score: float = Field(ge=0, le=1, description="matched_wh / consumption_wh (0 if nothing was consumed).")
    hours: list[HourMatch]


class LeafPublic(BaseModel):
    """An allocation leaf as hashed into a batch tree (see docs/ledger.md, leaf file format)."""

    model_config = ConfigDict(extra="forbid")

    plant_code: str
    plant_index: int = Field(ge=1, le=2**32 - 1, description="The plant's on-chain index (hashed into the leaf).")
    position: int = Field(ge=0, le=2**64 - 1, description="Position of the leaf in its batch tree.")
    interval_start_s: int = Field(description="Interval start, UNIX seconds UTC.")
    interval_s: int
    holder: str = Field(description="EVM address of the certificate account.")
    amount_wh: int = Field(ge=0)
    token_id: str
    leaf_hash: str


class CapLeafPublic(BaseModel):
    """The plant-interval's cap (its metered Wh).

    ``leaf_hash`` is the plant-interval node the leaf's proof passes through: it commits to the cap
    and to the sum of the leaves under it.
    """

    model_config = ConfigDict(extra="forbid")

    plant_code: str
    interval_start_s: int
    interval_s: int
    cap_wh: int = Field(ge=0)
    token_id: str
    leaf_hash: str


class RetirementLinePublic(BaseModel):
    """The part of a retirement burnt from one leaf, in one transaction."""

    claim_ref: str = Field(description="On-chain claim reference of this line (bytes32 hex).")
    amount_wh: int = Field(ge=0)
    tx_hash: str | None
    block_number: int | None


class EvidenceBundle(BaseModel):
    """Everything needed to check one certificate leaf against the chain without the ledger database."""

    batch_id: str
    input_hash: str = Field(description="keccak256 of the batch inputs (meter readings, shares, snapshot digests).")
    root: str = Field(description="Merkle root anchored on-chain.")
    discharge_root: str = Field(description="Root of the batch's storage-discharge tree (zero when it has none).")
    period_start: datetime
    period_end: datetime
    mode: str = Field(description="'anchor' (holders claim with proofs) or 'direct' (every leaf claimed at issuance).")
    state: str = Field(description="Outbox state of the batch: pending, sent, confirmed or failed.")
    anchor_tx_hash: str | None
    anchor_block: int | None
    leaf: LeafPublic
    proof: list[str] = Field(description="Multiproof of the leaf in the contract's fold order, its cap included "
                                         "(docs/contracts.md).")
    cap: CapLeafPublic
    claim_tx_hash: str | None = Field(description="Transaction that minted or used the leaf, if it is used.")
    retirements: list[RetirementLinePublic]


class ShipmentPublic(BaseModel):
    """A shipment certificates are retired against."""

    shipment_id: str
    product: str
    quantity: float
    quantity_unit: str
    destination: str
    embedded_electricity_mwh: float = Field(description="Electricity embedded in the shipped goods, MWh.")


class RetirementPublic(BaseModel):
    """One retirement (one claim reference) and where its certificates came from."""

    claim_ref: str
    beneficiary: str
    purpose: str
    consumption_start: datetime
    consumption_end: datetime
    shipment: ShipmentPublic
    retired_wh: int = Field(ge=0)
    state: str
    created_at: datetime
    tx_hashes: list[str]


class PlantRetiredPublic(BaseModel):
    """Retired Wh of one plant in a statement."""

    plant_code: str
    technology: str
    retired_wh: int = Field(ge=0)


class RetirementStatementPublic(BaseModel):
    """Aggregate retirement statement of one account over a period (EnergyTag registry users' ask)."""

    firm_code: str
    firm_name: str
    account: str = Field(description="EVM address of the firm's certificate account.")
    period_start: datetime
    period_end: datetime
    generated_at: datetime
    retired_wh: int = Field(ge=0, description="Certificates retired by confirmed retirements whose claimed "
                                              "consumption period overlaps the statement period.")
    by_plant: list[PlantRetiredPublic]
    retirements: list[RetirementPublic]


class IssuanceMode(StrEnum):
    """How a batch goes on-chain."""

    ANCHOR = "anchor"
    DIRECT = "direct"


class AttributionRunCreate(BaseModel):
    """Trace the park over a period (whole 15-minute intervals, at most a week per request)."""

    model_config = ConfigDict(extra="forbid")

    start: UtcTime
    end: UtcTime
    simulated_meters: bool = Field(
        default=False, description="Store the model's solved plant output as meter readings (source 'simulated'); "
                                   "otherwise the readings must have been uploaded.")
    mode: IssuanceMode = Field(default=IssuanceMode.ANCHOR, description="Issuance mode of the resulting batch.")


class FirmTotalPublic(BaseModel):
    """A firm's energies over an attribution run."""

    firm_code: str
    consumption_mwh: float = Field(ge=0)
    renewable_mwh: float = Field(ge=0)
    renewable_share: float = Field(ge=0, le=1)
    emissions_t: float = Field(ge=0, description="Traced emissions, tCO2.")


class AttributionRunPublic(BaseModel):
    """Outcome of an attribution run: per-firm totals and the pending batch of certificates."""

    start: datetime
    end: datetime
    intervals: int
    batch_id: str
    readings_inserted: int
    firms: list[FirmTotalPublic]


class BatchPublic(BaseModel):
    """An issuance batch and its outbox state."""

    batch_id: str
    period_start: datetime
    period_end: datetime
    mode: str
    state: str = Field(description="pending, sent, confirmed or failed.")
    root: str
    input_hash: str
    tx_hash: str | None
    block_number: int | None
    error: str | None


class BusIntensityPublic(BaseModel):
    """Carbon intensity at one bus."""

    bus_id: int
    t_co2_per_mwh: float | None = Field(description="Nodal carbon intensity, tCO2/MWh; null if nothing flows.")


class NodalIntensityPublic(BaseModel):
    """Nodal carbon intensity of the park for one interval (carbon emission flow, Kang et al. 2015)."""

    interval_start: datetime
    interval_s: int
    buses: list[BusIntensityPublic]
    firms: dict[str, float] = Field(description="Intensity of each firm's supply, tCO2/MWh (demand-weighted).")


Hex32 = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="0x + 64 hex digits.")]
Address = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$", description="EVM address.")]
Text = Annotated[str, Field(min_length=1, max_length=200)]


class ShipmentCreate(BaseModel):
    """A shipment whose embedded electricity is to be covered by retired renewable certificates."""

    model_config = ConfigDict(extra="forbid")

    shipment_id: str = Field(min_length=1, max_length=128, description="Bill of lading or customs declaration no.")
    product: Text
    quantity: float = Field(gt=0, le=1e12)
    quantity_unit: str = Field(min_length=1, max_length=16, description="Unit of quantity, e.g. 't'.")
    destination: Text
    embedded_electricity_mwh: float = Field(gt=0, le=1e6, description="Electricity embedded in the goods, MWh.")


class RetirementCreate(BaseModel):
    """Retire the exporter firm's certificates of a consumption period against a shipment."""

    model_config = ConfigDict(extra="forbid")

    shipment: ShipmentCreate
    consumption_start: UtcTime
    consumption_end: UtcTime
    beneficiary: Text | None = Field(default=None, description="Who the claim is for (default: the firm's name).")
    purpose: Text = "embedded renewable electricity of an exported shipment"


class ProvenanceClaim(BaseModel):
    """The committed content of a provenance record: ``claim_ref = keccak256(canonical JSON of this)``."""

    model_config = ConfigDict(extra="forbid")

    firm_code: str = Field(max_length=64)
    holder: Address
    beneficiary: str = Field(max_length=200)
    purpose: str = Field(max_length=200)
    consumption_start_s: int = Field(ge=0, le=2**63 - 1)
    consumption_end_s: int = Field(ge=0, le=2**63 - 1)
    shipment: ShipmentCreate
    chain_id: int = Field(ge=0, le=2**63 - 1)
    contract: Address
    nonce: str = Field(pattern=r"^[0-9a-f]{32}$", description="Random 16 bytes: one claim reference per retirement.")


class ProvenanceLine(BaseModel):
    """Certificates of one leaf retired in one transaction, with the proofs linking them to an anchored root."""

    model_config = ConfigDict(extra="forbid")

    line: int = Field(ge=0, le=1_000_000)
    claim_ref: Hex32 = Field(description="On-chain claim reference of the line's transaction: keccak256(canonical "
                                         "{holder, part, shipment}), part = batch id or 'minted'.")
    batch_id: Hex32
    root: Hex32
    discharge_root: Hex32
    leaf: LeafPublic
    proof: list[Hex32] = Field(max_length=256)
    cap: CapLeafPublic
    amount_wh: int = Field(ge=1, le=2**255)
    tx_hash: Hex32
    block_number: int = Field(ge=0, le=2**63 - 1)


class ProvenanceRecord(BaseModel):
    """A buyer-verifiable record of a shipment's renewable electricity, retired on-chain."""

    model_config = ConfigDict(extra="forbid")

    format: str = Field(pattern=r"^greenproof-provenance/1$")
    claim_ref: Hex32
    claim: ProvenanceClaim
    retired_wh: int = Field(ge=0, le=2**255)
    lines: list[ProvenanceLine] = Field(min_length=1, max_length=20_000)
    verify_url: str = Field(max_length=500)


class RecordCheck(BaseModel):
    """One check of a provenance record."""

    name: str
    ok: bool
    detail: str


class VerificationPublic(BaseModel):
    """Answer of a verification: every check, computed from the record and the chain only."""

    claim_ref: str
    valid: bool
    checks: list[RecordCheck]
    verified_at: datetime
    chain_id: int | None
    contract: str | None


class LeafVerificationPublic(BaseModel):
    """A certificate leaf checked against the chain and the published leaf file only (greenproof.ledger.verify)."""

    ok: bool = Field(description="Every check passed.")
    batch_id: str
    leaf_hash: str
    file_root: str
    chain_root: str | None
    proof: list[str]
    cap_wh: int | None
    anchor_tx: str | None
    anchor_block: int | None
    claim_tx: str | None
    retired_wh: int = Field(ge=0)
    retirements: list[RetirementLinePublic]
    problems: list[str]


class ParkRegistrationPublic(BaseModel):
    """Plants and firms of the park model newly registered in the ledger (already registered ones are kept)."""

    plants_added: list[str]
    firms_added: list[str]
