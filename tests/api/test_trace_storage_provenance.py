"""``greenproof trace`` carries state-of-charge provenance across intervals and chunks.

Checked against an independent method: tracing every interval with the attribution's
``StorageLedger`` source mix (``trace_many(..., storage=ledger)``), whose per-withdrawal renewable
MWh the driver-side pass must reproduce from the device-level rows alone — whether the rows come in
one stream or in chunks.
"""

from __future__ import annotations

import numpy as np
import pytest

from greenproof.api.cli.trace_export.interval_trace import trace_intervals
from greenproof.api.cli.trace_export.storage_provenance import carry_storage
from greenproof.attribution import (
    TECHNOLOGY_KEYS,
    Branches,
    Injections,
    Snapshot,
    StorageLedger,
    Withdrawals,
    renewable_technologies,
    trace_many,
)

RENEWABLE = np.isin(np.array(TECHNOLOGY_KEYS), sorted(renewable_technologies()))


def _interval(wind_mw: float, coal_mw: float, charge_mw: float, discharge_mw: float, load_mw: float) -> Snapshot:
    """Wind, coal and a battery at bus 0; a port load at bus 1 over a line with 1 % loss."""
    line = load_mw / 0.99
    return Snapshot(
        bus_ids=[0, 1],
        injections=Injections(["wind", "coal", "bess"], [0, 0, 0], ["wind_offshore", "coal", "storage"],
                              [wind_mw, coal_mw, discharge_mw]),
        withdrawals=Withdrawals(["bess", "port"], [0, 1], [charge_mw, load_mw], ["storage_charge", "load"]),
        branches=Branches(["line"], [0], [1], [line], [-load_mw]),
        duration_h=0.25,
    )


def _schedule() -> list[Snapshot]:
    rows = []
    for wind, coal, charge, discharge in ((80, 20, 40, 0), (10, 50, 20, 0), (0, 60, 0, 0), (0, 30, 0, 25),
                                          (50, 20, 30, 0), (0, 40, 0, 35), (0, 40, 0, 5)):
        load = wind + coal + discharge - charge
        rows.append(_interval(wind, coal, charge, discharge, load * 0.99))
    return rows


@pytest.mark.parametrize("allocation", ["pro_rata", "fifo"])
@pytest.mark.parametrize("chunk", [7, 3, 1])
def test_trace_rows_get_the_ledgers_provenance_across_chunks(allocation: str, chunk: int) -> None:
    snapshots = _schedule()
    reference = StorageLedger(round_trip_efficiency=0.85, allocation=allocation)
    expected = [a.technology_mix_mw[:, RENEWABLE].sum(axis=1) * a.duration_h
                for a in trace_many(iter(snapshots), storage=reference)]
    ledger = StorageLedger(round_trip_efficiency=0.85, allocation=allocation)
    chunks = [snapshots[i:i + chunk] for i in range(0, len(snapshots), chunk)]
    traced = [item for part in chunks for item in trace_intervals(iter(part), "upstream", False)]  # chunk by chunk
    carried = list(carry_storage(traced, ledger))
    for item, before, want in zip(carried, traced, expected, strict=True):
        np.testing.assert_allclose(item.renewable_mwh, want, rtol=1e-12, atol=1e-12)
        assert item.mwh.sum() == pytest.approx(before.mwh.sum(), rel=1e-12)  # rows split, energy kept
    assert ledger.state_mwh.keys() == reference.state_mwh.keys()
    for unit, state in reference.state_mwh.items():
        assert ledger.state_mwh[unit] == pytest.approx(state)
    # the battery's rows now name their origin: some of its discharge is wind
    discharged = [set(item.technology[item.injection_id == "bess"].tolist()) for item in carried]
    assert "wind_offshore" in set().union(*discharged)
