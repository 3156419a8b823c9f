"""Evidence of one certificate leaf: the leaf and cap leaf as hashed, proofs, and what retired it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .fields import MAX_WH, Address, Code, Hex32, JsonInt, UnixSeconds

__all__ = [
    "CapLeafPublic",
    "EvidenceBundle",
    "LeafPublic",
    "RetirementLinePublic",
]

#: An ERC-1155 token id as a decimal string (uint256).
TokenId = Annotated[str, Field(pattern=r"^[0-9]{1,78}$")]


class LeafPublic(BaseModel):
    """An allocation leaf as hashed into a batch root (see docs/ledger.md, leaf file format)."""

    model_config = ConfigDict(extra="forbid")

    plant_code: Code
    interval_start_s: UnixSeconds = Field(description="Interval start, UNIX seconds UTC.")
    interval_s: JsonInt = Field(ge=1, le=86_400)
    holder: Address = Field(description="EVM address of the certificate account.")
    amount_wh: JsonInt = Field(ge=0, le=MAX_WH)
    token_id: TokenId
    leaf_hash: Hex32


class CapLeafPublic(BaseModel):
    """A cap leaf: the plant's metered Wh in the interval, the supply cap of its token id."""

    model_config = ConfigDict(extra="forbid")

    plant_code: Code
    interval_start_s: UnixSeconds
    interval_s: JsonInt = Field(ge=1, le=86_400)
    cap_wh: JsonInt = Field(ge=0, le=MAX_WH)
    token_id: TokenId
    leaf_hash: Hex32


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
    period_start: datetime
    period_end: datetime
    mode: str = Field(description="'anchor' (root only; holders claim with proofs) or 'direct' (minted at issuance).")
    state: str = Field(description="Outbox state of the batch: pending, sent, confirmed or failed.")
    anchor_tx_hash: str | None
    anchor_block: int | None
    leaf: LeafPublic
    proof: list[str] = Field(description="Sibling hashes from the leaf to the root (sorted-pair keccak256).")
    cap: CapLeafPublic
    cap_proof: list[str]
    claim_tx_hash: str | None = Field(description="Transaction that minted the leaf, if it is minted.")
    retirements: list[RetirementLinePublic]
