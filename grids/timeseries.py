"""Stream one solved :class:`~greenproof.attribution.Snapshot` per interval of a profile table.

Profiles are a :class:`pandas.DataFrame` indexed by interval start (tz-aware UTC) whose columns
name device quantities: ``"<table>:<index>"`` is ``p_mw`` and ``"<table>:<index>:q_mvar"`` is
``q_mvar`` of a ``load``, ``sgen``, ``storage`` or ``gen`` (gen: ``p_mw`` only), in pandapower sign
conventions. Quantities without a column keep the network's values.

Engines:

- ``"lightsim2grid"`` (default, fast): pandapower builds its internal model once, then each
  interval is one warm-started Newton solve in lightsim2grid's C++ KLU solver and vectorised
  flow computation (:mod:`._fast_engine`); flows equal ``runpp``'s within 1e-6 MW (tested).
- ``"pandapower"``: set the values, ``pandapower.runpp``, :func:`~.from_pandapower` — slow, general.
"""

from __future__ import annotations

import copy
from collections.abc import Generator, Iterator, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pandapower.auxiliary import pandapowerNet
from rich.progress import Progress

from greenproof.attribution import Snapshot

from ._fast_engine import FastEngine, ProfileColumn, parse_profile_columns
from ._layout import Layout, build_layout, to_snapshot
from .errors import GridError
from .pandapower_adapter import from_pandapower, live_buses, solve_power_flow

__all__ = ["SeriesSolver", "apply_interval", "fast_chunk_length", "interval_hours", "solve_series"]

Engine = Literal["lightsim2grid", "pandapower"]
#: Most intervals solved together by the fast engine (a week of 15-minute steps); also map_intervals' task size.
CHUNK = 672
#: Memory budget of the fast engine's per-chunk arrays (voltages, flows, injections), bytes. A 10k-bus
#: grid needs ~1.8 MB per interval, so its chunks are shorter than CHUNK; a park's are CHUNK long.
CHUNK_BYTES = 128 * 2**20


def interval_hours(index: pd.DatetimeIndex) -> float:
    """Interval length in hours from the first two index entries (0.25 when there is one row)."""
    if len(index) < 2:
        return 0.25
    hours = (index[1] - index[0]) / pd.Timedelta(hours=1)
    if hours <= 0:
        raise GridError(f"profile index is not increasing at {index[0]} -> {index[1]}")
    return float(hours)


def apply_interval(net: pandapowerNet, columns: Sequence[ProfileColumn], values: NDArray[np.float64]) -> None:
    """Write one interval's profile values into ``net``'s element tables (in place)."""
    for col, value in zip(columns, values, strict=True):
        net[col.table].at[col.index, col.column] = float(value)


def fast_chunk_length(n_bus: int, n_branch: int, n_device: int) -> int:
    """Intervals the fast engine solves together so that its chunk arrays stay within :data:`CHUNK_BYTES`.

    Per interval it holds complex128 bus vectors (voltages, injections, their product: 3 × n_bus),
    complex128 branch vectors (end powers and currents: 4 × n_branch) and float64 results
    (2 × n_branch + n_device).

    Returns
    -------
    int
        Between 1 and :data:`CHUNK`.
    """
    per_interval = 16 * (3 * n_bus + 4 * n_branch) + 8 * (2 * n_branch + n_device)
    return max(1, min(CHUNK, CHUNK_BYTES // max(per_interval, 1)))


def _rows(profiles: pd.DataFrame, positions: NDArray[np.int64]) -> NDArray[np.float64]:
    """Profile values of the given rows only: the full table is never copied."""
    return profiles.iloc[positions].to_numpy(dtype=np.float64)


def _positions(profiles: pd.DataFrame, periods: Sequence[int] | None) -> NDArray[np.int64]:
    if periods is None:
        return np.arange(len(profiles))
    positions = np.asarray(list(periods), dtype=np.int64)
    bad = (positions < 0) | (positions >= len(profiles))
    if bad.any():
        raise GridError(f"period {int(positions[bad][0])} is outside the {len(profiles)} profile rows")
    return positions


def _check_index(profiles: pd.DataFrame) -> pd.DatetimeIndex:
    index = profiles.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise GridError("profiles need a tz-aware DatetimeIndex of interval starts (UTC)")
    return index.tz_convert("UTC")


class SeriesSolver:
    """One network prepared for many profile tables with the same columns (what :func:`solve_series` does once).

    The fast engine (pandapower's internal model, the snapshot layout, the admittance matrices) is
    built at the first interval solved and reused by every later :meth:`solve`, warm-starting each
    interval from the last one solved. Results equal a fresh :func:`solve_series` per table within the
    solver tolerance (both converge to :data:`~._fast_engine.TOLERANCE_PU`). Not thread-safe: one
    solver serves one caller at a time.

    Parameters
    ----------
    net : pandapowerNet
        The network; it is copied, never modified.
    columns : sequence
        The profile column names every table passed to :meth:`solve` has, in this order.
    engine, technology_of, default_technology
        As in :func:`solve_series`.

    Raises
    ------
    GridError
        Unknown engine or bad profile columns.
    """

    def __init__(self, net: pandapowerNet, columns: Sequence[object], *, engine: Engine = "lightsim2grid",
                 technology_of: Mapping[str, str] | None = None, default_technology: str | None = None) -> None:
        if engine not in ("lightsim2grid", "pandapower"):
            raise GridError(f"engine {engine!r} is not 'lightsim2grid' or 'pandapower'")
        self._names = [str(name) for name in columns]
        self._columns = parse_profile_columns(net, self._names)
        self._net = copy.deepcopy(net)
        self._engine: Engine = engine
        self._technology_of, self._default_technology = technology_of, default_technology
        self._fast: tuple[Layout, FastEngine] | None = None

    def solve(self, profiles: pd.DataFrame, periods: Sequence[int] | None = None
              ) -> Generator[Snapshot, None, None]:
        """Yield the Snapshot of each interval of ``profiles`` (see :func:`solve_series`).

        Raises
        ------
        GridError
            ``profiles`` has other columns than the solver's, bad periods, or an interval that does not
            converge (named by its start).
        """
        index = _check_index(profiles)
        if [str(name) for name in profiles.columns] != self._names:
            raise GridError(f"profile columns {list(profiles.columns)[:3]}... differ from the "
                            f"{len(self._names)} columns this solver was prepared for")
        positions = _positions(profiles, periods)
        duration_h = interval_hours(index)
        if self._engine == "pandapower":
            yield from self._solve_plain(profiles, index, positions, duration_h)
        else:
            yield from self._solve_fast(profiles, index, positions, duration_h)

    def _solve_plain(self, profiles: pd.DataFrame, index: pd.DatetimeIndex, positions: NDArray[np.int64],
                     duration_h: float) -> Iterator[Snapshot]:
        for t in positions:
            apply_interval(self._net, self._columns, profiles.iloc[int(t)].to_numpy(dtype=np.float64))
            start = index[t].to_pydatetime()
            try:
                solve_power_flow(self._net)
            except GridError as exc:
                raise GridError(f"power flow did not converge for the interval starting {start.isoformat()}") from exc
            yield from_pandapower(self._net, duration_h=duration_h, start=start, technology_of=self._technology_of,
                                  default_technology=self._default_technology)

    def _prepare_fast(self, base: NDArray[np.float64], start: pd.Timestamp) -> tuple[Layout, FastEngine]:
        apply_interval(self._net, self._columns, base)
        try:
            # numba would compile pandapower's Newton solver (seconds) for this one solve on every run
            solve_power_flow(self._net, numba=False)
        except GridError as exc:
            raise GridError(f"power flow did not converge for the interval starting {start.isoformat()}") from exc
        layout = build_layout(self._net, live_buses(self._net), technology_of=self._technology_of,
                              default_technology=self._default_technology)
        return layout, FastEngine(self._net, layout, self._columns, base)

    def _solve_fast(self, profiles: pd.DataFrame, index: pd.DatetimeIndex, positions: NDArray[np.int64],
                    duration_h: float) -> Iterator[Snapshot]:
        if not len(positions):
            return
        if self._fast is None:
            self._fast = self._prepare_fast(_rows(profiles, positions[:1])[0], index[positions[0]])
        layout, engine = self._fast
        step = fast_chunk_length(len(layout.bus_ids), len(layout.branch_id), len(layout.device_id))
        for first in range(0, len(positions), step):
            chunk = positions[first:first + step]
            starts = [index[t] for t in chunk]
            injected, p_from, p_to = engine.solve_chunk(_rows(profiles, chunk), starts)
            for k, start in enumerate(starts):
                yield to_snapshot(layout, injected[k], p_from[k], p_to[k], duration_h=duration_h,
                                  start=start.to_pydatetime())


def solve_series(net: pandapowerNet, profiles: pd.DataFrame, *, periods: Sequence[int] | None = None,
                 engine: Engine = "lightsim2grid", progress: bool = True,
                 technology_of: Mapping[str, str] | None = None,
                 default_technology: str | None = None) -> Iterator[Snapshot]:
    """Solve ``net`` for each interval of ``profiles`` and yield its Snapshot, one at a time.

    Parameters
    ----------
    net : pandapowerNet
        The network; it is copied, never modified.
    profiles : pandas.DataFrame
        Interval starts (tz-aware) × device quantities, see module docstring.
    periods : sequence of int, optional
        Row positions to solve, in this order (default: every row). The fast engine warm-starts
        each interval from the previous one; results do not depend on the order beyond the
        solver tolerance.
    engine : {"lightsim2grid", "pandapower"}
        Fast path or plain ``runpp`` per interval.
    progress : bool
        Show a rich progress bar.
    technology_of, default_technology
        As in :func:`~greenproof.grids.from_pandapower`.

    Yields
    ------
    Snapshot
        With ``start`` = interval start (UTC) and ``duration_h`` from the index spacing.

    Raises
    ------
    GridError
        Bad profile columns or periods, or an interval that does not converge (named by its start).
    """
    snapshots = SeriesSolver(net, list(profiles.columns), engine=engine, technology_of=technology_of,
                             default_technology=default_technology).solve(profiles, periods)
    if not progress:
        yield from snapshots
        return
    with Progress(transient=True) as bar:
        task = bar.add_task(f"power flow ({engine})", total=len(_positions(profiles, periods)))
        for snapshot in snapshots:
            bar.advance(task)
            yield snapshot
