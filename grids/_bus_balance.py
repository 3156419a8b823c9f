"""Kirchhoff's current law at every bus of a converted interval, with the device tables named when it fails.

Device results come from pandapower's per-element result tables, branch flows from the solved
voltages. When they disagree at a bus (a device result that does not describe the solved flow,
e.g. shunt power at the voltage set-points of a DC power flow, or devices a DC power flow does not
model), the interval cannot be traced honestly: the error names the buses and the device tables
present at them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .errors import GridError

__all__ = ["BUS_BALANCE_TOL_MW", "check_bus_balance"]

#: Largest tolerated power mismatch at one bus, MW (the Snapshot's default global balance tolerance).
BUS_BALANCE_TOL_MW = 1e-3
_NAMED = 5
#: Worst buses whose device tables are compared.
_TABLES_FROM = 50


def check_bus_balance(bus_ids: NDArray[np.int64], device_pos: NDArray[np.intp], device_id: NDArray[np.str_],
                      injected_mw: NDArray[np.float64], from_pos: NDArray[np.intp], to_pos: NDArray[np.intp],
                      p_from_mw: NDArray[np.float64], p_to_mw: NDArray[np.float64], *, where: str) -> None:
    """Raise :class:`GridError` when devices and branches do not balance at some bus.

    Parameters
    ----------
    bus_ids : (n_bus,) int64
    device_pos, from_pos, to_pos : intp
        Positions in ``bus_ids`` of each device and branch end.
    device_id : (n_dev,) str
        ``"{table}:{index}"``.
    injected_mw : (n_dev,) float64
        Power each device injects, MW (negative: it draws).
    p_from_mw, p_to_mw : (n_br,) float64
        Power entering each branch at its ends, MW.
    where : str
        Names the network or interval in the message.

    Raises
    ------
    GridError
        Mismatch above :data:`BUS_BALANCE_TOL_MW` at a bus; names the worst buses and the device
        tables at all of them (or at the worst one).
    """
    n = len(bus_ids)
    mismatch = (np.bincount(device_pos, weights=injected_mw, minlength=n)
                - np.bincount(from_pos, weights=p_from_mw, minlength=n)
                - np.bincount(to_pos, weights=p_to_mw, minlength=n))
    bad = np.flatnonzero(np.abs(mismatch) > BUS_BALANCE_TOL_MW)
    if not bad.size:
        return
    worst = bad[np.argsort(-np.abs(mismatch[bad]))]
    tables = np.array([str(device).split(":", 1)[0] for device in device_id.tolist()])
    present = [set(tables[device_pos == b].tolist()) for b in worst[:_TABLES_FROM]]
    common = set.intersection(*present)
    suspects, scope = (common, "every one of them") if common else (present[0], f"bus {int(bus_ids[worst[0]])}")
    named = ", ".join(f"bus {int(bus_ids[b])} ({mismatch[b]:+.6g} MW)" for b in worst[:_NAMED])
    raise GridError(
        f"{where}: power does not balance at {bad.size} bus(es), total {mismatch[bad].sum():+.6g} MW: {named}"
        f"{' ...' if bad.size > _NAMED else ''}; device table(s) {sorted(suspects)} at {scope}: their results "
        "disagree with the solved branch flows"
    )
