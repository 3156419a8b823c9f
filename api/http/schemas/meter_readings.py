"""Meter data uploads (JSON) and what they changed."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict

from ...usecases.periods import UtcTime
from ...usecases.schemas.fields import MAX_WH, Code, JsonInt, JsonNumber, PlainText, integral

__all__ = [
    "IngestResult",
    "MeterReadingCreate",
    "MeterReadingsCreate",
]


#: Whole Wh of one reading (constraints inside the type, so that the optional field's schema states them).
EnergyWh = Annotated[int, Strict(), Field(ge=0, le=MAX_WH), BeforeValidator(integral)]


class MeterReadingCreate(BaseModel):
    """One plant's metered generation over one interval. Give exactly one of ``energy_wh``, ``energy_mwh``."""

    model_config = ConfigDict(extra="forbid")

    plant_code: Code
    interval_start: UtcTime
    interval_s: JsonInt = Field(default=900, ge=1, le=86_400, description="Interval length, seconds.")
    energy_wh: EnergyWh | None = Field(default=None, description="Generated energy, whole Wh.")
    energy_mwh: JsonNumber | None = Field(default=None, ge=0, le=10**9, description="Generated energy, MWh.")
    source: PlainText = Field(default="meter", min_length=1, max_length=64)


class MeterReadingsCreate(BaseModel):
    """A JSON upload of meter readings (all or nothing; re-sending the same values is a no-op)."""

    model_config = ConfigDict(extra="forbid")

    readings: list[MeterReadingCreate] = Field(min_length=1, max_length=200_000)


class IngestResult(BaseModel):
    """What an upload changed."""

    inserted: int = Field(ge=0, description="Readings stored by this upload.")
    unchanged: int = Field(ge=0, description="Readings already stored with the same value (idempotent no-ops).")
