"""Retirements against shipments and the aggregate retirement statement of a firm account."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = [
    "PlantRetiredPublic",
    "RetirementPublic",
    "RetirementStatementPublic",
    "ShipmentPublic",
]


class ShipmentPublic(BaseModel):
    """A shipment certificates are retired against."""

    shipment_id: str
    product: str
    quantity: float
    quantity_unit: str
    destination: str
    embedded_electricity_mwh: float = Field(description="Electricity embedded in the shipped goods, MWh.")


class RetirementPublic(BaseModel):
    """One retirement (one claim reference) and where its certificates came from."""

    claim_ref: str
    beneficiary: str
    purpose: str
    consumption_start: datetime
    consumption_end: datetime
    shipment: ShipmentPublic
    retired_wh: int = Field(ge=0)
    state: str
    created_at: datetime
    tx_hashes: list[str]


class PlantRetiredPublic(BaseModel):
    """Retired Wh of one plant in a statement."""

    plant_code: str
    technology: str
    retired_wh: int = Field(ge=0)


class RetirementStatementPublic(BaseModel):
    """Aggregate retirement statement of one account over a period (EnergyTag registry users' ask)."""

    firm_code: str
    firm_name: str
    account: str = Field(description="EVM address of the firm's certificate account.")
    period_start: datetime
    period_end: datetime
    generated_at: datetime
    retired_wh: int = Field(ge=0, description="Certificates retired by confirmed retirements whose claimed "
                                              "consumption period overlaps the statement period.")
    by_plant: list[PlantRetiredPublic]
    retirements: list[RetirementPublic]
