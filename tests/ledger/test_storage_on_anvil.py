"""Storage on a real Anvil: the ledger's charge records are recorded, its discharge certificates minted and
retired, and the chain refuses a discharge above what was stored and any retirement of a charged certificate.

Expected amounts: tests/ledger/storage_park.py's day, by hand — H2 charges 1,000,000 Wh and PV
1,000,000 Wh at 85 % (850,000 Wh each deliverable); FIFO discharges all of H2's 850,000 Wh and
212,500 Wh of PV; LNG takes 60 %.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eth_utils import keccak
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from storage_park import BESS_OPERATOR, LNG, T0, register_storage_park, storage_day

from greenproof.contracts.client import ChainClient
from greenproof.contracts.errors import ContractRevertError
from greenproof.contracts.leaves import DischargeLeaf, storage_account, token_id
from greenproof.contracts.merkle import BatchTree
from greenproof.contracts.records import BatchHeader, DischargeRef, LeafRef, RetirementClaim
from greenproof.ledger.batches import load_leaf_file
from greenproof.ledger.database import session_scope
from greenproof.ledger.issuance import issue
from greenproof.ledger.reconcile import reconcile
from greenproof.ledger.storage_chain import retire_discharges
from greenproof.ledger.storage_models import DischargeLeafRow, StorageChargeRow

pytestmark = pytest.mark.chain

H2, PV, BESS = 2, 4, 1


def revert_of(action: Callable[[], object]) -> tuple[str, tuple]:
    """Run ``action``; return the custom error it reverts with, as (name, args)."""
    try:
        action()
    except ContractRevertError as error:
        return error.name, tuple(error.error_args)
    raise AssertionError("the call did not revert")


def _issued(factory: sessionmaker[Session], chain: ChainClient) -> str:
    with session_scope(factory) as session:
        register_storage_park(session)
        day = storage_day(session)
    return issue(factory, chain, period_start_s=T0, period_end_s=T0 + 2700, intervals=day, mode="direct").batch_id


def test_charges_are_recorded_and_discharges_minted_then_one_retired(
        factory: sessionmaker[Session], fresh_chain: ChainClient, firm_keys: dict[str, str]) -> None:
    _issued(factory, fresh_chain)
    with factory() as session:
        assert all(tx for tx in session.scalars(select(StorageChargeRow.recorded_tx_hash)
                                                 .where(StorageChargeRow.plant_id.is_not(None))))
        assert all(session.scalars(select(DischargeLeafRow.claim_tx_hash)))
    # the chain's own cap per origin plant: 850,000 − 850,000 (H2) and 850,000 − 212,500 (PV)
    assert fresh_chain.stored_wh(BESS, H2) == 0
    assert fresh_chain.stored_wh(BESS, PV) == 637_500
    h2_token = token_id(H2, T0, 900, kind=2, storage_index=BESS)
    pv_token = token_id(PV, T0 + 900, 900, kind=2, storage_index=BESS)
    assert fresh_chain.balance_of(LNG, h2_token) == 510_000
    assert fresh_chain.balance_of(BESS_OPERATOR, pv_token) == 85_000
    claim = RetirementClaim(keccak(text="SD-1"), "Binhai LNG terminal", "EU CBAM", T0, T0 + 3600)
    retire_discharges(factory, fresh_chain, firm_code="LNG", amount_wh=600_000, claim=claim,
                      holder_key=firm_keys["LNG"])
    # oldest origin first: all 510,000 Wh of H2, then 90,000 Wh of PV
    assert fresh_chain.balance_of(LNG, h2_token) == 0
    assert fresh_chain.balance_of(LNG, pv_token) == 127_500 - 90_000
    (event,) = [e for e in fresh_chain.events() if e.name == "Retired"]
    assert list(event.args["ids"]) == sorted([h2_token, pv_token])
    assert dict(zip(event.args["ids"], event.args["amountsWh"], strict=True)) == {h2_token: 510_000,
                                                                                    pv_token: 90_000}
    with factory() as session:  # the ledger knows every discharge minted and retired
        assert reconcile(session, fresh_chain) == []


def test_the_chain_refuses_a_discharge_above_what_was_stored(
        factory: sessionmaker[Session], fresh_chain: ChainClient) -> None:
    _issued(factory, fresh_chain)
    # PV still stores 637,500 Wh: a batch listing 637,501 Wh of PV's origin is anchored, its claim reverts
    leaf = DischargeLeaf(BESS, "PV", PV, T0 + 900, 900, LNG, 637_501)
    tree = BatchTree(period_start_s=T0 + 2700, interval_s=900, interval_count=1, plants=[1, 2, 3, 4], caps=[],
                     allocations=[], discharges=[leaf])
    batch_id, inputs = keccak(text="too much"), keccak(text="inputs")
    fresh_chain.anchor_batch(batch_id, tree.root, inputs, tree.layout)
    header = BatchHeader(batch_id, inputs, tree.generation_root, tree.layout)
    ref = DischargeRef(tree.position(leaf), BESS, PV, T0 + 900, 900, 637_501)
    assert revert_of(lambda: fresh_chain.claim_discharges(header, LNG, [ref], tree.discharge_multiproof([leaf]))) \
        == ("GreenCertificateDischargeAboveStored", (BESS, PV, 637_501, 637_500))


def test_a_charged_certificate_can_be_neither_claimed_nor_retired(
        factory: sessionmaker[Session], fresh_chain: ChainClient) -> None:
    batch_id = _issued(factory, fresh_chain)
    account = storage_account(BESS)
    with factory() as session:
        file = load_leaf_file(session, batch_id)
    (charge,) = [x for x in file.allocation_leaves if x.holder == account and x.plant_index == H2]
    refs = [LeafRef(file.position(charge), charge.amount_wh, charge.amount_wh)]
    proof = file.proof([charge])
    claim = RetirementClaim(keccak(text="steal"), "x", "x", T0, T0 + 900)
    assert revert_of(lambda: fresh_chain.claim_leaves(file.header, account, refs, proof)) == (
        "GreenCertificateStorageAccount", (account,))
    deadline = fresh_chain.chain_time() + 600
    assert revert_of(lambda: fresh_chain.retire_leaves_for(file.header, account, refs, proof, claim, deadline,
                                                           b"\x11" * 65)) == (
        "GreenCertificateInvalidSignature", (account,))
