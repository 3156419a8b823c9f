"""Sources of a trace export: the Binhai park with its profiles, a pandapower/SimBench case, a pandapower JSON file."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandapower as pp
import pandas as pd
from pandapower.auxiliary import pandapowerNet

from greenproof.attribution import TECHNOLOGY_KEYS, Snapshot
from greenproof.grids import (
    GridError,
    binhai,
    from_pandapower,
    load_case,
    simbench_profiles,
    solve_power_flow,
    technology_of_type,
)

from ...usecases.attribution_results import PARK_TZ
from ...usecases.park_simulation import INTERVAL, park_profiles

__all__ = [
    "PARK",
    "STATIC_HOURS",
    "GridSource",
    "check_technologies",
    "open_source",
    "read_json_network",
    "rows_of_period",
    "static_interval",
]

#: Source name of the Binhai park model.
PARK = "park"
#: Length given to the one interval of a source without profiles (its stored operating point), h.
STATIC_HOURS = 1.0
#: First interval of the park when no --start is given: the park-local year of its default profiles.
_PARK_DEFAULT_START = datetime(2025, 1, 1, tzinfo=PARK_TZ)
_GENERATOR_TABLES = ("gen", "sgen", "asymmetric_sgen")


@dataclass(frozen=True)
class GridSource:
    """A network to trace: built locally once, rebuilt on Dask workers by ``factory``."""

    name: str
    net: pandapowerNet
    factory: Callable[[], pandapowerNet]
    profiles: pd.DataFrame | None  # None: one stored operating point


def read_json_network(path: Path) -> pandapowerNet:
    """Read a pandapower JSON network, any failure as a :class:`GridError` naming the file."""
    try:
        net: pandapowerNet = pp.from_json(str(path))
    except Exception as exc:  # pandapower raises many kinds (JSON, KeyError, UserWarning as error)
        raise GridError(f"{path} is not a pandapower JSON network: {exc}") from exc
    return net


def open_source(source: str, start: datetime | None, end: datetime | None, intervals: int | None,
                seed: int) -> GridSource:
    """Open ``source`` by name: the park (its profiles of the period), a JSON file, or a case (SimBench profiles)."""
    if source == PARK:
        first = start or _PARK_DEFAULT_START.astimezone(UTC)
        last = end or (first + intervals * INTERVAL if intervals else
                       datetime(first.astimezone(PARK_TZ).year + 1, 1, 1, tzinfo=PARK_TZ).astimezone(UTC))
        return GridSource(PARK, binhai.build_park(), binhai.build_park, park_profiles(first, last, seed))
    path = Path(source)
    if path.is_file():
        factory = functools.partial(read_json_network, path.resolve())
        return GridSource(source, factory(), factory, None)
    try:
        net = load_case(source)
    except GridError as exc:
        raise GridError(f"unknown source {source!r}: not {PARK!r}, not a pandapower JSON file, and {exc}") from exc
    has_profiles = "profiles" in net and any(len(v) for v in net.profiles.values())
    return GridSource(source, net, functools.partial(load_case, source),
                      simbench_profiles(net) if has_profiles else None)


def rows_of_period(profiles: pd.DataFrame, start: datetime | None, end: datetime | None,
                   intervals: int | None) -> pd.DataFrame:
    """Contiguous profile rows of [start, end) or ``intervals`` rows from ``start`` (a view, not a copy)."""
    index = profiles.index
    first = 0 if start is None else int(index.searchsorted(pd.Timestamp(start)))
    stop = len(index) if end is None else int(index.searchsorted(pd.Timestamp(end)))
    if intervals is not None:
        stop = min(len(index), first + intervals)
    if stop <= first:
        raise GridError(f"no profile interval in the requested period: the profiles cover {index[0].isoformat()} .. "
                        f"{index[-1].isoformat()}")
    return profiles.iloc[first:stop]


def check_technologies(net: pandapowerNet, source: str, default_technology: str | None) -> None:
    """Refuse before solving when in-service generators have no technology (all are named at once)."""
    if default_technology is not None:
        return
    untyped = []
    for table in _GENERATOR_TABLES:
        df = net.get(table)
        if not isinstance(df, pd.DataFrame) or not len(df):
            continue
        for index, row in df[df["in_service"].astype(bool)].iterrows():
            if technology_of_type(row.get("type")) is None and technology_of_type(row.get("profile")) is None:
                untyped.append(f"{table}:{index} (type {row.get('type')!r})")
    if untyped:
        raise GridError(f"{source}: no technology for {', '.join(untyped[:10])}"
                        f"{f' and {len(untyped) - 10} more' if len(untyped) > 10 else ''}; pass --default-technology "
                        f"KEY (one of {', '.join(TECHNOLOGY_KEYS)})")


def static_interval(source: GridSource, start: datetime | None, default_technology: str | None
                    ) -> Iterator[Snapshot]:
    """Solve the source's stored operating point once: one snapshot of :data:`STATIC_HOURS`."""
    net = source.net
    solve_power_flow(net)
    yield from_pandapower(net, duration_h=STATIC_HOURS, start=start, default_technology=default_technology)
