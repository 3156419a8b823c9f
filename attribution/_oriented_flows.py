"""Orient a snapshot's branch flows by their solved direction and sum devices per bus.

Rules (the ones the public docstrings refer to):

- A branch end whose flow magnitude is ``<= tol_mw`` counts as 0 MW.
- ``p_from_mw > 0 >= p_to_mw``: power goes from ``from_bus`` to ``to_bus``; sending-end flow
  ``p_from_mw``, receiving-end flow ``-p_to_mw``. The mirror case goes the other way.
- Both ends ``> 0`` (the branch draws from both buses: charging or pure losses) and branches whose
  two ends are one bus: the power drawn at each end is a *loss draw* at that bus, not a flow.
- Negative losses (more power leaves than enters) within ``1e-6`` of the sending-end flow plus
  ``tol_mw`` are round-off: the receiving-end flow is clipped to the sending-end flow. Larger ones,
  and branches injecting at both ends, are not passive branches: :class:`AttributionError`.
- Branches with both ends at 0 MW are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .errors import AttributionError
from .snapshot import Snapshot

__all__ = ["BusIndex", "OrientedFlows", "orient_flows"]

#: Relative tolerance on negative branch losses treated as round-off.
NEGATIVE_LOSS_RTOL = 1e-6


@dataclass(frozen=True, eq=False)
class BusIndex:
    """Positions (0..n_bus-1) of every bus reference of a snapshot; depends on topology only.

    Attributes
    ----------
    bus_ids : (n_bus,) int64
    from_pos, to_pos : (n_br,) intp
        Positions of branch terminals.
    injection_pos : (n_inj,) intp
    withdrawal_pos : (n_wd,) intp
    """

    bus_ids: NDArray[np.int64]
    from_pos: NDArray[np.intp]
    to_pos: NDArray[np.intp]
    injection_pos: NDArray[np.intp]
    withdrawal_pos: NDArray[np.intp]

    @classmethod
    def of(cls, snapshot: Snapshot) -> BusIndex:
        """Index the bus references of ``snapshot`` (bus ids are validated to exist)."""
        order = np.argsort(snapshot.bus_ids, kind="stable")
        sorted_ids = snapshot.bus_ids[order]

        def positions(buses: NDArray[np.int64]) -> NDArray[np.intp]:
            return order[np.searchsorted(sorted_ids, buses)].astype(np.intp)

        br = snapshot.branches
        return cls(snapshot.bus_ids, positions(br.from_bus), positions(br.to_bus),
                   positions(snapshot.injections.bus), positions(snapshot.withdrawals.bus))

    def matches(self, snapshot: Snapshot) -> bool:
        """Whether ``snapshot`` has the same buses, branch terminals and device buses."""
        br = snapshot.branches
        return (np.array_equal(self.bus_ids, snapshot.bus_ids)
                and len(self.from_pos) == len(br) and len(self.injection_pos) == len(snapshot.injections)
                and len(self.withdrawal_pos) == len(snapshot.withdrawals)
                and np.array_equal(self.bus_ids[self.from_pos], br.from_bus)
                and np.array_equal(self.bus_ids[self.to_pos], br.to_bus)
                and np.array_equal(self.bus_ids[self.injection_pos], snapshot.injections.bus)
                and np.array_equal(self.bus_ids[self.withdrawal_pos], snapshot.withdrawals.bus))


@dataclass(frozen=True, eq=False)
class OrientedFlows:
    """Branch flows oriented by direction, plus per-bus sums, in MW.

    Attributes
    ----------
    n_bus : int
    send, recv : (n_flow,) intp
        Bus positions of the sending and receiving end of each branch that carries a flow.
    p_send_mw : (n_flow,) float64
        Power entering the branch at its sending end, ``> 0``.
    p_recv_mw : (n_flow,) float64
        Power leaving the branch at its receiving end, ``0 <= p_recv_mw <= p_send_mw``.
    generation_mw, withdrawal_mw, loss_draw_mw : (n_bus,) float64
        Sum of injections, of withdrawals and of loss draws (see module docstring) at each bus.
    """

    n_bus: int
    send: NDArray[np.intp]
    recv: NDArray[np.intp]
    p_send_mw: NDArray[np.float64]
    p_recv_mw: NDArray[np.float64]
    generation_mw: NDArray[np.float64]
    withdrawal_mw: NDArray[np.float64]
    loss_draw_mw: NDArray[np.float64]


def _bus_sum(n_bus: int, pos: NDArray[np.intp], values: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.bincount(pos, weights=values, minlength=n_bus).astype(np.float64)


def orient_flows(snapshot: Snapshot, index: BusIndex, tol_mw: float) -> OrientedFlows:
    """Orient the branch flows of ``snapshot`` by sign (rules in the module docstring).

    Parameters
    ----------
    snapshot : Snapshot
    index : BusIndex
        ``BusIndex.of(snapshot)`` or a cached one that ``matches`` it.
    tol_mw : float
        Branch-end flows with magnitude ``<= tol_mw`` MW count as 0.

    Raises
    ------
    AttributionError
        A branch injects power at both ends or has a negative loss beyond round-off; the message
        names the branch.
    """
    br = snapshot.branches
    n_bus = len(index.bus_ids)
    p_from = np.where(np.abs(br.p_from_mw) > tol_mw, br.p_from_mw, 0.0)
    p_to = np.where(np.abs(br.p_to_mw) > tol_mw, br.p_to_mw, 0.0)
    self_loop = index.from_pos == index.to_pos
    forward = ~self_loop & (p_from > 0) & (p_to <= 0)
    backward = ~self_loop & (p_to > 0) & (p_from <= 0)
    both_draw = ~self_loop & (p_from > 0) & (p_to > 0)
    source = (p_from <= 0) & (p_to <= 0) & ((p_from < 0) | (p_to < 0)) & ~self_loop
    source |= self_loop & (p_from + p_to < -tol_mw)
    if source.any():
        row = int(np.flatnonzero(source)[0])
        raise AttributionError(
            f"branch row {row} ({str(br.branch_id[row])!r}) injects power at both ends "
            f"(p_from_mw={float(br.p_from_mw[row])}, p_to_mw={float(br.p_to_mw[row])}); a passive branch cannot"
        )
    send = np.concatenate([index.from_pos[forward], index.to_pos[backward]])
    recv = np.concatenate([index.to_pos[forward], index.from_pos[backward]])
    p_send = np.concatenate([p_from[forward], p_to[backward]])
    p_recv = -np.concatenate([p_to[forward], p_from[backward]])
    negative_loss = p_recv - p_send > NEGATIVE_LOSS_RTOL * p_send + tol_mw
    if negative_loss.any():
        rows = np.concatenate([np.flatnonzero(forward), np.flatnonzero(backward)])
        row = int(rows[np.flatnonzero(negative_loss)[0]])
        raise AttributionError(
            f"branch row {row} ({str(br.branch_id[row])!r}) delivers more than it receives "
            f"(p_from_mw={float(br.p_from_mw[row])}, p_to_mw={float(br.p_to_mw[row])}): "
            f"negative loss {br.loss_mw[row]:.6g} MW"
        )
    p_recv = np.minimum(p_recv, p_send)
    draw_pos = np.concatenate([index.from_pos[both_draw], index.to_pos[both_draw], index.from_pos[self_loop]])
    draw_mw = np.concatenate([p_from[both_draw], p_to[both_draw], np.maximum(p_from + p_to, 0.0)[self_loop]])
    return OrientedFlows(
        n_bus=n_bus, send=send, recv=recv, p_send_mw=p_send, p_recv_mw=p_recv,
        generation_mw=_bus_sum(n_bus, index.injection_pos, snapshot.injections.p_mw),
        withdrawal_mw=_bus_sum(n_bus, index.withdrawal_pos, snapshot.withdrawals.p_mw),
        loss_draw_mw=_bus_sum(n_bus, draw_pos, draw_mw),
    )
