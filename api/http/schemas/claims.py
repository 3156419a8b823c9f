"""A firm's on-chain claims: one anchored allocation leaf, or a whole park day's leaves."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ...usecases.periods import SupportedDay
from ...usecases.schemas.fields import Hex32

__all__ = [
    "ClaimCreate",
    "ClaimPublic",
    "DayClaimCreate",
    "DayClaimPublic",
]


class DayClaimCreate(BaseModel):
    """Claim every active, unclaimed, unretired leaf of the firm of one park day (00:00–24:00 UTC+8)."""

    model_config = ConfigDict(extra="forbid")

    day: SupportedDay = Field(description="Park-local calendar day, e.g. 2025-06-21.")


class DayClaimPublic(BaseModel):
    """A day's leaves minted to the firm: one ``claimLeaves`` transaction per batch drawn on."""

    day: str
    leaves: int
    amount_wh: int
    tx_hashes: list[str] = Field(description="One per batch (per 1,000 leaves), in the order sent.")


class ClaimCreate(BaseModel):
    """Claim one anchored allocation leaf of the firm on-chain."""

    leaf_hash: Hex32 = Field(description="Hash of the allocation leaf to mint.")


class ClaimPublic(BaseModel):
    """An allocation leaf minted on-chain to its holder."""

    leaf_hash: str
    mode: str = Field(description="'proof' (claimed with a Merkle proof) or 'direct' (minted at issuance).")
    tx_hash: str
    block_number: int | None
