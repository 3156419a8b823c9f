"""Certificate statuses are judged by the chain's block time, the wall clock only as a labelled fallback.

Reference: China GEC validity, two years from the production month (DESIGN.md): certificates of
21 June 2025 are active on a chain dated 1 July 2025 and expired on one dated 1 August 2027, whatever
the wall clock says; the response header names the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_harness import FIRM, Keys, make_keys
from fastapi.testclient import TestClient

from greenproof.api import ApiSettings, create_app
from greenproof.api.usecases.chain_probe import rpc_call
from greenproof.contracts.anvil import Anvil
from greenproof.contracts.client import ChainClient

PERIOD = {"start": "2025-06-21T02:00:00+00:00", "end": "2025-06-21T03:00:00+00:00"}
AUGUST_2027_S = 1_817_078_400  # 2027-08-01T00:00:00Z (date -u -d 2027-08-01 +%s)


@pytest.fixture
def park(tmp_path: Path, anvil: Anvil, fresh_chain: ChainClient) -> Iterator[tuple[TestClient, Keys]]:
    settings = ApiSettings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite'}", key_file=tmp_path / "keys.json",
                           chain_rpc_url=anvil.rpc_url, contract_address=fresh_chain.address,
                           issuer_key=anvil.private_keys[0])
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client, make_keys(settings.key_file)


@pytest.mark.chain
@pytest.mark.integration
def test_statuses_follow_the_chains_block_time(park: tuple[TestClient, Keys], anvil: Anvil) -> None:
    client, keys = park
    operator = keys.of("operator")
    assert client.post("/park/registry", headers=operator).status_code == 200
    assert client.post("/park/attribution-runs", headers=operator,
                       json={**PERIOD, "simulated_meters": True}).status_code == 200
    assert client.post("/park/issuance", headers=operator).status_code == 200

    before = client.get(f"/firms/{FIRM}/balance", headers=keys.of("firm"), params=PERIOD)
    assert before.headers["Greenproof-Status-Clock"].startswith("chain 2025-07-")  # the session chain's date
    allocated = sum(line["allocated_wh"] for line in before.json())
    assert allocated > 0 and sum(line["active_wh"] for line in before.json()) == allocated

    rpc_call(anvil.rpc_url, "evm_setTime", [AUGUST_2027_S])
    rpc_call(anvil.rpc_url, "evm_mine")
    after = client.get(f"/firms/{FIRM}/balance", headers=keys.of("firm"), params=PERIOD)
    assert after.headers["Greenproof-Status-Clock"].startswith("chain 2027-08-01T00:00")
    assert sum(line["expired_wh"] for line in after.json()) == allocated
    listed = client.get("/auditor/certificates", headers=keys.of("auditor"), params={**PERIOD, "firm": FIRM})
    assert {c["status"] for c in listed.json()["items"]} == {"expired"}
    assert listed.headers["Greenproof-Status-Clock"].startswith("chain 2027-08-01T00:00")


def test_without_a_chain_the_wall_clock_is_named(client: TestClient, keys: Keys, registered: ApiSettings) -> None:
    answer = client.get(f"/firms/{FIRM}/certificates", headers=keys.of("firm"))
    assert answer.status_code == 200
    assert answer.headers["Greenproof-Status-Clock"].endswith("; no chain configured")
    assert answer.headers["Greenproof-Status-Clock"].startswith("wall-clock ")
