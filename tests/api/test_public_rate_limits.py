"""Anonymous callers are rate-limited per client address on the public endpoints (429 with Retry-After);
key holders are not; the work of one verification is capped before the chain is read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_harness import FIRM, Keys, make_keys, schema_valid_record
from fastapi import FastAPI
from fastapi.testclient import TestClient

from greenproof.api import ApiSettings, ProvenanceRecordError, create_app
from greenproof.api.usecases.provenance_verify import MAX_EVENT_READS, MAX_RECORD_BATCHES, check_chain_work
from greenproof.api.usecases.schemas import ProvenanceRecord
from greenproof.api.usecases.schemas.provenance import MAX_SUBMITTED_LINES

DEEP = b"[" * 100_000 + b"]" * 100_000
HASH = "0x" + "ab" * 32


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[tuple[FastAPI, Keys]]:
    settings = ApiSettings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite'}", key_file=tmp_path / "keys.json",
                           public_verify_rate_limit="3/minute", public_rate_limit="5/minute")
    keys = make_keys(settings.key_file)
    yield create_app(settings), keys


def _client(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, client=(address, 40000))


def _retry_after(response: object) -> int:
    value = int(response.headers["retry-after"])  # type: ignore[attr-defined]
    assert 1 <= value <= 60
    return value


def test_verifications_over_the_limit_are_429_before_the_body_is_read(limited: tuple[FastAPI, Keys]) -> None:
    app, _ = limited
    with _client(app, "203.0.113.7") as buyer:
        statuses = [buyer.post("/public/verify", json={}).status_code for _ in range(3)]
        assert statuses == [422, 422, 422]
        refused = buyer.post("/public/verify", content=DEEP, headers={"content-type": "application/json"})
        assert refused.status_code == 429  # not 400: the deep body was never looked at
        assert refused.headers["content-type"] == "application/problem+json"
        _retry_after(refused)
        page = buyer.post("/ui/verify", data={"record_json": "{}"})
        assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
        _retry_after(page)
    with _client(app, "203.0.113.8") as neighbour:  # another address has its own window
        assert neighbour.post("/public/verify", json={}).status_code == 422


def test_reads_and_sign_in_attempts_are_limited_apart(limited: tuple[FastAPI, Keys]) -> None:
    app, keys = limited
    with _client(app, "198.51.100.4") as guesser:
        reads = [guesser.get(f"/public/records/{HASH}").status_code for _ in range(6)]
        assert reads == [404] * 5 + [429]
        attempts = [guesser.post("/ui/session", data={"api_key": "gp_000000000000_guess"},
                                 headers={"Origin": "http://testserver"}).status_code for _ in range(4)]
        assert attempts == [401, 401, 401, 429]
        # A key holder's API calls are not counted: the caps of the key's role apply instead.
        assert {guesser.get(f"/firms/{FIRM}/balance", headers=keys.of("firm")).status_code for _ in range(20)} == {404}


def _lines(count: int, batches: int, block_step: int) -> ProvenanceRecord:
    record = schema_valid_record()
    line = record["lines"][0]
    record["lines"] = [{**line, "line": i, "batch_id": f"0x{i % batches:064x}", "block_number": 7 + i * block_step}
                       for i in range(count)]
    return ProvenanceRecord.model_validate(record)


def test_chain_work_of_one_verification_is_capped() -> None:
    check_chain_work(_lines(MAX_SUBMITTED_LINES, MAX_RECORD_BATCHES, 1))  # within every cap
    with pytest.raises(ProvenanceRecordError, match=f"names {MAX_RECORD_BATCHES + 1} batches"):
        check_chain_work(_lines(MAX_RECORD_BATCHES + 1, MAX_RECORD_BATCHES + 1, 1))
    with pytest.raises(ProvenanceRecordError, match=f"{MAX_EVENT_READS + 1} separate ranges"):
        check_chain_work(_lines(MAX_EVENT_READS + 1, 1, 17))  # blocks 17 apart: one event query each


def test_a_submitted_record_has_at_most_the_documented_lines(limited: tuple[FastAPI, Keys]) -> None:
    app, _ = limited
    record = schema_valid_record()
    record["lines"] = record["lines"] * (MAX_SUBMITTED_LINES + 1)
    with _client(app, "192.0.2.1") as caller:
        response = caller.post("/public/verify", json=record)
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["body", "lines"]
        schema = caller.get("/openapi.json").json()["components"]["schemas"]["SubmittedRecord"]
        assert schema["properties"]["lines"]["maxItems"] == MAX_SUBMITTED_LINES
