"""Spread interval chunks over a ``dask.distributed`` cluster.

Each task builds its own network with ``net_factory`` (so nothing large is pickled), solves its
chunk with :func:`~greenproof.grids.solve_series` and reduces it with ``fn``; the client gathers
one result per chunk, in chunk order. The scheduler is dask's; nothing here schedules by hand.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

import pandas as pd
from dask.distributed import Client
from pandapower.auxiliary import pandapowerNet

from greenproof.attribution import Snapshot

from .errors import GridError
from .timeseries import CHUNK, Engine, solve_series

__all__ = ["map_intervals"]

R = TypeVar("R")


def _solve_chunk(profiles: pd.DataFrame, net_factory: Callable[[], pandapowerNet],
                 fn: Callable[[Iterator[Snapshot]], R], engine: Engine,
                 technology_of: Mapping[str, str] | None, default_technology: str | None) -> R:
    snapshots = solve_series(net_factory(), profiles, engine=engine, progress=False, technology_of=technology_of,
                             default_technology=default_technology)
    return fn(snapshots)


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
        :func:`greenproof.grids.binhai.build_park`).
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
    task = functools.partial(_solve_chunk, net_factory=net_factory, fn=fn, engine=engine, technology_of=technology_of,
                             default_technology=default_technology)
    # profile chunks go straight to the workers instead of inside the task graph (tens of MB per chunk
    # for a national grid, which the scheduler would otherwise have to relay)
    futures = client.map(task, client.scatter(pieces), pure=False)
    return list(client.gather(futures))
