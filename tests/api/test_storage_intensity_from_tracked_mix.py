"""A discharging park battery's carbon intensity follows the origin mix the ledger tracked for it.

Hand check (Kang et al. 2015, carbon emission flow): the battery's bus 16 (grids/binhai.py, the
110 kV storage bus) has nothing else injecting, so while the battery discharges its nodal intensity
is the battery's own factor: the documented unknown-origin proxy, the East China grid average
0.5617 tCO2/MWh (docs/attribution.md), without a tracked mix; 0 for a wind origin; and
0.5 × 0 + 0.5 × 0.5617 = 0.28085 for half wind, half unknown. Downstream buses can only get cleaner.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from greenproof.api.usecases import park_intensity
from greenproof.api.usecases.park_intensity import nodal_intensity
from greenproof.api.usecases.park_simulation import INTERVAL, simulate_period

BATTERY_BUS = 16
DISCHARGING = datetime(2025, 6, 21, 9, 0, tzinfo=UTC)  # 17:00 park time: the battery discharges 200 MW


@pytest.mark.integration
def test_a_discharging_battery_carries_its_tracked_origin_into_carbon_intensity(
        monkeypatch: pytest.MonkeyPatch) -> None:
    solved = list(simulate_period(DISCHARGING, DISCHARGING + INTERVAL))  # solve once, read three times
    monkeypatch.setattr(park_intensity, "simulate_period", lambda start, end: iter(solved))
    by_mix = {}
    for name, mix in (("proxy", None), ("wind", {"storage:0": {"wind_offshore": 1.0}}),
                      ("half", {"storage:0": {"wind_offshore": 0.5, "storage": 0.5}})):
        result = nodal_intensity(DISCHARGING, {}, mix)
        by_mix[name] = {bus.bus_id: bus.t_co2_per_mwh for bus in result.buses}
    assert by_mix["proxy"][BATTERY_BUS] == pytest.approx(0.5617, abs=1e-9)
    assert by_mix["wind"][BATTERY_BUS] == pytest.approx(0.0, abs=1e-12)
    assert by_mix["half"][BATTERY_BUS] == pytest.approx(0.28085, abs=1e-9)
    proxy, wind = by_mix["proxy"], by_mix["wind"]
    assert all(wind[b] <= proxy[b] + 1e-12 for b in proxy if proxy[b] is not None and wind[b] is not None)
