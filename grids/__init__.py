"""Grid models and power flow: networks in, solved :class:`~greenproof.attribution.Snapshot` out.

- :func:`from_pandapower` converts one solved pandapower network;
- :func:`solve_series` streams one Snapshot per interval of a profile table (fast path);
- :func:`map_intervals` spreads interval chunks over a dask cluster;
- :func:`star_bus_id` names the star bus of a three-winding transformer in a Snapshot;
- :mod:`greenproof.grids.binhai` is the Binhai park model (``build_park``, ``profiles``,
  ``PLANTS``, ``FIRMS``); :mod:`greenproof.grids.cases` loads pandapower/SimBench benchmarks.
"""

from ._layout import star_bus_id
from .cases import load_case, simbench_profiles
from .distributed import map_intervals
from .errors import GridError
from .pandapower_adapter import from_pandapower, solve_power_flow
from .technology_map import technology_of_type
from .timeseries import solve_series

__all__ = [
    "GridError",
    "from_pandapower",
    "load_case",
    "map_intervals",
    "simbench_profiles",
    "solve_power_flow",
    "solve_series",
    "star_bus_id",
    "technology_of_type",
]
