"""Issuance batches and how they go on-chain."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

__all__ = [
    "BatchPublic",
    "IssuanceMode",
]


class IssuanceMode(StrEnum):
    """How a batch goes on-chain."""

    ANCHOR = "anchor"
    DIRECT = "direct"


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
