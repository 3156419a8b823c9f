"""Certificates as a holder sees them: one allocation leaf each, and balances per plant."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

__all__ = [
    "BalanceLine",
    "CertificatePublic",
    "CertificateStatus",
]


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


class BalanceLine(BaseModel):
    """A holder's certificates of one plant, summed over a period."""

    plant_code: str
    technology: str
    allocated_wh: int = Field(ge=0)
    retired_wh: int = Field(ge=0)
    expired_wh: int = Field(ge=0)
    active_wh: int = Field(ge=0, description="allocated - retired - expired (unretired, still valid).")
