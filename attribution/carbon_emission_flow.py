"""Nodal carbon intensity by carbon emission flow (Kang et al. 2015).

C. Kang, T. Zhou, Q. Chen, J. Wang, Y. Sun, Q. Xia, H. Yan, "Carbon emission flow from generation
to demand: a network-based model", IEEE Trans. Smart Grid 6(5), 2015: the intensity of bus i is
``e_i = (Σ_k P_Gk e_Gk + Σ_j P_{j→i} e_j) / (Σ_k P_Gk + Σ_j P_{j→i})`` with branch inflows measured
where they enter bus i (receiving end) — the downstream (net) proportional-sharing mix, so
``method="downstream"`` is the default here. Equivalently ``e_i = Σ_tech share_i,tech × EF_tech``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._sharing_system import Method
from ._technology_matrix import SourceMix
from .errors import AttributionError
from .nodal_mix import mix
from .snapshot import Snapshot
from .technologies import emission_factors

__all__ = ["CarbonIntensity", "carbon_intensity"]


@dataclass(frozen=True, eq=False)
class CarbonIntensity:
    """Carbon intensity at every bus and of every withdrawal of one snapshot.

    Attributes
    ----------
    bus_ids : (n_bus,) int64
    bus_t_per_mwh : (n_bus,) float64
        Nodal carbon intensity, tCO2/MWh; NaN where nothing flows through the bus.
    withdrawal_id : (n_wd,) str
    withdrawal_t_per_mwh : (n_wd,) float64
        Intensity of each withdrawal's supply (its bus's), tCO2/MWh.
    withdrawal_t_co2 : (n_wd,) float64
        Emissions attributed to each withdrawal over the interval: intensity × p_mw × duration_h, tCO2.
    """

    bus_ids: NDArray[np.int64]
    bus_t_per_mwh: NDArray[np.float64]
    withdrawal_id: NDArray[np.str_]
    withdrawal_t_per_mwh: NDArray[np.float64]
    withdrawal_t_co2: NDArray[np.float64]


def carbon_intensity(snapshot: Snapshot, factors: Mapping[str, float] | None = None, *,
                     method: Method = "downstream", tol_mw: float = 1e-9,
                     source_mix: SourceMix | None = None) -> CarbonIntensity:
    """Return nodal and per-withdrawal carbon intensity, tCO2/MWh.

    Parameters
    ----------
    snapshot : Snapshot
    factors : mapping of technology key to tCO2/MWh, optional
        Overrides of the defaults of :func:`~greenproof.attribution.technologies.emission_factors`.
    method : {"downstream", "upstream", "average"}
        Mix used; ``"downstream"`` is Kang et al.'s definition (see module docstring).
    tol_mw : float
        Flow tolerance, MW.
    source_mix : SourceMix, optional
        Provenance of storage discharge / grid import (e.g. from the StorageLedger). Without it,
        discharge of technology ``storage`` is of unknown provenance and gets the ``storage`` factor
        (the grid-import factor by default, see ``technologies.py``).

    Raises
    ------
    AttributionError
        A factor is unknown, or not finite for a technology that supplies some bus (e.g. a
        ``storage`` factor of NaN passed to insist on tracked provenance).
    """
    table = emission_factors()
    unknown = sorted(set(factors or {}) - set(table))
    if unknown:
        raise AttributionError(f"emission factors given for unknown technology keys {unknown}")
    table.update(factors or {})
    bus = mix(snapshot, method=method, tol_mw=tol_mw, source_mix=source_mix)
    ef = np.array([table[key] for key in bus.keys], dtype=np.float64)
    present = np.nan_to_num(bus.share, nan=0.0) > 0
    undefined = present & ~np.isfinite(ef)[None, :]
    if undefined.any():
        row, col = (int(x[0]) for x in np.nonzero(undefined))
        raise AttributionError(
            f"technology {bus.keys[col]!r} supplies bus {int(bus.bus_ids[row])} but has no finite emission factor; "
            "give its provenance (source_mix) or a factor"
        )
    bus_t_per_mwh = bus.share @ np.where(np.isfinite(ef), ef, 0.0)
    withdrawal_t_per_mwh = bus.withdrawal_share @ np.where(np.isfinite(ef), ef, 0.0)
    return CarbonIntensity(
        bus_ids=bus.bus_ids, bus_t_per_mwh=bus_t_per_mwh, withdrawal_id=bus.withdrawal_id,
        withdrawal_t_per_mwh=withdrawal_t_per_mwh,
        withdrawal_t_co2=np.where(snapshot.withdrawals.p_mw > 0,
                                  withdrawal_t_per_mwh * snapshot.withdrawals.p_mw * snapshot.duration_h, 0.0),
    )
