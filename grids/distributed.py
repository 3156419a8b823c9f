"""Spread interval chunks over a ``dask.distributed`` cluster.

Each worker builds the network with ``net_factory`` (so nothing large is pickled) and prepares it
for the fast engine once: a :class:`~greenproof.grids.timeseries.SeriesSolver` kept on the dask
worker, keyed by the dask token of the factory and the solve options, serves every later chunk of
that network on that worker (also in later ``map_intervals`` calls). Each task solves its chunk and
reduces it with ``fn``; the client gathers one result per chunk, in chunk order. The scheduler is
dask's; nothing here schedules by hand.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

import pandas as pd
from dask.base import tokenize
from dask.distributed import Client, get_worker
from pandapower.auxiliary import pandapowerNet

from greenproof.attribution import Snapshot

from .errors import GridError
from .timeseries import CHUNK, Engine, SeriesSolver

__all__ = ["map_intervals"]

R = TypeVar("R")

#: Prepared networks a worker keeps (least recently used dropped first); a PEGASE-size one holds ~0.5 GB.
WORKER_CACHE_SIZE = 2
#: Attribute of the dask worker that holds its cache: {key: idle solvers}.
_CACHE_ATTRIBUTE = "greenproof_series_solvers"
_CACHE_LOCK = threading.Lock()


def _worker_pool(key: str) -> list[SeriesSolver]:
    """Idle solvers of ``key`` on the current dask worker (created empty; call with the lock held)."""
    worker = get_worker()
    cache: OrderedDict[str, list[SeriesSolver]] | None = getattr(worker, _CACHE_ATTRIBUTE, None)
    if cache is None:
        cache = OrderedDict()
        setattr(worker, _CACHE_ATTRIBUTE, cache)
    pool = cache.setdefault(key, [])
    cache.move_to_end(key)
    while len(cache) > WORKER_CACHE_SIZE:
        cache.popitem(last=False)
    return pool


def _solve_chunk(profiles: pd.DataFrame, key: str, net_factory: Callable[[], pandapowerNet],
                 fn: Callable[[Iterator[Snapshot]], R], engine: Engine,
                 technology_of: Mapping[str, str] | None, default_technology: str | None) -> R:
    # a worker with several threads may run chunks of one network at once: each borrows its own solver
    with _CACHE_LOCK:
        pool = _worker_pool(key)
        solver = pool.pop() if pool else None
    if solver is None:
        solver = SeriesSolver(net_factory(), list(profiles.columns), engine=engine, technology_of=technology_of,
                              default_technology=default_technology)
    snapshots = solver.solve(profiles)
    try:
        return fn(snapshots)
    finally:
        snapshots.close()
        with _CACHE_LOCK:
            _worker_pool(key).append(solver)


def map_intervals(client: Client, net_factory: Callable[[], pandapowerNet], profiles: pd.DataFrame,
                  fn: Callable[[Iterator[Snapshot]], R], *, chunk: int = CHUNK, engine: Engine = "lightsim2grid",
                  technology_of: Mapping[str, str] | None = None,
                  default_technology: str | None = None) -> list[R]:
    """Apply ``fn`` to the snapshots of each chunk of ``profiles`` on the cluster of ``client``.

    Parameters
    ----------
    client : dask.distributed.Client
        Connected client; its workers need greenproof installed.
    net_factory : callable
        Builds the network on the worker (picklable: a module-level function such as
        :func:`greenproof.grids.binhai.build_park`, or a ``functools.partial`` of one). Called once per
        worker (and worker thread) and cached there under its dask token: a factory whose network
        changes between calls needs a different token (e.g. a partial with a version argument).
    profiles : pandas.DataFrame
        As for :func:`~greenproof.grids.solve_series`.
    fn : callable
        Reduces an iterator of a chunk's snapshots to a (small, picklable) result.
    chunk : int
        Intervals per task (default a week of 15-minute intervals).
    engine, technology_of, default_technology
        Passed to :func:`~greenproof.grids.solve_series`.

    Returns
    -------
    list
        ``fn``'s result for each chunk, in profile order.

    Raises
    ------
    GridError
        ``chunk`` is not positive, or any task failed with a GridError (re-raised from the worker).
    """
    if chunk <= 0:
        raise GridError(f"chunk must be a positive number of intervals, got {chunk}")
    pieces = [profiles.iloc[first:first + chunk] for first in range(0, len(profiles), chunk)]
    # The constant arguments are bound into the task function rather than passed as client.map keywords:
    # dask turns a large keyword value (a national grid's technology_of) into a task of its own named
    # after the keyword, and that task fails to schedule.
    key = tokenize(net_factory, engine, technology_of, default_technology, list(profiles.columns))
    task = functools.partial(_solve_chunk, key=key, net_factory=net_factory, fn=fn, engine=engine,
                             technology_of=technology_of, default_technology=default_technology)
    # profile chunks go straight to the workers instead of inside the task graph (tens of MB per chunk
    # for a national grid, which the scheduler would otherwise have to relay)
    # hash=False: content-hashed keys are shared with an earlier call on the same rows, whose release then
    # cancels this call's tasks ("lost dependencies", seen when map_intervals ran twice on one table)
    futures = client.map(task, client.scatter(pieces, hash=False), pure=False)
    return list(client.gather(futures))
