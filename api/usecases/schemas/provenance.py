"""Provenance records: the shipment, the committed claim, the retired lines and their verification."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .evidence import CapLeafPublic, LeafPublic
from .fields import MAX_COUNT, MAX_WH, Address, Code, Hex32, JsonInt, JsonNumber, PlainText, UnixSeconds

__all__ = [
    "MAX_SUBMITTED_LINES",
    "ProvenanceClaim",
    "ProvenanceLine",
    "ProvenanceRecord",
    "RecordCheck",
    "ShipmentCreate",
    "SubmittedRecord",
    "VerificationPublic",
]

#: Most lines of a record a caller submits for verification (records issued here verify by claim reference).
MAX_SUBMITTED_LINES = 1_000


#: Free text of a claim: 1 to 200 characters, no control or bidirectional-formatting characters.
Text = Annotated[PlainText, Field(min_length=1, max_length=200)]


class ShipmentCreate(BaseModel):
    """A shipment whose embedded electricity is to be covered by retired renewable certificates."""

    model_config = ConfigDict(extra="forbid")

    shipment_id: PlainText = Field(min_length=1, max_length=128,
                                   description="Bill of lading or customs declaration no.")
    product: Text
    quantity: JsonNumber = Field(gt=0, le=1e12)
    quantity_unit: PlainText = Field(min_length=1, max_length=16, description="Unit of quantity, e.g. 't'.")
    destination: Text
    embedded_electricity_mwh: JsonNumber = Field(gt=0, le=1e6, description="Electricity embedded in the goods, MWh.")


class ProvenanceClaim(BaseModel):
    """The committed content of a provenance record: ``claim_ref = keccak256(canonical JSON of this)``."""

    model_config = ConfigDict(extra="forbid")

    firm_code: Code
    holder: Address
    beneficiary: PlainText = Field(max_length=200)
    purpose: PlainText = Field(max_length=200)
    consumption_start_s: UnixSeconds
    consumption_end_s: UnixSeconds
    shipment: ShipmentCreate
    chain_id: JsonInt = Field(ge=0, le=MAX_COUNT)
    contract: Address
    nonce: str = Field(pattern=r"^[0-9a-f]{32}$", description="Random 16 bytes: one claim reference per retirement.")


class ProvenanceLine(BaseModel):
    """Certificates of one leaf retired in one transaction, with the proofs linking them to an anchored root."""

    model_config = ConfigDict(extra="forbid")

    line: JsonInt = Field(ge=0, le=1_000_000)
    claim_ref: Hex32 = Field(description="On-chain claim reference of the line's transaction: keccak256(canonical "
                                         "{holder, part, shipment}), part = batch id or 'minted'.")
    batch_id: Hex32
    root: Hex32
    discharge_root: Hex32
    leaf: LeafPublic
    proof: list[Hex32] = Field(max_length=256)
    cap: CapLeafPublic
    amount_wh: JsonInt = Field(ge=1, le=MAX_WH)
    tx_hash: Hex32
    block_number: JsonInt = Field(ge=0, le=MAX_COUNT)


class ProvenanceRecord(BaseModel):
    """A buyer-verifiable record of a shipment's renewable electricity, retired on-chain."""

    model_config = ConfigDict(extra="forbid")

    format: str = Field(pattern=r"^greenproof-provenance/1$")
    claim_ref: Hex32
    claim: ProvenanceClaim
    retired_wh: JsonInt = Field(ge=0, le=MAX_COUNT)
    lines: list[ProvenanceLine] = Field(min_length=1, max_length=20_000)
    verify_url: PlainText = Field(max_length=500)


class SubmittedRecord(ProvenanceRecord):
    """A provenance record sent by a caller to be verified: at most :data:`MAX_SUBMITTED_LINES` lines."""

    lines: list[ProvenanceLine] = Field(min_length=1, max_length=MAX_SUBMITTED_LINES)


class RecordCheck(BaseModel):
    """One check of a provenance record."""

    name: str
    ok: bool
    detail: str = Field(description="What the check found, in English.")
    reason: str = Field(description="Stable code of the outcome, e.g. 'claim.altered' (what `detail` says).")
    values: dict[str, str] = Field(description="The values `detail` names, by name (for translations).")


class VerificationPublic(BaseModel):
    """Answer of a verification: every check, computed from the record and the chain only."""

    claim_ref: str
    valid: bool
    checks: list[RecordCheck]
    verified_at: datetime
    chain_id: int | None
    contract: str | None
