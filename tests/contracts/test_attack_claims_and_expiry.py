"""Issue 18, findings 2 and 3 from the attacker's side: squatted claim references, expired certificates,
claim periods, batches from the future, inner nodes passed as leaves (own encoding: ``attacker_tree``)."""

from __future__ import annotations

import pytest
from chain_scenario import JANUARY_2025_EXPIRY, T0, revert_of, set_chain_time
from eth_utils import keccak
from independent_tree import GenerationTree, claim, plain_node, sum_node, token_id

from greenproof.contracts import ChainClient

pytestmark = pytest.mark.chain

PLANT = 5
INPUTS = keccak(text="attacker inputs")


def _day(chain: ChainClient, holders: list[str], name: str = "day") -> tuple[bytes, GenerationTree, list[int]]:
    """One plant, four 15-min intervals from T0, the holders one slot each with 100 Wh (cap = Σ)."""
    chain.register_plant(PLANT, "ATTACK-PV", "solar_pv", True, 10_000_000, 900, "XX")
    tree = GenerationTree(T0, 900, 4, [PLANT], slot_bits=2)
    positions = [tree.put(i, 0, slot, holder, 100) for i in range(4) for slot, holder in enumerate(holders)]
    tree.caps = {i: 100 * len(holders) for i in range(4)}
    batch_id = keccak(text=name)
    chain.send(chain.prepare_raw("anchorBatch", batch_id, tree.root, INPUTS, tree.shape, [PLANT]))
    return batch_id, tree, positions


def _retire(chain: ChainClient, key: str, batch_id: bytes, tree: GenerationTree, positions: list[int], retirement):
    leaves = [(p, tree.leaves[p][1], tree.leaves[p][1]) for p in sorted(positions)]
    return chain.send(chain.prepare_raw("retireLeaves", tree.header(batch_id, INPUTS), leaves,
                                        tree.proof(positions), retirement, sender_key=key))


def test_a_squatted_claim_reference_does_not_block_the_firm(fresh_chain, anvil):
    firm, attacker = anvil.addresses[1:3]
    firm_key, attacker_key = anvil.private_keys[1:3]
    batch_id, tree, positions = _day(fresh_chain, [firm, attacker])
    firm_ref = keccak(text="the firm's next claim reference")  # predictable: derived from its shipment
    attacker_leaf = positions[1]
    _retire(fresh_chain, attacker_key, batch_id, tree, [attacker_leaf], claim(firm_ref, T0, T0 + 3600))
    assert fresh_chain.claim_ref_used(attacker, firm_ref) and not fresh_chain.claim_ref_used(firm, firm_ref)
    # the firm retires under the same reference: it is the firm's own, untouched
    _retire(fresh_chain, firm_key, batch_id, tree, [positions[0], positions[2]],
            claim(firm_ref, T0, T0 + 3600, "Firm"))
    retired = [e for e in fresh_chain.events() if e.name == "Retired"]
    assert [(e.args["holder"], e.args["claimRef"]) for e in retired] == [(attacker, firm_ref), (firm, firm_ref)]
    assert retired[1].args["ids"] == [token_id(PLANT, T0, 900), token_id(PLANT, T0 + 900, 900)]
    # the firm cannot use its reference twice
    assert revert_of(lambda: _retire(fresh_chain, firm_key, batch_id, tree, [positions[4]],
                                     claim(firm_ref, T0, T0 + 3600))) == (
        "GreenCertificateClaimRefUsed", (firm, firm_ref))


def test_expired_certificates_cannot_be_claimed_moved_or_retired(fresh_chain, anvil):
    holder, buyer = anvil.addresses[1:3]
    key = anvil.private_keys[1]
    batch_id, tree, positions = _day(fresh_chain, [holder])
    first = positions[0]
    fresh_chain.send(fresh_chain.prepare_raw("claimLeaves", tree.header(batch_id, INPUTS), holder,
                                             [(first, 100, 0)], tree.proof([first])))
    minted = token_id(PLANT, T0, 900)
    set_chain_time(fresh_chain, JANUARY_2025_EXPIRY - 1)  # the last second of validity still works
    fresh_chain.transfer(buyer, minted, 10, holder_key=key)
    set_chain_time(fresh_chain, JANUARY_2025_EXPIRY)      # 2027-01-01T00:00+08:00
    expired = ("GreenCertificateExpired", (minted, JANUARY_2025_EXPIRY))
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "safeTransferFrom", holder, buyer, minted, 1, b"", sender_key=key))) == expired
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "retire", [minted], [1], claim(keccak(text="late"), T0, T0 + 900), sender_key=key))) == expired
    assert revert_of(lambda: _retire(fresh_chain, key, batch_id, tree, [positions[1]],
                                     claim(keccak(text="late-leaf"), T0, T0 + 3600))) == (
        "GreenCertificateExpired", (token_id(PLANT, T0 + 900, 900), JANUARY_2025_EXPIRY))
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "claimLeaves", tree.header(batch_id, INPUTS), holder, [(positions[2], 100, 0)],
        tree.proof([positions[2]])))) == ("GreenCertificateExpired", (token_id(PLANT, T0 + 1800, 900),
                                                                     JANUARY_2025_EXPIRY))


def test_a_claim_period_must_contain_every_retired_interval(fresh_chain, anvil):
    holder, key = anvil.addresses[1], anvil.private_keys[1]
    batch_id, tree, positions = _day(fresh_chain, [holder])
    # consumption period [T0, T0 + 1800] covers intervals 0 and 1, not interval 2
    assert revert_of(lambda: _retire(fresh_chain, key, batch_id, tree, positions[:3],
                                     claim(keccak(text="short"), T0, T0 + 1800))) == (
        "GreenCertificateIntervalOutsideClaimPeriod", (token_id(PLANT, T0 + 1800, 900), T0, T0 + 1800))
    assert revert_of(lambda: _retire(fresh_chain, key, batch_id, tree, positions[:1],
                                     claim(keccak(text="late"), T0 + 1, T0 + 3600))) == (
        "GreenCertificateIntervalOutsideClaimPeriod", (token_id(PLANT, T0, 900), T0 + 1, T0 + 3600))
    _retire(fresh_chain, key, batch_id, tree, positions[:2], claim(keccak(text="fits"), T0, T0 + 1800))


def test_batches_from_the_future_cannot_lock_a_plant(fresh_chain, anvil):
    fresh_chain.register_plant(PLANT, "ATTACK-PV", "solar_pv", True, 10_000_000, 900, "XX")
    now = fresh_chain.chain_time()
    tomorrow = (now // 900 + 96) * 900
    tree = GenerationTree(tomorrow, 900, 1, [PLANT], slot_bits=0)
    tree.put(0, 0, 0, anvil.addresses[1], 1)
    tree.caps[0] = 1
    error = revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "anchorBatch", keccak(text="tomorrow"), tree.root, INPUTS, (tomorrow, 900, 1, 0, 0), [PLANT])))
    assert error[0] == "GreenCertificatePeriodInFuture" and error[1][0] == tomorrow + 900 and error[1][1] >= now
    last = 2**64 - 1 - 900 + 1  # the interval ending at periodEnd = 2^64 - 1 ... aligned down to the grid
    last -= last % 900
    error = revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "anchorBatch", keccak(text="forever"), tree.root, INPUTS, (last, 900, 1, 0, 0), [PLANT])))
    assert error[0] == "GreenCertificatePeriodInFuture" and error[1][0] == last + 900
    huge = revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "anchorBatch", keccak(text="huge"), tree.root, INPUTS, (T0, 900, 2**32 - 1, 0, 0), [PLANT])))
    assert huge[0] == "GreenCertificatePeriodInFuture" and huge[1][0] == T0 + 900 * (2**32 - 1)
    # nothing was issued: yesterday's real interval anchors fine
    yesterday = (now // 900 - 96) * 900
    real = GenerationTree(yesterday, 900, 1, [PLANT], slot_bits=0)
    real.put(0, 0, 0, anvil.addresses[1], 1)
    real.caps[0] = 1
    fresh_chain.send(fresh_chain.prepare_raw("anchorBatch", keccak(text="real"), real.root, INPUTS, real.shape,
                                             [PLANT]))
    assert fresh_chain.is_issued(PLANT, yesterday)


def test_verify_leaf_takes_fields_so_an_inner_node_never_passes(fresh_chain, anvil):
    a, b = anvil.addresses[1:3]
    batch_id, tree, positions = _day(fresh_chain, [a, b])
    hdr = tree.header(batch_id, INPUTS)
    full = tree.proof([positions[0]])
    assert fresh_chain.view_raw("verifyLeaf", hdr, a, (positions[0], 100, 0), full) is True
    # v1's verifyLeaf(bytes32 batchId, bytes32 leafHash, bytes32[] proof) is gone: no raw hash goes in
    assert not [f for f in fresh_chain._contract.abi if f.get("name") == "verifyLeaf"
                and [i["type"] for i in f["inputs"]] == ["bytes32", "bytes32", "bytes32[]"]]
    # leaf fields that are not the committed ones do not verify
    assert fresh_chain.view_raw("verifyLeaf", hdr, a, (positions[0], 1, 0), full) is False
    # the inner node over slots 0 and 1 (a's and b's leaves) has a proof of its own, one level shorter
    # than a leaf's: the contract folds leaves at the tree's fixed depth, so that proof runs out
    inner = sum_node(*tree.leaves[positions[0]], *tree.leaves[positions[1]])
    inner_proof = full[2:]
    assert inner not in inner_proof and plain_node(full[0], full[1]) != inner
    assert revert_of(lambda: fresh_chain.view_raw("verifyLeaf", hdr, a, (positions[0], 100, 0), inner_proof)) == (
        "GreenCertificateMalformedProof", (batch_id, len(inner_proof)))
