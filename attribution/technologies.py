"""The technology table: renewable flag and direct CO2 emission factor of every technology key.

One row per key that an injection's ``technology`` may carry. Emission factors are direct
(stack) emissions per MWh of electricity sent out, in tCO2/MWh; lifecycle emissions are out of
scope. Sources, cited once here and referred to elsewhere:

- **China MEE benchmarks**: Ministry of Ecology and Environment, *2019–2020 national carbon
  emission trading allowance allocation plan (power sector)* (《2019-2020年全国碳排放权交易配额总量
  设定与分配实施方案（发电行业）》, Dec 2020), benchmark supply emission factors: conventional coal
  units above 300 MW 0.877 tCO2/MWh, gas units 0.392 tCO2/MWh.
- **China MEE/NBS 2022 grid factors**: Ministry of Ecology and Environment and National Bureau of
  Statistics, announcement of the 2022 electricity CO2 emission factors (《关于发布2022年电力二氧化碳
  排放因子的公告》, 2024): East China regional grid average 0.5617 tCO2/MWh, national average
  0.5366 tCO2/MWh.
- **IPCC 2006**: *2006 IPCC Guidelines for National Greenhouse Gas Inventories*, Vol. 2 (Energy),
  Table 1.4 default CO2 emission factor of residual fuel oil 77.4 tCO2/TJ; Vol. 2 ch. 2: CO2 from
  biomass combustion is reported as a memo item, not in the energy total (factor 0 here); wind,
  solar, hydro and nuclear have no combustion emissions.

``storage`` is neither renewable nor fossil: a discharging unit delivers what charged it, which
:class:`~greenproof.attribution.storage_ledger.StorageLedger` tracks and passes on as a source
mix (then the ``storage`` row is not used at all). The row's own factor applies only to discharge
of *unknown* provenance (no ledger, or a discharge beyond what the ledger holds): it is the grid
import factor (East China grid 2022 average), a conservative proxy, because energy of unknown
origin most plausibly came from the grid the unit is connected to; it is never counted as
zero-carbon or renewable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "CHINA_NATIONAL_GRID_2022_T_PER_MWH",
    "EAST_CHINA_GRID_2022_T_PER_MWH",
    "TECHNOLOGIES",
    "TECHNOLOGY_KEYS",
    "Technology",
    "emission_factors",
    "renewable_technologies",
]

#: East China regional grid average emission factor 2022, tCO2/MWh (China MEE/NBS 2022 grid factors).
EAST_CHINA_GRID_2022_T_PER_MWH = 0.5617
#: National grid average emission factor 2022, tCO2/MWh (China MEE/NBS 2022 grid factors).
CHINA_NATIONAL_GRID_2022_T_PER_MWH = 0.5366

_GJ_PER_MWH = 3.6
#: Net electrical efficiency assumed for oil-fired units (typical steam/diesel plant, an assumption).
_OIL_UNIT_EFFICIENCY = 0.38
#: IPCC 2006 Vol. 2 Table 1.4, residual fuel oil, tCO2/TJ.
_IPCC_RESIDUAL_FUEL_OIL_T_PER_TJ = 77.4


@dataclass(frozen=True)
class Technology:
    """One row of the technology table.

    Attributes
    ----------
    key : str
        Technology key used in ``Injections.technology``.
    label : str
        Human-readable name.
    renewable : bool
        Counts as renewable for certificates and renewable shares.
    fossil : bool
        Burns fossil fuel.
    t_co2_per_mwh : float
        Direct emission factor in tCO2/MWh of electricity (``storage``: of unknown provenance only).
    source : str
        Where the factor comes from (see the module docstring).
    """

    key: str
    label: str
    renewable: bool
    fossil: bool
    t_co2_per_mwh: float
    source: str


def _oil_factor_t_per_mwh() -> float:
    return _IPCC_RESIDUAL_FUEL_OIL_T_PER_TJ * _GJ_PER_MWH / 1000.0 / _OIL_UNIT_EFFICIENCY


_ROWS = (
    Technology("wind_offshore", "offshore wind", True, False, 0.0, "IPCC 2006: no combustion emissions"),
    Technology("wind_onshore", "onshore wind", True, False, 0.0, "IPCC 2006: no combustion emissions"),
    Technology("solar_pv", "solar photovoltaic", True, False, 0.0, "IPCC 2006: no combustion emissions"),
    Technology("hydro", "hydro", True, False, 0.0, "IPCC 2006: no combustion emissions"),
    Technology("biomass", "biomass", True, False, 0.0, "IPCC 2006 Vol. 2 ch. 2: biogenic CO2 is a memo item"),
    Technology("nuclear", "nuclear", False, False, 0.0, "IPCC 2006: no combustion emissions"),
    Technology("coal", "coal", False, True, 0.877, "China MEE benchmark, conventional coal units > 300 MW"),
    Technology("gas", "natural gas", False, True, 0.392, "China MEE benchmark, gas units"),
    Technology("oil", "oil", False, True, _oil_factor_t_per_mwh(),
               "IPCC 2006 Vol. 2 Table 1.4 residual fuel oil 77.4 tCO2/TJ at an assumed 38 % net efficiency"),
    Technology("storage", "storage (unknown provenance)", False, False, EAST_CHINA_GRID_2022_T_PER_MWH,
               "discharge of unknown provenance: East China grid 2022 average as a conservative proxy; "
               "tracked discharge carries the StorageLedger's source mix instead"),
    Technology("grid_import", "East China grid import", False, False, EAST_CHINA_GRID_2022_T_PER_MWH,
               "China MEE/NBS 2022 East China grid average"),
    Technology("other", "other / unknown", False, False, CHINA_NATIONAL_GRID_2022_T_PER_MWH,
               "China MEE/NBS 2022 national grid average as a proxy"),
)

#: The technology table, keyed by technology key, in the order of :data:`TECHNOLOGY_KEYS`.
TECHNOLOGIES: Mapping[str, Technology] = MappingProxyType({row.key: row for row in _ROWS})
#: Every technology key, in table order (the column order of technology mixes).
TECHNOLOGY_KEYS: tuple[str, ...] = tuple(row.key for row in _ROWS)


def emission_factors() -> dict[str, float]:
    """Return the default emission factor of every technology key, tCO2/MWh."""
    return {row.key: row.t_co2_per_mwh for row in _ROWS}


def renewable_technologies() -> frozenset[str]:
    """Return the technology keys that count as renewable."""
    return frozenset(row.key for row in _ROWS if row.renewable)
