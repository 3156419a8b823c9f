"""Input the service must refuse, with 422 naming the field: control and bidi characters, loose JSON types, dates
outside 2000–2099 (the JSON API and the meter CSV alike); empty periods are allowed, as the schema says.

Bodies are written here as plain dicts and CSV text, not built with the app's models.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_harness import FIRM, SHIPMENT, Keys, make_keys, schema_valid_record
from fastapi.testclient import TestClient

from greenproof.api import ApiSettings, create_app
from greenproof.api.usecases.park_setup import register_park
from greenproof.ledger.database import session_scope

#: Characters that reorder or break displayed text, or fail on PostgreSQL (NUL).
REFUSED = ["\x00", "\r", "\n", "\t", "\x1b", "\x7f", "\x85", "\u2028", "\u202a", "\u202b", "\u202c", "\u202d",
           "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.fixture(scope="module")
def app_settings(tmp_path_factory: pytest.TempPathFactory) -> ApiSettings:
    workdir = tmp_path_factory.mktemp("refusals")
    return ApiSettings(database_url=f"sqlite:///{workdir / 'ledger.sqlite'}", key_file=workdir / "keys.json",
                       public_verify_rate_limit="1000/minute")


@pytest.fixture(scope="module")
def keys(app_settings: ApiSettings) -> Keys:
    return make_keys(app_settings.key_file)


@pytest.fixture(scope="module")
def client(app_settings: ApiSettings) -> Iterator[TestClient]:
    """One app for the module, with the park's plants and firms registered."""
    app = create_app(app_settings)
    with session_scope(app.state.greenproof.session_factory) as session:
        register_park(session, "0x" + "11" * 32)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _retirement(**shipment: Any) -> dict[str, Any]:
    return {"shipment": {**SHIPMENT, **shipment},
            "consumption_start": "2025-06-01T16:00:00Z", "consumption_end": "2025-06-02T16:00:00Z"}


def _issues(response: Any) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [issue["loc"] for issue in response.json()["errors"]]


@pytest.mark.parametrize("char", REFUSED)
@pytest.mark.parametrize("field", ["shipment_id", "product", "destination", "quantity_unit"])
def test_control_and_bidi_characters_in_a_shipment_are_422(client: TestClient, keys: Keys, field: str,
                                                           char: str) -> None:
    body = _retirement(**{field: f"BL{char}2025"})
    loc = _issues(client.post("/exporter/retirements", json=body, headers=keys.of("exporter")))
    assert loc == [["body", "shipment", field]]


@pytest.mark.parametrize("char", ["\x00", "\r\n", "\u202e", "\u2067"])
def test_beneficiary_purpose_and_meter_source_refuse_them_too(client: TestClient, keys: Keys, char: str) -> None:
    for field in ("beneficiary", "purpose"):
        body = {**_retirement(), field: f"Buyer{char}BV"}
        assert _issues(client.post("/exporter/retirements", json=body, headers=keys.of("exporter"))) == [
            ["body", field]]
        detail = client.post("/exporter/retirements", json=body, headers=keys.of("exporter")).json()["detail"]
        assert f"U+{ord(char[0]):04X}" in detail
    reading = {"plant_code": "H2", "interval_start": "2025-06-01T16:00:00Z", "energy_wh": 5, "source": f"m{char}"}
    assert _issues(client.post("/park/meter-readings", json={"readings": [reading]}, headers=keys.of("operator"))) == [
        ["body", "readings", 0, "source"]]


@pytest.mark.parametrize(("path", "value"), [
    ("claim.shipment.product", "meth\u202eanol"), ("claim.beneficiary", "Buyer\x00"),
    ("claim.shipment.shipment_id", "BL\n1"), ("verify_url", "https://x/\r\nSet-Cookie: a=b"),
    ("lines.0.leaf.plant_code", "H2\u2066"),
])
def test_a_submitted_record_with_hidden_characters_is_422(client: TestClient, path: str, value: str) -> None:
    loc = _issues(client.post("/public/verify", json=schema_valid_record(**{path: value})))
    assert loc == [["body", *(int(p) if p.isdigit() else p for p in path.split("."))]]


@pytest.mark.parametrize(("path", "value"), [
    ("lines.0.block_number", False), ("lines.0.block_number", "7"), ("lines.0.block_number", 7.5),
    ("retired_wh", True), ("claim.chain_id", "31337"), ("claim.shipment.quantity", True),
    ("claim.shipment.embedded_electricity_mwh", "1.5"), ("lines.0.leaf.amount_wh", False),
    ("claim.consumption_start_s", 0), ("claim.consumption_end_s", 253_402_300_800),  # years 1970 and 10000
])
def test_json_types_are_strict(client: TestClient, path: str, value: Any) -> None:
    loc = _issues(client.post("/public/verify", json=schema_valid_record(**{path: value})))
    assert loc[0] == ["body", *(int(p) if p.isdigit() else p for p in path.split("."))]


def test_a_schema_valid_record_passes_validation(client: TestClient) -> None:
    response = client.post("/public/verify", json=schema_valid_record())
    assert response.status_code == 503  # validated; no chain is configured here to verify it against


def test_simulated_meters_must_be_a_boolean(client: TestClient, keys: Keys) -> None:
    body = {"start": "2025-06-01T16:00:00Z", "end": "2025-06-01T17:00:00Z", "simulated_meters": 1}
    assert _issues(client.post("/park/attribution-runs", json=body, headers=keys.of("operator"))) == [
        ["body", "simulated_meters"]]


#: interval_start → accepted by the JSON API? The written year must be 2000 .. 2099.
STARTS = {"0001-01-01T00:00:00Z": False, "1999-12-31T23:45:00Z": False, "2000-01-01T00:00:00Z": True,
          "2031-03-01T00:00:00Z": True, "2099-12-31T23:45:00Z": True, "2100-01-01T00:00:00Z": False,
          "9999-12-31T23:45:00Z": False}


@pytest.mark.parametrize(("start", "accepted"), STARTS.items())
def test_meter_csv_and_json_accept_the_same_dates(client: TestClient, keys: Keys, start: str, accepted: bool) -> None:
    headers = keys.of("operator")
    as_json = client.post("/park/meter-readings", headers=headers,
                          json={"readings": [{"plant_code": "H2", "interval_start": start, "energy_wh": 1000}]})
    csv_text = f"plant_code,interval_start,energy_wh\nH2,{start},1000\n"
    as_csv = client.post("/park/meter-readings/csv", headers=headers,
                         files={"file": ("meters.csv", csv_text.encode(), "text/csv")})
    for response in (as_json, as_csv):
        assert (response.status_code == 200) is accepted, (start, response.text)
        if not accepted:
            assert response.status_code == 422 and "2000-01-01 .. 2099-12-31" in response.json()["detail"]
    if not accepted:
        assert "CSV line 2" in as_csv.json()["detail"]


def test_unix_seconds_and_loose_timestamps_are_not_instants(client: TestClient, keys: Keys) -> None:
    for start in ("1748793600", "2025-06-01 16:00:00Z", "2025-06-01T16:00:00", 1_748_793_600):
        reading = {"plant_code": "H2", "interval_start": start, "energy_wh": 1}
        assert _issues(client.post("/park/meter-readings", json={"readings": [reading]},
                                   headers=keys.of("operator"))) == [["body", "readings", 0, "interval_start"]]


def test_an_empty_period_is_a_valid_period(client: TestClient, keys: Keys) -> None:
    moment = "2025-06-01T16:00:00Z"
    matching = client.get(f"/firms/{FIRM}/hourly-matching", params={"start": moment, "end": moment},
                          headers=keys.of("firm"))
    assert matching.status_code == 200
    assert matching.json()["score"] is None and matching.json()["hours"] == []
    reversed_ = client.get(f"/firms/{FIRM}/hourly-matching", headers=keys.of("firm"),
                           params={"start": moment, "end": "2025-06-01T15:45:00Z"})
    assert reversed_.status_code == 422


def test_the_schema_documents_what_validation_accepts(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    shipment = schemas["ShipmentCreate"]["properties"]
    assert "\\u202e" in shipment["product"]["pattern"] or "\\u202a-\\u202e" in shipment["product"]["pattern"]
    run = schemas["AttributionRunCreate"]["properties"]
    assert run["start"]["pattern"].startswith("^20[0-9]{2}-")
    assert run["simulated_meters"]["type"] == "boolean"


def test_every_constraint_is_stated_in_json_schema_terms(client: TestClient) -> None:
    """A pydantic bound that reaches the schema as a raw ``ge``/``le`` is one no client or fuzzer can read."""
    raw: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            raw.extend(f"{path}/{key}" for key, value in node.items()
                       if key in ("ge", "gt", "le", "lt") and not isinstance(value, dict))
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")

    walk(client.get("/openapi.json").json(), "")
    assert raw == []
