"""``POST /firms/{firm}/claims/day``: a firm takes a park day's certificates on-chain in one transaction per batch.

Checked against the contract itself: its ``LeavesClaimed`` events (one per batch, every leaf in
it) and the ERC-1155 balances of the firm's account, which must equal what the ledger allocated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_harness import FIRM, Keys, make_keys
from fastapi.testclient import TestClient

from greenproof.api import ApiSettings, create_app
from greenproof.contracts.anvil import Anvil
from greenproof.contracts.client import ChainClient

pytestmark = [pytest.mark.chain, pytest.mark.integration]

PERIOD = {"start": "2025-06-21T02:00:00+00:00", "end": "2025-06-21T04:00:00+00:00"}  # inside park day 2025-06-21


@pytest.fixture
def park(tmp_path: Path, anvil: Anvil, fresh_chain: ChainClient) -> Iterator[tuple[TestClient, Keys]]:
    settings = ApiSettings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite'}", key_file=tmp_path / "keys.json",
                           chain_rpc_url=anvil.rpc_url, contract_address=fresh_chain.address,
                           issuer_key=anvil.private_keys[0])
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client, make_keys(settings.key_file)


def test_a_day_is_claimed_in_one_transaction_per_batch(park: tuple[TestClient, Keys],
                                                       fresh_chain: ChainClient) -> None:
    client, keys = park
    operator = keys.of("operator")
    assert client.post("/park/registry", headers=operator).status_code == 200
    assert client.post("/park/attribution-runs", headers=operator,
                       json={**PERIOD, "simulated_meters": True}).status_code == 200
    assert client.post("/park/issuance", headers=operator).status_code == 200
    listed = client.get(f"/firms/{FIRM}/certificates", headers=keys.of("firm"), params={**PERIOD, "limit": 500})
    certificates = listed.json()["items"]
    assert len(certificates) > 8 and not any(c["claimed"] for c in certificates)

    refused = client.post(f"/firms/{FIRM}/claims/day", headers=keys.of("exporter"), json={"day": "2025-06-21"})
    assert refused.status_code == 403
    claimed = client.post(f"/firms/{FIRM}/claims/day", headers=keys.of("firm"), json={"day": "2025-06-21"})
    assert claimed.status_code == 201, claimed.json()
    body = claimed.json()
    assert body["leaves"] == len(certificates)
    assert body["amount_wh"] == sum(c["allocated_wh"] for c in certificates)
    (tx_hash,) = body["tx_hashes"]  # one batch: one transaction

    holder = certificates[0]["holder"]
    (event,) = [e for e in fresh_chain.events() if e.name == "LeavesClaimed"]
    assert event.tx_hash == tx_hash and event.args["holder"] == holder and len(event.args["ids"]) == len(certificates)
    allocated: defaultdict[int, int] = defaultdict(int)
    for c in certificates:
        allocated[int(c["token_id"])] += c["allocated_wh"]
    assert {token: fresh_chain.balance_of(holder, token) for token in allocated} == dict(allocated)

    after = client.get(f"/firms/{FIRM}/certificates", headers=keys.of("firm"), params={**PERIOD, "limit": 500})
    assert all(c["claimed"] for c in after.json()["items"])
    again = client.post(f"/firms/{FIRM}/claims/day", headers=keys.of("firm"), json={"day": "2025-06-21"})
    assert again.json() == {"day": "2025-06-21", "leaves": 0, "amount_wh": 0, "tx_hashes": []}
