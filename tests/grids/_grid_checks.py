"""Independent checks on Snapshots used by the grids tests (numpy only, no greenproof code)."""

from __future__ import annotations

import numpy as np

from greenproof.attribution import Snapshot


def bus_mismatch_mw(snapshot: Snapshot) -> np.ndarray:
    """Per bus: device injections - withdrawals - power entering branches there (KCL residual, MW)."""
    order = np.argsort(snapshot.bus_ids)

    def position(buses: np.ndarray) -> np.ndarray:
        return order[np.searchsorted(snapshot.bus_ids, buses, sorter=order)]

    inj, wd, br = snapshot.injections, snapshot.withdrawals, snapshot.branches
    n = len(snapshot.bus_ids)
    return (np.bincount(position(inj.bus), inj.p_mw, n) - np.bincount(position(wd.bus), wd.p_mw, n)
            - np.bincount(position(br.from_bus), br.p_from_mw, n) - np.bincount(position(br.to_bus), br.p_to_mw, n))


def by_id(ids: np.ndarray, values: np.ndarray) -> dict[str, object]:
    """Map row ids to Python scalars (float, int or str) of ``values``."""
    return {str(i): v.item() for i, v in zip(ids, values, strict=True)}
