"""A firm's renewable share over time and its hourly matching against certificates."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

__all__ = [
    "HourMatch",
    "HourlyMatchingPublic",
    "Resolution",
    "SeriesPointPublic",
    "ShareSeriesPublic",
]


class Resolution(StrEnum):
    """Aggregation step of a time series."""

    QUARTER_HOUR = "15min"
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"


class SeriesPointPublic(BaseModel):
    """One step of a firm's renewable-share series."""

    start: datetime
    end: datetime
    consumption_mwh: float = Field(ge=0, description="Energy the firm drew in the step, MWh.")
    renewable_mwh: float = Field(ge=0, description="Part of it traced to renewable plants, MWh.")
    renewable_share: float = Field(ge=0, le=1, description="renewable_mwh / consumption_mwh (0 if nothing drawn).")
    carbon_intensity_t_per_mwh: float = Field(ge=0, description="Traced emissions per consumed MWh, tCO2/MWh.")


class ShareSeriesPublic(BaseModel):
    """A firm's traced renewable share over time, aggregated server-side."""

    firm_code: str
    resolution: Resolution
    renewable_share: float = Field(ge=0, le=1, description="Energy-weighted share over the whole period.")
    points: list[SeriesPointPublic]


class HourMatch(BaseModel):
    """One hour of hourly matching: consumption against certificates of the same hour."""

    hour_start: datetime
    consumption_wh: int = Field(ge=0)
    certificates_wh: int = Field(ge=0, description="Certificates allocated to the firm for intervals of this hour.")
    matched_wh: int = Field(ge=0, description="min(consumption_wh, certificates_wh).")


class HourlyMatchingPublic(BaseModel):
    """Share of a firm's consumption matched by renewable certificates of the same hour (EnergyTag hourly matching)."""

    firm_code: str
    period_start: datetime
    period_end: datetime
    consumption_wh: int = Field(ge=0)
    matched_wh: int = Field(ge=0)
    score: float | None = Field(ge=0, le=1, description="matched_wh / consumption_wh (null if nothing was consumed).")
    hours: list[HourMatch]
