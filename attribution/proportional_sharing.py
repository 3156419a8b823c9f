"""Proportional sharing (Bialek 1996; Kirschen et al. 1997): which injection supplies which withdrawal.

Every branch is oriented by the sign of its solved flow (rules in ``_oriented_flows``: ends with
``|p| <= tol_mw`` count as 0 MW, branches drawing from both ends are loss draws at their buses, a
branch delivering more than it receives carries its sending-end flow plus a *gain*, a fictitious
injection at the receiving bus carrying the sending bus's mix). The principle: the power leaving a
bus is made of what entered it in proportion to the inflows. The three methods differ only in how
losses are treated:

- ``"upstream"`` (gross, Bialek's upstream-looking algorithm; default): losses are charged to
  withdrawals. Each branch carries its sending-end flow in a fictitious lossless gross network,
  ``A_u P_gross = P_G``; withdrawal m at bus i receives ``(P_m / P_i) [A_u⁻¹]_{ik} P_k`` from
  injection k. Each withdrawal's total is its demand plus its share of losses (net of gains); each
  injection's total is its output: flows into dead ends (buses with no withdrawal and no outlet)
  are loss draws at their sending buses (``_sharing_system``).
- ``"downstream"`` (net, Bialek's downstream-looking algorithm): losses are charged to injections.
  Branches carry their receiving-end flow, ``A_d P_net = P_L``; injection k at bus i supplies
  ``(P_k / P_i) [A_d⁻¹]_{im} P_m``. Each withdrawal's total is its demand; each injection's total
  is its output minus its share of losses.
- ``"average"``: tracing on the lossless network whose branches carry the mean of their two end
  flows, ``(p_send + p_recv) / 2``. Each branch's loss is withdrawn half at each of its end buses
  (plus loss draws) as *loss sinks* traced like withdrawals; what injections deliver to those sinks
  is their share of losses. Each withdrawal's total is its demand; each injection's total is its
  output minus its loss share. On a lossless (DC) flow all three methods coincide.

Gains are no injection's power: what they bring to each withdrawal is ``Allocation.gain_mix_mw``
(by the technology of the mix they carry), never an entry of ``Allocation.mw``.

The system is factorised once per snapshot with sparse LU (``scipy.sparse.linalg.splu``) and reused
for every right-hand side; no inverse is formed.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from ._sharing_system import Method, SharingSystem, prepare_system
from ._technology_matrix import SourceMix, technology_matrix
from .allocation import Allocation
from .snapshot import Snapshot

__all__ = ["trace"]

#: Largest dense block (entries) solved at once; bounds memory independently of network size.
MAX_BLOCK_ENTRIES = 4_000_000


def trace(snapshot: Snapshot, *, method: Method = "upstream", tol_mw: float = 1e-9,
          source_mix: SourceMix | None = None) -> Allocation:
    """Trace every injection to every withdrawal of one snapshot (see the module docstring).

    Parameters
    ----------
    snapshot : Snapshot
        A solved interval.
    method : {"upstream", "downstream", "average"}
        Loss treatment: charged to withdrawals (upstream, gross), to injections (downstream, net),
        or traced on mean flows with half of each branch loss withdrawn at each end and charged to
        injections (average).
    tol_mw : float
        Branch-end flows and through-flows ``<= tol_mw`` MW count as zero; allocations
        ``<= tol_mw`` MW (including negative round-off) are dropped.
    source_mix : SourceMix, optional
        Provenance of selected injections ({device id: {technology: share}}), e.g. a storage
        unit's stored mix or a configured grid-import mix; used by the technology views.

    Returns
    -------
    Allocation
        Sparse (n_inj, n_wd) MW matrix and its views.

    Raises
    ------
    AttributionError
        Unknown method, a lossless circulation (singular system), or a bad ``source_mix``.
    """
    system = prepare_system(snapshot, method, tol_mw)
    return allocate(snapshot, system, tol_mw, source_mix)


def allocate(snapshot: Snapshot, system: SharingSystem, tol_mw: float, source_mix: SourceMix | None) -> Allocation:
    """Build the :class:`Allocation` of ``snapshot`` from its factorised ``system``."""
    weights = technology_matrix(snapshot.injections, source_mix)
    rows, cols, data = _allocation_entries(system, tol_mw)
    shape = (len(snapshot.injections), len(snapshot.withdrawals))
    mw = sparse.csr_array((data, (rows, cols)), shape=shape)
    return allocation_of(snapshot, mw, system.method, weights, _gain_mix(system, weights, tol_mw))


def allocation_of(snapshot: Snapshot, mw: NDArray[np.float64] | sparse.csr_array, method: str,
                  weights: NDArray[np.float64], gain_mix_mw: NDArray[np.float64] | None = None) -> Allocation:
    """Label a traced (n_inj, n_wd) MW matrix of ``snapshot`` with its devices (no gains unless ``gain_mix_mw``)."""
    inj, wd = snapshot.injections, snapshot.withdrawals
    return Allocation(matrix_mw=mw, method=method, injection_id=inj.device_id, injection_technology=inj.technology,
                      injection_mw=inj.p_mw, withdrawal_id=wd.device_id, withdrawal_kind=wd.kind,
                      withdrawal_mw=wd.p_mw, technology_weights=weights, duration_h=snapshot.duration_h,
                      start=snapshot.start,
                      gain_mix_mw=np.zeros((0, 0)) if gain_mix_mw is None else gain_mix_mw)


def _gain_mix(system: SharingSystem, weights: NDArray[np.float64], tol_mw: float) -> NDArray[np.float64]:
    """Power of branch gains reaching each withdrawal per technology, MW, (n_wd, n_tech); entries <= tol_mw dropped."""
    index = system.index
    if system.gain_weight is None:
        return np.zeros((len(index.withdrawal_pos), weights.shape[1]))
    sources = np.zeros((len(index.bus_ids), weights.shape[1]))
    np.add.at(sources, index.injection_pos, system.injection_weight[:, None] * weights)
    added = system.gain_supply(system.solve_mix(sources))[index.withdrawal_pos] * system.withdrawal_weight[:, None]
    return np.where(added > tol_mw, added, 0.0)


def _unit_columns(n_bus: int, buses: NDArray[np.intp]) -> NDArray[np.float64]:
    rhs = np.zeros((n_bus, buses.size))
    rhs[buses, np.arange(buses.size)] = 1.0
    return rhs


def _allocation_entries(system: SharingSystem, tol_mw: float
                        ) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """Nonzero entries ``a[k] inv(S)[bus(k), bus(m)] c[m] > tol_mw`` as COO arrays."""
    rows, cols, data = [], [], []
    for inj, wd, block in _blocks(system):
        values = system.injection_weight[inj, None] * block * system.withdrawal_weight[None, wd]
        r, c = np.nonzero(values > tol_mw)
        rows.append(inj[r])
        cols.append(wd[c])
        data.append(values[r, c])
    if not rows:
        return np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(data)


def _blocks(system: SharingSystem
            ) -> Iterator[tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]]:
    """Yield (injection rows, withdrawal columns, inv(S)[bus(rows), bus(cols)]) blocks.

    Solves with one unit right-hand side per distinct source bus (``Sᵀ``) or per distinct sink
    bus (``S``), whichever is fewer, in blocks of at most :data:`MAX_BLOCK_ENTRIES` entries.
    """
    index = system.index
    n_bus = len(index.bus_ids)
    inj = np.flatnonzero(system.injection_weight > 0)
    wd = np.flatnonzero(system.withdrawal_weight > 0)
    if inj.size == 0 or wd.size == 0:
        return
    source_bus, inj_slot = np.unique(index.injection_pos[inj], return_inverse=True)
    sink_bus, wd_slot = np.unique(index.withdrawal_pos[wd], return_inverse=True)
    step = max(1, MAX_BLOCK_ENTRIES // n_bus)
    by_source = source_bus.size <= sink_bus.size
    buses, slots, members = (source_bus, inj_slot, inj) if by_source else (sink_bus, wd_slot, wd)
    order = np.argsort(slots, kind="stable")
    bounds = np.searchsorted(slots[order], np.arange(0, buses.size + step, step))
    for block_no, start in enumerate(range(0, buses.size, step)):
        chunk = buses[start:start + step]
        picked = order[bounds[block_no]:bounds[block_no + 1]]
        if by_source:
            # Column j of inv(Sᵀ) is row j of inv(S): the block's rows are the chunk's source buses.
            solved = system.solve(_unit_columns(n_bus, chunk), transpose=True)
            block = solved[sink_bus][:, slots[picked] - start].T[:, wd_slot]
            yield members[picked], wd, block
        else:
            solved = system.solve(_unit_columns(n_bus, chunk))
            block = solved[source_bus][:, slots[picked] - start][inj_slot]
            yield inj, members[picked], block
