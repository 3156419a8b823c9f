"""Provenance of stored energy: what charged a storage unit is what it later discharges.

Policy (documented once, referred to elsewhere):

- A storage unit is one key; by default its charge row (withdrawal of kind ``storage_charge``) and
  its discharge row (injection of technology ``storage``) carry the same ``device_id``; ``unit_of``
  maps other naming schemes.
- Allocation (``allocation``): ``"pro_rata"`` (default) — the stored energy of a unit is one
  well-mixed pool of MWh per technology; a discharge takes every technology in proportion to the
  pool (the simplest and usual rule for storage guarantees of origin) — or ``"fifo"`` — each
  interval's charge is a lot; a discharge empties the oldest lots first (the Granular registry's
  rule, as the certificate ledger applies it: :mod:`greenproof.ledger.storage_allocation`).
- Round-trip efficiency ``η`` is applied when charging: charging E MWh of a mix adds ``η E`` MWh
  of that mix to the pool, so the pool counts deliverable MWh and a discharge of D MWh removes D.
  Certificates of discharged energy thus carry the original attributes times ``η`` (DESIGN.md).
- Within one interval a unit first discharges (from the pool as it was), then charges.
- A discharge larger than the pool takes the whole pool; the rest keeps the technology
  ``storage`` (unknown provenance).
- All amounts are MWh; the state carries over between intervals. ``state_lots_mwh`` and the
  ``initial_mwh`` it accepts back carry it across runs (``greenproof trace`` chunks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .errors import AttributionError
from .snapshot import Snapshot
from .technologies import TECHNOLOGY_KEYS

__all__ = ["STORAGE_ALLOCATIONS", "StorageLedger", "StorageStep"]

#: Discharge allocation rules of :class:`StorageLedger`.
STORAGE_ALLOCATIONS = ("pro_rata", "fifo")

_UNTRACKED = "storage"
_COLUMN = {key: j for j, key in enumerate(TECHNOLOGY_KEYS)}


@dataclass(frozen=True)
class StorageStep:
    """What one interval moved through the ledger, MWh per unit and technology key.

    Attributes
    ----------
    discharged_mwh : dict[str, dict[str, float]]
        Delivered by each discharging unit, by provenance (``storage`` = unknown).
    charged_mwh : dict[str, dict[str, float]]
        Added to each charging unit's pool (after the round-trip loss), by provenance.
    """

    discharged_mwh: dict[str, dict[str, float]]
    charged_mwh: dict[str, dict[str, float]]


def _as_dict(vector: NDArray[np.float64]) -> dict[str, float]:
    return {key: float(vector[j]) for j, key in enumerate(TECHNOLOGY_KEYS) if vector[j] > 0}


def _vector(unit: str, mwh: Mapping[str, float]) -> NDArray[np.float64]:
    unknown = sorted(set(mwh) - set(_COLUMN))
    if unknown or any(not np.isfinite(v) or v < 0 for v in mwh.values()):
        raise AttributionError(f"energy of {unit!r} must be MWh >= 0 per known technology, got {dict(mwh)}")
    vector = np.zeros(len(TECHNOLOGY_KEYS))
    for key, value in mwh.items():
        vector[_COLUMN[key]] = value
    return vector


class StorageLedger:
    """Carry the technology provenance of charged energy through storage to its discharge.

    Parameters
    ----------
    round_trip_efficiency : float
        Energy out per energy in, ``0 < η <= 1``, applied at charging (see module docstring).
    initial_mwh : mapping unit → {technology: MWh} or unit → list of them, optional
        Stored energy at the start, deliverable MWh: one pool per unit, or its lots oldest first
        (as :attr:`state_lots_mwh` returns them).
    unit_of : callable device id → unit key, optional
        Names the storage unit of a charge or discharge row; identity by default.
    allocation : {"pro_rata", "fifo"}
        Which stored energy a discharge takes (module docstring).

    Raises
    ------
    AttributionError
        Efficiency outside (0, 1], an unknown allocation, or an initial state with unknown keys or
        negative MWh.
    """

    def __init__(self, *, round_trip_efficiency: float = 0.85,
                 initial_mwh: Mapping[str, Mapping[str, float] | Sequence[Mapping[str, float]]] | None = None,
                 unit_of: Callable[[str], str] | None = None, allocation: str = "pro_rata") -> None:
        if not 0 < round_trip_efficiency <= 1:
            raise AttributionError(f"round_trip_efficiency must be in (0, 1], got {round_trip_efficiency}")
        if allocation not in STORAGE_ALLOCATIONS:
            raise AttributionError(f"allocation {allocation!r} is not one of {STORAGE_ALLOCATIONS}")
        self.round_trip_efficiency = round_trip_efficiency
        self.allocation = allocation
        self._unit_of = unit_of if unit_of is not None else str
        self._lots: dict[str, list[NDArray[np.float64]]] = {}
        self._last_discharges: tuple[Snapshot, list[tuple[str, str, float]]] | None = None
        for unit, state in (initial_mwh or {}).items():
            lots = [state] if isinstance(state, Mapping) else list(state)
            self._lots[unit] = [_vector(unit, lot) for lot in lots]

    @property
    def state_mwh(self) -> dict[str, dict[str, float]]:
        """Stored deliverable energy of every unit, MWh per technology key."""
        return {unit: _as_dict(self._pool(unit)) for unit in self._lots}

    @property
    def state_lots_mwh(self) -> dict[str, list[dict[str, float]]]:
        """Stored deliverable energy of every unit per lot, oldest first (one lot per charging interval)."""
        return {unit: [_as_dict(lot) for lot in lots] for unit, lots in self._lots.items()}

    def _pool(self, unit: str) -> NDArray[np.float64]:
        return np.sum(self._lots.get(unit, []), axis=0) if self._lots.get(unit) else np.zeros(len(TECHNOLOGY_KEYS))

    def _take(self, unit: str, mwh: float) -> tuple[list[NDArray[np.float64]], NDArray[np.float64]]:
        """Return (lots left, MWh taken per technology) for discharging ``mwh`` from ``unit`` by the rule."""
        lots = self._lots.get(unit, [])
        stored = float(sum(lot.sum() for lot in lots))
        if mwh >= stored:  # the whole content (also avoids mwh / subnormal overflow)
            return [], self._pool(unit)
        if self.allocation == "pro_rata":
            keep = 1.0 - mwh / stored
            return [lot * keep for lot in lots], self._pool(unit) * (mwh / stored)
        left, taken, need = [], np.zeros(len(TECHNOLOGY_KEYS)), mwh
        for lot in lots:
            size = float(lot.sum())
            part = lot if need >= size else lot * (need / size)
            taken += part
            need -= float(part.sum())
            if size - float(part.sum()) > 0:
                left.append(lot - part)
        return left, taken

    def discharge(self, unit: str, mwh: float) -> dict[str, float]:
        """Discharge ``mwh`` MWh from ``unit`` by the allocation rule; return what was delivered, MWh per technology.

        Energy beyond what the unit holds is of unknown provenance (``storage``).
        """
        return _as_dict(self._discharge(unit, mwh))

    def charge(self, unit: str, supplied_mwh: Mapping[str, float]) -> dict[str, float]:
        """Charge ``unit`` with energy of the given technologies (MWh before losses); return what was stored."""
        return _as_dict(self._charge(unit, _vector(unit, supplied_mwh)))

    def _discharge(self, unit: str, mwh: float) -> NDArray[np.float64]:
        left, taken = self._take(unit, mwh)
        if unit in self._lots:
            self._lots[unit] = left
        delivered = taken.copy()
        delivered[_COLUMN[_UNTRACKED]] += max(mwh - taken.sum(), 0.0)
        return delivered

    def _charge(self, unit: str, supplied: NDArray[np.float64]) -> NDArray[np.float64]:
        added = supplied * self.round_trip_efficiency
        lots = self._lots.setdefault(unit, [])
        if self.allocation == "pro_rata" and lots:  # one well-mixed pool: a single lot
            lots[:] = [np.sum(lots, axis=0) + added]
        else:
            lots.append(added)
        return added

    def _discharges(self, snapshot: Snapshot) -> list[tuple[str, str, float]]:
        if self._last_discharges is not None and self._last_discharges[0] is snapshot:
            return self._last_discharges[1]  # source_mix, then advance, read the same snapshot
        inj = snapshot.injections
        rows = np.flatnonzero((inj.technology == _UNTRACKED) & (inj.p_mw * snapshot.duration_h > 0)).tolist()
        discharges = [(str(inj.device_id[k]), self._unit_of(str(inj.device_id[k])),
                       float(inj.p_mw[k]) * snapshot.duration_h) for k in rows]
        self._last_discharges = (snapshot, discharges)
        return discharges


    def source_mix(self, snapshot: Snapshot) -> dict[str, dict[str, float]]:
        """Return the provenance of ``snapshot``'s storage discharges as a ``SourceMix``.

        Pass it to ``trace``/``mix``/``carbon_intensity`` so loads see the stored origins.
        """
        mixes: dict[str, dict[str, float]] = {}
        for device, unit, mwh in self._discharges(snapshot):
            _left, taken = self._take(unit, mwh)
            delivered = taken.copy()
            delivered[_COLUMN[_UNTRACKED]] += max(mwh - taken.sum(), 0.0)
            mixes[device] = _as_dict(delivered / delivered.sum())
        return mixes

    def step(self, snapshot: Snapshot, withdrawal_share: NDArray[np.float64]) -> StorageStep:
        """Apply one interval: discharge the ``storage`` injections, then charge the ``storage_charge`` rows.

        Parameters
        ----------
        snapshot : Snapshot
        withdrawal_share : (n_wd, n_tech) float64
            Technology share of each withdrawal's supply over ``TECHNOLOGY_KEYS`` (e.g.
            ``Allocation.technology_share`` or ``BusMix.withdrawal_share`` traced with this
            ledger's ``source_mix``); only ``storage_charge`` rows are read. A row without a finite
            share (its supply is below the tracing tolerance) charges energy of unknown origin
            (``storage``).

        Returns
        -------
        StorageStep
            MWh discharged and charged per unit and technology.

        Raises
        ------
        AttributionError
            ``withdrawal_share`` has the wrong shape.
        """
        discharged, charged = self.advance(snapshot, withdrawal_share)
        return StorageStep(discharged_mwh={u: _as_dict(v) for u, v in discharged.items()},
                           charged_mwh={u: _as_dict(v) for u, v in charged.items()})

    def advance(self, snapshot: Snapshot, withdrawal_share: NDArray[np.float64]
                ) -> tuple[dict[str, NDArray[np.float64]], dict[str, NDArray[np.float64]]]:
        """Apply one interval as :meth:`step` does; return (discharged, charged) MWh per unit over ``TECHNOLOGY_KEYS``.

        For streams that do not keep each interval's :class:`StorageStep` (no dicts are built).

        Raises
        ------
        AttributionError
            ``withdrawal_share`` has the wrong shape.
        """
        wd = snapshot.withdrawals
        expected = (len(wd), len(TECHNOLOGY_KEYS))
        if withdrawal_share.shape != expected:
            raise AttributionError(f"withdrawal_share has shape {withdrawal_share.shape}, expected {expected}")
        discharged: dict[str, NDArray[np.float64]] = {}
        for _device, unit, mwh in self._discharges(snapshot):
            discharged[unit] = discharged.get(unit, np.zeros(len(TECHNOLOGY_KEYS))) + self._discharge(unit, mwh)
        charged: dict[str, NDArray[np.float64]] = {}
        for m in np.flatnonzero((wd.kind == "storage_charge") & (wd.p_mw > 0)):
            share = withdrawal_share[m]
            if not np.all(np.isfinite(share)):
                # supply below the tracing tolerance: charged energy of unknown origin
                share = np.zeros(len(TECHNOLOGY_KEYS))
                share[_COLUMN[_UNTRACKED]] = 1.0
            unit = self._unit_of(str(wd.device_id[m]))
            added = self._charge(unit, share * float(wd.p_mw[m]) * snapshot.duration_h)
            charged[unit] = charged.get(unit, np.zeros(len(TECHNOLOGY_KEYS))) + added
        return discharged, charged
