"""StorageLedger: provenance carried through state of charge, round-trip losses, energy conservation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greenproof.attribution import (
    TECHNOLOGY_KEYS,
    AttributionError,
    Branches,
    Injections,
    Snapshot,
    StorageLedger,
    Withdrawals,
    trace,
    trace_many,
)


def _interval(wind_mw: float, coal_mw: float, charge_mw: float, discharge_mw: float, load_mw: float) -> Snapshot:
    """Two buses: wind + coal + storage at bus 0, a load at bus 1, one lossless line 0 → 1."""
    line = load_mw
    return Snapshot(
        bus_ids=[0, 1],
        injections=Injections(["wind", "coal", "bess"], [0, 0, 0], ["wind_offshore", "coal", "storage"],
                              [wind_mw, coal_mw, discharge_mw]),
        withdrawals=Withdrawals(["bess", "port"], [0, 1], [charge_mw, load_mw], ["storage_charge", "load"]),
        branches=Branches(["line"], [0], [1], [line], [-line]),
        duration_h=0.25,
    )


def _share(**shares: float) -> np.ndarray:
    row = np.zeros(len(TECHNOLOGY_KEYS))
    for key, value in shares.items():
        row[TECHNOLOGY_KEYS.index(key)] = value
    return row


def test_discharge_carries_the_charged_mix_times_efficiency() -> None:
    ledger = StorageLedger(round_trip_efficiency=0.8)
    charging = _interval(wind_mw=75.0, coal_mw=25.0, charge_mw=40.0, discharge_mw=0.0, load_mw=60.0)
    step = ledger.step(charging, trace(charging).technology_share)
    # 40 MW × 0.25 h = 10 MWh charged at the bus mix (75 % wind), 80 % of it deliverable.
    assert step.charged_mwh["bess"] == pytest.approx({"wind_offshore": 6.0, "coal": 2.0})
    assert ledger.state_mwh == {"bess": pytest.approx({"wind_offshore": 6.0, "coal": 2.0})}
    discharging = _interval(wind_mw=0.0, coal_mw=20.0, charge_mw=0.0, discharge_mw=20.0, load_mw=40.0)
    assert ledger.source_mix(discharging) == {"bess": pytest.approx({"wind_offshore": 0.75, "coal": 0.25})}
    step = ledger.step(discharging, trace(discharging).technology_share)
    # 20 MW × 0.25 h = 5 MWh out of 8 MWh stored, pro rata.
    assert step.discharged_mwh["bess"] == pytest.approx({"wind_offshore": 3.75, "coal": 1.25})
    assert ledger.state_mwh["bess"] == pytest.approx({"wind_offshore": 2.25, "coal": 0.75})


def test_discharge_beyond_the_pool_keeps_unknown_provenance() -> None:
    ledger = StorageLedger(initial_mwh={"bess": {"solar_pv": 1.0}})
    discharging = _interval(wind_mw=0.0, coal_mw=0.0, charge_mw=0.0, discharge_mw=12.0, load_mw=12.0)
    assert ledger.source_mix(discharging) == {"bess": pytest.approx({"solar_pv": 1 / 3, "storage": 2 / 3})}
    ledger.step(discharging, trace(discharging).technology_share)
    assert ledger.state_mwh["bess"] == {}


def test_trace_many_shows_loads_the_stored_origin() -> None:
    ledger = StorageLedger(round_trip_efficiency=0.9)
    day = [_interval(wind_mw=100.0, coal_mw=0.0, charge_mw=40.0, discharge_mw=0.0, load_mw=60.0),
           _interval(wind_mw=0.0, coal_mw=30.0, charge_mw=0.0, discharge_mw=30.0, load_mw=60.0)]
    first, second = trace_many(day, storage=ledger)
    assert first.renewable_share[1] == pytest.approx(1.0)
    # evening: half the port's supply is stored wind (9 MWh stored, 7.5 MWh discharged)
    assert second.renewable_share[1] == pytest.approx(0.5)
    assert ledger.state_mwh["bess"] == pytest.approx({"wind_offshore": 1.5})


@settings(max_examples=40, deadline=None)
@given(steps=st.lists(st.tuples(st.floats(0, 50), st.floats(0, 50), st.floats(0, 60), st.floats(0, 60)),
                      min_size=1, max_size=8),
       efficiency=st.floats(0.5, 1.0))
def test_energy_and_provenance_are_conserved(steps, efficiency) -> None:
    ledger = StorageLedger(round_trip_efficiency=efficiency)
    stored_before = 0.0
    for wind, coal, charge, discharge in steps:
        charge = min(charge, wind + coal)  # charging draws from the local generation
        load = wind + coal + discharge - charge
        snapshot = _interval(wind, coal, charge, discharge, load)
        shares = trace(snapshot, source_mix=ledger.source_mix(snapshot)).technology_share
        step = ledger.step(snapshot, shares)
        out = sum(step.discharged_mwh.get("bess", {}).values())
        added = sum(step.charged_mwh.get("bess", {}).values())
        assert out == pytest.approx(discharge * 0.25, abs=1e-9)
        assert added == pytest.approx(charge * 0.25 * efficiency, abs=1e-9)
        stored_after = sum(ledger.state_mwh.get("bess", {}).values())
        # the pool gives what it holds (the rest of a discharge is of unknown origin), then takes the charge
        assert stored_after == pytest.approx(stored_before - min(out, stored_before) + added, abs=1e-9)
        assert all(v >= 0 for v in ledger.state_mwh.get("bess", {}).values())
        stored_before = stored_after


def test_invalid_efficiency_and_share_shape_are_rejected() -> None:
    with pytest.raises(AttributionError, match="round_trip_efficiency"):
        StorageLedger(round_trip_efficiency=1.2)
    snapshot = _interval(wind_mw=10.0, coal_mw=0.0, charge_mw=5.0, discharge_mw=0.0, load_mw=5.0)
    with pytest.raises(AttributionError, match="shape"):
        StorageLedger().step(snapshot, np.zeros((2, 2)))
    assert _share(coal=1.0).sum() == 1.0


def test_fifo_empties_the_oldest_charge_first_and_pro_rata_mixes() -> None:
    # Hand figures (the ledger's park example in MWh): 50 MWh of wind charged, then 25 MWh of PV, at 88 %:
    # 44 and 22 MWh deliverable; a 33 MWh discharge is all wind under FIFO, 22 wind + 11 PV pro-rata.
    for allocation, expected, left in (("fifo", {"wind_offshore": 33.0}, [{"wind_offshore": 11.0}, {"solar_pv": 22.0}]),
                                       ("pro_rata", {"wind_offshore": 22.0, "solar_pv": 11.0},
                                        [{"wind_offshore": 22.0, "solar_pv": 11.0}])):
        ledger = StorageLedger(round_trip_efficiency=0.88, allocation=allocation)
        assert ledger.charge("bess", {"wind_offshore": 50.0}) == pytest.approx({"wind_offshore": 44.0})
        ledger.charge("bess", {"solar_pv": 25.0})
        assert ledger.discharge("bess", 33.0) == pytest.approx(expected)
        assert [pytest.approx(lot) for lot in left] == ledger.state_lots_mwh["bess"]
        # the lots carry over to a new ledger (a trace chunk, a restart) and give the same next discharge
        again = StorageLedger(round_trip_efficiency=0.88, allocation=allocation, initial_mwh=ledger.state_lots_mwh)
        assert again.discharge("bess", 40.0) == pytest.approx(ledger.discharge("bess", 40.0))


def test_an_unknown_allocation_is_refused() -> None:
    with pytest.raises(AttributionError, match="'lifo'"):
        StorageLedger(allocation="lifo")
