"""Each role reaches exactly its endpoints: no key → 401, a valid key of another role (or firm) → 403."""

from __future__ import annotations

from typing import Any

import pytest
from api_harness import FIRM, Keys
from fastapi.testclient import TestClient

ROLES = ("operator", "firm", "other_firm", "auditor", "exporter")
HASH = "0x" + "ab" * 32
DAY = {"start": "2025-06-20T16:00:00Z", "end": "2025-06-21T16:00:00Z"}
READING = {"plant_code": "H1", "interval_start": "2025-06-20T16:00:00Z", "energy_wh": 1}
SHIPMENT = {"shipment_id": "BL-1", "product": "green ammonia", "quantity": 10, "quantity_unit": "t",
            "destination": "Rotterdam", "embedded_electricity_mwh": 1.0}

# (method, path, request kwargs, roles allowed)
ENDPOINTS: list[tuple[str, str, dict[str, Any], set[str]]] = [
    ("POST", "/park/meter-readings", {"json": {"readings": [READING]}}, {"operator"}),
    ("POST", "/park/meter-readings/csv",
     {"files": {"file": ("m.csv", b"plant_code,interval_start,energy_wh\nH1,2025-06-20T16:00:00Z,1\n")}},
     {"operator"}),
    ("POST", "/park/registry", {}, {"operator"}),
    ("POST", "/park/attribution-runs", {"json": DAY}, {"operator"}),
    ("POST", "/park/issuance", {}, {"operator"}),
    ("GET", "/park/batches", {}, {"operator"}),
    ("GET", "/park/renewable-shares", {"params": DAY}, {"operator"}),
    ("GET", "/park/carbon-intensity", {"params": {"interval_start": "2025-06-21T04:00:00Z"}}, {"operator"}),
    ("GET", f"/firms/{FIRM}/certificates", {}, {"firm", "exporter", "auditor"}),
    ("GET", f"/firms/{FIRM}/balance", {}, {"firm", "exporter", "auditor"}),
    ("GET", f"/firms/{FIRM}/hourly-matching", {"params": DAY}, {"firm", "exporter", "auditor"}),
    ("GET", f"/firms/{FIRM}/renewable-share", {"params": DAY}, {"firm", "exporter", "auditor"}),
    ("GET", "/auditor/certificates", {}, {"auditor"}),
    ("GET", f"/auditor/evidence/{HASH}", {}, {"auditor"}),
    ("GET", f"/auditor/verify/{HASH}", {}, {"auditor"}),
    ("GET", f"/auditor/batches/{HASH}/leaf-file", {}, {"auditor"}),
    ("GET", f"/auditor/retirement-statements/{FIRM}", {"params": DAY}, {"auditor"}),
    ("GET", f"/auditor/retirement-statements/{FIRM}/pdf", {"params": DAY}, {"auditor"}),
    ("POST", "/exporter/retirements",
     {"json": {"shipment": SHIPMENT, "consumption_start": DAY["start"], "consumption_end": DAY["end"]}},
     {"exporter"}),
    ("POST", f"/firms/{FIRM}/claims", {"json": {"leaf_hash": HASH}}, {"firm"}),  # exporters retire, never claim
    ("GET", f"/exporter/retirements/{HASH}", {}, {"exporter"}),
    ("GET", f"/exporter/retirements/{HASH}/pdf", {}, {"exporter"}),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "allowed"), ENDPOINTS,
                         ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS])
def test_roles_reach_only_their_endpoints(client: TestClient, keys: Keys, method: str, path: str,
                                          kwargs: dict[str, Any], allowed: set[str]) -> None:
    anonymous = client.request(method, path, **kwargs)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    for role in ROLES:
        response = client.request(method, path, headers=keys.of(role), **kwargs)
        if role in allowed:
            assert response.status_code not in (401, 403), (role, response.json())
        else:
            assert response.status_code == 403, (role, response.status_code)
            assert response.headers["content-type"] == "application/problem+json"


def test_x_api_key_header_authenticates_like_bearer(client: TestClient, keys: Keys) -> None:
    assert client.get("/auditor/certificates", headers={"X-API-Key": keys.auditor}).status_code == 200
    assert client.get("/auditor/certificates", headers={"X-API-Key": keys.firm}).status_code == 403


def test_revoked_or_forged_key_is_401(client: TestClient, keys: Keys) -> None:
    forged = keys.auditor[:-3] + "xyz"
    response = client.get("/auditor/certificates", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert forged.split("_", 2)[2] not in response.text  # the secret is never echoed


def test_firm_key_cannot_read_another_firm(client: TestClient, keys: Keys) -> None:
    response = client.get(f"/firms/{FIRM}/certificates", headers=keys.of("other_firm"))
    assert response.status_code == 403
    assert FIRM in response.json()["detail"]


def test_public_verify_needs_no_key(client: TestClient) -> None:
    response = client.get(f"/public/verify/{HASH}")
    assert response.status_code == 404
    assert response.json()["detail"] == f"no provenance record with claim reference {HASH}"
