"""Devices with the 'wrong' sign become rows of the other table; technologies are never guessed."""

from __future__ import annotations

import pandapower as pp
import pytest
from _grid_checks import by_id

from greenproof.grids import GridError, from_pandapower, technology_of_type


def _net(*, storage_mw: float, load_mw: float, sgen_type: str = "PV", sgen_mw: float = 5.0) -> pp.pandapowerNet:
    net = pp.create_empty_network()
    b0, b1 = pp.create_bus(net, 20.0), pp.create_bus(net, 20.0)
    pp.create_ext_grid(net, b0)
    pp.create_line(net, b0, b1, 3.0, "NA2XS2Y 1x185 RM/25 12/20 kV")
    pp.create_sgen(net, b1, p_mw=sgen_mw, type=sgen_type)
    pp.create_storage(net, b1, p_mw=storage_mw, max_e_mwh=10.0)
    pp.create_load(net, b1, p_mw=load_mw, type="electrolyser")
    pp.runpp(net)
    return net


def test_charging_storage_and_exporting_grid_are_withdrawals() -> None:
    net = _net(storage_mw=4.0, load_mw=0.5, sgen_mw=12.0)  # 12 MW PV > 4.5 MW demand: exports
    snapshot = from_pandapower(net)
    kinds = by_id(snapshot.withdrawals.device_id, snapshot.withdrawals.kind)
    assert kinds == {"storage:0": "storage_charge", "ext_grid:0": "export", "load:0": "load"}
    withdrawn = by_id(snapshot.withdrawals.device_id, snapshot.withdrawals.p_mw)
    assert withdrawn["storage:0"] == pytest.approx(4.0)
    assert withdrawn["ext_grid:0"] == pytest.approx(-net.res_ext_grid.p_mw.iloc[0], abs=1e-9)
    assert snapshot.injections.device_id.tolist() == ["sgen:0"]


def test_discharging_storage_and_importing_grid_are_injections() -> None:
    net = _net(storage_mw=-3.0, load_mw=10.0)
    snapshot = from_pandapower(net)
    technology = by_id(snapshot.injections.device_id, snapshot.injections.technology)
    assert technology == {"ext_grid:0": "grid_import", "sgen:0": "solar_pv", "storage:0": "storage"}
    injected = by_id(snapshot.injections.device_id, snapshot.injections.p_mw)
    assert injected["storage:0"] == pytest.approx(3.0)
    assert injected["ext_grid:0"] == pytest.approx(net.res_ext_grid.p_mw.iloc[0], abs=1e-9)


def test_negative_load_needs_a_technology() -> None:
    net = _net(storage_mw=0.0, load_mw=-2.0)
    with pytest.raises(GridError, match=r"load:0 injects .* technology is unknown"):
        from_pandapower(net)
    snapshot = from_pandapower(net, technology_of={"load:0": "biomass"})
    assert by_id(snapshot.injections.device_id, snapshot.injections.technology)["load:0"] == "biomass"


def test_unknown_generator_type_raises_unless_a_default_is_given() -> None:
    net = _net(storage_mw=0.0, load_mw=8.0, sgen_type="fuel cell")
    with pytest.raises(GridError, match=r"sgen:0 .* type 'fuel cell'"):
        from_pandapower(net)
    snapshot = from_pandapower(net, default_technology="other")
    assert by_id(snapshot.injections.device_id, snapshot.injections.technology)["sgen:0"] == "other"


def test_technology_keys_are_checked() -> None:
    net = _net(storage_mw=0.0, load_mw=8.0)
    with pytest.raises(GridError, match="'green'"):
        from_pandapower(net, technology_of={"sgen:0": "green"})


@pytest.mark.parametrize(("name", "expected"), [
    ("PV", "solar_pv"), ("WP4", "wind_onshore"), ("Wind", "wind_onshore"), ("BM2", "biomass"),
    ("Hydro1", "hydro"), ("mv_rural", "other"), ("wind_offshore", "wind_offshore"), ("sync", None), (None, None),
])
def test_type_names_map_to_technologies(name: str | None, expected: str | None) -> None:
    assert technology_of_type(name) == expected


def test_every_mapped_type_is_an_attribution_technology_key() -> None:
    from greenproof.attribution import TECHNOLOGY_KEYS
    from greenproof.grids.technology_map import TYPE_TO_TECHNOLOGY

    assert set(TYPE_TO_TECHNOLOGY.values()) <= set(TECHNOLOGY_KEYS)


def test_technology_precedence_is_mapping_then_type_then_profile_then_default() -> None:
    net = _net(storage_mw=0.0, load_mw=20.0, sgen_type="PV")
    for profile, kind in (("WP4", "fuel cell"), ("WP4", "Hydro"), ("mystery", "mystery")):
        pp.create_sgen(net, 1, p_mw=1.0, type=kind)
        net.sgen.loc[net.sgen.index[-1], "profile"] = profile
    pp.runpp(net)
    snapshot = from_pandapower(net, technology_of={"sgen:0": "biomass"}, default_technology="other")
    technology = by_id(snapshot.injections.device_id, snapshot.injections.technology)
    # sgen:0 PV overridden by the mapping; sgen:1 unknown type, profile WP4; sgen:2 type Hydro wins over
    # its profile; sgen:3 neither maps: the explicit default
    assert [technology[f"sgen:{k}"] for k in range(4)] == ["biomass", "wind_onshore", "hydro", "other"]
