"""A firm's on-chain claim of one anchored allocation leaf."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ...usecases.schemas.fields import Hex32

__all__ = [
    "ClaimCreate",
    "ClaimPublic",
]


class ClaimCreate(BaseModel):
    """Claim one anchored allocation leaf of the firm on-chain."""

    leaf_hash: Hex32 = Field(description="Hash of the allocation leaf to mint.")


class ClaimPublic(BaseModel):
    """An allocation leaf minted on-chain to its holder."""

    leaf_hash: str
    mode: str = Field(description="'proof' (claimed with a Merkle proof) or 'direct' (minted at issuance).")
    tx_hash: str
    block_number: int | None
