"""Retirements against shipments and the aggregate retirement statement of a firm account."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = [
    "PlantRetiredPublic",
    "RetirementPublic",
    "RetirementStatementPublic",
    "ShipmentPublic",
    "StorageRecordPublic",
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


class StorageRecordPublic(BaseModel):
    """A storage discharge certificate of the account: energy that went through a battery, with its origin."""

    storage_code: str = Field(description="The storage unit it was discharged from.")
    plant_code: str = Field(description="The plant that generated it (original attribute).")
    technology: str
    origin_start: datetime = Field(description="Start of the production interval (original attribute), UTC.")
    origin_s: int = Field(description="Length of the production interval, seconds.")
    discharged_in: datetime = Field(description="Start of the batch period it was discharged in, UTC.")
    amount_wh: int = Field(ge=0, description="Discharge certificate Wh (after round-trip losses).")
    retired_wh: int = Field(ge=0, description="Of which retired on-chain.")


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
    storage_records: list[StorageRecordPublic] = Field(
        default_factory=list, description="The account's storage discharge certificates from batches of the period "
                                          "(issue 16): origin plant and interval, Wh, Wh retired.")
