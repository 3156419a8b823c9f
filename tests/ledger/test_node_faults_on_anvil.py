"""Node faults: a reset chain is refused; an anchor a rollback dropped is sent again; hashes follow the chain.

Each fault is made on a real Anvil: a second node (another genesis block) with the contract
deployed again by the same key, so it lands at the same address; ``evm_snapshot``/``evm_revert``
to roll blocks back, with another issuer transaction in between so nothing lines up as before.
"""

from __future__ import annotations

import pytest
from ledger_park import Park, record_period
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from conftest import T0
from greenproof.contracts.anvil import Anvil
from greenproof.contracts.client import ChainClient
from greenproof.ledger.database import session_scope
from greenproof.ledger.errors import ChainIdentityError
from greenproof.ledger.issuance import issue, resume_unfinished
from greenproof.ledger.models import BatchState, IssuanceBatch
from greenproof.ledger.reconcile import reconcile

pytestmark = pytest.mark.chain


def anchors(chain: ChainClient) -> list[str]:
    return [e.tx_hash for e in chain.events() if e.name == "BatchAnchored"]


def test_a_reset_node_with_the_contract_at_the_same_address_is_refused(
        factory: sessionmaker[Session], issued: IssuanceBatch, fresh_chain: ChainClient, anvil: Anvil) -> None:
    genesis_s = fresh_chain.web3.eth.get_block(0)["timestamp"]
    with Anvil(accounts=2, genesis_timestamp_s=genesis_s + 3600) as other:
        again = ChainClient.deploy(other.rpc_url, other.private_keys[0])
        assert again.address == fresh_chain.address  # same deployer, same nonce: nothing else tells them apart
        with pytest.raises(ChainIdentityError, match=r"genesis block hash 0x[0-9a-f]{64} \(recorded 0x[0-9a-f]{64}\)"
                                                     r".*restore its state"):
            resume_unfinished(factory, again)
    assert resume_unfinished(factory, fresh_chain) == []  # the recorded chain is still accepted


def test_an_anchor_dropped_by_a_rollback_is_anchored_again(factory: sessionmaker[Session], park: Park,
                                                          fresh_chain: ChainClient, anvil: Anvil) -> None:
    with session_scope(factory) as session:
        intervals = record_period(session, T0, 4)
    with fresh_chain.snapshot():  # the node rolls back everything in here
        first = issue(factory, fresh_chain, period_start_s=T0, period_end_s=T0 + 3600, intervals=intervals)
        assert first.state == BatchState.CONFIRMED and anchors(fresh_chain) == [first.tx_hash]
    assert anchors(fresh_chain) == []
    fresh_chain.grant_issuer(anvil.addresses[9])  # another issuer transaction: nonces and blocks shift
    (again,) = resume_unfinished(factory, fresh_chain)
    assert again.state == BatchState.CONFIRMED and again.tx_hash != first.tx_hash
    assert anchors(fresh_chain) == [again.tx_hash]
    with factory() as session:
        assert reconcile(session, fresh_chain) == []


def test_a_confirmed_batch_takes_the_transaction_the_chain_shows(factory: sessionmaker[Session], issued: IssuanceBatch,
                                                                fresh_chain: ChainClient) -> None:
    (real,) = anchors(fresh_chain)
    with session_scope(factory) as session:  # what a rollback with another transaction interleaved leaves behind
        session.execute(update(IssuanceBatch).values(tx_hash="0x" + "ee" * 32))
    with factory() as session:
        assert [d.problem for d in reconcile(session, fresh_chain)] == ["transaction differs"]
    assert resume_unfinished(factory, fresh_chain) == []
    with factory() as session:
        assert session.get_one(IssuanceBatch, issued.id).tx_hash == real
        assert reconcile(session, fresh_chain) == []
