"""Hand-built networks for the three-winding star bus, bus fusion by switches and de-energised buses.

Expected numbers come from pandapower's own result tables (``res_trafo3w``, ``res_switch``,
``res_load``) read by hand in the test.
"""

from __future__ import annotations

import numpy as np
import pandapower as pp
import pandapower.networks as pn
import pytest
from _grid_checks import bus_mismatch_mw, by_id

from greenproof.attribution import trace
from greenproof.grids import from_pandapower


def _trafo3w_net() -> pp.pandapowerNet:
    net = pp.create_empty_network()
    hv, mv, lv = (pp.create_bus(net, vn) for vn in (110.0, 20.0, 10.0))
    pp.create_ext_grid(net, hv)
    pp.create_bus(net, 10.0)  # bus 3, unused: star ids must not collide with it or any other
    for _ in range(2):
        pp.create_transformer3w(net, hv, mv, lv, std_type="63/25/38 MVA 110/20/10 kV")
    pp.create_load(net, mv, p_mw=18.0, q_mvar=4.0)
    pp.create_load(net, lv, p_mw=25.0, q_mvar=6.0)
    pp.create_sgen(net, lv, p_mw=4.0, type="PV")
    pp.runpp(net)
    return net


def test_trafo3w_windings_meet_at_a_star_bus_with_exact_kcl() -> None:
    net = _trafo3w_net()
    snapshot = from_pandapower(net)
    branches = snapshot.branches
    assert set(snapshot.bus_ids.tolist()) == {0, 1, 2, -1, -2}  # bus 3 has no energised connection
    p_from, p_to = by_id(branches.branch_id, branches.p_from_mw), by_id(branches.branch_id, branches.p_to_mw)
    for k in (0, 1):
        res = net.res_trafo3w.loc[k]
        ids = branches.branch_id.tolist()
        rows = {side: ids.index(f"trafo3w:{k}:{side}") for side in ("hv", "mv", "lv")}
        assert branches.from_bus[rows["hv"]] == 0 and branches.to_bus[rows["hv"]] == -(k + 1)
        assert branches.from_bus[rows["mv"]] == -(k + 1) and branches.to_bus[rows["mv"]] == 1
        # outer ends equal pandapower's published end flows
        assert p_from[f"trafo3w:{k}:hv"] == pytest.approx(res.p_hv_mw, abs=1e-9)
        assert p_to[f"trafo3w:{k}:mv"] == pytest.approx(res.p_mv_mw, abs=1e-9)
        assert p_to[f"trafo3w:{k}:lv"] == pytest.approx(res.p_lv_mw, abs=1e-9)
        # star side: what the hv winding delivers is what mv and lv windings take
        star = p_to[f"trafo3w:{k}:hv"] + p_from[f"trafo3w:{k}:mv"] + p_from[f"trafo3w:{k}:lv"]
        assert abs(star) < 1e-6
        winding_losses = [p_from[f"trafo3w:{k}:{s}"] + p_to[f"trafo3w:{k}:{s}"] for s in ("hv", "mv", "lv")]
        assert min(winding_losses) >= 0
        assert sum(winding_losses) == pytest.approx(res.pl_mw, abs=1e-6)
    assert np.abs(bus_mismatch_mw(snapshot)).max() < 1e-6


def _fused_net(*, closed: bool, z_ohm: float = 0.0) -> pp.pandapowerNet:
    net = pp.create_empty_network()
    b0, b1, b2 = (pp.create_bus(net, 20.0) for _ in range(3))
    pp.create_ext_grid(net, b0)
    pp.create_line(net, b0, b1, 2.0, "NA2XS2Y 1x95 RM/25 12/20 kV")
    pp.create_switch(net, b2, b1, et="b", closed=closed, z_ohm=z_ohm)
    pp.create_load(net, b2, p_mw=3.0)
    pp.create_load(net, b1, p_mw=1.0)
    pp.runpp(net)
    return net


def test_closed_bus_switch_fuses_buses_and_disappears() -> None:
    net = _fused_net(closed=True)
    snapshot = from_pandapower(net)
    assert snapshot.bus_ids.tolist() == [0, 1]
    assert by_id(snapshot.withdrawals.device_id, snapshot.withdrawals.bus) == {"load:0": 1, "load:1": 1}
    assert snapshot.branches.branch_id.tolist() == ["line:0"]
    # the line carries both loads plus its own loss (pandapower res_line, by hand)
    assert snapshot.branches.p_to_mw[0] == pytest.approx(-(3.0 + 1.0), abs=1e-6)
    assert snapshot.branches.p_from_mw[0] == pytest.approx(net.res_ext_grid.p_mw.iloc[0], abs=1e-6)


def test_switch_with_impedance_is_a_branch() -> None:
    net = _fused_net(closed=True, z_ohm=0.5)
    snapshot = from_pandapower(net)
    assert "switch:0" in snapshot.branches.branch_id.tolist()
    row = snapshot.branches.branch_id.tolist().index("switch:0")
    assert snapshot.branches.p_from_mw[row] == pytest.approx(net.res_switch.p_from_mw.iloc[0], abs=1e-9)
    assert np.abs(bus_mismatch_mw(snapshot)).max() < 1e-6


def test_open_switch_de_energises_a_load_which_is_listed_as_unsupplied() -> None:
    # Island rule (docs/attribution.md): an outaged section is a normal operating state; pandapower
    # reports 0 MW there, so the load is listed as unsupplied and the energised part is traced.
    net = _fused_net(closed=False)
    assert net.res_load.p_mw.loc[0] == 0.0 and np.isnan(net.res_bus.vm_pu.loc[2])  # pandapower: bus 2 is dark
    snapshot = from_pandapower(net)
    assert snapshot.unsupplied_device_id.tolist() == ["load:0"]
    assert snapshot.withdrawals.device_id.tolist() == ["load:1"]
    assert 2 not in snapshot.bus_ids.tolist()
    assert snapshot.withdrawals.p_mw[0] == pytest.approx(1.0)
    assert trace(snapshot).supplied_mw[0] >= 1.0


def test_trafo3w_with_a_negative_star_winding_loses_on_its_sending_side() -> None:
    # example_multivoltage: pandapower's star equivalent gives the lv winding r = -6.98e-5 p.u. from
    # ordinary nameplate data, so its own star-side flow would deliver more than it takes in. The
    # transformer as a whole loses res_trafo3w.pl_mw (5.7 kW): that loss goes to its sending (hv)
    # winding, the receiving windings are lossless, the star balances.
    net = pn.example_multivoltage()
    pp.runpp(net)
    res = net.res_trafo3w.loc[0]
    assert res.p_hv_mw > 0 > res.p_lv_mw and res.p_mv_mw < 0 and res.pl_mw > 0
    snapshot = from_pandapower(net, default_technology="other")
    p_from = by_id(snapshot.branches.branch_id, snapshot.branches.p_from_mw)
    p_to = by_id(snapshot.branches.branch_id, snapshot.branches.p_to_mw)
    assert p_from["trafo3w:0:hv"] + p_to["trafo3w:0:hv"] == pytest.approx(res.pl_mw, abs=1e-9)
    for side in ("mv", "lv"):
        assert p_to[f"trafo3w:0:{side}"] == pytest.approx(res[f"p_{side}_mw"], abs=1e-9)
        assert p_from[f"trafo3w:0:{side}"] + p_to[f"trafo3w:0:{side}"] == pytest.approx(0.0, abs=1e-12)
    assert np.abs(bus_mismatch_mw(snapshot)).max() < 1e-6
    allocation = trace(snapshot)
    assert not allocation.gain_mix_mw.any()
    dropped_mw = 1e-9 * len(snapshot.withdrawals)  # trace drops entries <= 1e-9 MW
    np.testing.assert_allclose(allocation.delivered_mw, allocation.injection_mw, rtol=1e-9, atol=dropped_mw)
