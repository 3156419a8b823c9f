"""Independent verification uses only the chain and the published leaf file (no database)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from ledger_park import FIRM_ADDRESSES, record_period
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from conftest import T0
from greenproof.contracts.client import ChainClient
from greenproof.contracts.records import LeafRef
from greenproof.ledger.batches import load_leaf_file
from greenproof.ledger.database import session_scope
from greenproof.ledger.errors import LeafFileError
from greenproof.ledger.holdings import holdings
from greenproof.ledger.issuance import issue
from greenproof.ledger.leaf_file import LeafFile, hex32
from greenproof.ledger.models import IssuanceBatch
from greenproof.ledger.retirements import Shipment, claim_leaf, retire
from greenproof.ledger.verify import verify_holder, verify_leaf

pytestmark = pytest.mark.chain

CRANES = FIRM_ADDRESSES["CRANES"]


def published(factory: sessionmaker[Session], batch_id: str) -> bytes:
    with factory() as session:
        return load_leaf_file(session, batch_id).to_bytes()


def test_a_leaf_verifies_against_the_onchain_root_without_the_database(
        factory: sessionmaker[Session], engine: Engine, issued: IssuanceBatch, fresh_chain: ChainClient) -> None:
    data = published(factory, issued.batch_id)
    engine.dispose()  # from here on only the bytes and the chain
    file = LeafFile.from_bytes(data)
    leaf = next(x for x in file.allocation_leaves if x.holder == CRANES)
    result = verify_leaf(fresh_chain, data, leaf)
    assert result.ok, result.problems
    assert result.chain_root == result.file_root == issued.root
    assert result.commitment == hex32(fresh_chain.view_raw("batchCommitment", bytes.fromhex(issued.batch_id[2:])))
    assert result.anchor_tx == issued.tx_hash and result.anchor_block == issued.block_number
    assert not result.claimed and result.retired_wh == 0
    # The same proof, folded by the contract itself, lands on the stored commitment.
    assert fresh_chain.verify_leaf(file.header, leaf.holder, LeafRef(result.position, leaf.amount_wh),
                                   [bytes.fromhex(p[2:]) for p in result.proof])


def test_a_forged_leaf_file_with_its_own_consistent_root_fails_against_the_chain(
        factory: sessionmaker[Session], issued: IssuanceBatch, fresh_chain: ChainClient) -> None:
    file = LeafFile.from_bytes(published(factory, issued.batch_id))
    victim = file.allocation_leaves[0]
    inflated = replace(victim, amount_wh=victim.amount_wh + 1)
    others = [x for x in file.allocation_leaves if x != victim]
    caps = [replace(c, cap_wh=c.cap_wh + 1) if (c.plant_index, c.interval_start_s) ==
            (victim.plant_index, victim.interval_start_s) else c for c in file.caps]
    forged = replace(file, allocation_leaves=(*others, inflated), caps=tuple(caps), root="")
    forged = replace(forged, root=hex32(forged.tree.root))  # a file consistent with itself
    forged.check()
    result = verify_leaf(fresh_chain, forged.to_bytes(), inflated)
    assert not result.ok
    assert any("the chain's commitment" in p and "differs from the file's" in p for p in result.problems)
    assert any("proof does not reach the commitment stored on-chain" in p for p in result.problems)


def test_a_leaf_file_whose_stated_hash_does_not_match_its_fields_is_refused(
        factory: sessionmaker[Session], issued: IssuanceBatch) -> None:
    doc = json.loads(published(factory, issued.batch_id))
    doc["allocation_leaves"][3]["amount_wh"] += 1
    with pytest.raises(LeafFileError, match=r"allocation_leaves\[3\]: leaf_hash"):
        LeafFile.from_bytes(json.dumps(doc).encode())


def test_holder_verification_reports_claims_and_retirements_from_events(
        factory: sessionmaker[Session], issued: IssuanceBatch, fresh_chain: ChainClient,
        firm_keys: dict[str, str]) -> None:
    now = datetime(2025, 4, 1, tzinfo=UTC)
    with factory() as session:
        held = holdings(session, CRANES, period_start_s=T0, period_end_s=T0 + 3600, now=now)
    with session_scope(factory) as session:
        claim_leaf(session, fresh_chain, held[-1].leaf_id)
    retire(factory, fresh_chain, firm_code="CRANES", claim_ref="R-1",
           shipment=Shipment("BL-1", "steel", 10, "t", "Hamburg", 0.05), beneficiary="Cranes",
           purpose="EU CBAM", period_start_s=T0, period_end_s=T0 + 3600, holder_key=firm_keys["CRANES"])
    result = verify_holder(fresh_chain, [published(factory, issued.batch_id)], CRANES, period_start_s=T0,
                           period_end_s=T0 + 3600)
    assert result.ok
    assert [v.leaf for v in result.leaves] == [h.leaf for h in held]
    assert result.allocated_wh == sum(h.leaf.amount_wh for h in held)
    # Used on-chain: the last leaf (claimed) and the first (50 000 Wh retired straight from its proof).
    assert result.claimed_wh == held[0].leaf.amount_wh + held[-1].leaf.amount_wh
    assert result.retired_wh == 50_000
    (retirement,) = result.leaves[0].retirements
    assert (retirement.beneficiary, retirement.purpose, retirement.period_start_s) == ("Cranes", "EU CBAM", T0)


def test_a_leaf_of_a_direct_batch_verifies_with_its_claim(factory: sessionmaker[Session], park: object,
                                                          fresh_chain: ChainClient) -> None:
    with session_scope(factory) as session:
        intervals = record_period(session, T0, 1)
    batch = issue(factory, fresh_chain, period_start_s=T0, period_end_s=T0 + 900, intervals=intervals,
                  mode="direct")
    data = published(factory, batch.batch_id)
    leaf = LeafFile.from_bytes(data).allocation_leaves[0]
    result = verify_leaf(fresh_chain, data, leaf)
    claimed = [e for e in fresh_chain.events() if e.name == "LeavesClaimed" and e.args["holder"] == leaf.holder]
    assert result.ok and result.claim_tx == claimed[0].tx_hash
    assert not verify_leaf(fresh_chain, data, replace(leaf, amount_wh=leaf.amount_wh - 1)).ok
