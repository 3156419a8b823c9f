"""The Binhai park's plants and firms as the ledger registers them, and the seed of its profiles.

Kept apart from the network model (:mod:`greenproof.grids.binhai`, which needs pandapower) so that
reading the park's codes — the firms an API key may be bound to, the plants a meter file names —
imports nothing but the standard library. Sources and assumptions: ``grids/data/binhai_sources.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_SEED", "FIRMS", "PLANTS", "Firm", "Plant"]

#: Seed of the park's generated profiles (:func:`greenproof.grids.binhai.profiles`): same seed, same year, same data.
DEFAULT_SEED = 20250101


@dataclass(frozen=True)
class Plant:
    """A generating (or storage) plant of the park.

    Attributes
    ----------
    code : str
        Short stable code used by the ledger (``"H1"``).
    name_en, name_zh : str
        Names in English and Chinese.
    technology : str
        Technology key (:data:`greenproof.attribution.TECHNOLOGY_KEYS`).
    capacity_mw : float
        Rated active power, MW.
    device_id : str
        Id of its injection row in snapshots of :func:`greenproof.grids.binhai.build_park` (``"sgen:0"``).
    renewable : bool
        Whether its output earns renewable certificates (storage: no, it re-delivers what charged it).
    energy_mwh : float or None
        Storage energy capacity, MWh (``None`` for generators).
    """

    code: str
    name_en: str
    name_zh: str
    technology: str
    capacity_mw: float
    device_id: str
    renewable: bool
    energy_mwh: float | None = None


@dataclass(frozen=True)
class Firm:
    """A consumer of the park (one or more load devices).

    Attributes
    ----------
    code : str
        Short stable code (``"GH2"``).
    name_en, name_zh : str
        Names in English and Chinese.
    voltage_kv : float
        Nominal voltage of its supply buses, kV.
    device_ids : tuple of str
        Ids of its withdrawal rows in snapshots (``("load:4", "load:5")`` for a dual-fed site).
    peak_mw : float
        Installed demand, MW (the ``p_mw`` of its loads in :func:`greenproof.grids.binhai.build_park`).
    illustrative : bool
        True when the firm is invented for the model (names and sizes are not real companies').
    """

    code: str
    name_en: str
    name_zh: str
    voltage_kv: float
    device_ids: tuple[str, ...]
    peak_mw: float
    illustrative: bool = True


PLANTS: tuple[Plant, ...] = (
    Plant("H1", "SPIC Binhai North H1 offshore wind farm", "国家电投滨海北H1海上风电场", "wind_offshore",
          100.0, "sgen:0", True),
    Plant("H2", "SPIC Binhai North H2 offshore wind farm", "国家电投滨海北H2海上风电场", "wind_offshore",
          400.0, "sgen:1", True),
    Plant("H3", "SPIC Binhai South H3 offshore wind farm", "国家电投滨海南H3海上风电场", "wind_offshore",
          300.0, "sgen:2", True),
    Plant("PV147", "Binhai port fishery-pond PV (147 MW)", "滨海港经济区147兆瓦渔光互补光伏电站", "solar_pv",
          147.0, "sgen:3", True),
    Plant("BESS", "Three Gorges Binhai grid-side storage", "三峡滨海电网侧储能电站", "storage",
          200.0, "storage:0", False, energy_mwh=400.0),
    Plant("GX1", "Guoxin Binhai port power plant unit 1", "国信滨海港电厂1号机组", "coal",
          1000.0, "gen:0", False),
    Plant("GX2", "Guoxin Binhai port power plant unit 2", "国信滨海港电厂2号机组", "coal",
          1000.0, "gen:1", False),
)

FIRMS: tuple[Firm, ...] = (
    Firm("GH2", "Binhai Green Hydrogen Co. (electrolysers)", "滨海绿氢科技有限公司", 35.0, ("load:0",), 60.0),
    Firm("STL", "Yancheng Port Steel Products Co.", "盐城港钢材制品有限公司", 35.0, ("load:1",), 40.0),
    Firm("NMT", "Binhai New Materials Co.", "滨海新材料有限公司", 35.0, ("load:2",), 25.0),
    Firm("WEQ", "Huanghai Wind Equipment Manufacturing Co.", "黄海风电装备制造有限公司", 10.0, ("load:3",), 15.0),
    Firm("IDC", "Binhai Port Data Centre", "滨海港数据中心", 10.0, ("load:4", "load:5"), 30.0),
    Firm("CCL", "Binhai Cold-Chain Logistics Park", "滨海冷链物流园", 10.0, ("load:6",), 12.0),
    Firm("CRN", "Binhai Port terminal cranes", "滨海港码头岸桥", 10.0, ("load:7",), 20.0),
    Firm("LNG", "CNOOC Binhai LNG terminal", "中海油滨海LNG接收站", 110.0, ("load:8",), 35.0, illustrative=False),
)
