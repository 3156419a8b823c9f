"""Device powers must describe the solved flow: DC shunts at 1 p.u., asymmetric devices, tables named on failure.

Found by the sweep of issue 13: ``rundcpp`` on case145 reported shunt power at the generators'
voltage set-points (up to 1.155 p.u.) while the DC flow assumes 1 p.u. (a phantom 4,483 MW
imbalance), and on ieee_european_lv_asymmetric reported asymmetric loads that the DC flow did not
carry. References: the element tables themselves (``p_mw × step × (bus kV / rated kV)²`` at 1 p.u.,
``p_a + p_b + p_c`` per asymmetric load) and Kirchhoff's law at every bus (``bus_mismatch_mw``).
"""

from __future__ import annotations

import numpy as np
import pandapower as pp
import pandapower.networks as pn
import pytest
from _grid_checks import bus_mismatch_mw, by_id

from greenproof.grids import GridError, from_pandapower, solve_power_flow

TOL_MW = 1e-6


def _signed_draw_mw(snapshot) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Power each device draws, MW (negative: it injects), from the Snapshot's two tables."""
    draws = by_id(snapshot.withdrawals.device_id, snapshot.withdrawals.p_mw)
    draws.update({k: -v for k, v in by_id(snapshot.injections.device_id, snapshot.injections.p_mw).items()})
    return draws  # type: ignore[return-value]


def test_dc_shunt_power_is_taken_at_one_per_unit() -> None:
    net = pn.case145()
    solve_power_flow(net, dc=True)
    snapshot = from_pandapower(net, default_technology="other")
    assert np.abs(bus_mismatch_mw(snapshot)).max() < TOL_MW
    draws = _signed_draw_mw(snapshot)
    shunt = net.shunt[net.shunt.in_service]
    bus_kv = net.bus.vn_kv.loc[shunt.bus].to_numpy()
    at_one_pu = shunt.p_mw.to_numpy() * shunt.step.to_numpy() * (bus_kv / shunt.vn_kv.to_numpy()) ** 2
    assert (at_one_pu != 0).any()
    for index, expected in zip(shunt.index, at_one_pu, strict=True):
        assert draws[f"shunt:{index}"] == pytest.approx(expected, abs=TOL_MW)


@pytest.mark.parametrize(("dc", "counted"), [(False, True), (True, False)])
def test_asymmetric_loads_count_only_where_the_power_flow_carried_them(dc: bool, counted: bool) -> None:
    net = pn.ieee_european_lv_asymmetric()
    solve_power_flow(net, dc=dc)
    snapshot = from_pandapower(net)
    assert np.abs(bus_mismatch_mw(snapshot)).max() < TOL_MW
    draws = _signed_draw_mw(snapshot)
    load = net.asymmetric_load
    total = (load.p_a_mw + load.p_b_mw + load.p_c_mw) * load.scaling  # the balanced power flow's load
    for index, expected in total.items():
        assert draws[f"asymmetric_load:{index}"] == pytest.approx(expected if counted else 0.0, abs=1e-9)


def test_device_results_that_contradict_the_flow_are_refused_naming_the_table() -> None:
    net = pp.create_empty_network(name="tampered")
    b0, b1 = pp.create_bus(net, 20.0), pp.create_bus(net, 20.0)
    pp.create_ext_grid(net, b0)
    pp.create_line(net, b0, b1, 2.0, "NA2XS2Y 1x95 RM/25 12/20 kV")
    pp.create_load(net, b1, p_mw=2.0)
    pp.create_shunt(net, b1, q_mvar=-0.5, p_mw=0.1)
    pp.runpp(net)
    net.res_shunt.loc[0, "p_mw"] += 0.5  # a result no longer describing the solved voltages
    with pytest.raises(GridError, match=r"'tampered'.*bus 1 \(\+?-0\.5 MW\).*\['load', 'shunt'\]"):
        from_pandapower(net)
