"""Every error is an RFC 7807 problem document (application/problem+json) naming the offending input."""

from __future__ import annotations

from typing import Any

import pytest
from api_harness import Keys
from fastapi.testclient import TestClient
from httpx import Response

from greenproof.api.http.problem_details import status_of
from greenproof.api.usecases.errors import ApiError, ChainUnavailableError, NotFoundError
from greenproof.attribution.errors import GreenproofError, SnapshotError
from greenproof.contracts.errors import ChainError, ContractRevertError
from greenproof.grids import GridError
from greenproof.ledger.errors import ClaimRefReusedError, InsufficientCertificatesError, LedgerError, MeterDataError

RFC7807_MEMBERS = {"type", "title", "status", "detail", "instance"}


def _problem(response: Response) -> dict[str, Any]:
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) >= RFC7807_MEMBERS
    assert body["status"] == response.status_code
    return body


def test_unknown_path_is_a_plain_404_problem(client: TestClient) -> None:
    body = _problem(client.get("/no/such/path"))
    assert body == {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "Not Found",
                    "instance": "/no/such/path"}


def test_wrong_method_is_a_405_problem(client: TestClient) -> None:
    assert _problem(client.delete("/health"))["status"] == 405


def test_validation_error_lists_every_field(client: TestClient, keys: Keys) -> None:
    response = client.get("/auditor/certificates", params={"limit": 0, "offset": -1}, headers=keys.of("auditor"))
    body = _problem(response)
    assert response.status_code == 422
    assert {tuple(issue["loc"]) for issue in body["errors"]} == {("query", "limit"), ("query", "offset")}
    assert body["detail"].startswith("query.")


def test_naive_timestamp_is_rejected_with_its_field(client: TestClient, keys: Keys) -> None:
    response = client.get("/firms/GH2/renewable-share", headers=keys.of("firm"),
                          params={"start": "2025-06-20T16:00:00", "end": "2025-06-21T16:00:00Z"})
    assert response.status_code == 422
    assert ["query", "start"] in [issue["loc"] for issue in _problem(response)["errors"]]


def test_reversed_period_is_a_domain_422(client: TestClient, keys: Keys) -> None:
    response = client.get("/firms/GH2/hourly-matching", headers=keys.of("firm"),
                          params={"start": "2025-06-21T16:00:00Z", "end": "2025-06-20T16:00:00Z"})
    body = _problem(response)
    assert response.status_code == 422
    assert body["type"] == "urn:greenproof:problem:InvalidPeriodError"
    assert "2025-06-20T16:00:00+00:00" in body["detail"]


def test_ledger_error_is_mapped_and_names_the_reading(client: TestClient, keys: Keys) -> None:
    response = client.post("/park/meter-readings", headers=keys.of("operator"), json={"readings": [
        {"plant_code": "NOPE", "interval_start": "2025-06-20T16:00:00Z", "energy_wh": 5}]})
    body = _problem(response)
    assert response.status_code == 422
    assert body["type"] == "urn:greenproof:problem:MeterDataError"
    assert "'NOPE' is not registered" in body["detail"]


def test_missing_chain_is_503(client: TestClient, keys: Keys) -> None:
    body = _problem(client.post("/park/issuance", headers=keys.of("operator")))
    assert body["status"] == 503
    assert "GREENPROOF_CHAIN_RPC_URL" in body["detail"]


@pytest.mark.parametrize(("error", "status"), [
    (NotFoundError("x"), 404),
    (ChainUnavailableError("x"), 503),
    (SnapshotError("x"), 422),
    (MeterDataError("x"), 422),
    (InsufficientCertificatesError("x"), 409),
    (ClaimRefReusedError("x"), 409),
    (ContractRevertError("GreenCertificateLeafAlreadyClaimed", ()), 409),
    (ChainError("x"), 502),
    (LedgerError("firm 'GH2' is already registered"), 409),
    (GridError("x"), 500),
    (ApiError("x"), 500),
    (GreenproofError("x"), 500),
])
def test_domain_errors_map_to_one_status_each(error: GreenproofError, status: int) -> None:
    assert status_of(error) == status


def test_every_documented_error_response_is_problem_json(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    documented = [(path, status, response) for path, item in schema["paths"].items() for operation in item.values()
                  for status, response in operation["responses"].items() if int(status) >= 400]
    assert documented
    for path, status, response in documented:
        assert list(response["content"]) == ["application/problem+json"], (path, status)
