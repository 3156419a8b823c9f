"""The technology table: every key once, cited factors, storage of unknown provenance at the grid factor."""

from __future__ import annotations

import pytest

from greenproof.attribution import TECHNOLOGIES, TECHNOLOGY_KEYS, emission_factors, renewable_technologies
from greenproof.attribution.technologies import CHINA_NATIONAL_GRID_2022_T_PER_MWH, EAST_CHINA_GRID_2022_T_PER_MWH

# China MEE/NBS announcement of 2022 electricity CO2 emission factors (2024): East China grid 0.5617,
# national 0.5366 tCO2/MWh; MEE 2019-2020 allocation plan benchmarks: coal (>300 MW) 0.877, gas 0.392.
PUBLISHED_T_PER_MWH = {"grid_import": 0.5617, "coal": 0.877, "gas": 0.392}


def test_keys_are_the_agreed_twelve() -> None:
    assert set(TECHNOLOGY_KEYS) == {"wind_offshore", "wind_onshore", "solar_pv", "hydro", "biomass", "nuclear",
                                    "coal", "gas", "oil", "storage", "grid_import", "other"}
    assert tuple(TECHNOLOGIES) == TECHNOLOGY_KEYS
    assert all(row.source for row in TECHNOLOGIES.values())


def test_published_factors() -> None:
    factors = emission_factors()
    for key, value in PUBLISHED_T_PER_MWH.items():
        assert factors[key] == pytest.approx(value, abs=5e-5)
    assert EAST_CHINA_GRID_2022_T_PER_MWH == 0.5617
    assert CHINA_NATIONAL_GRID_2022_T_PER_MWH == 0.5366
    # IPCC 2006 Vol. 2 Table 1.4: residual fuel oil 77.4 tCO2/TJ; 3.6 GJ/MWh at 38 % efficiency
    assert factors["oil"] == pytest.approx(77.4 * 3.6e-3 / 0.38)


def test_storage_of_unknown_provenance_is_neither_renewable_nor_fossil_and_counts_as_grid_import() -> None:
    storage = TECHNOLOGIES["storage"]
    assert not storage.renewable and not storage.fossil
    # the conservative proxy for discharge of unknown origin: the East China grid 2022 factor (0.5617)
    assert storage.t_co2_per_mwh == PUBLISHED_T_PER_MWH["grid_import"]
    assert renewable_technologies() == {"wind_offshore", "wind_onshore", "solar_pv", "hydro", "biomass"}
