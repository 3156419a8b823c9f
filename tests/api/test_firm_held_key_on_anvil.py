"""A firm that holds its own key: the park prepares, the firm signs in its own wallet, the park relays.

The park runs as its own process (``greenproof serve``) on a real Anvil chain and receives only the
firm's address and signatures; the key is made here and signs with ``eth_account`` as a wallet
would, from the JSON documents exactly as served. What was retired is read back from the chain's
``Retired`` events and the firm's ether balance (never funded: the park paid the gas).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_harness import FIRM, Keys, make_keys, served
from eth_account import Account

from greenproof.contracts.anvil import Anvil
from greenproof.contracts.client import ChainClient

pytestmark = [pytest.mark.chain, pytest.mark.integration]

# Four park-local midday hours of 21 June 2025 (10:00-14:00 UTC+8).
PERIOD = {"start": "2025-06-21T02:00:00+00:00", "end": "2025-06-21T06:00:00+00:00"}
EMBEDDED_MWH = 1.5
RETIREMENT = {"shipment": {"shipment_id": "BL-FIRM-KEY-1", "product": "green ammonia", "quantity": 8.0,
                           "quantity_unit": "t", "destination": "Hamburg, DE",
                           "embedded_electricity_mwh": EMBEDDED_MWH},
              "consumption_start": PERIOD["start"], "consumption_end": PERIOD["end"]}


@pytest.fixture
def park(tmp_path: Path, anvil: Anvil, fresh_chain: ChainClient) -> Iterator[tuple[str, Keys]]:
    """The park's API as a separate process on the session's chain; yields its URL and the API keys."""
    keys = make_keys(tmp_path / "keys.json")
    env = {"GREENPROOF_CHAIN_RPC_URL": anvil.rpc_url, "GREENPROOF_CONTRACT_ADDRESS": fresh_chain.address,
           "GREENPROOF_ISSUER_KEY": anvil.private_keys[0]}
    with served(tmp_path, env) as base_url:
        yield base_url, keys


def _issued_to_firm_held_account(base_url: str, keys: Keys, address: str) -> None:
    """Register the park, give GH2 the firm-held ``address``, trace the period and anchor its certificates."""
    operator = keys.of("operator")
    assert httpx.post(f"{base_url}/park/registry", headers=operator, timeout=60).status_code == 200
    custodial = httpx.get(f"{base_url}/firms/{FIRM}/account", headers=keys.of("firm")).json()
    assert custodial["key_custody"] == "custodial" and custodial["address"] != address
    moved = httpx.put(f"{base_url}/park/firms/gh2/account", headers=operator, json={"address": address.lower()})
    assert moved.status_code == 200, moved.json()
    assert moved.json() == {"firm_code": FIRM, "address": address, "key_custody": "firm"}
    run = httpx.post(f"{base_url}/park/attribution-runs", headers=operator, timeout=300,
                     json={**PERIOD, "simulated_meters": True})
    assert run.status_code == 200, run.json()
    assert httpx.post(f"{base_url}/park/issuance", headers=operator, timeout=120).status_code == 200
    certificates = httpx.get(f"{base_url}/firms/{FIRM}/certificates", headers=keys.of("firm"),
                             params={**PERIOD, "limit": 500}).json()["items"]
    assert certificates and {c["holder"] for c in certificates} == {address}  # allocated to the firm's own address
    refused = httpx.put(f"{base_url}/park/firms/GH2/account", headers=operator, json={"address": None})
    assert refused.status_code == 409 and "already allocated" in refused.json()["detail"]


def _prepare(base_url: str, keys: Keys) -> dict[str, Any]:
    prepared = httpx.post(f"{base_url}/exporter/retirements/authorisations", headers=keys.of("exporter"),
                          json=RETIREMENT, timeout=60)
    assert prepared.status_code == 200, prepared.json()
    return prepared.json()


def _retired_events(chain: ChainClient, holder: str) -> list[Any]:
    return [e for e in chain.events() if e.name == "Retired" and e.args["holder"] == holder]


def test_a_firm_held_key_retires_through_the_park_which_never_sees_it(
        park: tuple[str, Keys], fresh_chain: ChainClient) -> None:
    base_url, keys = park
    wallet = Account.create()  # the firm's wallet: its key stays in this process
    _issued_to_firm_held_account(base_url, keys, wallet.address)

    # The custodial path is closed for this firm: the park cannot sign for it.
    direct = httpx.post(f"{base_url}/exporter/retirements", headers=keys.of("exporter"), json=RETIREMENT, timeout=60)
    assert direct.status_code == 409 and "only its signature retires" in direct.json()["detail"]

    prepared = _prepare(base_url, keys)
    (document,) = prepared["authorisations"]  # one batch drawn on: one transaction, one signature
    assert document["primaryType"] == "RetireLeaves"
    assert document["domain"] == {"name": "GreenCertificate", "version": "2", "chainId": 31337,
                                  "verifyingContract": fresh_chain.address}
    assert document["message"]["holder"] == wallet.address and document["message"]["nonce"] == 0
    assert sum(leaf["retireWh"] for leaf in document["message"]["leaves"]) == EMBEDDED_MWH * 1_000_000
    signature = wallet.sign_typed_data(full_message=document).signature.to_0x_hex()

    miscounted = httpx.post(f"{base_url}/exporter/retirements/signed", headers=keys.of("exporter"), timeout=120,
                            json={"claim": prepared["claim"], "chain_time_s": prepared["chain_time_s"],
                                  "signatures": [signature, signature]})
    assert miscounted.status_code == 422
    assert "needs 1 authorisation(s) now, 2 signature(s) were given" in miscounted.json()["detail"]
    submitted = httpx.post(f"{base_url}/exporter/retirements/signed", headers=keys.of("exporter"), timeout=120,
                           json={"claim": prepared["claim"], "chain_time_s": prepared["chain_time_s"],
                                 "signatures": [signature]})
    assert submitted.status_code == 201, submitted.json()
    record = submitted.json()
    assert record["claim"]["holder"] == wallet.address and record["retired_wh"] == 1_500_000
    (event,) = _retired_events(fresh_chain, wallet.address)
    assert sum(event.args["amountsWh"]) == 1_500_000
    assert fresh_chain.web3.eth.get_balance(wallet.address) == 0  # the park relayed and paid the gas
    assert httpx.get(f"{base_url}/public/verify/{record['claim_ref']}").json()["valid"] is True


def test_the_park_cannot_retire_a_firm_held_account_without_the_firms_signature(
        park: tuple[str, Keys], anvil: Anvil, fresh_chain: ChainClient) -> None:
    base_url, keys = park
    wallet = Account.create()
    _issued_to_firm_held_account(base_url, keys, wallet.address)
    prepared = _prepare(base_url, keys)
    (document,) = prepared["authorisations"]
    # The park signs the firm's authorisation with its own (issuer) key and relays it: the chain refuses.
    forged = Account.from_key(anvil.private_keys[0]).sign_typed_data(full_message=document).signature.to_0x_hex()
    refused = httpx.post(f"{base_url}/exporter/retirements/signed", headers=keys.of("exporter"), timeout=120,
                         json={"claim": prepared["claim"], "chain_time_s": prepared["chain_time_s"],
                               "signatures": [forged]})
    assert refused.status_code == 409, refused.json()
    detail = refused.json()["detail"]
    assert f"contract reverted: GreenCertificateInvalidSignature('{wallet.address}')" in detail, detail
    assert _retired_events(fresh_chain, wallet.address) == []  # nothing burnt
    # The firm's own signature of the next shipment's authorisation goes through (the nonce was not used).
    following = {**RETIREMENT, "shipment": {**RETIREMENT["shipment"], "shipment_id": "BL-FIRM-KEY-2"}}
    prepared = httpx.post(f"{base_url}/exporter/retirements/authorisations", headers=keys.of("exporter"),
                          json=following, timeout=60).json()
    (document,) = prepared["authorisations"]
    assert document["message"]["nonce"] == 0
    signature = wallet.sign_typed_data(full_message=document).signature.to_0x_hex()
    submitted = httpx.post(f"{base_url}/exporter/retirements/signed", headers=keys.of("exporter"), timeout=120,
                           json={"claim": prepared["claim"], "chain_time_s": prepared["chain_time_s"],
                                 "signatures": [signature]})
    assert submitted.status_code == 201, submitted.json()
    assert len(_retired_events(fresh_chain, wallet.address)) == 1
