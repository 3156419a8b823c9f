"""Upstream (gross) sharing of many intervals of one network at once, with batched dense solves.

Intervals that share bus ids and branch terminals differ only in their numbers, so for a network
of up to :data:`MAX_DENSE_BUSES` buses their sharing systems ``S = I - W`` are built as one
``(T, n_bus, n_bus)`` array and solved together by LAPACK (``numpy.linalg.solve`` on the stack),
instead of one sparse system build and LU per interval. The rules are those of the per-interval
path (:mod:`._oriented_flows`, :mod:`._sharing_system`), applied to whole arrays:

- branch ends ``|p| <= tol_mw`` count as 0 MW; a branch carries its sending-end flow;
- flows into dead ends (receiving bus with through-flow ``<= tol_mw``) are loss draws at their
  sending buses, repeated until none is left;
- ``alloc[k, m] = p_k inv(S)[bus(k), bus(m)] p_m / P_bus(m)``; entries ``<= tol_mw`` dropped.

An interval this module does not decide is returned as ``None`` for the per-interval path:
one with a branch gain (fictitious injections need the mix system) or whose oriented flows
contain a directed cycle (a loop flow: closed loss-fed sets and lossless circulations are the
per-interval path's to find). Without a cycle ``W`` is nilpotent, so ``S`` is never singular.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ._oriented_flows import GAIN_ROUND_OFF_RTOL
from .snapshot import Snapshot

__all__ = ["MAX_DENSE_BUSES", "dense_upstream", "same_network"]

#: Largest network (buses) solved densely; larger ones go through the sparse per-interval path.
MAX_DENSE_BUSES = 400
#: Memory budget of one stack of dense systems and solutions, bytes.
DENSE_BYTES = 64 * 2**20


def same_network(a: Snapshot, b: Snapshot) -> bool:
    """Whether two snapshots have the same bus ids and branch terminals (devices may differ)."""
    return all(x is y or np.array_equal(x, y) for x, y in (
        (a.bus_ids, b.bus_ids), (a.branches.from_bus, b.branches.from_bus), (a.branches.to_bus, b.branches.to_bus)))


def _bus_sums(positions: list[NDArray[np.intp]], values: list[NDArray[np.float64]], n_bus: int) -> NDArray[np.float64]:
    """(T, n_bus) sums of ``values[t]`` at bus ``positions[t]`` (MW)."""
    t_of = np.repeat(np.arange(len(positions)), [len(p) for p in positions])
    flat = t_of * n_bus + np.concatenate(positions)
    sums = np.bincount(flat, weights=np.concatenate(values), minlength=len(positions) * n_bus)
    return np.asarray(sums, dtype=np.float64).reshape(-1, n_bus)


def _cyclic(send: NDArray[np.intp], recv: NDArray[np.intp], active: NDArray[np.bool_], n_bus: int) -> NDArray[np.bool_]:
    """(T,) whether each interval's active branches (oriented send → recv) contain a directed cycle.

    Peels branches whose sending bus has no active inflow until nothing changes; what remains
    lies on or downstream of a cycle.
    """
    active = active.copy()
    while True:
        indegree = np.bincount(recv[active], minlength=active.shape[0] * n_bus)
        peel = active & (indegree[send] == 0)
        if not peel.any():
            return np.asarray(active.any(axis=1))
        active &= ~peel


def _stack_solutions(s: NDArray[np.float64], sources: NDArray[np.intp]) -> NDArray[np.float64]:
    """Rows ``sources`` of ``inv(S)`` per interval, (T, n_bus, n_src): ``[t, b, j] = inv(S_t)[sources[j], b]``."""
    unit = np.zeros((s.shape[1], sources.size))
    unit[sources, np.arange(sources.size)] = 1.0
    solved = np.linalg.solve(np.swapaxes(s, 1, 2), np.broadcast_to(unit, (s.shape[0], *unit.shape)))
    return np.asarray(solved, dtype=np.float64)


def _batch_length(n_bus: int) -> int:
    return max(1, DENSE_BYTES // (8 * 3 * n_bus * n_bus))


def dense_upstream(snapshots: Sequence[Snapshot], tol_mw: float) -> list[NDArray[np.float64] | None]:
    """Upstream allocation of each snapshot, MW, ``(n_inj, n_wd)`` dense, or ``None`` for the per-interval path.

    Parameters
    ----------
    snapshots : sequence of Snapshot
        Intervals of one network (:func:`same_network` holds between all of them).
    tol_mw : float
        As in :func:`~greenproof.attribution.proportional_sharing.trace`.

    Returns
    -------
    list
        Per snapshot: the allocation matrix (entries ``<= tol_mw`` set to 0; rows are injections,
        columns withdrawals, in snapshot order), or ``None`` (see the module docstring).
    """
    if not snapshots:
        return []
    n_bus = len(snapshots[0].bus_ids)
    if n_bus > MAX_DENSE_BUSES:
        return [None] * len(snapshots)
    step = _batch_length(n_bus)
    results: list[NDArray[np.float64] | None] = []
    for first in range(0, len(snapshots), step):
        results.extend(_dense_chunk(snapshots[first:first + step], tol_mw))
    return results


def _dense_chunk(snapshots: Sequence[Snapshot], tol_mw: float) -> list[NDArray[np.float64] | None]:
    first = snapshots[0]
    n_bus, n_t = len(first.bus_ids), len(snapshots)
    order = np.argsort(first.bus_ids, kind="stable")
    sorted_ids = first.bus_ids[order]

    def positions(buses: NDArray[np.int64]) -> NDArray[np.intp]:
        return order[np.searchsorted(sorted_ids, buses)].astype(np.intp)

    from_pos, to_pos = positions(first.branches.from_bus), positions(first.branches.to_bus)
    inj_pos = [positions(s.injections.bus) for s in snapshots]
    wd_pos = [positions(s.withdrawals.bus) for s in snapshots]
    sinks = _bus_sums(wd_pos, [s.withdrawals.p_mw for s in snapshots], n_bus)

    p_from = np.stack([s.branches.p_from_mw for s in snapshots])
    p_to = np.stack([s.branches.p_to_mw for s in snapshots])
    p_from = np.where(np.abs(p_from) > tol_mw, p_from, 0.0)
    p_to = np.where(np.abs(p_to) > tol_mw, p_to, 0.0)
    self_loop = from_pos == to_pos
    forward = ~self_loop & (p_from > 0) & (p_to <= 0)
    backward = ~self_loop & (p_to > 0) & (p_from <= 0)
    p_send = np.where(forward, p_from, np.where(backward, p_to, 0.0))
    p_recv = -np.where(forward, p_to, np.where(backward, p_from, 0.0))
    gained = (forward | backward) & (p_recv - p_send > GAIN_ROUND_OFF_RTOL * p_send + tol_mw)
    delivers = ~self_loop & (((p_from < 0) & (p_to <= 0)) | ((p_to < 0) & (p_from <= 0)))
    self_gain = self_loop & (p_from + p_to < -tol_mw)
    has_gain = (gained | delivers | self_gain).any(axis=1)

    offset = (np.arange(n_t) * n_bus)[:, None]
    send = np.where(backward, to_pos, from_pos) + offset  # flat (t, bus) positions
    recv = np.where(backward, from_pos, to_pos) + offset
    branch_mw = p_send
    while True:
        through = (sinks.ravel() + np.bincount(send.ravel(), weights=branch_mw.ravel(), minlength=n_t * n_bus))
        dead = (through[recv] <= tol_mw) & (branch_mw > 0)
        if not dead.any():
            break
        branch_mw = np.where(dead, 0.0, branch_mw)
    decided = ~has_gain & ~_cyclic(send, recv, branch_mw > 0, n_bus)
    results: list[NDArray[np.float64] | None] = [None] * n_t
    if not decided.any():
        return results

    inv = np.zeros_like(through)
    np.divide(1.0, through, out=inv, where=through > tol_mw)
    weights = branch_mw * inv[send]
    cell = send * n_bus + (recv - offset)  # flat (t, send bus, recv bus)
    w = np.bincount(cell.ravel(), weights=weights.ravel(), minlength=n_t * n_bus * n_bus).reshape(n_t, n_bus, n_bus)
    s = np.eye(n_bus) - w[decided]
    sources = np.unique(np.concatenate([inj_pos[t] for t in np.flatnonzero(decided)]))
    solved = _stack_solutions(s, sources)
    inv = inv.reshape(n_t, n_bus)
    for row, t in enumerate(np.flatnonzero(decided).tolist()):
        snapshot = snapshots[t]
        slot = np.searchsorted(sources, inj_pos[t])
        block = solved[row][wd_pos[t][:, None], slot[None, :]].T
        values = (snapshot.injections.p_mw[:, None] * block
                  * (snapshot.withdrawals.p_mw * inv[t, wd_pos[t]])[None, :])
        results[t] = np.where(values > tol_mw, values, 0.0)
    return results
