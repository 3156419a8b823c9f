"""Independent checks on Snapshots used by the grids tests (numpy only, no greenproof code)."""

from __future__ import annotations

import numpy as np

from greenproof.attribution import Snapshot


def bus_mismatch_mw(snapshot: Snapshot) -> np.ndarray:
    """Per bus: device injections - withdrawals - power entering branches there (KCL residual, MW)."""
    position = {int(b): k for k, b in enumerate(snapshot.bus_ids)}
    residual = np.zeros(len(snapshot.bus_ids))
    inj, wd, br = snapshot.injections, snapshot.withdrawals, snapshot.branches
    np.add.at(residual, [position[int(b)] for b in inj.bus], inj.p_mw)
    np.add.at(residual, [position[int(b)] for b in wd.bus], -wd.p_mw)
    np.add.at(residual, [position[int(b)] for b in br.from_bus], -br.p_from_mw)
    np.add.at(residual, [position[int(b)] for b in br.to_bus], -br.p_to_mw)
    return residual


def by_id(ids: np.ndarray, values: np.ndarray) -> dict[str, object]:
    """Map row ids to Python scalars (float, int or str) of ``values``."""
    return {str(i): v.item() for i, v in zip(ids, values, strict=True)}
