"""An exporter's request to retire certificates against a shipment."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ...usecases.periods import UtcTime
from ...usecases.schemas.provenance import ShipmentCreate, Text

__all__ = [
    "RetirementCreate",
]


class RetirementCreate(BaseModel):
    """Retire the exporter firm's certificates of a consumption period against a shipment."""

    model_config = ConfigDict(extra="forbid")

    shipment: ShipmentCreate
    consumption_start: UtcTime
    consumption_end: UtcTime
    beneficiary: Text | None = Field(default=None, description="Who the claim is for (default: the firm's name).")
    purpose: Text = "embedded renewable electricity of an exported shipment"
