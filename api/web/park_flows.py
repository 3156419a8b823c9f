"""The park grid of one interval for the dashboard: flows, losses and nodal carbon intensity.

:func:`interval_diagram` re-solves the park model for the interval
(:func:`greenproof.api.usecases.park_simulation.simulate_period`, the same deterministic profiles and seed
the attribution runs use), since branch flows are not stored. Nodal carbon intensity is the carbon
emission flow (Kang et al. 2015); a single interval carries no storage history, so storage
discharge counts at the East China grid average (0.5617 tCO2/MWh), as the API's nodal intensity
endpoint does. Solved intervals are cached in-process (least recently used).

The technology → firm Sankey needs no solving: attribution runs store its energies
(:mod:`greenproof.api.usecases.technology_flows`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from functools import cache, lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenproof.attribution import carbon_intensity
from greenproof.attribution.technologies import EAST_CHINA_GRID_2022_T_PER_MWH
from greenproof.grids import binhai, star_bus_id
from greenproof.ledger.holder_shares import ledger_devices
from greenproof.ledger.models import Plant

from ..usecases.park_simulation import INTERVAL, check_interval_grid, simulate_period
from .grid_diagram import GridDiagram, grid_diagram

__all__ = ["interval_diagram"]

_CACHE_SIZE = 24  # solved intervals kept in-process, least recently used dropped


@cache
def _bus_names() -> Mapping[int, tuple[str, float | None]]:
    """Bus id → (name, kV) of the park model; star points of three-winding transformers carry the transformer's name."""
    net = binhai.build_park()
    names: dict[int, tuple[str, float | None]] = {
        int(i): (str(row["name"]), float(row["vn_kv"])) for i, row in net.bus.iterrows()}
    for index, row in net.trafo3w.iterrows():
        names[star_bus_id(int(index))] = (str(row["name"]), None)
    return names


def _device_names(session: Session) -> dict[str, str]:
    plant_devices = {str(device): code for device, code in
                     session.execute(select(Plant.device_id, Plant.code).where(Plant.device_id.is_not(None)))}
    _, firm_devices = ledger_devices(session)
    return {**plant_devices, **firm_devices}


def interval_diagram(session: Session, interval_start: datetime) -> GridDiagram:
    """Return the park grid of the 15-minute interval starting at ``interval_start``, ready to draw.

    Raises
    ------
    InvalidPeriodError
        If ``interval_start`` is not on the 15-minute grid.
    GridError
        If the interval does not converge.
    """
    check_interval_grid(interval_start, interval_start + INTERVAL)
    return _diagram(interval_start, tuple(sorted(_device_names(session).items())))


@lru_cache(maxsize=_CACHE_SIZE)
def _diagram(interval_start: datetime, device_names: tuple[tuple[str, str], ...]) -> GridDiagram:
    (snapshot,) = simulate_period(interval_start, interval_start + INTERVAL)
    result = carbon_intensity(snapshot, {"storage": EAST_CHINA_GRID_2022_T_PER_MWH})
    intensity = {int(bus): None if math.isnan(value) else float(value)
                 for bus, value in zip(result.bus_ids.tolist(), result.bus_t_per_mwh.tolist(), strict=True)}
    return grid_diagram(snapshot, bus_names=_bus_names(), intensity=intensity, device_names=dict(device_names))
