"""Failures are GridErrors that name the offending element, interval or name."""

from __future__ import annotations

import re

import pandapower as pp
import pandas as pd
import pytest

from greenproof.grids import GridError, from_pandapower, load_case, solve_power_flow, solve_series


def _radial() -> pp.pandapowerNet:
    net = pp.create_empty_network(name="radial")
    b0, b1 = pp.create_bus(net, 20.0), pp.create_bus(net, 20.0)
    pp.create_ext_grid(net, b0)
    pp.create_line(net, b0, b1, 5.0, "NA2XS2Y 1x95 RM/25 12/20 kV")
    pp.create_load(net, b1, p_mw=2.0)
    return net


def test_non_converged_power_flow() -> None:
    net = _radial()
    net.load.at[0, "p_mw"] = 500.0  # far beyond what a 20 kV cable can carry
    with pytest.raises(GridError, match="did not converge"):
        solve_power_flow(net)
    with pytest.raises(GridError, match="has not converged"):
        from_pandapower(net)


def test_out_of_service_slack_is_named() -> None:
    net = _radial()
    pp.runpp(net)
    net.ext_grid.at[0, "in_service"] = False
    with pytest.raises(GridError, match=r"ext_grid:0 out of service"):
        from_pandapower(net)
    with pytest.raises(GridError, match=r"ext_grid:0 out of service"):
        solve_power_flow(net)


def test_non_converged_interval_is_named_by_its_start() -> None:
    net = _radial()
    index = pd.date_range("2025-03-01", periods=3, freq="15min", tz="UTC")
    profile = pd.DataFrame({"load:0": [2.0, 3.0, 800.0]}, index=index)
    for engine in ("lightsim2grid", "pandapower"):
        with pytest.raises(GridError, match=r"starting 2025-03-01T00:30:00\+00:00"):
            list(solve_series(net, profile, engine=engine, progress=False))


@pytest.mark.parametrize("column", ["load:9", "line:0", "load:0:vm_pu", "gen"])
def test_bad_profile_column_is_named(column: str) -> None:
    index = pd.date_range("2025-03-01", periods=1, freq="15min", tz="UTC")
    with pytest.raises(GridError, match=re.escape(column)):
        list(solve_series(_radial(), pd.DataFrame({column: [1.0]}, index=index), progress=False))


def test_unknown_case_lists_valid_names() -> None:
    with pytest.raises(GridError, match=r"'case7'.*case9, case14, case30.*1-MV-rural--0-sw"):
        load_case("case7")
