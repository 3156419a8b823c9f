"""Benchmark networks by name: pandapower test cases and SimBench grids with their year profiles.

SimBench (Meinecke et al., *Energies* 2020, 13(12), 3290) ships its grids and a year (2016) of
15-minute load/generation profiles inside the pip package, so everything here works offline.
"""

from __future__ import annotations

import numpy as np
import pandapower.networks as pn
import pandas as pd
import simbench
from pandapower.auxiliary import pandapowerNet

from .errors import GridError

__all__ = ["PANDAPOWER_CASES", "SIMBENCH_EXAMPLES", "load_case", "simbench_profiles"]

#: pandapower test cases available by name.
PANDAPOWER_CASES: tuple[str, ...] = ("case9", "case14", "case30", "case118", "case1354pegase", "case2869pegase",
                                     "case9241pegase")
#: SimBench codes used in greenproof's tests; any code of ``simbench.collect_all_simbench_codes()`` works.
SIMBENCH_EXAMPLES: tuple[str, ...] = ("1-HV-mixed--0-no_sw", "1-MV-rural--0-sw")
#: SimBench profiles are the 2016 calendar year, 15-minute steps; the data carry no time zone and
#: are taken as UTC here.
SIMBENCH_PROFILE_START = pd.Timestamp("2016-01-01 00:00", tz="UTC")


def load_case(name: str) -> pandapowerNet:
    """Network of a pandapower test case (``"case118"``) or a SimBench code (``"1-MV-rural--0-sw"``).

    Raises
    ------
    GridError
        Unknown name; the message lists the valid names.
    """
    if name in PANDAPOWER_CASES:
        net: pandapowerNet = getattr(pn, name)()
        return net
    codes = simbench.collect_all_simbench_codes()
    if name in codes:
        return simbench.get_simbench_net(name)
    raise GridError(f"unknown case {name!r}; valid names: {', '.join(PANDAPOWER_CASES)} or a SimBench code such as "
                    f"{', '.join(SIMBENCH_EXAMPLES)} (all {len(codes)}: simbench.collect_all_simbench_codes())")


def simbench_profiles(net: pandapowerNet) -> pd.DataFrame:
    """Return the year of 15-minute profiles of a SimBench network in :func:`~greenproof.grids.solve_series` form.

    Returns
    -------
    pandas.DataFrame
        Index: 2016 interval starts (UTC). Columns ``"load:<i>"``, ``"load:<i>:q_mvar"``,
        ``"sgen:<i>"``, ``"storage:<i>"``, ``"gen:<i>"`` (absolute MW/Mvar from
        ``simbench.get_absolute_values``; pandapower sign conventions).

    Raises
    ------
    GridError
        The network carries no SimBench profiles.
    """
    if "profiles" not in net or not any(len(v) for v in net.profiles.values()):
        raise GridError(f"network {net.name!r} has no SimBench profiles")
    absolute = simbench.get_absolute_values(net, profiles_instead_of_study_cases=True)
    frames = []
    for (table, quantity), values in sorted(absolute.items()):
        if values.shape[1] == 0:
            continue
        suffix = "" if quantity == "p_mw" else f":{quantity}"
        frames.append(values.rename(columns=lambda i, t=table, s=suffix: f"{t}:{i}{s}"))
    profiles = pd.concat(frames, axis=1)
    profiles.index = pd.date_range(SIMBENCH_PROFILE_START, periods=len(profiles), freq="15min")
    return profiles.astype(np.float64)
