"""Meter ingestion refuses bad rows by name, writes nothing on error, and is idempotent."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from ledger_park import Park
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from greenproof.ledger.database import session_scope
from greenproof.ledger.errors import MeterDataError
from greenproof.ledger.meters import MeterReading, ingest_readings
from greenproof.ledger.models import MeterReadingRow

T0 = datetime(2025, 3, 1, tzinfo=UTC)


def count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(MeterReadingRow)) or 0)


def good_rows() -> list[MeterReading]:
    return [MeterReading("H1", T0 + timedelta(minutes=15 * i), 900, energy_wh=1_000_000 + i) for i in range(4)]


def test_valid_readings_are_stored_in_whole_wh(factory: sessionmaker[Session], park: Park) -> None:
    with session_scope(factory) as session:
        report = ingest_readings(session, [*good_rows(), MeterReading("PV", T0, 900, energy_mwh=0.29)])
    assert (report.inserted, report.unchanged) == (5, 0)
    with factory() as session:
        pv = session.scalar(select(MeterReadingRow.energy_wh).where(MeterReadingRow.interval_s == 900,
                                                                    MeterReadingRow.energy_wh < 1_000_000))
    # 0.29 MWh is 290 000 Wh (decimal reading), not 289 999 from 0.29 * 1e6 = 289999.99999999994.
    assert pv == 290_000


def test_same_value_again_is_a_no_op(factory: sessionmaker[Session], park: Park) -> None:
    with session_scope(factory) as session:
        ingest_readings(session, good_rows())
    with session_scope(factory) as session:
        report = ingest_readings(session, [*good_rows(), *good_rows()])
    assert (report.inserted, report.unchanged) == (0, 4)
    assert count(factory) == 4


# H1 is 100 MW: 100 MW x 0.25 h = 25 000 000 Wh is the most one interval may hold.
BAD_ROWS = [
    (MeterReading("H1", T0, 900, energy_wh=-5), r"reading 4 .*'H1'.*-5 Wh is negative"),
    (MeterReading("H1", T0, 900, energy_mwh=math.nan), r"reading 4 .*nan MWh is not a finite number"),
    (MeterReading("NOPE", T0, 900, energy_wh=5), r"reading 4 .*plant 'NOPE' is not registered"),
    (MeterReading("H1", T0 + timedelta(hours=2), 900, energy_wh=25_000_001),
     r"reading 4 .*25000001 Wh exceeds capacity 100.0 MW × 900 s = 25000000 Wh"),
    (MeterReading("H1", T0 + timedelta(minutes=5), 900, energy_wh=5), r"reading 4 .*not on the 900 s grid"),
    (MeterReading("H1", T0 + timedelta(hours=2), 3600, energy_wh=5), r"reading 4 .*interval of 3600 s"),
    (MeterReading("H1", datetime(2025, 3, 1, 8), 900, energy_wh=5), r"reading 4 .*has no time zone"),
    (MeterReading("H1", datetime(2025, 3, 1, 8, tzinfo=timezone(timedelta(hours=8))), 900, energy_wh=5),
     r"reading 4 .*is not in UTC"),
    (MeterReading("H1", T0, 900, energy_wh=1_000_001), r"reading 4 .*conflicts with reading 0"),
    (MeterReading("H1", T0, 900, energy_wh=12.5), r"reading 4 .*not a whole number of Wh"),
    (MeterReading("H1", T0, 900), r"reading 4 .*exactly one of energy_wh and energy_mwh"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_ROWS)
def test_a_bad_row_names_itself_and_nothing_is_written(factory: sessionmaker[Session], park: Park,
                                                       bad: MeterReading, message: str) -> None:
    with pytest.raises(MeterDataError, match=message), session_scope(factory) as session:
        ingest_readings(session, [*good_rows(), bad])
    assert count(factory) == 0


def test_a_different_value_for_a_stored_interval_is_refused(factory: sessionmaker[Session], park: Park) -> None:
    with session_scope(factory) as session:
        ingest_readings(session, good_rows())
    changed = MeterReading("H1", T0 + timedelta(minutes=15), 900, energy_wh=7)
    new = MeterReading("H2", T0, 900, energy_wh=7)
    with (pytest.raises(MeterDataError, match=r"reading 1 .*7 Wh differs from the stored 1000001 Wh"),
          session_scope(factory) as session):
        ingest_readings(session, [new, changed])
    assert count(factory) == 4


def test_unix_seconds_and_capacity_boundary_are_accepted(factory: sessionmaker[Session], park: Park) -> None:
    with session_scope(factory) as session:
        report = ingest_readings(session, [MeterReading("H1", int(T0.timestamp()), 900, energy_wh=25_000_000)])
    assert report.inserted == 1
