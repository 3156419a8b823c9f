"""Share-only fast path: the technology mix at every bus, without an injection × withdrawal matrix.

With the system ``S`` of :mod:`greenproof.attribution.proportional_sharing`, the supply of bus i
per technology is ``x = inv(Sᵀ) B`` where ``B[i, t]`` sums the weights of technology-t injections
at bus i (``inv(S'ᵀ) B`` when branch gains carry their sending bus's mix, see ``_sharing_system``).
For upstream this is ``(diag(P) − F_inᵀ) q = P_G,tech`` up to a per-bus scale; for
downstream it is the Kang et al. (2015) carbon-emission-flow recursion. One sparse LU, one solve
with one right-hand side per column. All withdrawals at a bus share that bus's mix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ._sharing_system import Method, SharingSystem, prepare_system
from ._technology_matrix import SourceMix, technology_matrix
from .errors import AttributionError
from .snapshot import Snapshot
from .technologies import TECHNOLOGY_KEYS, renewable_technologies

__all__ = ["BusMix", "mix"]

MixBy = Literal["technology", "renewable"]
#: Column keys of ``by="renewable"``.
RENEWABLE_KEYS = ("renewable", "non_renewable")


@dataclass(frozen=True, eq=False)
class BusMix:
    """Supply mix at every bus and of every withdrawal of one snapshot.

    Attributes
    ----------
    bus_ids : (n_bus,) int64
    keys : tuple of str
        Column labels: technology keys (``by="technology"``) or ``("renewable", "non_renewable")``.
    share : (n_bus, n_key) float64
        Share of each key in the power through each bus; rows sum to 1; NaN rows where nothing
        flows through the bus.
    withdrawal_id : (n_wd,) str
    withdrawal_share : (n_wd, n_key) float64
        The share row of each withdrawal's bus.
    method : str
    """

    bus_ids: NDArray[np.int64]
    keys: tuple[str, ...]
    share: NDArray[np.float64]
    withdrawal_id: NDArray[np.str_]
    withdrawal_share: NDArray[np.float64]
    method: str


def mix(snapshot: Snapshot, *, by: MixBy = "technology", method: Method = "upstream", tol_mw: float = 1e-9,
        source_mix: SourceMix | None = None) -> BusMix:
    """Return the supply mix at every bus (one LU factorisation, one multi-column solve).

    Parameters
    ----------
    snapshot : Snapshot
    by : {"technology", "renewable"}
        Columns: every technology key, or renewable vs the rest.
    method : {"upstream", "downstream", "average"}
        As in :func:`~greenproof.attribution.proportional_sharing.trace`; the shares equal that
        allocation's ``technology_share``.
    tol_mw : float
        Flow tolerance, MW (as in ``trace``).
    source_mix : SourceMix, optional
        Provenance of selected injections (storage discharge, grid import).

    Raises
    ------
    AttributionError
        As :func:`~greenproof.attribution.proportional_sharing.trace`, or an unknown ``by``.
    """
    system = prepare_system(snapshot, method, tol_mw)
    return bus_mix(snapshot, system, by, source_mix)


def bus_mix(snapshot: Snapshot, system: SharingSystem, by: MixBy, source_mix: SourceMix | None) -> BusMix:
    """Compute the :class:`BusMix` of ``snapshot`` from its factorised ``system``."""
    weights = technology_matrix(snapshot.injections, source_mix)
    if by == "technology":
        keys: tuple[str, ...] = TECHNOLOGY_KEYS
    elif by == "renewable":
        renewable = np.isin(np.array(TECHNOLOGY_KEYS), sorted(renewable_technologies()))
        weights = np.column_stack([weights[:, renewable].sum(axis=1), weights[:, ~renewable].sum(axis=1)])
        keys = RENEWABLE_KEYS
    else:
        raise AttributionError(f"by={by!r} is not one of ['technology', 'renewable']")
    n_bus = len(system.index.bus_ids)
    rhs = np.zeros((n_bus, len(keys)))
    np.add.at(rhs, system.index.injection_pos, system.injection_weight[:, None] * weights)
    supply = np.clip(system.solve_mix(rhs), 0.0, None)
    total = supply.sum(axis=1, keepdims=True)
    share = np.full_like(supply, np.nan)
    np.divide(supply, total, out=share, where=total > 0)
    return BusMix(bus_ids=system.index.bus_ids, keys=keys, share=share,
                  withdrawal_id=snapshot.withdrawals.device_id,
                  withdrawal_share=share[system.index.withdrawal_pos], method=system.method)
