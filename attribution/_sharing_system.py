"""The proportional-sharing linear system of one snapshot, factorised once with sparse LU.

Every method reduces to one matrix ``S = I - W`` on buses (W >= 0 sparse) and two weight vectors,
so that injection k delivers to withdrawal m::

    alloc[k, m] = a[k] * inv(S)[bus(k), bus(m)] * c[m]            (MW)

- upstream (Bialek gross): ``S = A_uᵀ``, ``W[j, i] = p_send(j→i) / P_j`` with ``P_j`` the outflow
  through-flow ``withdrawals_j + Σ p_send out of j``; ``a = p_inj``, ``c = p_wd / P``.
- downstream (Bialek net): ``S = A_d``, ``W[i, l] = p_recv(i→l) / P_l`` with ``P_l`` the inflow
  through-flow ``generation_l + gains_l + Σ p_recv into l``; ``a = p_inj / P``, ``c = p_wd``.
- average: upstream on the lossless network whose branches carry ``(p_send + p_recv) / 2`` and
  whose every branch end withdraws half the branch loss (a loss sink); ``P`` counts those sinks.

Buses with ``P <= tol_mw`` get ``1/P := 0``: their row and column of W are empty, so S has an
identity row there (zero through-flow is not singular). In the outflow view (upstream, average) a
bus or a strongly connected set of buses with no withdrawal and no outlet is a *dead end*: a stub
branch into a bus with nothing else on it (its far end takes ~0 MW, the whole sending flow is
loss), a bus whose only other connections draw power at both ends, or a loop flow hanging off the
grid that is fed only to cover its own losses. Whatever flows into a dead end is a loss draw at the
sending bus (charged like any other loss; in ``average`` withdrawn there as a loss sink), repeated
until none is left, so every injection reaches withdrawals. A closed set that nothing feeds is a
lossless circulation and raises.

Branch gains (:class:`~._oriented_flows.Gains`) are fictitious injections at the delivering bus
that carry the mix of their source bus. They are not any injection's power, so ``S`` (which
attributes injections) ignores them except through ``P``; the mix system ``S' = S - E`` adds
each gain as an edge from its source bus to its bus with weight ``E[src, dst] = gain / X_src``
(outflow view, ``X = inv(Sᵀ)(generation + gains)`` the traced through-flow) or ``gain / P_dst``
(inflow view). A gain whose source bus carries no flow carries its own bus's mix. The mix at each
bus for a set of sources ``B`` (n_bus, n_col) is ``inv(S'ᵀ) B``; what the gains add to it is
``inv(Sᵀ) Eᵀ inv(S'ᵀ) B``.
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

__all__ = ["METHODS", "Method", "SharingSystem", "build_system", "check_options", "prepare_system"]

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
    gain_weight : scipy.sparse.csr_array (n_bus, n_bus) or None
        ``E`` (see module docstring); None when the snapshot has no branch gains.
    """

    method: Method
    index: BusIndex
    through_flow_mw: NDArray[np.float64]
    injection_weight: NDArray[np.float64]
    withdrawal_weight: NDArray[np.float64]
    _lu: sparse_linalg.SuperLU
    _column_order: NDArray[np.intp] | None
    gain_weight: sparse.csr_array | None = None
    _mix_lu: sparse_linalg.SuperLU | None = None

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

    def solve_mix(self, rhs: NDArray[np.float64]) -> NDArray[np.float64]:
        """Solve ``S'ᵀ y = rhs``: the supply at every bus of sources ``rhs``, gains carrying their source's mix."""
        if self._mix_lu is None:
            return self.solve(rhs, transpose=True)
        solution: NDArray[np.float64] = self._mix_lu.solve(np.ascontiguousarray(rhs), trans="T")
        return solution

    def gain_supply(self, mix: NDArray[np.float64]) -> NDArray[np.float64]:
        """Return what branch gains add to the supply ``mix = solve_mix(B)`` at every bus: ``inv(Sᵀ) Eᵀ mix``."""
        if self.gain_weight is None:
            return np.zeros_like(mix)
        return self.solve(np.asarray(self.gain_weight.T @ mix), transpose=True)


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


def _loss_fed_buses(w: sparse.csr_array, flows: OrientedFlows, branch_mw: NDArray[np.float64],
                    supply_mw: NDArray[np.float64], tol_mw: float, bus_ids: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Buses of closed sets (outflow view) that only dissipate what they receive or generate.

    Such a set has no withdrawal and no outlet: whatever flows into it or is generated inside is
    lost in its branches (a loop flow hanging off the grid). Raises for a closed set that nothing
    feeds (a lossless circulation).
    """
    fed = np.zeros(flows.n_bus, dtype=np.bool_)
    for buses in _closed_sets(w, leak_by_rows=True):
        member = np.zeros(flows.n_bus, dtype=np.bool_)
        member[buses] = True
        intake = branch_mw[member[flows.recv] & ~member[flows.send]].sum() + supply_mw[buses].sum()
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


def _weight_matrix(n_bus: int, rows: NDArray[np.intp], cols: NDArray[np.intp],
                   weights: NDArray[np.float64]) -> sparse.csr_array:
    keep = weights > 0
    return sparse.csr_array((weights[keep], (rows[keep], cols[keep])), shape=(n_bus, n_bus))


def _outflow_system(flows: OrientedFlows, branch_mw: NDArray[np.float64], sinks: NDArray[np.float64],
                    supply_mw: NDArray[np.float64], tol_mw: float, bus_ids: NDArray[np.int64], *,
                    dead_end_sink: bool) -> tuple[NDArray[np.float64], NDArray[np.float64], sparse.csr_array]:
    """``P``, ``1/P`` and ``W`` of the outflow view after turning flows into dead ends into loss draws.

    ``dead_end_sink``: the cut flow is withdrawn at its sending bus as a loss sink (average), instead
    of leaving that bus's through-flow like a loss draw (upstream).
    """
    while True:
        through, inv, weights = _outflow_weights(flows, branch_mw, sinks, tol_mw)
        # a bus with no withdrawal and no outlet (stub far ends, buses whose only other branches draw
        # at both ends): cut what flows into it, then look again, since that may empty its feeder
        dead = (through <= tol_mw)[flows.recv] & (branch_mw > 0)
        if not dead.any():
            w = _weight_matrix(flows.n_bus, flows.send, flows.recv, weights)
            dead = _loss_fed_buses(w, flows, branch_mw, supply_mw, tol_mw, bus_ids)[flows.recv] & (branch_mw > 0)
            if not dead.any():
                return through, inv, w
        if dead_end_sink:
            sinks = sinks + np.bincount(flows.send[dead], weights=branch_mw[dead], minlength=flows.n_bus)
        branch_mw = np.where(dead, 0.0, branch_mw)


def _gain_weight(flows: OrientedFlows, carried_mw: NDArray[np.float64], tol_mw: float, *,
                 per_unit_of_source: bool) -> sparse.csr_array:
    """``E``: the gain g from its source into its bus weighs g per MW carried by the source (or by its bus).

    ``carried_mw`` is the through-flow the mix is expressed in; a gain whose source carries
    ``<= tol_mw`` carries the mix of its own bus.
    """
    gains = flows.gains
    source = np.where(carried_mw[gains.source] > tol_mw, gains.source, gains.bus)
    per_unit = carried_mw[source] if per_unit_of_source else carried_mw[gains.bus]
    return _weight_matrix(flows.n_bus, source, gains.bus, gains.p_mw * _safe_inverse(per_unit, tol_mw))


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
    gains = flows.gains
    gain_mw = np.bincount(gains.bus, weights=gains.p_mw, minlength=n)
    if method == "downstream":
        through = flows.generation_mw + gain_mw + np.bincount(flows.recv, weights=flows.p_recv_mw, minlength=n)
        inv = _safe_inverse(through, tol_mw)
        w = _weight_matrix(n, flows.send, flows.recv, flows.p_recv_mw * inv[flows.recv])
        for buses in _closed_sets(w, leak_by_rows=False):
            _raise_circulation(index.bus_ids[buses])
        injection_weight, withdrawal_weight = p_inj * inv[index.injection_pos], p_wd.copy()
    else:
        if method == "upstream":
            branch_mw, sinks = flows.p_send_mw, flows.withdrawal_mw
        else:
            branch_mw = 0.5 * (flows.p_send_mw + flows.p_recv_mw)
            half_loss = 0.5 * (flows.p_send_mw - flows.p_recv_mw)
            sinks = (flows.withdrawal_mw + flows.loss_draw_mw + np.bincount(flows.send, weights=half_loss, minlength=n)
                     + np.bincount(flows.recv, weights=half_loss, minlength=n))
        through, inv, w = _outflow_system(flows, branch_mw, sinks, flows.generation_mw + gain_mw, tol_mw,
                                          index.bus_ids, dead_end_sink=method == "average")
        injection_weight, withdrawal_weight = p_inj.copy(), p_wd * inv[index.withdrawal_pos]
    s = (sparse.eye_array(n, format="csc") - w.tocsc()).tocsc()
    lu, order = _factorise(s, column_order, index.bus_ids)
    system = SharingSystem(method, index, through, injection_weight, withdrawal_weight, lu, order)
    if not len(gains):
        return system
    if method == "downstream":
        e = _gain_weight(flows, through, tol_mw, per_unit_of_source=False)
    else:
        traced = system.solve(flows.generation_mw + gain_mw, transpose=True)
        e = _gain_weight(flows, traced, tol_mw, per_unit_of_source=True)
    mix_lu, _ = _factorise((s - e.tocsc()).tocsc(), None, index.bus_ids)
    return SharingSystem(method, index, through, injection_weight, withdrawal_weight, lu, order, e, mix_lu)


def _factorise(s: sparse.csc_array, column_order: NDArray[np.intp] | None,
               bus_ids: NDArray[np.int64]) -> tuple[sparse_linalg.SuperLU, NDArray[np.intp] | None]:
    try:
        if column_order is None:
            return sparse_linalg.splu(s, permc_spec="COLAMD"), None
        return sparse_linalg.splu(s[:, column_order], permc_spec="NATURAL"), column_order
    except RuntimeError as exc:
        raise AttributionError(f"the sharing system of buses {bus_ids[:_BUSES_NAMED].tolist()} ... is singular: "
                               f"{exc}") from exc


def check_options(method: str, tol_mw: float) -> None:
    """Check the tracing options shared by every entry point.

    Raises
    ------
    AttributionError
        Unknown ``method`` or ``tol_mw`` not ``>= 0``.
    """
    if method not in METHODS:
        raise AttributionError(f"method {method!r} is not one of {list(METHODS)}")
    if not tol_mw >= 0:
        raise AttributionError(f"tol_mw must be >= 0 MW, got {tol_mw}")


def prepare_system(snapshot: Snapshot, method: Method, tol_mw: float, index: BusIndex | None = None,
                   column_order: NDArray[np.intp] | None = None) -> SharingSystem:
    """Orient ``snapshot``'s flows and build its factorised system (``index`` and ``column_order`` reusable).

    Raises
    ------
    AttributionError
        Unknown ``method`` or a singular system.
    """
    check_options(method, tol_mw)
    index = BusIndex.of(snapshot) if index is None else index
    flows = orient_flows(snapshot, index, tol_mw)
    return build_system(snapshot, index, flows, method, tol_mw, column_order)
