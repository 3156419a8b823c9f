"""From meter upload to a buyer-verified provenance record, through the HTTP API on a real Anvil chain.

Independent references: certificates of every plant-interval add up to the uploaded meter reading
(the input), and the retired amounts are read back from the contract's own balances.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from api_harness import FIRM, Keys, make_keys
from fastapi.testclient import TestClient

from greenproof.api import ApiSettings, create_app
from greenproof.api.usecases.chain_gateway import FINALITY_BLOCKS
from greenproof.api.usecases.meter_upload import readings_to_csv
from greenproof.api.usecases.park_simulation import simulate_readings
from greenproof.api.usecases.provenance_verify import MAX_RECORD_BATCHES
from greenproof.contracts.anvil import Anvil
from greenproof.contracts.client import ChainClient
from greenproof.ledger.database import make_engine, make_session_factory
from greenproof.ledger.reconcile import reconcile

pytestmark = [pytest.mark.chain, pytest.mark.integration]

# Six park-local midday hours of 21 June 2025 (08:00-14:00 UTC+8): wind and sun both supply.
START, END = datetime(2025, 6, 21, 0, tzinfo=UTC), datetime(2025, 6, 21, 6, tzinfo=UTC)
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}
SHIPMENT = {"shipment_id": "BL-2025-0621-7", "product": "green ammonia", "quantity": 40.0, "quantity_unit": "t",
            "destination": "Hamburg, DE", "embedded_electricity_mwh": 7.25}


@pytest.fixture
def story(tmp_path: Path, anvil: Anvil, fresh_chain: ChainClient) -> Iterator[tuple[TestClient, Keys, ChainClient]]:
    settings = ApiSettings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite'}", key_file=tmp_path / "keys.json",
                           chain_rpc_url=anvil.rpc_url, contract_address=fresh_chain.address,
                           issuer_key=anvil.private_keys[0], public_base_url="https://verify.example.org")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client, make_keys(settings.key_file), fresh_chain


def _all_certificates(client: TestClient, keys: Keys) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = client.get("/auditor/certificates", headers=keys.of("auditor"),
                          params={**PERIOD, "limit": 500, "offset": len(items)}).json()
        items += page["items"]
        if len(items) >= page["total"]:
            return items


def test_meter_upload_to_verified_provenance(story: tuple[TestClient, Keys, ChainClient], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    client, keys, chain = story
    operator = keys.of("operator")

    # The park operator registers the park, uploads the meter data (here: the model's plant output)
    # and traces the period.
    assert client.post("/park/registry", headers=operator).json()["firms_added"][0] == "GH2"
    readings = simulate_readings(START, END)
    run = client.post("/park/attribution-runs", headers=operator, json={**PERIOD, "simulated_meters": False})
    assert run.status_code == 409, run.json()  # no meter readings yet: the batch cannot be built
    assert "no meter reading" in run.json()["detail"]
    upload = client.post("/park/meter-readings/csv", headers=operator,
                         files={"file": ("meters.csv", readings_to_csv(readings).encode())})
    assert upload.json() == {"inserted": len(readings), "unchanged": 0}
    run = client.post("/park/attribution-runs", headers=operator, json={**PERIOD, "simulated_meters": False})
    assert run.status_code == 200, run.json()
    assert run.json()["intervals"] == 24
    issued = client.post("/park/issuance", headers=operator).json()
    assert [(b["batch_id"], b["state"]) for b in issued] == [(run.json()["batch_ids"][0], "confirmed")]

    # Conservation against the uploaded input: each plant-interval's certificates sum to its reading.
    allocated: defaultdict[tuple[str, int], int] = defaultdict(int)
    for item in _all_certificates(client, keys):
        start_s = int(datetime.fromisoformat(item["interval_start"]).timestamp())
        allocated[(item["plant_code"], start_s)] += item["allocated_wh"]
    metered = {(r.plant_code, r.interval_start): r.energy_wh for r in readings if r.energy_wh}
    assert dict(allocated) == metered

    # The exporter retires a shipment; the record verifies from the chain alone.
    retire = client.post("/exporter/retirements", headers=keys.of("exporter"), json={
        "shipment": SHIPMENT, "consumption_start": PERIOD["start"], "consumption_end": PERIOD["end"]})
    assert retire.status_code == 201, retire.json()
    record = retire.json()
    assert record["retired_wh"] == 7_250_000
    on_chain = sum(wh for e in chain.events() if e.name == "Retired" and e.args["holder"] == record["claim"]["holder"]
                   for wh in e.args["amountsWh"])
    assert on_chain == 7_250_000
    verdict = client.get(f"/public/verify/{record['claim_ref']}").json()
    assert verdict["valid"], verdict
    # The QR code's URL sends a phone browser to the human-readable verify page.
    browser = client.get(f"/public/verify/{record['claim_ref']}", headers={"Accept": "text/html"},
                         follow_redirects=False)
    assert (browser.status_code, browser.headers["location"]) == (303, f"/ui/verify/{record['claim_ref']}")
    assert client.post("/public/verify", json=record).json()["valid"]

    # Verifying again reads no batch from the chain once its registration is final (FINALITY_BLOCKS
    # deep), and one event query covers the record's consecutive retirement blocks.
    gateway = client.app.state.greenproof.chain.client()  # type: ignore[attr-defined]
    chain.web3.provider.make_request("anvil_mine", [FINALITY_BLOCKS])
    assert client.get(f"/public/verify/{record['claim_ref']}").json()["valid"]
    calls: list[str] = []
    for name in ("batch", "events"):
        original = getattr(gateway, name)
        monkeypatch.setattr(gateway, name, lambda *a, _n=name, _f=original: calls.append(_n) or _f(*a))
    assert client.get(f"/public/verify/{record['claim_ref']}").json()["valid"]
    assert calls == ["events"]
    # A record naming more batches than a verification reads is refused before any chain read.
    forged = copy.deepcopy(record)
    forged["lines"] = [{**record["lines"][0], "line": i, "batch_id": f"0x{i:064x}"}
                       for i in range(MAX_RECORD_BATCHES + 1)]
    refused = client.post("/public/verify", json=forged)
    assert refused.status_code == 422 and f"names {MAX_RECORD_BATCHES + 1} batches" in refused.json()["detail"]
    assert calls == ["events"]

    # Tampered copies are rejected, each by the check it breaks.
    tampers = {
        "claim": lambda r: r["claim"]["shipment"].update(quantity=400.0),
        "proofs": lambda r: r["lines"][0]["proof"].__setitem__(0, "0x" + "00" * 32),
        "retirements": lambda r: r["lines"][0].update(block_number=r["lines"][0]["block_number"] + 1),
        "lines": lambda r: r["lines"][0]["leaf"].update(amount_wh=r["lines"][0]["leaf"]["amount_wh"] + 1),
    }
    for broken_check, tamper in tampers.items():
        forged = copy.deepcopy(record)
        tamper(forged)
        answer = client.post("/public/verify", json=forged).json()
        assert not answer["valid"]
        assert broken_check in [c["name"] for c in answer["checks"] if not c["ok"]], (broken_check, answer)

    # The buyer-facing forms carry the verify URL; only the owning exporter reads them.
    html = client.get(f"/exporter/retirements/{record['claim_ref']}/html", headers=keys.of("exporter"))
    assert record["verify_url"] in html.text
    assert client.get(f"/exporter/retirements/{record['claim_ref']}/pdf", headers=keys.of("exporter")
                      ).content.startswith(b"%PDF")
    assert client.get(f"/exporter/retirements/{record['claim_ref']}", headers=keys.of("auditor")).status_code == 403

    # One claim per shipment: asking again on the same terms returns the same record and burns nothing more;
    # the same shipment id on other terms is refused, naming the claim that holds it.
    again = client.post("/exporter/retirements", headers=keys.of("exporter"), json={
        "shipment": SHIPMENT, "consumption_start": PERIOD["start"], "consumption_end": PERIOD["end"]})
    assert again.status_code == 201 and again.json() == record
    other = client.post("/exporter/retirements", headers=keys.of("exporter"), json={
        "shipment": {**SHIPMENT, "quantity": SHIPMENT["quantity"] + 1}, "consumption_start": PERIOD["start"],
        "consumption_end": PERIOD["end"]})
    assert other.status_code == 409
    assert record["claim_ref"] in other.json()["detail"]

    # Retiring more than the firm holds is a conflict naming the shortfall; nothing is burnt.
    too_much = client.post("/exporter/retirements", headers=keys.of("exporter"), json={
        "shipment": {**SHIPMENT, "shipment_id": "BL-2", "embedded_electricity_mwh": 10_000.0},
        "consumption_start": PERIOD["start"], "consumption_end": PERIOD["end"]})
    assert too_much.status_code == 409
    assert "needs 10000000000 Wh" in too_much.json()["detail"]

    # The auditor's views agree with the chain.
    leaf_hash = record["lines"][0]["leaf"]["leaf_hash"]
    check = client.get(f"/auditor/verify/{leaf_hash}", headers=keys.of("auditor")).json()
    assert check["ok"], check["problems"]
    assert check["retired_wh"] == record["lines"][0]["amount_wh"]
    statement = client.get(f"/auditor/retirement-statements/{FIRM}", headers=keys.of("auditor"), params=PERIOD).json()
    assert statement["retired_wh"] == on_chain
    balance = client.get(f"/firms/{FIRM}/balance", headers=keys.of("firm")).json()
    assert sum(line["retired_wh"] for line in balance) == on_chain
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    with make_session_factory(engine)() as session:
        assert reconcile(session, chain) == []
    engine.dispose()


def test_a_firm_claims_its_own_leaf_on_chain_and_nobody_else_can(story: tuple[TestClient, Keys, ChainClient]
                                                                 ) -> None:
    client, keys, chain = story
    operator = keys.of("operator")
    client.post("/park/registry", headers=operator)
    run = client.post("/park/attribution-runs", headers=operator, json={**PERIOD, "simulated_meters": True})
    assert run.status_code == 200, run.json()
    client.post("/park/issuance", headers=operator)
    leaf = next(c for c in _all_certificates(client, keys) if c["firm_code"] == FIRM and c["allocated_wh"] > 0)
    path, body = f"/firms/{FIRM}/claims", {"leaf_hash": leaf["leaf_hash"]}

    assert client.post(path, json=body).status_code == 401
    assert client.post(path, headers=keys.of("auditor"), json=body).status_code == 403  # reads, never acts
    assert client.post(path, headers=keys.of("other_firm"), json=body).status_code == 403
    assert chain.balance_of(leaf["holder"], int(leaf["token_id"])) == 0
    claimed = client.post(path, headers=keys.of("firm"), json=body)
    assert claimed.status_code == 201, claimed.json()
    assert claimed.json()["mode"] == "proof"
    # The contract's own balance of the holder equals the leaf's allocation.
    assert chain.balance_of(leaf["holder"], int(leaf["token_id"])) == leaf["allocated_wh"]
    again = client.post(path, headers=keys.of("firm"), json=body)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
