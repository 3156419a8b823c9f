"""Nodal carbon intensity of the park model for one interval (carbon emission flow, Kang et al. 2015)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime

import numpy as np

from greenproof.attribution import carbon_intensity
from greenproof.attribution.technologies import EAST_CHINA_GRID_2022_T_PER_MWH

from .park_simulation import INTERVAL, simulate_period
from .schemas import BusIntensityPublic, NodalIntensityPublic

__all__ = ["nodal_intensity"]


def nodal_intensity(interval_start: datetime, firm_devices: Mapping[str, str],
                    storage_mix: Mapping[str, Mapping[str, float]] | None = None) -> NodalIntensityPublic:
    """Solve the park for the interval starting at ``interval_start`` and return its nodal carbon intensity.

    A discharging battery carries the origin mix the ledger tracked for that interval
    (``storage_mix``, :func:`greenproof.ledger.storage_records.discharge_source_mix`); without one
    (the interval was never issued), or for the part of unknown origin, storage discharge counts at
    the East China grid average (0.5617 tCO2/MWh), as in :mod:`greenproof.api.usecases.park_attribution`.

    Parameters
    ----------
    interval_start : datetime
        Start of a 15-minute interval (UTC instant on the grid).
    firm_devices : mapping
        Withdrawal device id → firm code, for the per-firm intensities.
    storage_mix : mapping, optional
        Tracked technology shares of discharging storage devices; devices the model does not show
        discharging in the interval are ignored.
    """
    (snapshot,) = simulate_period(interval_start, interval_start + INTERVAL)
    discharging = set(snapshot.injections.device_id.tolist())
    mix = {device: shares for device, shares in (storage_mix or {}).items() if device in discharging}
    result = carbon_intensity(snapshot, {"storage": EAST_CHINA_GRID_2022_T_PER_MWH}, source_mix=mix or None)
    demand = dict(zip(snapshot.withdrawals.device_id.tolist(), snapshot.withdrawals.p_mw.tolist(), strict=True))
    weighted: dict[str, list[float]] = {}
    for device, intensity in zip(result.withdrawal_id.tolist(), result.withdrawal_t_per_mwh.tolist(), strict=True):
        firm = firm_devices.get(device)
        if firm is not None and demand[device] > 0:
            sums = weighted.setdefault(firm, [0.0, 0.0])
            sums[0] += intensity * demand[device]
            sums[1] += demand[device]
    return NodalIntensityPublic(
        interval_start=interval_start, interval_s=int(INTERVAL.total_seconds()),
        buses=[BusIntensityPublic(bus_id=int(bus), t_co2_per_mwh=None if math.isnan(value) else float(value))
               for bus, value in zip(result.bus_ids.tolist(), result.bus_t_per_mwh.tolist(), strict=True)],
        firms={firm: total / mw for firm, (total, mw) in sorted(weighted.items()) if mw > 0 and np.isfinite(total)},
    )
