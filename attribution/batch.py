"""Streaming attribution of many intervals, reusing per-topology work.

``trace_many`` and ``mix_many`` are generators: one result per snapshot, computed when the caller
asks for it, so memory does not grow with the number of intervals. While consecutive snapshots
keep the same topology (bus ids, branch terminals and device buses), the bus index is reused and
SuperLU keeps the fill-reducing column ordering computed for the first snapshot instead of
recomputing it (COLAMD). With a :class:`~greenproof.attribution.storage_ledger.StorageLedger`,
each interval's storage discharges are traced with the stored provenance and the ledger is then
advanced (discharge, then charge).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from numpy.typing import NDArray

from ._oriented_flows import BusIndex
from ._sharing_system import Method, SharingSystem, prepare_system
from ._technology_matrix import SourceMix
from .allocation import Allocation
from .nodal_mix import BusMix, MixBy, bus_mix
from .proportional_sharing import allocate
from .snapshot import Snapshot
from .storage_ledger import StorageLedger

__all__ = ["mix_many", "trace_many"]


class _TopologyCache:
    """Bus index and LU column ordering of the last topology seen."""

    def __init__(self, method: Method, tol_mw: float) -> None:
        self._method = method
        self._tol_mw = tol_mw
        self._index: BusIndex | None = None
        self._column_order: NDArray[np.intp] | None = None

    def system(self, snapshot: Snapshot) -> SharingSystem:
        if self._index is None or not self._index.matches(snapshot):
            self._index, self._column_order = BusIndex.of(snapshot), None
        system = prepare_system(snapshot, self._method, self._tol_mw, self._index, self._column_order)
        self._column_order = system.column_order
        return system


def _mixes(snapshot: Snapshot, source_mix: SourceMix | None, storage: StorageLedger | None) -> SourceMix | None:
    if storage is None:
        return source_mix
    return {**(source_mix or {}), **storage.source_mix(snapshot)}


def trace_many(snapshots: Iterable[Snapshot], *, method: Method = "upstream", tol_mw: float = 1e-9,
               source_mix: SourceMix | None = None, storage: StorageLedger | None = None) -> Iterator[Allocation]:
    """Yield the :class:`Allocation` of each snapshot in turn (arguments as in ``trace``).

    Parameters
    ----------
    snapshots : iterable of Snapshot
        Consumed lazily, in order.
    method, tol_mw, source_mix
        As in :func:`~greenproof.attribution.proportional_sharing.trace`; ``source_mix`` applies to
        every snapshot (e.g. a configured grid-import mix).
    storage : StorageLedger, optional
        Replaces the ``storage`` technology of discharges by the stored mix and is advanced
        after each interval with the traced supply of ``storage_charge`` rows.

    Raises
    ------
    AttributionError
        As ``trace``, for the first snapshot that fails.
    """
    cache = _TopologyCache(method, tol_mw)
    for snapshot in snapshots:
        allocation = allocate(snapshot, cache.system(snapshot), tol_mw, _mixes(snapshot, source_mix, storage))
        if storage is not None:
            storage.step(snapshot, allocation.technology_share)
        yield allocation


def mix_many(snapshots: Iterable[Snapshot], *, by: MixBy = "technology", method: Method = "upstream",
             tol_mw: float = 1e-9, source_mix: SourceMix | None = None,
             storage: StorageLedger | None = None) -> Iterator[BusMix]:
    """Yield the :class:`~greenproof.attribution.nodal_mix.BusMix` of each snapshot in turn.

    Arguments as in :func:`trace_many` and :func:`~greenproof.attribution.nodal_mix.mix`; with a
    ``storage`` ledger, ``by`` must be ``"technology"`` (the ledger needs technology shares).

    Raises
    ------
    AttributionError
        As ``mix``, for the first snapshot that fails.
    """
    cache = _TopologyCache(method, tol_mw)
    for snapshot in snapshots:
        result = bus_mix(snapshot, cache.system(snapshot), by, _mixes(snapshot, source_mix, storage))
        if storage is not None:
            storage.step(snapshot, result.withdrawal_share)
        yield result
