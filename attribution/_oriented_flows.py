"""Orient a snapshot's branch flows by their solved direction and sum devices per bus.

Rules (the ones the public docstrings refer to):

- A branch end whose flow magnitude is ``<= tol_mw`` counts as 0 MW.
- ``p_from_mw > 0 >= p_to_mw``: power goes from ``from_bus`` to ``to_bus``; sending-end flow
  ``p_from_mw``, receiving-end flow ``-p_to_mw``. The mirror case goes the other way.
- Both ends ``> 0`` (the branch draws from both buses: charging or pure losses) and branches whose
  two ends are one bus: the power drawn at each end is a *loss draw* at that bus, not a flow.
- A *gain* (the branch delivers more than it receives: negative resistance or ``vkr``, a network
  equivalent, a three-winding star winding) is split off: the branch carries its sending-end flow
  and the excess ``p_recv - p_send`` is a fictitious injection at the receiving bus that carries
  the sending bus's mix (:class:`Gains`). Excesses up to ``GAIN_ROUND_OFF_RTOL × p_send + tol_mw``
  are round-off: the receiving-end flow is clipped to the sending-end flow.
- A branch that delivers power at an end while taking none (or also delivering) at the other end
  is all gain: each delivered end gets a gain carrying the other end's mix. A branch whose two ends
  are one bus and that delivers power is a gain carrying that bus's own mix.
- Branches with both ends at 0 MW are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .snapshot import Snapshot

__all__ = ["GAIN_ROUND_OFF_RTOL", "BusIndex", "Gains", "OrientedFlows", "orient_flows"]

#: Relative tolerance (of the sending-end flow) below which a negative branch loss is round-off.
#: Branch end flows are computed from one set of solved voltages, so a passive branch's loss is
#: ``>= 0`` up to float round-off (~1e-16 of the apparent power); 1e-9 leaves room for that.
GAIN_ROUND_OFF_RTOL = 1e-9


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
class Gains:
    """Branch gains as fictitious injections (see module docstring).

    Attributes
    ----------
    source : (n_gain,) intp
        Bus position whose mix the gain carries (the branch's sending end; the receiving bus itself
        for a branch with both ends on one bus).
    bus : (n_gain,) intp
        Bus position where the gain is injected (the end that delivers it).
    p_mw : (n_gain,) float64
        Gain, MW, ``> 0``.
    """

    source: NDArray[np.intp]
    bus: NDArray[np.intp]
    p_mw: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.p_mw)


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
        Power leaving the branch at its receiving end, ``0 <= p_recv_mw <= p_send_mw`` (a gain
        beyond ``p_send_mw`` is in :attr:`gains`).
    generation_mw, withdrawal_mw, loss_draw_mw : (n_bus,) float64
        Sum of injections, of withdrawals and of loss draws (see module docstring) at each bus.
    gains : Gains
        Fictitious injections of branches that deliver more than they receive.
    """

    n_bus: int
    send: NDArray[np.intp]
    recv: NDArray[np.intp]
    p_send_mw: NDArray[np.float64]
    p_recv_mw: NDArray[np.float64]
    generation_mw: NDArray[np.float64]
    withdrawal_mw: NDArray[np.float64]
    loss_draw_mw: NDArray[np.float64]
    gains: Gains


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
    """
    br = snapshot.branches
    n_bus = len(index.bus_ids)
    p_from = np.where(np.abs(br.p_from_mw) > tol_mw, br.p_from_mw, 0.0)
    p_to = np.where(np.abs(br.p_to_mw) > tol_mw, br.p_to_mw, 0.0)
    self_loop = index.from_pos == index.to_pos
    forward = ~self_loop & (p_from > 0) & (p_to <= 0)
    backward = ~self_loop & (p_to > 0) & (p_from <= 0)
    both_draw = ~self_loop & (p_from > 0) & (p_to > 0)
    delivers_from = ~self_loop & (p_from < 0) & (p_to <= 0)  # takes nothing at to_bus, delivers at from_bus
    delivers_to = ~self_loop & (p_to < 0) & (p_from <= 0)
    send = np.concatenate([index.from_pos[forward], index.to_pos[backward]])
    recv = np.concatenate([index.to_pos[forward], index.from_pos[backward]])
    p_send = np.concatenate([p_from[forward], p_to[backward]])
    p_recv = -np.concatenate([p_to[forward], p_from[backward]])
    excess = p_recv - p_send
    gained = excess > GAIN_ROUND_OFF_RTOL * p_send + tol_mw
    self_gain = self_loop & (p_from + p_to < -tol_mw)
    gains = Gains(
        source=np.concatenate([send[gained], index.to_pos[delivers_from], index.from_pos[delivers_to],
                               index.from_pos[self_gain]]),
        bus=np.concatenate([recv[gained], index.from_pos[delivers_from], index.to_pos[delivers_to],
                            index.from_pos[self_gain]]),
        p_mw=np.concatenate([excess[gained], -p_from[delivers_from], -p_to[delivers_to],
                             -(p_from + p_to)[self_gain]]),
    )
    p_recv = np.minimum(p_recv, p_send)
    draw_pos = np.concatenate([index.from_pos[both_draw], index.to_pos[both_draw], index.from_pos[self_loop]])
    draw_mw = np.concatenate([p_from[both_draw], p_to[both_draw], np.maximum(p_from + p_to, 0.0)[self_loop]])
    return OrientedFlows(
        n_bus=n_bus, send=send, recv=recv, p_send_mw=p_send, p_recv_mw=p_recv,
        generation_mw=_bus_sum(n_bus, index.injection_pos, snapshot.injections.p_mw),
        withdrawal_mw=_bus_sum(n_bus, index.withdrawal_pos, snapshot.withdrawals.p_mw),
        loss_draw_mw=_bus_sum(n_bus, draw_pos, draw_mw), gains=gains,
    )
