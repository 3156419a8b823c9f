"""A certificate leaf checked against the chain and its published leaf file."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ...usecases.schemas import RetirementLinePublic

__all__ = [
    "LeafVerificationPublic",
]


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
