"""Evidence of one certificate leaf: the leaf and cap leaf as hashed, proofs, and what retired it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .fields import MAX_COUNT, MAX_WH, Address, Code, Hex32, JsonInt, UnixSeconds

__all__ = [
    "CapLeafPublic",
    "EvidenceBundle",
    "LeafPublic",
    "RetirementLinePublic",
]

#: An ERC-1155 token id as a decimal string (uint256).
TokenId = Annotated[str, Field(pattern=r"^[0-9]{1,78}$")]


class LeafPublic(BaseModel):
    """An allocation leaf as hashed into a batch tree (see docs/ledger.md, leaf file format)."""

    model_config = ConfigDict(extra="forbid")

    plant_code: Code
    plant_index: JsonInt = Field(ge=1, le=2**32 - 1, description="The plant's on-chain index (hashed into the leaf).")
    position: JsonInt = Field(ge=0, le=MAX_COUNT, description="Position of the leaf in its batch tree (below 2⁶⁴).")
    interval_start_s: UnixSeconds = Field(description="Interval start, UNIX seconds UTC.")
    interval_s: JsonInt = Field(ge=1, le=86_400)
    holder: Address = Field(description="EVM address of the certificate account.")
    amount_wh: JsonInt = Field(ge=0, le=MAX_WH)
    token_id: TokenId
    leaf_hash: Hex32


class CapLeafPublic(BaseModel):
    """The plant-interval's cap (its metered Wh).

    ``leaf_hash`` is the plant-interval node the leaf's proof passes through: it commits to the cap
    and to the sum of the leaves under it.
    """

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
