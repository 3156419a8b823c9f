"""Unit conversions used across the API (one place, so every module converts alike)."""

from __future__ import annotations

__all__ = ["KG_PER_T", "WH_PER_MWH", "mwh"]

#: Watt-hours per megawatt-hour (certificates count whole Wh).
WH_PER_MWH = 1_000_000
#: Kilograms per tonne (emissions are stored in kg CO2, reported in tCO2).
KG_PER_T = 1_000


def mwh(wh: int | float) -> float:
    """Return ``wh`` watt-hours in MWh."""
    return wh / WH_PER_MWH
