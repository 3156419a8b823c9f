"""Year profiles: published capacity-factor ranges, determinism, physical limits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from greenproof.grids import GridError
from greenproof.grids.binhai import FIRMS, PLANTS, profiles


@pytest.fixture(scope="module")
def year() -> pd.DataFrame:
    return profiles(2025, seed=2025)


def _plant(code: str) -> object:
    return next(p for p in PLANTS if p.code == code)


def test_shape_and_utc_index(year: pd.DataFrame) -> None:
    assert len(year) == 35_040
    assert str(year.index.tz) == "UTC"
    assert year.index[0] == pd.Timestamp("2024-12-31 16:00", tz="UTC")  # 2025-01-01 00:00 at UTC+8
    assert (np.diff(year.index.asi8) == 15 * 60 * 10**9).all()


@pytest.mark.parametrize("code", ["H1", "H2", "H3"])
def test_offshore_wind_capacity_factor_in_published_range(year: pd.DataFrame, code: str) -> None:
    # 0.28 (China offshore average ~2500 full-load hours) .. 0.38 (SPIC H1 expected 333 GWh/100 MW);
    # sources in grids/data/binhai_sources.md
    plant = _plant(code)
    assert 0.28 <= year[plant.device_id].mean() / plant.capacity_mw <= 0.38


def test_pv_capacity_factor_in_published_range(year: pd.DataFrame) -> None:
    # 0.12 .. 0.16 (NEA 1133 h national average; Jiangsu utility PV); grids/data/binhai_sources.md
    plant = _plant("PV147")
    series = year[plant.device_id]
    assert 0.12 <= series.mean() / plant.capacity_mw <= 0.16
    local_hour = year.index.tz_convert("Asia/Shanghai").hour
    assert series[(local_hour >= 21) | (local_hour < 4)].max() == 0.0


def test_same_seed_same_profiles_other_seed_differs(year: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(profiles(2025, seed=2025), year)
    assert not profiles(2025, seed=2026)["sgen:1"].equals(year["sgen:1"])


def test_storage_respects_power_energy_and_efficiency(year: pd.DataFrame) -> None:
    bess = _plant("BESS")
    p = year[bess.device_id].to_numpy()
    assert np.abs(p).max() <= bess.capacity_mw + 1e-9
    eta = np.sqrt(0.88)  # round-trip efficiency 88 %, documented
    energy = 0.5 * bess.energy_mwh + np.cumsum(np.where(p > 0, p * eta, p / eta) * 0.25)
    assert energy.min() >= 0.10 * bess.energy_mwh - 1e-6
    assert energy.max() <= 0.95 * bess.energy_mwh + 1e-6


def test_coal_units_within_limits_and_loads_within_peak(year: pd.DataFrame) -> None:
    for code in ("GX1", "GX2"):
        unit = year[_plant(code).device_id]
        assert unit.min() >= 400.0 - 1e-9 and unit.max() <= 950.0 + 1e-9
    for firm in FIRMS:
        total = sum(year[d] for d in firm.device_ids)
        assert total.min() > 0 and total.max() <= firm.peak_mw + 1e-9


def test_steel_plant_runs_less_on_spring_festival(year: pd.DataFrame) -> None:
    steel = year["load:1"].tz_convert("Asia/Shanghai")
    holiday = steel["2025-01-29"].mean()  # Spring Festival (chinese_calendar holiday)
    workday = steel["2025-03-05"].mean()  # an ordinary Wednesday
    assert holiday < 0.7 * workday


def test_a_year_without_a_holiday_calendar_is_a_grid_error_naming_it() -> None:
    # chinesecalendar publishes China's State Council holiday schedule only up to the coming year.
    # The message speaks of the year and of the holidays, not of the library that lacks them.
    with pytest.raises(GridError, match=r"public holidays, which are published for 2004–\d{4} only, not for 2040$"):
        profiles(year=2040)
