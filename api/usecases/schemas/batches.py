"""Issuance batches and how they go on-chain."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ..issuance_mode import IssuanceMode

__all__ = [
    "BatchPublic",
    "IssuanceMode",
]


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
