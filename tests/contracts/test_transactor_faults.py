"""The transaction layer under faults: a duplicate reverting in the same block says why; one key, many senders.

Two clients of one key send the same registration while the node holds its block (automine off),
so both pass their gas estimate and both are mined in one block: the second reverts there. Its
reason must be the contract's custom error (replayed on the state after the block), not "out of
gas?" (a replay on the state before the block passes, as the first had not run yet).
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from greenproof.contracts.anvil import Anvil
from greenproof.contracts.client import ChainClient
from greenproof.contracts.errors import ContractRevertError

pytestmark = pytest.mark.chain


def test_a_duplicate_reverting_in_the_same_block_reports_the_custom_error(fresh_chain: ChainClient,
                                                                          anvil: Anvil) -> None:
    senders = [ChainClient.connect(fresh_chain.rpc_url, fresh_chain.address, anvil.private_keys[0]) for _ in range(2)]
    provider = fresh_chain.web3.provider
    provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
    try:
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(c.register_plant, 77, "DUP", "wind_offshore", True, 1_000_000, 900, "CN-JS")
                       for c in senders]
            deadline = time.monotonic() + 30
            while fresh_chain.web3.eth.get_block_transaction_count("pending") < 2:
                assert time.monotonic() < deadline, "the two transactions never reached the node"
                time.sleep(0.05)
            provider.make_request("evm_mine", [])  # type: ignore[arg-type]
            outcomes = [f.exception(timeout=60) for f in futures]
    finally:
        provider.make_request("evm_setAutomine", [True])  # type: ignore[arg-type]
    failed = [e for e in outcomes if e is not None]
    assert len(failed) == 1, outcomes
    assert isinstance(failed[0], ContractRevertError)
    assert failed[0].name == "GreenCertificatePlantAlreadyRegistered"
    assert failed[0].error_args[0] == 77


def _grant_five(rpc_url: str, address: str, key: str, grantees: list[str]) -> None:
    client = ChainClient.connect(rpc_url, address, key)
    for grantee in grantees:  # one at a time: each send reads the key's next nonce afresh
        client.grant_issuer(grantee)


def test_one_key_sending_from_several_processes_at_once_never_collides(fresh_chain: ChainClient,
                                                                      anvil: Anvil) -> None:
    context = multiprocessing.get_context("fork")
    grantees = [anvil.addresses[10 + i] for i in range(8)]
    processes = [context.Process(target=_grant_five, args=(fresh_chain.rpc_url, fresh_chain.address,
                                                           anvil.private_keys[0], grantees[i::2]))
                 for i in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [p.exitcode for p in processes] == [0, 0]  # no "nonce too low", no replaced transaction
    assert all(fresh_chain.has_issuer_role(grantee) for grantee in grantees)
