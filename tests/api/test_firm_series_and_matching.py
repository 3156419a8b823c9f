"""Renewable shares aggregate energy-weighted in park time; hourly matching caps each hour by its own certificates.

Expected values are computed by hand in each test from the rows it stores.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from api_harness import Keys
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from greenproof.api import ApiSettings
from greenproof.api.usecases.park_setup import register_park
from greenproof.ledger.batches import IntervalShares, build_batch
from greenproof.ledger.database import make_engine, make_session_factory
from greenproof.ledger.meters import MeterReading, ingest_readings
from greenproof.ledger.models import BatchState, FirmIntervalResult

ISSUER_KEY = "0x" + "42" * 32


def _s(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


@pytest.fixture
def session(client: TestClient, settings: ApiSettings) -> Iterator[Session]:
    """A session on the app's (migrated) database with the Binhai park registered."""
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as db:
        register_park(db, ISSUER_KEY)
        db.commit()
        yield db
    engine.dispose()


def _result(start: str, consumption_wh: int, renewable_wh: int, emissions_kg: float = 0.0) -> FirmIntervalResult:
    return FirmIntervalResult(firm_code="GH2", interval_start_s=_s(start), interval_s=900,
                              consumption_wh=consumption_wh, renewable_wh=renewable_wh, emissions_kg=emissions_kg)


def test_days_and_months_are_counted_in_park_time(client: TestClient, keys: Keys, session: Session) -> None:
    # 2025-01-31T15:45Z is 23:45 on 31 January in Yancheng (UTC+8); 16:00Z is already 1 February.
    session.add_all([_result("2025-01-31T15:45:00+00:00", 1000, 250, 0.5),
                     _result("2025-01-31T16:00:00+00:00", 3000, 3000),
                     _result("2025-01-31T16:15:00+00:00", 1000, 0, 1.0)])
    session.commit()
    period = {"start": "2025-01-30T16:00:00Z", "end": "2025-02-02T16:00:00Z"}
    for resolution, expected_starts in (("day", ["2025-01-30T16:00:00Z", "2025-01-31T16:00:00Z"]),
                                        ("month", ["2024-12-31T16:00:00Z", "2025-01-31T16:00:00Z"])):
        body = client.get("/firms/GH2/renewable-share", headers=keys.of("firm"),
                          params={**period, "resolution": resolution}).json()
        assert [p["start"] for p in body["points"]] == expected_starts
        assert [p["renewable_share"] for p in body["points"]] == [0.25, 0.75]
        # Energy-weighted over the period: 3250 / 5000, not the mean of the two shares (0.5).
        assert body["renewable_share"] == pytest.approx(0.65)
    day = client.get("/firms/GH2/renewable-share", headers=keys.of("firm"),
                     params={**period, "resolution": "day"}).json()["points"]
    # kg CO2 per kWh = tCO2/MWh: 0.5 kg / 1 kWh, then 1.0 kg / 4 kWh.
    assert [p["carbon_intensity_t_per_mwh"] for p in day] == [pytest.approx(0.5), pytest.approx(0.25)]


def test_hourly_matching_never_carries_surplus_between_hours(client: TestClient, keys: Keys,
                                                             session: Session) -> None:
    start = _s("2025-06-20T16:00:00+00:00")
    readings = [MeterReading(code, start + k * 900, 900, energy_wh=1_000_000 if code == "H1" else 0)
                for k in range(2) for code in ("H1", "H2", "H3", "PV147")]
    ingest_readings(session, readings)
    batch = build_batch(session, period_start_s=start, period_end_s=start + 1800, intervals=[
        IntervalShares(start, {"H1": {"GH2": 0.5}}), IntervalShares(start + 900, {"H1": {"GH2": 0.25}})])
    batch.state = BatchState.CONFIRMED
    session.add_all([_result("2025-06-20T16:00:00+00:00", 400_000, 0),
                     _result("2025-06-20T16:15:00+00:00", 600_000, 0),
                     _result("2025-06-20T17:00:00+00:00", 200_000, 0)])
    session.commit()
    body = client.get("/firms/GH2/hourly-matching", headers=keys.of("exporter"),
                      params={"start": "2025-06-20T16:00:00Z", "end": "2025-06-20T18:00:00Z"}).json()
    # 16:00 hour: 1,000,000 Wh consumed, 500,000 + 250,000 Wh of certificates; 17:00 hour: none.
    assert [(h["consumption_wh"], h["certificates_wh"], h["matched_wh"]) for h in body["hours"]] == [
        (1_000_000, 750_000, 750_000), (200_000, 0, 0)]
    assert body["score"] == pytest.approx(750_000 / 1_200_000)


def test_quarter_hour_series_is_bounded(client: TestClient, keys: Keys, session: Session) -> None:
    response = client.get("/firms/GH2/renewable-share", headers=keys.of("auditor"), params={
        "start": "2025-01-01T00:00:00Z", "end": "2025-03-01T00:00:00Z", "resolution": "15min"})
    assert response.status_code == 422
    assert "31 days" in response.json()["detail"]


def test_unknown_firm_is_404(client: TestClient, keys: Keys, session: Session) -> None:
    response = client.get("/firms/NOPE/balance", headers=keys.of("auditor"))
    assert response.status_code == 404
    assert "'NOPE'" in response.json()["detail"]



@given(interval_start_s=st.integers(min_value=946_684_800, max_value=4_102_444_800),
       now_s=st.integers(min_value=946_684_800, max_value=4_102_444_800), validity_months=st.integers(1, 60),
       tz=st.sampled_from(["Asia/Shanghai", "UTC", "America/New_York", "Pacific/Kiritimati"]))
def test_expiry_cutoff_agrees_with_each_certificates_own_expiry(interval_start_s: int, now_s: int,
                                                                validity_months: int, tz: str) -> None:
    """The grouped balance query's one cutoff gives each certificate the status of the ledger's rule."""
    from greenproof.api.usecases.certificate_queries import expired_before_s
    from greenproof.ledger.certificate_status import expires_at
    from greenproof.ledger.settings import LedgerSettings

    rule = LedgerSettings(validity_months=validity_months, production_month_tz=tz)
    now = datetime.fromtimestamp(now_s, UTC)
    expired = now >= expires_at(interval_start_s, validity_months, tz)
    assert (interval_start_s < expired_before_s(now, rule)) == expired
