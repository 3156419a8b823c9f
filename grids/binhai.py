"""The Binhai port near-zero-carbon industrial park (Yancheng, Jiangsu) as a pandapower network.

Public facts (plant capacities, voltage levels) are cited in ``grids/data/binhai_sources.md``;
topology, lengths, ratings and the firms are illustrative assumptions, said so there.

Single-line summary (bus numbers are pandapower ids)::

    East China grid ─ext_grid─ 0 (220 kV hub) ─┬─ GSU ─ 9/10 Guoxin units 1/2 (2 × 1000 MW coal)
                                              ├── 3 circuits ── 1 (offshore wind onshore substation)
                                              │                  ├─ cable ─ 3 ─ 35/220 kV ─ 4  H1 100 MW
                                              │                  ├─ 2 cables ─ 5 ─ 35/220 kV ─ 6  H2 400 MW
                                              │                  └─ cable ─ 7 ─ 35/220 kV ─ 8  H3 300 MW
                                              └── 2 circuits ── 2 (port 220 kV) ── 1   (220 kV mesh 0-1-2)
    2 ─ 2 × trafo3w 220/110/35 kV ─ 11 (port 110 kV) / 12 (port 35 kV)
    110 kV meshes 11-13-14 and 11-14-15: 13 fishery PV 147 MW, 15 CNOOC LNG, 16 storage 200 MW/400 MWh
    35 kV feeders from 12: 17 hydrogen, 18 steel, 19 new materials
    10 kV: 20/21 from 14 (wind equipment, data centre A/B), 22+23 from 11 (cranes, cold chain;
    23 is a second busbar section joined to 22 by a closed bus coupler)
"""

from __future__ import annotations

import numpy as np
import pandapower as pp
import pandas as pd
from numpy.typing import NDArray
from pandapower.auxiliary import pandapowerNet

from . import _binhai_profiles as _profiles
from .binhai_registry import DEFAULT_SEED, FIRMS, PLANTS, Firm, Plant

__all__ = ["FIRMS", "GRID_CONNECTION_ID", "PLANTS", "POWER_FACTOR", "Firm", "Plant", "build_park", "profiles"]

#: Device id of the East China grid connection (slack).
GRID_CONNECTION_ID = "ext_grid:0"

#: Power factor of each firm's loads (assumption: electrolyser and data-centre rectifiers ~0.98,
#: motor-driven industry 0.93-0.95).
POWER_FACTOR: dict[str, float] = {"GH2": 0.98, "STL": 0.93, "NMT": 0.95, "WEQ": 0.94, "IDC": 0.98, "CCL": 0.93,
                                  "CRN": 0.92, "LNG": 0.95}


# Custom standard types; values and their sources are in grids/data/binhai_sources.md.
_SUBMARINE_CABLE = "HYJQF41 127/220kV 3x1000"
_CABLE_35KV = "YJV 26/35kV 1x400"
_TRAFO3W = "240/240/120 MVA 220/110/35 kV"
_WIND_STEP_UP = "240 MVA 220/35 kV"
_GSU = "1170 MVA 220/27 kV"


def _register_std_types(net: pandapowerNet) -> None:
    pp.create_std_type(net, {"r_ohm_per_km": 0.028, "x_ohm_per_km": 0.116, "c_nf_per_km": 190.0, "max_i_ka": 1.0,
                             "type": "cs", "q_mm2": 1000, "alpha": 0.00393}, _SUBMARINE_CABLE, element="line")
    pp.create_std_type(net, {"r_ohm_per_km": 0.060, "x_ohm_per_km": 0.11, "c_nf_per_km": 230.0, "max_i_ka": 0.70,
                             "type": "cs", "q_mm2": 400, "alpha": 0.00393}, _CABLE_35KV, element="line")
    common = {"shift_degree": 0, "tap_side": "hv", "tap_neutral": 0, "tap_min": -8, "tap_max": 8,
              "tap_step_percent": 1.25, "tap_step_degree": 0, "tap_changer_type": "Ratio"}
    pp.create_std_type(net, {"sn_mva": 240.0, "vn_hv_kv": 220.0, "vn_lv_kv": 35.0, "vk_percent": 14.0,
                             "vkr_percent": 0.25, "pfe_kw": 120.0, "i0_percent": 0.2, "vector_group": "YNd11",
                             **common}, _WIND_STEP_UP, element="trafo")
    pp.create_std_type(net, {"sn_mva": 1170.0, "vn_hv_kv": 220.0, "vn_lv_kv": 27.0, "vk_percent": 18.0,
                             "vkr_percent": 0.22, "pfe_kw": 450.0, "i0_percent": 0.1, "vector_group": "YNd11",
                             **common}, _GSU, element="trafo")
    pp.create_std_type(net, {"sn_hv_mva": 240.0, "sn_mv_mva": 240.0, "sn_lv_mva": 120.0, "vn_hv_kv": 220.0,
                             "vn_mv_kv": 110.0, "vn_lv_kv": 35.0, "vk_hv_percent": 14.0, "vk_mv_percent": 8.0,
                             "vk_lv_percent": 23.0, "vkr_hv_percent": 0.30, "vkr_mv_percent": 0.30,
                             "vkr_lv_percent": 0.30, "pfe_kw": 150.0, "i0_percent": 0.3, "shift_mv_degree": 0,
                             "shift_lv_degree": 0, "vector_group": "YN0yn0d11", "tap_side": "hv",
                             "tap_neutral": 0, "tap_min": -8, "tap_max": 8, "tap_step_percent": 1.25,
                             "tap_changer_type": "Ratio"}, _TRAFO3W, element="trafo3w")


def _buses(net: pandapowerNet) -> None:
    for name, vn_kv in (
        ("Binhai 220 kV hub (East China grid connection)", 220.0),
        ("SPIC offshore wind onshore substation 220 kV", 220.0),
        ("Port main substation 220 kV", 220.0),
        ("H1 offshore platform 220 kV", 220.0), ("H1 35 kV collection", 35.0),
        ("H2 offshore platform 220 kV", 220.0), ("H2 35 kV collection", 35.0),
        ("H3 offshore platform 220 kV", 220.0), ("H3 35 kV collection", 35.0),
        ("Guoxin unit 1 generator 27 kV", 27.0), ("Guoxin unit 2 generator 27 kV", 27.0),
        ("Port 110 kV", 110.0), ("Port 35 kV", 35.0), ("Fishery PV 110 kV booster", 110.0),
        ("Industrial 110 kV", 110.0), ("LNG terminal 110 kV", 110.0), ("Storage 110 kV", 110.0),
        ("Hydrogen plant 35 kV", 35.0), ("Steel products 35 kV", 35.0), ("New materials 35 kV", 35.0),
        ("Industrial 10 kV A", 10.0), ("Industrial 10 kV B", 10.0),
        ("Port 10 kV section 1", 10.0), ("Port 10 kV section 2", 10.0),
    ):
        pp.create_bus(net, vn_kv=vn_kv, name=name)


def _branches(net: pandapowerNet) -> None:
    ohl220, ohl110, ohl110_small = "490-AL1/64-ST1A 220.0", "490-AL1/64-ST1A 110.0", "243-AL1/39-ST1A 110.0"
    for a, b, km, std, parallel, name in (
        (1, 0, 12.0, ohl220, 3, "Wind substation - hub 220 kV"),
        (1, 2, 8.0, ohl220, 1, "Wind substation - port 220 kV"),
        (0, 2, 10.0, ohl220, 2, "Hub - port 220 kV"),
        (3, 1, 15.0, _SUBMARINE_CABLE, 1, "H1 220 kV submarine cable"),
        (5, 1, 30.0, _SUBMARINE_CABLE, 2, "H2 220 kV submarine cables"),
        (7, 1, 36.0, _SUBMARINE_CABLE, 1, "H3 220 kV submarine cable"),
        (11, 13, 8.0, ohl110, 1, "Port - fishery PV 110 kV"),
        (13, 14, 6.0, ohl110, 1, "Fishery PV - industrial 110 kV"),
        (14, 11, 5.0, ohl110, 1, "Industrial - port 110 kV"),
        (14, 15, 4.0, ohl110_small, 1, "Industrial - LNG 110 kV"),
        (15, 11, 7.0, ohl110_small, 1, "LNG - port 110 kV"),
        (14, 16, 3.0, ohl110, 2, "Industrial - storage 110 kV"),
        (12, 17, 2.0, _CABLE_35KV, 2, "Port 35 kV - hydrogen"),
        (12, 18, 1.5, _CABLE_35KV, 2, "Port 35 kV - steel"),
        (12, 19, 3.0, _CABLE_35KV, 1, "Port 35 kV - new materials"),
    ):
        pp.create_line(net, a, b, length_km=km, std_type=std, parallel=parallel, name=name)
    for hv, lv, std, parallel, name in (
        (3, 4, _WIND_STEP_UP, 1, "H1 step-up 35/220 kV"),
        (5, 6, _WIND_STEP_UP, 2, "H2 step-up 35/220 kV"),
        (7, 8, _WIND_STEP_UP, 2, "H3 step-up 35/220 kV"),
        (0, 9, _GSU, 1, "Guoxin unit 1 GSU"),
        (0, 10, _GSU, 1, "Guoxin unit 2 GSU"),
        (14, 20, "63 MVA 110/10 kV", 1, "Industrial 110/10 kV A"),
        (14, 21, "63 MVA 110/10 kV", 1, "Industrial 110/10 kV B"),
        (11, 22, "40 MVA 110/10 kV", 1, "Port 110/10 kV"),
    ):
        pp.create_transformer(net, hv, lv, std_type=std, parallel=parallel, name=name)
    for k in (1, 2):
        pp.create_transformer3w(net, 2, 11, 12, std_type=_TRAFO3W, name=f"Port main transformer T{k} 220/110/35 kV")
    pp.create_switch(net, 22, 23, et="b", closed=True, type="CB", name="Port 10 kV bus coupler")


def _devices(net: pandapowerNet) -> None:
    pp.create_ext_grid(net, 0, vm_pu=1.02, name="East China grid (500/220 kV Binhai substation)")
    for plant, bus in zip(PLANTS[:4], (4, 6, 8, 13), strict=True):
        pp.create_sgen(net, bus, p_mw=0.0, sn_mva=plant.capacity_mw * 1.1, type=plant.technology, name=plant.name_en)
    bess = PLANTS[4]
    pp.create_storage(net, 16, p_mw=0.0, max_e_mwh=float(bess.energy_mwh or 0.0), sn_mva=bess.capacity_mw * 1.1,
                      soc_percent=50.0, min_e_mwh=40.0, type="storage", name=bess.name_en)
    for plant, bus in zip(PLANTS[5:], (9, 10), strict=True):
        pp.create_gen(net, bus, p_mw=0.6 * plant.capacity_mw, vm_pu=1.0, sn_mva=plant.capacity_mw * 1.17,
                      type="coal", name=plant.name_en)
    # Load buses in the order of FIRMS' device ids: load:0 ... load:8.
    load_buses = {"load:0": 17, "load:1": 18, "load:2": 19, "load:3": 20, "load:4": 20, "load:5": 21,
                  "load:6": 23, "load:7": 22, "load:8": 15}
    for firm in FIRMS:
        for device in firm.device_ids:
            p_mw = firm.peak_mw / len(firm.device_ids)
            q_mvar = p_mw * np.tan(np.arccos(POWER_FACTOR[firm.code]))
            pp.create_load(net, load_buses[device], p_mw=p_mw, q_mvar=q_mvar, name=f"{firm.name_en} ({device})")
    # Shunt reactors compensating submarine-cable charging (about half of it); p_mw = reactor losses.
    for bus, q_mvar in ((1, 120.0), (5, 60.0), (7, 40.0)):
        pp.create_shunt(net, bus, q_mvar=q_mvar, p_mw=0.002 * q_mvar, name=f"Reactor at bus {bus}")


def build_park() -> pandapowerNet:
    """Build the Binhai park network (see module docstring), with generation set to zero.

    Returns
    -------
    pandapowerNet
        Device ids match :data:`PLANTS` and :data:`FIRMS`; feed it :func:`profiles` through
        :func:`greenproof.grids.solve_series`.
    """
    net = pp.create_empty_network(name="Binhai port near-zero-carbon industrial park", f_hz=50.0, sn_mva=100.0)
    _register_std_types(net)
    _buses(net)
    _branches(net)
    _devices(net)
    return net


def profiles(year: int = 2025, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Deterministic 15-minute profiles of every park device for one year.

    Parameters
    ----------
    year : int
        Calendar year in park local time (UTC+8); 35,040 intervals (35,136 in leap years).
    seed : int
        Seed of every random process; equal seeds give identical frames.

    Returns
    -------
    pandas.DataFrame
        Index: interval starts, tz-aware UTC. Columns: device ids (``"sgen:0"``, ``"gen:1"``,
        ``"storage:0"``, ``"load:3"``) holding ``p_mw`` in pandapower sign conventions
        (sgen/gen: positive injecting; load/storage: positive drawing), and ``"load:<i>:q_mvar"``
        holding reactive power of loads at their firm's power factor. Generation methods and
        assumptions: ``grids/data/binhai_sources.md``.
    """
    rng = np.random.default_rng(seed)
    index = _profiles.local_index(year)
    columns: dict[str, NDArray[np.float64]] = {}
    wind = _profiles.wind_power(index, rng, tuple(p.capacity_mw for p in PLANTS[:3]))
    for plant, series in zip(PLANTS[:3], wind, strict=True):
        columns[plant.device_id] = series
    columns[PLANTS[3].device_id] = _profiles.pv_power(index, rng, PLANTS[3].capacity_mw)
    bess = PLANTS[4]
    columns[bess.device_id] = _profiles.storage_dispatch(index, bess.capacity_mw, float(bess.energy_mwh or 0.0))
    shapes = _profiles.firm_load_shapes(index, rng, tuple(f.code for f in FIRMS))
    park_load = np.zeros(len(index))
    for firm, shape in zip(FIRMS, shapes, strict=True):
        tan_phi = np.tan(np.arccos(POWER_FACTOR[firm.code]))
        for device in firm.device_ids:
            p_mw = shape * firm.peak_mw / len(firm.device_ids)
            columns[device] = p_mw
            columns[f"{device}:q_mvar"] = p_mw * tan_phi
            park_load += p_mw
    renewables = sum(columns[p.device_id] for p in PLANTS[:4])
    net_load = park_load + columns[bess.device_id] - renewables
    coal_units = PLANTS[5:]
    unit_mw = _profiles.coal_dispatch(index, net_load, coal_units[0].capacity_mw, len(coal_units))
    for plant in coal_units:
        columns[plant.device_id] = unit_mw
    return pd.DataFrame(columns, index=index.tz_convert("UTC"))
