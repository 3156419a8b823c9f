"""Streaming attribution of many intervals, reusing per-network work.

``trace_many``, ``trace_snapshots`` and ``mix_many`` are generators: results come in time order and
memory does not grow with the number of intervals. ``trace_many``/``trace_snapshots`` read the
stream :data:`BATCH_INTERVALS` snapshots at a time; upstream tracing of a batch's intervals that
share bus ids and branch terminals (on networks of up to
:data:`~greenproof.attribution._dense_upstream.MAX_DENSE_BUSES` buses) is one stack of dense
solves (:mod:`._dense_upstream`); every other interval (other methods, branch gains, loop flows,
larger networks) is traced on its own as ``trace`` does. Both give the same allocation up to
float round-off (tested to 1e-9 MW). For per-interval work, while consecutive snapshots keep the
same topology (bus ids, branch terminals and device buses), the bus index is reused and SuperLU
keeps the fill-reducing column ordering computed for the first snapshot instead of recomputing it
(COLAMD). With a :class:`~greenproof.attribution.storage_ledger.StorageLedger`, each interval's
storage discharges are traced with the stored provenance and the ledger is then advanced
(discharge, then charge): a discharge's mix changes only the technology views, never the MW matrix,
so the batched solve and the sequential ledger do not depend on each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

import numpy as np
from numpy.typing import NDArray

from ._dense_upstream import dense_upstream, same_network
from ._oriented_flows import BusIndex
from ._sharing_system import Method, SharingSystem, check_options, prepare_system
from ._technology_matrix import SourceMix, technology_matrix
from .allocation import Allocation
from .nodal_mix import BusMix, MixBy, bus_mix
from .proportional_sharing import allocate, allocation_of
from .snapshot import Snapshot
from .storage_ledger import StorageLedger

__all__ = ["BATCH_INTERVALS", "mix_many", "trace_many", "trace_snapshots"]

#: Snapshots read and traced together by ``trace_many`` (a day of 15-minute intervals).
BATCH_INTERVALS = 96


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


def _dense_allocations(batch: Sequence[Snapshot], method: Method, tol_mw: float
                       ) -> list[NDArray[np.float64] | None]:
    """Dense MW matrices of the batch's intervals the stacked solve decides (``None``: trace on its own)."""
    if method != "upstream":
        return [None] * len(batch)
    dense: list[NDArray[np.float64] | None] = []
    first = 0
    for t in range(1, len(batch) + 1):
        if t == len(batch) or not same_network(batch[first], batch[t]):
            dense.extend(dense_upstream(batch[first:t], tol_mw))
            first = t
    return dense


def _trace_batch(batch: Sequence[Snapshot], cache: _TopologyCache, method: Method, tol_mw: float,
                 source_mix: SourceMix | None, storage: StorageLedger | None) -> Iterator[Allocation]:
    for snapshot, values in zip(batch, _dense_allocations(batch, method, tol_mw), strict=True):
        mixes = _mixes(snapshot, source_mix, storage)
        if values is None:
            allocation = allocate(snapshot, cache.system(snapshot), tol_mw, mixes)
        else:
            allocation = allocation_of(snapshot, values, method, technology_matrix(snapshot.injections, mixes))
        if storage is not None:
            storage.advance(snapshot, allocation.technology_share)
        yield allocation


def trace_snapshots(snapshots: Iterable[Snapshot], *, method: Method = "upstream", tol_mw: float = 1e-9,
                    source_mix: SourceMix | None = None, storage: StorageLedger | None = None
                    ) -> Iterator[tuple[Snapshot, Allocation]]:
    """Yield each snapshot with its :class:`Allocation`, in order (arguments as in :func:`trace_many`).

    For callers that need the snapshot beside its trace (meter readings, digests): the stream is
    read :data:`BATCH_INTERVALS` snapshots ahead of what was yielded.

    Raises
    ------
    AttributionError
        As ``trace``, for the first snapshot that fails.
    """
    check_options(method, tol_mw)
    cache = _TopologyCache(method, tol_mw)
    stream = iter(snapshots)
    while batch := list(islice(stream, BATCH_INTERVALS)):
        yield from zip(batch, _trace_batch(batch, cache, method, tol_mw, source_mix, storage), strict=True)


def trace_many(snapshots: Iterable[Snapshot], *, method: Method = "upstream", tol_mw: float = 1e-9,
               source_mix: SourceMix | None = None, storage: StorageLedger | None = None) -> Iterator[Allocation]:
    """Yield the :class:`Allocation` of each snapshot in turn (arguments as in ``trace``).

    Parameters
    ----------
    snapshots : iterable of Snapshot
        Consumed lazily, in order, :data:`BATCH_INTERVALS` at a time (see the module docstring).
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
    for _, allocation in trace_snapshots(snapshots, method=method, tol_mw=tol_mw, source_mix=source_mix,
                                         storage=storage):
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
