"""The auditor statement lists the account's storage discharge certificates: origin plant and interval, Wh, retired.

Hand figures: H2 generates 4 MWh with 25 % into the battery (1 MWh charged, 850,000 Wh deliverable
at 85 %); the battery then discharges 850,000 Wh, 60 % of it to LNG's loads: LNG holds 510,000 Wh of
H2's production interval, re-issued from storage.
"""

from __future__ import annotations

from datetime import UTC, datetime

from greenproof.api.usecases.periods import Period
from greenproof.api.usecases.retirement_statement import retirement_statement
from greenproof.ledger.batches import IntervalShares, build_batch
from greenproof.ledger.database import make_engine, make_session_factory, session_scope, upgrade
from greenproof.ledger.meters import MeterReading, ingest_readings
from greenproof.ledger.registry import register_firm, register_plant
from greenproof.ledger.storage_records import StorageFlow, register_storage

T0 = 1_740_787_200  # 2025-03-01T00:00Z
OPERATOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
LNG = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
BESS_OPERATOR = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"


def test_statement_lists_the_firms_storage_discharge_certificates() -> None:
    engine = make_engine("sqlite://")
    upgrade(engine)
    with session_scope(make_session_factory(engine)) as session:
        register_plant(session, code="H2", name_en="H2", technology="wind_offshore", capacity_mw=400.0,
                       renewable=True, operator_address=OPERATOR, device_id="sgen:1")
        register_firm(session, code="LNG", name_en="CNOOC Binhai LNG", address=LNG, device_ids=["load:lng"])
        register_storage(session, code="BESS", name_en="battery", efficiency_ppm=850_000,
                         operator_address=BESS_OPERATOR)
        ingest_readings(session, [MeterReading("H2", T0, 900, energy_wh=4_000_000),
                                  MeterReading("H2", T0 + 900, 900, energy_wh=0)])
        build_batch(session, period_start_s=T0, period_end_s=T0 + 1800, intervals=[
            IntervalShares(T0, {"H2": {"BESS": 0.25}}, storage={"BESS": StorageFlow(charged_wh=1_000_000)}),
            IntervalShares(T0 + 900, {}, storage={"BESS": StorageFlow(discharged_wh=850_000,
                                                                      discharge_shares={"LNG": 0.6})})])
        statement = retirement_statement(session, "LNG", Period(datetime(2025, 3, 1, tzinfo=UTC),
                                                                 datetime(2025, 3, 2, tzinfo=UTC)))
    engine.dispose()
    (record,) = statement.storage_records
    assert (record.storage_code, record.plant_code, record.technology) == ("BESS", "H2", "wind_offshore")
    assert record.origin_start == datetime(2025, 3, 1, tzinfo=UTC) and record.origin_s == 900
    assert (record.amount_wh, record.retired_wh) == (510_000, 0)
    assert statement.retired_wh == 0  # nothing retired yet: listed, not counted as retired
