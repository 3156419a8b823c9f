"""Issue 18, finding 4 from the attacker's side: relayed EIP-712 authorisations cannot be replayed,
stretched past their deadline, forged by another key or bent to other leaves, amounts or claims.

The typed data is the attacker's own (``eth_account`` with the type strings of docs/contracts.md),
not ``greenproof.contracts.authorisations``; ERC-1271 wallets are two-line runtime bytecodes put on
Anvil with ``anvil_setCode``: one answers the magic value to everything, one to nothing.
"""

from __future__ import annotations

import pytest
from chain_scenario import T0, revert_of
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak
from independent_tree import GenerationTree, claim, token_id

pytestmark = pytest.mark.chain

PLANT = 6
INPUTS = keccak(text="attacker inputs")
CLAIM_TYPE = [{"name": "claimRef", "type": "bytes32"}, {"name": "beneficiary", "type": "string"},
              {"name": "purpose", "type": "string"}, {"name": "periodStart", "type": "uint64"},
              {"name": "periodEnd", "type": "uint64"}, {"name": "shipmentRef", "type": "bytes32"}]
LEAF_TYPE = [{"name": "position", "type": "uint256"}, {"name": "amountWh", "type": "uint256"},
             {"name": "retireWh", "type": "uint256"}]
#: isValidSignature(bytes32,bytes) -> 0x1626ba7e for any input; and a wallet returning zero.
ACCEPTING_WALLET = "0x631626ba7e60e01b60005260206000f3"
REFUSING_WALLET = "0x60206000f3"


def _domain(chain) -> dict:
    return {"name": "GreenCertificate", "version": "2", "chainId": chain.chain_id, "verifyingContract": chain.address}


def _sign_retire_leaves(chain, key: str, holder: str, batch_id: bytes, leaves: list, retirement: tuple, nonce: int,
                        deadline: int) -> bytes:
    message = {"holder": holder, "batchId": batch_id,
               "leaves": [{"position": p, "amountWh": a, "retireWh": r} for p, a, r in leaves],
               "claim": dict(zip([f["name"] for f in CLAIM_TYPE], retirement, strict=True)),
               "nonce": nonce, "deadline": deadline}
    typed = {"types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                        {"name": "chainId", "type": "uint256"},
                                        {"name": "verifyingContract", "type": "address"}],
                       "RetireLeaves": [{"name": "holder", "type": "address"}, {"name": "batchId", "type": "bytes32"},
                                        {"name": "leaves", "type": "LeafRef[]"}, {"name": "claim", "type": "Claim"},
                                        {"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"}],
                       "Claim": CLAIM_TYPE, "LeafRef": LEAF_TYPE},
             "primaryType": "RetireLeaves", "domain": _domain(chain), "message": message}
    return bytes(Account.sign_message(encode_typed_data(full_message=typed), key).signature)


def _sign_transfer(chain, key: str, sender: str, to: str, token: int, amount: int, nonce: int, deadline: int) -> bytes:
    typed = {"types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                        {"name": "chainId", "type": "uint256"},
                                        {"name": "verifyingContract", "type": "address"}],
                       "Transfer": [{"name": "from", "type": "address"}, {"name": "to", "type": "address"},
                                    {"name": "id", "type": "uint256"}, {"name": "amountWh", "type": "uint256"},
                                    {"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"}]},
             "primaryType": "Transfer", "domain": _domain(chain),
             "message": {"from": sender, "to": to, "id": token, "amountWh": amount, "nonce": nonce,
                         "deadline": deadline}}
    return bytes(Account.sign_message(encode_typed_data(full_message=typed), key).signature)


def _batch(chain, holders: list[str]) -> tuple[bytes, GenerationTree, list[int]]:
    chain.register_plant(PLANT, "ATTACK-WIND", "offshore_wind", True, 10_000_000, 900, "XX")
    tree = GenerationTree(T0, 900, 2, [PLANT], slot_bits=1)
    positions = [tree.put(i, 0, slot, holder, 100) for i in range(2) for slot, holder in enumerate(holders)]
    tree.caps = {0: 100 * len(holders), 1: 100 * len(holders)}
    batch_id = keccak(text="signed")
    chain.send(chain.prepare_raw("anchorBatch", batch_id, tree.root, INPUTS, (T0, 900, 2, 1, 0), [PLANT]))
    return batch_id, tree, positions


def _relay(chain, batch_id, tree, holder, leaves, retirement, deadline, signature):
    return chain.send(chain.prepare_raw("retireLeavesFor", tree.header(batch_id, INPUTS), holder,
                                        leaves, tree.proof([p for p, _, _ in leaves]), retirement, deadline,
                                        signature))


def test_a_relayed_retirement_is_used_once_and_only_as_signed(fresh_chain, anvil):
    firm, other = anvil.addresses[5:7]
    firm_key, other_key = anvil.private_keys[5:7]
    relayer = fresh_chain.with_sender(anvil.private_keys[9])  # the park pays the gas
    batch_id, tree, positions = _batch(fresh_chain, [firm, other])
    leaves = [(positions[0], 100, 60)]
    retirement = claim(keccak(text="firm-ref"), T0, T0 + 1800, "Firm")
    deadline = fresh_chain.chain_time() + 600
    signature = _sign_retire_leaves(fresh_chain, firm_key, firm, batch_id, leaves, retirement, 0, deadline)
    invalid = ("GreenCertificateInvalidSignature", (firm,))
    # wrong signer, altered amount, altered claim, other leaf: all refused
    forged = _sign_retire_leaves(fresh_chain, other_key, firm, batch_id, leaves, retirement, 0, deadline)
    assert revert_of(lambda: _relay(relayer, batch_id, tree, firm, leaves, retirement, deadline, forged)) == invalid
    assert revert_of(lambda: _relay(relayer, batch_id, tree, firm, [(positions[0], 100, 100)], retirement, deadline,
                                    signature)) == invalid
    bent = claim(keccak(text="firm-ref"), T0, T0 + 1800, "Someone Else")
    assert revert_of(lambda: _relay(relayer, batch_id, tree, firm, leaves, bent, deadline, signature)) == invalid
    assert revert_of(lambda: _relay(relayer, batch_id, tree, firm, [(positions[2], 100, 60)], retirement, deadline,
                                    signature)) == invalid
    # as signed: retired for the firm, relayed and paid by the park; the rest minted to the firm
    tx = _relay(relayer, batch_id, tree, firm, leaves, retirement, deadline, signature)
    retired = [e for e in fresh_chain.events(tx.block_number, tx.block_number) if e.name == "Retired"]
    assert [(e.args["holder"], e.args["amountsWh"]) for e in retired] == [(firm, [60])]
    assert fresh_chain.balance_of(firm, token_id(PLANT, T0, 900)) == 40
    assert fresh_chain.nonce(firm) == 1
    # replay: the nonce moved on, so the same signature no longer matches
    assert revert_of(lambda: _relay(relayer, batch_id, tree, firm, leaves, retirement, deadline, signature)) == invalid


def test_an_expired_deadline_is_refused_even_with_a_good_signature(fresh_chain, anvil):
    firm, firm_key = anvil.addresses[5], anvil.private_keys[5]
    batch_id, tree, positions = _batch(fresh_chain, [firm])
    leaves = [(positions[0], 100, 100)]
    retirement = claim(keccak(text="late"), T0, T0 + 1800)
    deadline = fresh_chain.chain_time() - 1
    signature = _sign_retire_leaves(fresh_chain, firm_key, firm, batch_id, leaves, retirement, 0, deadline)
    error = revert_of(lambda: _relay(fresh_chain, batch_id, tree, firm, leaves, retirement, deadline, signature))
    assert error[0] == "GreenCertificateExpiredSignature" and error[1][0] == deadline and error[1][1] > deadline


def test_relayed_transfers_need_the_senders_current_signature(fresh_chain, anvil):
    firm, buyer, thief = anvil.addresses[5:8]
    firm_key, thief_key = anvil.private_keys[5], anvil.private_keys[7]
    batch_id, tree, positions = _batch(fresh_chain, [firm])
    fresh_chain.send(fresh_chain.prepare_raw("claimLeaves", tree.header(batch_id, INPUTS), firm,
                                             [(positions[0], 100, 0)], tree.proof([positions[0]])))
    token = token_id(PLANT, T0, 900)
    deadline = fresh_chain.chain_time() + 600
    good = _sign_transfer(fresh_chain, firm_key, firm, buyer, token, 30, 0, deadline)
    stolen = _sign_transfer(fresh_chain, thief_key, firm, thief, token, 30, 0, deadline)
    transfer = "transferFor"
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        transfer, firm, thief, token, 30, deadline, stolen))) == ("GreenCertificateInvalidSignature", (firm,))
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        transfer, firm, thief, token, 30, deadline, good))) == ("GreenCertificateInvalidSignature", (firm,))
    fresh_chain.send(fresh_chain.prepare_raw(transfer, firm, buyer, token, 30, deadline, good))
    assert fresh_chain.balance_of(buyer, token) == 30
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        transfer, firm, buyer, token, 30, deadline, good))) == ("GreenCertificateInvalidSignature", (firm,))


def test_smart_contract_wallets_answer_through_erc1271(fresh_chain, anvil):
    accepting, refusing = "0x" + "a1" * 20, "0x" + "b2" * 20
    provider = fresh_chain.web3.provider
    provider.make_request("anvil_setCode", [accepting, ACCEPTING_WALLET])
    provider.make_request("anvil_setCode", [refusing, REFUSING_WALLET])
    accepting, refusing = (fresh_chain.web3.to_checksum_address(x) for x in (accepting, refusing))
    batch_id, tree, positions = _batch(fresh_chain, [accepting, refusing])
    deadline = fresh_chain.chain_time() + 600
    retirement = claim(keccak(text="wallet"), T0, T0 + 1800, "Wallet Co.")
    any_bytes = b"\x01" * 65
    _relay(fresh_chain, batch_id, tree, accepting, [(positions[0], 100, 100)], retirement, deadline, any_bytes)
    assert fresh_chain.claim_ref_used(accepting, keccak(text="wallet"))
    assert revert_of(lambda: _relay(fresh_chain, batch_id, tree, refusing, [(positions[1], 100, 100)], retirement,
                                    deadline, any_bytes)) == ("GreenCertificateInvalidSignature", (refusing,))
    assert Account.from_key(anvil.private_keys[5]).address != accepting
