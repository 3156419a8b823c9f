"""Grid models and power flow: networks in, solved :class:`~greenproof.attribution.Snapshot` out.

- :func:`from_pandapower` converts one solved pandapower network;
- :func:`solve_series` streams one Snapshot per interval of a profile table (fast path);
- :func:`map_intervals` spreads interval chunks over a dask cluster;
- :func:`star_bus_id` names the star bus of a three-winding transformer in a Snapshot;
- :mod:`greenproof.grids.binhai` is the Binhai park model (``build_park``, ``profiles``,
  ``PLANTS``, ``FIRMS``); :mod:`greenproof.grids.binhai_registry` holds its plants and firms
  alone (no pandapower); :mod:`greenproof.grids.cases` loads pandapower/SimBench benchmarks.

The public names load their module on first use (:mod:`greenproof.attribution._lazy_exports`):
importing ``greenproof.grids.errors`` or ``greenproof.grids.binhai_registry`` does not import
pandapower or dask.
"""

from typing import TYPE_CHECKING

from greenproof.attribution._lazy_exports import lazy_exports

if TYPE_CHECKING:
    from ._layout import star_bus_id as star_bus_id
    from .cases import load_case as load_case
    from .cases import simbench_profiles as simbench_profiles
    from .distributed import map_intervals as map_intervals
    from .errors import GridError as GridError
    from .pandapower_adapter import from_pandapower as from_pandapower
    from .pandapower_adapter import solve_power_flow as solve_power_flow
    from .technology_map import technology_of_type as technology_of_type
    from .timeseries import solve_series as solve_series

__all__, __getattr__, __dir__ = lazy_exports(__name__)
