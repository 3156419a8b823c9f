"""Meter uploads (JSON and CSV) are validated by the ledger, all-or-nothing and idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from api_harness import Keys
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from greenproof.api import ApiSettings
from greenproof.api.usecases.meter_upload import readings_from_csv, readings_to_csv
from greenproof.ledger.database import make_engine, make_session_factory
from greenproof.ledger.errors import MeterDataError
from greenproof.ledger.meters import MeterReading
from greenproof.ledger.models import MeterReadingRow

T0 = "2025-06-20T16:00:00Z"



def _count(settings: ApiSettings) -> int:
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        count = session.scalar(select(func.count()).select_from(MeterReadingRow)) or 0
    engine.dispose()
    return count


def test_json_upload_is_idempotent(client: TestClient, keys: Keys, registered: ApiSettings) -> None:
    body = {"readings": [{"plant_code": "H1", "interval_start": T0, "energy_mwh": 12.5},
                         {"plant_code": "PV147", "interval_start": T0, "energy_wh": 0}]}
    first = client.post("/park/meter-readings", json=body, headers=keys.of("operator"))
    again = client.post("/park/meter-readings", json=body, headers=keys.of("operator"))
    assert first.json() == {"inserted": 2, "unchanged": 0}
    assert again.json() == {"inserted": 0, "unchanged": 2}
    assert _count(registered) == 2


def test_conflicting_upload_writes_nothing(client: TestClient, keys: Keys, registered: ApiSettings) -> None:
    client.post("/park/meter-readings", headers=keys.of("operator"),
                json={"readings": [{"plant_code": "H1", "interval_start": T0, "energy_wh": 100}]})
    csv = (f"plant_code,interval_start,energy_wh\nH2,{T0},5\nH1,{T0},101\n").encode()
    response = client.post("/park/meter-readings/csv", headers=keys.of("operator"), files={"file": ("m.csv", csv)})
    assert response.status_code == 422
    assert "101 Wh differs from the stored 100 Wh" in response.json()["detail"]
    assert _count(registered) == 1  # the valid H2 row of the failed upload was not written either


def test_reading_above_capacity_is_refused(client: TestClient, keys: Keys, registered: ApiSettings) -> None:
    # H1 is 100 MW: at most 25 MWh in 15 minutes.
    response = client.post("/park/meter-readings", headers=keys.of("operator"),
                           json={"readings": [{"plant_code": "H1", "interval_start": T0, "energy_mwh": 25.000001}]})
    assert response.status_code == 422
    assert "exceeds capacity" in response.json()["detail"]


def test_csv_round_trip_keeps_every_field() -> None:
    readings = [MeterReading("H1", 1750435200, 900, energy_wh=123456789, source="scada"),
                MeterReading("PV147", 1750436100, 900, energy_wh=0, source="meter")]
    parsed = readings_from_csv(readings_to_csv(readings))
    assert [(r.plant_code, int(r.interval_start.timestamp()), r.interval_s, r.energy_wh, r.source)  # type: ignore[union-attr]
            for r in parsed] == [("H1", 1750435200, 900, 123456789, "scada"), ("PV147", 1750436100, 900, 0, "meter")]
    assert parsed[0].interval_start == datetime(2025, 6, 20, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "message"), [
    ("plant,interval_start,energy_wh\nH1,2025-06-20T16:00Z,1\n", "lacks"),
    ("plant_code,interval_start\nH1,2025-06-20T16:00Z\n", "energy_wh or energy_mwh"),
    ("plant_code,interval_start,energy_wh,colour\nH1,2025-06-20T16:00Z,1,red\n", "unknown columns"),
    ("plant_code,interval_start,energy_wh\nH1,yesterday,1\n", "CSV line 2: interval_start 'yesterday'"),
    ("plant_code,interval_start,energy_wh\nH1,2025-06-20T16:00Z,1\nH1,2025-06-20T16:15Z,x\n",
     "CSV line 3: energy_wh 'x'"),
    ("plant_code,interval_start,energy_wh\nH1,2025-06-20T16:00Z,1,9\n", "CSV line 2: more fields"),
])
def test_malformed_csv_names_the_line_or_column(text: str, message: str) -> None:
    with pytest.raises(MeterDataError, match=message):
        readings_from_csv(text)


def test_csv_parser_errors_become_meter_data_errors() -> None:
    # Found by the schemathesis run: the csv module's own errors must not escape as a 500.
    oversized = "plant_code,interval_start,energy_wh\nH1," + "9" * 200_000 + ",1\n"
    with pytest.raises(MeterDataError, match="CSV line"):
        readings_from_csv(oversized)
