"""Monthly whole-MWh roll-up with carry-over, and the two-year GEC validity, against hand-computed numbers."""

from __future__ import annotations

from datetime import UTC, datetime

from ledger_park import Park, record_period
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from greenproof.ledger.batches import build_batch
from greenproof.ledger.certificate_status import certificate_status, expires_at, production_month
from greenproof.ledger.database import session_scope
from greenproof.ledger.gec_rollup import GecMonth, gec_rollup, roll_up
from greenproof.ledger.models import IssuanceBatch


def test_roll_up_carries_the_sub_mwh_remainder_to_the_next_month() -> None:
    # By hand: Jan 2.4 MWh -> 2 GEC, carry 0.4; Feb 0.4 + 0.7 -> 1, carry 0.1; Mar (nothing) 0.1 -> 0, carry 0.1;
    # Apr 0.1 + 1.95 -> 2, carry 0.05. 5.05 MWh issued = 5 GEC + 0.05 MWh still carried.
    rows = roll_up("H1", {(2025, 1): 2_400_000, (2025, 2): 700_000, (2025, 4): 1_950_000})
    assert rows == [
        GecMonth("H1", 2025, 1, 2_400_000, 0, 2, 400_000),
        GecMonth("H1", 2025, 2, 700_000, 400_000, 1, 100_000),
        GecMonth("H1", 2025, 3, 0, 100_000, 0, 100_000),
        GecMonth("H1", 2025, 4, 1_950_000, 100_000, 2, 50_000),
    ]


def test_roll_up_crosses_the_year_end() -> None:
    rows = roll_up("H1", {(2024, 12): 999_999, (2025, 1): 1})
    assert [(r.year, r.month, r.gec_mwh, r.carried_out_wh) for r in rows] == [(2024, 12, 0, 999_999), (2025, 1, 1, 0)]


def test_gec_rollup_reads_confirmed_batches_in_china_time(factory: sessionmaker[Session], park: Park) -> None:
    # Two intervals from 2025-01-31T15:30Z: 15:30 and 15:45 UTC are 23:30 and 23:45 on 31 January in
    # Shanghai; the next two (16:00, 16:15 UTC) are already February. Wind plants meter
    # (i + 1) * 1 000 003 Wh: January 1 000 003 + 2 000 006 = 3 000 009 Wh -> 3 MWh, carry 9 Wh;
    # February 3 000 009 + 4 000 012 + 9 = 7 000 030 Wh -> 7 MWh, carry 30 Wh.
    start = int(datetime(2025, 1, 31, 15, 30, tzinfo=UTC).timestamp())
    with session_scope(factory) as session:
        intervals = record_period(session, start, 4, pv_dark=True)
        build_batch(session, period_start_s=start, period_end_s=start + 3600, intervals=intervals)
    with factory() as session:
        assert gec_rollup(session) == []  # pending batches have issued nothing yet
    with session_scope(factory) as session:
        session.execute(update(IssuanceBatch).values(state="confirmed"))
    with factory() as session:
        rows = gec_rollup(session, plant_codes=["H1"])
    assert rows == [GecMonth("H1", 2025, 1, 3_000_009, 0, 3, 9), GecMonth("H1", 2025, 2, 7_000_021, 9, 7, 30)]


def test_production_month_and_expiry_follow_china_time() -> None:
    # 2025-01-31T16:00Z = 2025-02-01T00:00+08:00: production month February; expires 2027-02-01T00:00+08:00.
    start = int(datetime(2025, 1, 31, 16, tzinfo=UTC).timestamp())
    assert production_month(start) == (2025, 2)
    assert production_month(start, "UTC") == (2025, 1)
    assert expires_at(start) == datetime(2027, 1, 31, 16, tzinfo=UTC)
    assert expires_at(start, validity_months=1, tz="UTC") == datetime(2025, 2, 1, tzinfo=UTC)


def test_status_is_retired_then_expired_then_active() -> None:
    start = int(datetime(2025, 3, 10, tzinfo=UTC).timestamp())
    before, after = datetime(2027, 2, 28, 15, 59, tzinfo=UTC), datetime(2027, 2, 28, 16, tzinfo=UTC)
    assert certificate_status(amount_wh=10, retired_wh=10, interval_start_s=start, now=after) == "retired"
    assert certificate_status(amount_wh=10, retired_wh=9, interval_start_s=start, now=after) == "expired"
    assert certificate_status(amount_wh=10, retired_wh=9, interval_start_s=start, now=before) == "active"
