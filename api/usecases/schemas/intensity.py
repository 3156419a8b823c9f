"""Nodal carbon intensity of the park for one interval."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = [
    "BusIntensityPublic",
    "NodalIntensityPublic",
]


class BusIntensityPublic(BaseModel):
    """Carbon intensity at one bus."""

    bus_id: int
    t_co2_per_mwh: float | None = Field(description="Nodal carbon intensity, tCO2/MWh; null if nothing flows.")


class NodalIntensityPublic(BaseModel):
    """Nodal carbon intensity of the park for one interval (carbon emission flow, Kang et al. 2015)."""

    interval_start: datetime
    interval_s: int
    buses: list[BusIntensityPublic]
    firms: dict[str, float] = Field(description="Intensity of each firm's supply, tCO2/MWh (demand-weighted).")
