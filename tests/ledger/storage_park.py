"""The test park's battery and one hand-computed storage day, shared by the storage tests."""

from __future__ import annotations

from ledger_park import FIRM_ADDRESSES, register_park
from sqlalchemy.orm import Session

from greenproof.ledger.batches import IntervalShares
from greenproof.ledger.meters import MeterReading, ingest_readings
from greenproof.ledger.storage_records import StorageFlow, register_storage

T0 = 1_740_787_200  # 2025-03-01T00:00:00Z
BESS_OPERATOR = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"  # Anvil dev account 5
LNG = FIRM_ADDRESSES["LNG"]


def register_storage_park(session: Session, rule: str = "fifo") -> None:
    """The ledger test park plus ``BESS`` (storage #1, 85 % round trip, ``rule``)."""
    register_park(session)
    register_storage(session, code="BESS", name_en="Three Gorges grid-side storage", efficiency_ppm=850_000,
                     operator_address=BESS_OPERATOR, device_id="storage:BESS", allocation_rule=rule)


def record_readings(session: Session, start: int, wh: dict[str, list[int]]) -> None:
    """Store meter readings ``{plant: [Wh per interval]}`` from ``start``."""
    ingest_readings(session, [MeterReading(code, start + 900 * i, 900, energy_wh=v)
                              for code, values in wh.items() for i, v in enumerate(values)])


def storage_day(session: Session) -> list[IntervalShares]:
    """Three intervals: H2 charges 1 MWh, then PV 1 MWh plus 1 MWh without certificate, then a 1.275 MWh discharge.

    H2 generates 4 MWh with 25 % into the battery; PV 2 MWh with 50 %; the battery's charge meter
    reads 2 MWh in the second interval (1 MWh of it from no certified source); 60 % of the
    discharge reaches LNG's loads.
    """
    record_readings(session, T0, {"H1": [0, 0, 0], "H2": [4_000_000, 0, 0], "H3": [0, 0, 0],
                                  "PV": [0, 2_000_000, 0]})
    return [
        IntervalShares(T0, {"H2": {"BESS": 0.25}}, storage={"BESS": StorageFlow(charged_wh=1_000_000)}),
        IntervalShares(T0 + 900, {"PV": {"BESS": 0.5}}, storage={"BESS": StorageFlow(charged_wh=2_000_000)}),
        IntervalShares(T0 + 1800, {}, storage={"BESS": StorageFlow(discharged_wh=1_275_000,
                                                                   discharge_shares={"LNG": 0.6})}),
    ]
