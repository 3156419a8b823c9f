"""The park Sankey summed from stored flows equals tracing the day again, and conserves the injected energy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from greenproof.api.usecases.park_attribution import attribute_period
from greenproof.api.usecases.park_setup import register_park
from greenproof.api.usecases.park_simulation import simulate_period
from greenproof.api.usecases.technology_flows import OTHER_SINKS, VIA_STORAGE, technology_flows
from greenproof.attribution import TECHNOLOGY_KEYS, StorageLedger, trace_many
from greenproof.ledger.database import make_engine, make_session_factory, upgrade
from greenproof.ledger.holder_shares import ledger_devices

pytestmark = pytest.mark.integration

#: Park-local 21 June 2025 (the demo day), in UTC.
DAY_START = datetime(2025, 6, 20, 16, tzinfo=UTC)
DAY_END = DAY_START + timedelta(days=1)
ISSUER_KEY = "0x" + "11" * 32
INTERVALS = 96
#: Stored rows are whole Wh rounded to nearest: at most 0.5 Wh off per interval and (sink, technology).
ROUNDING_MWH = INTERVALS * 0.5e-6


def test_sankey_from_stored_flows_equals_tracing_the_day_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    upgrade(engine)
    snapshots = list(simulate_period(DAY_START, DAY_END))
    with make_session_factory(engine)() as session:
        register_park(session, ISSUER_KEY)
        attribute_period(session, snapshots, period_start=DAY_START, period_end=DAY_END, simulated_meters=True)
        session.commit()
        stored = technology_flows(session, DAY_START, DAY_END).mwh
        _, firm_devices = ledger_devices(session)
    engine.dispose()

    # The re-simulation path the Sankey used before flows were stored: trace the period afresh,
    # sum every withdrawal's technology mix (MWh) per (technology, sink).
    traced: dict[tuple[str, str], float] = {}
    for allocation in trace_many(iter(snapshots), storage=StorageLedger()):
        mix_mwh = allocation.technology_mix_mw * allocation.duration_h
        for m, (device, kind) in enumerate(zip(allocation.withdrawal_id.tolist(),
                                               allocation.withdrawal_kind.tolist(), strict=True)):
            sink = firm_devices.get(device) or (kind if kind in OTHER_SINKS else "other")
            for k, technology in enumerate(TECHNOLOGY_KEYS):
                if mix_mwh[m, k] > 0:
                    traced[(technology, sink)] = traced.get((technology, sink), 0.0) + float(mix_mwh[m, k])

    via = {key: value for key, value in stored.items() if key[1].startswith(VIA_STORAGE)}
    stored = {key: value for key, value in stored.items() if key not in via}
    significant = {key for key, value in traced.items() if value > ROUNDING_MWH}
    assert significant <= set(stored)
    assert {sink for _, sink in stored} >= set(firm_devices.values())
    for key, value in stored.items():
        assert value == pytest.approx(traced[key], abs=ROUNDING_MWH), key

    # Independent of the tracer (Kirchhoff: what the sinks draw ≤ what is injected): gross tracing
    # gives each firm its demand plus a share of the losses, so its flows lie between its metered
    # demand and that demand plus all of the park's losses.
    demand_mwh: dict[str, float] = {}
    for snapshot in snapshots:
        for device, p_mw in zip(snapshot.withdrawals.device_id.tolist(), snapshot.withdrawals.p_mw.tolist(),
                                strict=True):
            if device in firm_devices:
                firm = firm_devices[device]
                demand_mwh[firm] = demand_mwh.get(firm, 0.0) + p_mw * snapshot.duration_h
    injected_mwh = sum(float(s.injections.p_mw.sum()) * s.duration_h for s in snapshots)
    withdrawn_mwh = sum(float(s.withdrawals.p_mw.sum()) * s.duration_h for s in snapshots)
    losses_mwh = injected_mwh - withdrawn_mwh
    assert 0 < losses_mwh < 0.05 * injected_mwh
    for firm, demand in demand_mwh.items():
        supplied = sum(value for (_, sink), value in stored.items() if sink == firm)
        assert demand - ROUNDING_MWH * len(TECHNOLOGY_KEYS) <= supplied <= demand + losses_mwh, firm
    assert withdrawn_mwh <= sum(stored.values()) <= injected_mwh + ROUNDING_MWH
    # What a battery delivered to a firm is part of that firm's energy, and all of it together is at most
    # what the battery discharged (Kirchhoff again, from the snapshots).
    discharged_mwh = sum(float(p) * s.duration_h for s in snapshots
                         for p, tech in zip(s.injections.p_mw.tolist(), s.injections.technology.tolist(), strict=True)
                         if tech == "storage")
    assert via and 0 < sum(via.values()) <= discharged_mwh + ROUNDING_MWH * len(via)
    for (technology, sink), value in via.items():
        assert value <= stored[(technology, sink.removeprefix(VIA_STORAGE))] + ROUNDING_MWH
