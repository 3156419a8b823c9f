"""Attribution runs of the park over a period, and their per-firm totals."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ...usecases.periods import UtcTime
from ...usecases.schemas import IssuanceMode
from ...usecases.schemas.fields import JsonBool

__all__ = [
    "AttributionRunCreate",
    "AttributionRunPublic",
    "FirmTotalPublic",
]


class AttributionRunCreate(BaseModel):
    """Trace the park over a period (whole 15-minute intervals, at most a week per request)."""

    model_config = ConfigDict(extra="forbid")

    start: UtcTime
    end: UtcTime
    simulated_meters: JsonBool = Field(
        default=False, description="Store the model's solved plant output as meter readings (source 'simulated'); "
                                   "otherwise the readings must have been uploaded.")
    mode: IssuanceMode = Field(default=IssuanceMode.ANCHOR, description="Issuance mode of the resulting batch.")


class FirmTotalPublic(BaseModel):
    """A firm's energies over an attribution run."""

    firm_code: str
    consumption_mwh: float = Field(ge=0)
    renewable_mwh: float = Field(ge=0)
    renewable_share: float = Field(ge=0, le=1)
    emissions_t: float = Field(ge=0, description="Traced emissions, tCO2.")


class AttributionRunPublic(BaseModel):
    """Outcome of an attribution run: per-firm totals and the pending batch of certificates."""

    start: datetime
    end: datetime
    intervals: int
    batch_ids: list[str] = Field(description="The period's certificate batches, one per park day (UTC+8), in time "
                                             "order.")
    readings_inserted: int
    firms: list[FirmTotalPublic]
