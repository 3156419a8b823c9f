"""Conversion conserves power on every supported case: global balance and KCL at every bus to 1e-6 MW.

The references are pandapower's own result tables (total device powers, branch losses
``pl_mw``), summed here independently of the adapter.
"""

from __future__ import annotations

import numpy as np
import pandapower as pp
import pytest
from _grid_checks import bus_mismatch_mw

from greenproof.grids import from_pandapower, load_case, solve_power_flow
from greenproof.grids._fast_engine import parse_profile_columns
from greenproof.grids.binhai import build_park, profiles
from greenproof.grids.timeseries import apply_interval

TOL_MW = 1e-6


def _park_solved() -> pp.pandapowerNet:
    net = build_park()
    frame = profiles(2025, seed=7).iloc[[17_000]]  # a July midday interval
    apply_interval(net, parse_profile_columns(net, list(frame.columns)), frame.to_numpy()[0])
    solve_power_flow(net)
    return net


def _case(name: str) -> pp.pandapowerNet:
    net = _park_solved() if name == "binhai" else load_case(name)
    if name != "binhai":
        solve_power_flow(net)
    return net


def _reference_losses_mw(net: pp.pandapowerNet) -> float:
    total = 0.0
    for table in ("line", "trafo", "trafo3w", "impedance", "dcline"):
        if len(net[f"res_{table}"]):
            total += float(net[f"res_{table}"]["pl_mw"].sum())
    return total


CASES = [
    "case9", "case14", "case118", "binhai",
    pytest.param("1-HV-mixed--0-no_sw", marks=pytest.mark.slow),
    pytest.param("1-MV-rural--0-sw", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("name", CASES)
def test_snapshot_balances_and_kcl_holds_at_every_bus(name: str) -> None:
    net = _case(name)
    snapshot = from_pandapower(net, default_technology="other")
    losses = snapshot.branches.loss_mw.sum()
    assert snapshot.injections.p_mw.sum() == pytest.approx(snapshot.withdrawals.p_mw.sum() + losses, abs=TOL_MW)
    assert np.abs(bus_mismatch_mw(snapshot)).max() < TOL_MW
    # independent totals from pandapower's result tables
    assert losses == pytest.approx(_reference_losses_mw(net), abs=TOL_MW)
    generation = sum(float(net[f"res_{t}"]["p_mw"].sum()) for t in ("ext_grid", "gen", "sgen") if len(net[t]))
    consumption = sum(float(net[f"res_{t}"]["p_mw"].sum()) for t in ("load", "storage", "shunt") if len(net[t]))
    net_injection = snapshot.injections.p_mw.sum() - snapshot.withdrawals.p_mw.sum()
    assert net_injection == pytest.approx(generation - consumption, abs=TOL_MW)


def test_dc_power_flow_converts_without_losses() -> None:
    net = load_case("case14")
    solve_power_flow(net, dc=True)
    snapshot = from_pandapower(net, default_technology="other")
    np.testing.assert_allclose(snapshot.branches.loss_mw, 0.0, atol=1e-9)
    assert np.abs(bus_mismatch_mw(snapshot)).max() < TOL_MW
