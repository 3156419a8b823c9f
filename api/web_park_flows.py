"""Physical views of the park for the dashboard: one interval's flows, and technology → firm energies of a period.

Both re-solve the park model (:func:`greenproof.api.park_simulation.simulate_period`, the same
deterministic profiles and seed the attribution runs use), since branch flows and per-technology
supplies are not stored: results keep per-firm totals only.

- :func:`interval_diagram` — flows, losses and nodal carbon intensity (carbon emission flow,
  Kang et al. 2015) of one 15-minute interval. A single interval carries no storage history, so
  storage discharge counts at the East China grid average (0.5617 tCO2/MWh), as the API's nodal
  intensity endpoint does.
- :func:`technology_flows` — MWh from each technology to each firm over a period (an interval, a
  day, up to :data:`MAX_SANKEY_DAYS`), traced upstream (gross, losses charged to the loads) with a
  :class:`~greenproof.attribution.StorageLedger` from the period start, exactly as attribution runs
  trace: storage discharge is shown by the technologies that charged it, and only discharge of
  energy stored before the period (unknown provenance) stays ``storage``.

Solved periods are cached in-process (least recently used) since a month takes seconds to solve.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from threading import Lock
from typing import TypeVar

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from greenproof.attribution import TECHNOLOGY_KEYS, StorageLedger, carbon_intensity, trace_many
from greenproof.attribution.technologies import EAST_CHINA_GRID_2022_T_PER_MWH
from greenproof.grids import binhai
from greenproof.grids._layout import star_bus_id
from greenproof.ledger.holder_shares import ledger_devices
from greenproof.ledger.models import Plant

from .errors import InvalidPeriodError
from .park_simulation import INTERVAL, check_interval_grid, simulate_period
from .web_grid_diagram import GridDiagram, grid_diagram

__all__ = ["MAX_SANKEY_DAYS", "OTHER_SINKS", "TechnologyFlows", "interval_diagram", "technology_flows"]

#: Longest period a Sankey is traced for (a month).
MAX_SANKEY_DAYS = 31
#: Sink keys of withdrawals that are not firms' loads.
OTHER_SINKS = ("export", "storage_charge", "other")
_CACHE_SIZE = 24

T = TypeVar("T")


class _Cache:
    """A small thread-safe LRU of computed views, keyed by period."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


_diagrams = _Cache(_CACHE_SIZE)
_flows = _Cache(_CACHE_SIZE)


@cache
def _bus_names() -> Mapping[int, tuple[str, float | None]]:
    """Bus id → (name, kV) of the park model; star points of three-winding transformers named after them."""
    net = binhai.build_park()
    names: dict[int, tuple[str, float | None]] = {
        int(i): (str(row["name"]), float(row["vn_kv"])) for i, row in net.bus.iterrows()}
    for index, row in net.trafo3w.iterrows():
        names[star_bus_id(int(index))] = (f"{row['name']} (star point)", None)
    return names


def _device_names(session: Session) -> dict[str, str]:
    plant_devices = {str(device): code for device, code in
                     session.execute(select(Plant.device_id, Plant.code).where(Plant.device_id.is_not(None)))}
    _, firm_devices = ledger_devices(session)
    return {binhai.GRID_CONNECTION_ID: "grid", **plant_devices, **firm_devices}


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
    device_names = _device_names(session)

    def compute() -> GridDiagram:
        (snapshot,) = simulate_period(interval_start, interval_start + INTERVAL)
        result = carbon_intensity(snapshot, {"storage": EAST_CHINA_GRID_2022_T_PER_MWH})
        intensity = {int(bus): None if math.isnan(value) else float(value)
                     for bus, value in zip(result.bus_ids.tolist(), result.bus_t_per_mwh.tolist(), strict=True)}
        return grid_diagram(snapshot, bus_names=_bus_names(), intensity=intensity, device_names=device_names)

    return _diagrams.get((interval_start.timestamp(), tuple(sorted(device_names.items()))), compute)


@dataclass(frozen=True)
class TechnologyFlows:
    """Energy from each technology to each sink over a period.

    Attributes
    ----------
    start, end : datetime
        The period (UTC, end exclusive).
    mwh : dict
        ``(technology key, sink) → MWh``; sinks are firm codes and :data:`OTHER_SINKS`; zero
        entries are left out.
    """

    start: datetime
    end: datetime
    mwh: dict[tuple[str, str], float]

    def by_sink(self) -> dict[str, float]:
        """Return the MWh each sink received, over all technologies."""
        totals: dict[str, float] = {}
        for (_, sink), value in self.mwh.items():
            totals[sink] = totals.get(sink, 0.0) + value
        return totals


def _sink_of(device: str, kind: str, firm_devices: Mapping[str, str]) -> str:
    if device in firm_devices:
        return firm_devices[device]
    return kind if kind in OTHER_SINKS else "other"


def technology_flows(session: Session, start: datetime, end: datetime) -> TechnologyFlows:
    """Trace ``[start, end)`` and sum each technology's energy to each firm (see the module docstring).

    Raises
    ------
    InvalidPeriodError
        If the period is off the 15-minute grid or longer than :data:`MAX_SANKEY_DAYS` days.
    """
    check_interval_grid(start, end)
    if end - start > timedelta(days=MAX_SANKEY_DAYS):
        raise InvalidPeriodError(f"technology flows are traced for at most {MAX_SANKEY_DAYS} days; "
                                 f"{start.isoformat()} .. {end.isoformat()} is longer")
    _, firm_devices = ledger_devices(session)

    def compute() -> TechnologyFlows:
        totals: dict[tuple[str, str], float] = {}
        for allocation in trace_many(simulate_period(start, end), storage=StorageLedger()):
            # Storage changes side between intervals (charging: a withdrawal), so sinks are looked up each time.
            sinks = [_sink_of(d, k, firm_devices) for d, k in
                     zip(allocation.withdrawal_id.tolist(), allocation.withdrawal_kind.tolist(), strict=True)]
            mix_mwh = allocation.technology_mix_mw * allocation.duration_h  # (n_wd, n_tech)
            rows, cols = np.nonzero(mix_mwh > 0)
            for m, k in zip(rows.tolist(), cols.tolist(), strict=True):
                key = (TECHNOLOGY_KEYS[k], sinks[m])
                totals[key] = totals.get(key, 0.0) + float(mix_mwh[m, k])
        return TechnologyFlows(start=start, end=end, mwh=totals)

    return _flows.get((start.timestamp(), end.timestamp(), tuple(sorted(firm_devices.items()))), compute)
