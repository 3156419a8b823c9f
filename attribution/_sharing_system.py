"""The proportional-sharing linear system of one snapshot, factorised once with sparse LU.

Every method reduces to one matrix ``S = I - W`` on buses (W >= 0 sparse) and two weight vectors,
so that injection k delivers to withdrawal m::

    alloc[k, m] = a[k] * inv(S)[bus(k), bus(m)] * c[m]            (MW)

- upstream (Bialek gross): ``S = A_uᵀ``, ``W[j, i] = p_send(j→i) / P_j`` with ``P_j`` the outflow
  through-flow ``withdrawals_j + Σ p_send out of j``; ``a = p_inj``, ``c = p_wd / P``.
- downstream (Bialek net): ``S = A_d``, ``W[i, l] = p_recv(i→l) / P_l`` with ``P_l`` the inflow
  through-flow ``generation_l + Σ p_recv into l``; ``a = p_inj / P``, ``c = p_wd``.
- average: upstream on the lossless network whose branches carry ``(p_send + p_recv) / 2`` and
  whose every branch end withdraws half the branch loss (a loss sink); ``P`` counts those sinks.

Buses with ``P <= tol_mw`` get ``1/P := 0``: their row and column of W are empty, so S has an
identity row there (zero through-flow is not singular). In the outflow view (upstream, average) a
strongly connected set of buses with no withdrawal and no outlet (a loop flow hanging off the
grid, fed only to cover its own losses) would make S singular: the flows into such a *loss-fed*
set become loss draws at their sending buses, so what it consumes is charged like any other loss
and its buses get identity rows. A closed set that nothing feeds is a lossless circulation and
raises. The mix at each bus for a set of sources
``B`` (n_bus, n_col) is ``inv(Sᵀ) B``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse import csgraph
from scipy.sparse import linalg as sparse_linalg

from ._oriented_flows import BusIndex, OrientedFlows, orient_flows
from .errors import AttributionError
from .snapshot import Snapshot

__all__ = ["METHODS", "Method", "SharingSystem", "build_system", "prepare_system"]

Method = Literal["upstream", "downstream", "average"]
METHODS: tuple[Method, ...] = ("upstream", "downstream", "average")

#: A strongly connected set of buses whose leak (power leaving it, per unit) is below this is singular.
_CLOSED_LOOP_LEAK = 1e-12
#: Buses named in a singular-loop error message.
_BUSES_NAMED = 10


@dataclass(frozen=True, eq=False)
class SharingSystem:
    """The factorised system ``S`` of one snapshot and its weights (see module docstring).

    Attributes
    ----------
    method : {"upstream", "downstream", "average"}
    index : BusIndex
    through_flow_mw : (n_bus,) float64
        ``P`` of the method, MW.
    injection_weight : (n_inj,) float64
        ``a``: MW for upstream/average, MW per MW of through-flow for downstream.
    withdrawal_weight : (n_wd,) float64
        ``c``: per-unit of through-flow for upstream/average, MW for downstream.
    """

    method: Method
    index: BusIndex
    through_flow_mw: NDArray[np.float64]
    injection_weight: NDArray[np.float64]
    withdrawal_weight: NDArray[np.float64]
    _lu: sparse_linalg.SuperLU
    _column_order: NDArray[np.intp] | None

    @property
    def column_order(self) -> NDArray[np.intp]:
        """Column permutation of the LU (fill-reducing); pass it to :func:`build_system` to reuse it."""
        if self._column_order is not None:
            return self._column_order
        order = np.empty(self._lu.shape[1], dtype=np.intp)
        order[np.asarray(self._lu.perm_c, dtype=np.intp)] = np.arange(order.size, dtype=np.intp)
        return order

    def solve(self, rhs: NDArray[np.float64], *, transpose: bool = False) -> NDArray[np.float64]:
        """Solve ``S x = rhs`` (or ``Sᵀ x = rhs``) for a (n_bus,) or (n_bus, n_col) right-hand side."""
        order = self._column_order
        if order is None:
            plain: NDArray[np.float64] = self._lu.solve(np.ascontiguousarray(rhs), trans="T" if transpose else "N")
            return plain
        if transpose:
            # (S Q)ᵀ y = Qᵀ Sᵀ y: y = Sᵀ⁻¹ rhs needs the rhs permuted by Q first.
            solution: NDArray[np.float64] = self._lu.solve(np.ascontiguousarray(rhs[order]), trans="T")
            return solution
        permuted: NDArray[np.float64] = self._lu.solve(np.ascontiguousarray(rhs))
        result = np.empty_like(permuted)
        result[order] = permuted
        return result


def _safe_inverse(values: NDArray[np.float64], tol_mw: float) -> NDArray[np.float64]:
    out = np.zeros_like(values)
    np.divide(1.0, values, out=out, where=values > tol_mw)
    return out


def _closed_sets(w: sparse.csr_array, leak_by_rows: bool) -> list[NDArray[np.intp]]:
    """Bus positions of each strongly connected set of buses that keeps all its power (no leak)."""
    n_comp, label = csgraph.connected_components(w, directed=True, connection="strong")
    if n_comp == w.shape[0]:
        return []
    coo = w.tocoo()
    inside = label[coo.row] == label[coo.col]
    by = coo.row if leak_by_rows else coo.col
    kept = np.bincount(by[inside], weights=coo.data[inside], minlength=w.shape[0])
    size = np.bincount(label, minlength=n_comp)
    leak = np.bincount(label, weights=1.0 - kept, minlength=n_comp)
    closed = np.flatnonzero((size > 1) & (leak <= _CLOSED_LOOP_LEAK * size))
    return [np.flatnonzero(label == c).astype(np.intp) for c in closed]


def _raise_circulation(buses: NDArray[np.int64]) -> None:
    raise AttributionError(
        f"buses {buses[:_BUSES_NAMED].tolist()}{' ...' if buses.size > _BUSES_NAMED else ''} form a lossless "
        "circulation with no load and no generation: proportional sharing is undefined there"
    )


def _loss_fed_buses(w: sparse.csr_array, flows: OrientedFlows, branch_mw: NDArray[np.float64], tol_mw: float,
                    bus_ids: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Buses of closed sets (outflow view) that only dissipate what they receive or generate.

    Such a set has no withdrawal and no outlet: whatever flows into it or is generated inside is
    lost in its branches (a loop flow hanging off the grid). Raises for a closed set that nothing
    feeds (a lossless circulation).
    """
    fed = np.zeros(flows.n_bus, dtype=np.bool_)
    for buses in _closed_sets(w, leak_by_rows=True):
        member = np.zeros(flows.n_bus, dtype=np.bool_)
        member[buses] = True
        intake = branch_mw[member[flows.recv] & ~member[flows.send]].sum() + flows.generation_mw[buses].sum()
        if intake <= tol_mw:
            _raise_circulation(bus_ids[buses])
        fed |= member
    return fed


def _outflow_weights(flows: OrientedFlows, branch_mw: NDArray[np.float64], sinks: NDArray[np.float64],
                     tol_mw: float) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Through-flow ``P`` (sinks + branch outflows), ``1/P`` and the weights ``branch_mw / P_send``."""
    through = sinks + np.bincount(flows.send, weights=branch_mw, minlength=flows.n_bus)
    inv = _safe_inverse(through, tol_mw)
    return through, inv, branch_mw * inv[flows.send]


def _weight_matrix(flows: OrientedFlows, weights: NDArray[np.float64]) -> sparse.csr_array:
    keep = weights > 0
    return sparse.csr_array((weights[keep], (flows.send[keep], flows.recv[keep])), shape=(flows.n_bus, flows.n_bus))


def build_system(snapshot: Snapshot, index: BusIndex, flows: OrientedFlows, method: Method, tol_mw: float,
                 column_order: NDArray[np.intp] | None = None) -> SharingSystem:
    """Assemble and factorise ``S`` for ``method`` (see module docstring).

    Parameters
    ----------
    snapshot, index, flows
        The snapshot, its bus index and its oriented flows.
    method : {"upstream", "downstream", "average"}
    tol_mw : float
        Through-flows ``<= tol_mw`` MW count as zero.
    column_order : (n_bus,) intp, optional
        A fill-reducing column permutation from an earlier system of the same topology; when
        given, SuperLU keeps it instead of computing one.

    Raises
    ------
    AttributionError
        The system is singular (a lossless circulation) or SuperLU fails; the message names buses.
    """
    n = flows.n_bus
    p_inj, p_wd = snapshot.injections.p_mw, snapshot.withdrawals.p_mw
    if method == "downstream":
        through = flows.generation_mw + np.bincount(flows.recv, weights=flows.p_recv_mw, minlength=n)
        inv = _safe_inverse(through, tol_mw)
        w = _weight_matrix(flows, flows.p_recv_mw * inv[flows.recv])
        for buses in _closed_sets(w, leak_by_rows=False):
            _raise_circulation(index.bus_ids[buses])
        injection_weight, withdrawal_weight = p_inj * inv[index.injection_pos], p_wd.copy()
    else:
        if method == "upstream":
            branch_mw = flows.p_send_mw
            sinks = flows.withdrawal_mw
        else:
            branch_mw = 0.5 * (flows.p_send_mw + flows.p_recv_mw)
            half_loss = 0.5 * (flows.p_send_mw - flows.p_recv_mw)
            sinks = (flows.withdrawal_mw + flows.loss_draw_mw + np.bincount(flows.send, weights=half_loss, minlength=n)
                     + np.bincount(flows.recv, weights=half_loss, minlength=n))
        through, inv, weights = _outflow_weights(flows, branch_mw, sinks, tol_mw)
        w = _weight_matrix(flows, weights)
        # Flows into a loss-fed dead end become loss draws at their sending buses (like a branch drawing at
        # both ends); repeat, since cutting them can close a set that only leaked into the dead end.
        fed = _loss_fed_buses(w, flows, branch_mw, tol_mw, index.bus_ids)
        while fed.any():
            branch_mw = np.where(fed[flows.recv], 0.0, branch_mw)
            through, inv, weights = _outflow_weights(flows, branch_mw, sinks, tol_mw)
            w = _weight_matrix(flows, weights)
            fed = _loss_fed_buses(w, flows, branch_mw, tol_mw, index.bus_ids)
        injection_weight, withdrawal_weight = p_inj.copy(), p_wd * inv[index.withdrawal_pos]
    s = (sparse.eye_array(n, format="csc") - w.tocsc()).tocsc()
    lu, order = _factorise(s, column_order, index.bus_ids)
    return SharingSystem(method, index, through, injection_weight, withdrawal_weight, lu, order)


def _factorise(s: sparse.csc_array, column_order: NDArray[np.intp] | None,
               bus_ids: NDArray[np.int64]) -> tuple[sparse_linalg.SuperLU, NDArray[np.intp] | None]:
    try:
        if column_order is None:
            return sparse_linalg.splu(s, permc_spec="COLAMD"), None
        return sparse_linalg.splu(s[:, column_order], permc_spec="NATURAL"), column_order
    except RuntimeError as exc:
        raise AttributionError(f"the sharing system of buses {bus_ids[:_BUSES_NAMED].tolist()} ... is singular: "
                               f"{exc}") from exc


def prepare_system(snapshot: Snapshot, method: Method, tol_mw: float, index: BusIndex | None = None,
                   column_order: NDArray[np.intp] | None = None) -> SharingSystem:
    """Orient ``snapshot``'s flows and build its factorised system (``index`` and ``column_order`` reusable).

    Raises
    ------
    AttributionError
        Unknown ``method``, a non-passive branch or a singular system.
    """
    if method not in METHODS:
        raise AttributionError(f"method {method!r} is not one of {list(METHODS)}")
    if not tol_mw >= 0:
        raise AttributionError(f"tol_mw must be >= 0 MW, got {tol_mw}")
    index = BusIndex.of(snapshot) if index is None else index
    flows = orient_flows(snapshot, index, tol_mw)
    return build_system(snapshot, index, flows, method, tol_mw, column_order)
