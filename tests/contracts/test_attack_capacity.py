"""Issue 18, finding 1 from the attacker's side: no plant-hour is certified twice, whatever the root says.

v1 let a 1 kW plant mint 2,999 Wh for one hour: leaves for (T0, 3600 s) = 1000 Wh, (T0, 1800 s) = 500,
(T0+1800, 1800 s) = 500 and (T0+1, 3599 s) = 999, each its own token under its own cap. In v2 a
leaf has no interval of its own (the contract derives it from the leaf's position in the batch
grid), the grid must sit on the plant's issuance grid, a grid step is issued once, and the
Merkle-sum tree makes the proof show Σ leaves ≤ cap ≤ capacity × duration. Trees and encodings here
are the attacker's own (``attacker_tree``).
"""

from __future__ import annotations

import pytest
from chain_scenario import T0, revert_of
from eth_utils import keccak
from independent_tree import GenerationTree, token_id

from greenproof.contracts import ChainClient

pytestmark = pytest.mark.chain

PLANT = 7          # a 1 kW plant on a 900 s issuance grid
CAPACITY_W = 1000
INPUTS = keccak(text="attacker inputs")


def _setup(chain: ChainClient) -> None:
    chain.register_plant(PLANT, "ATTACK-1KW", "solar_pv", True, CAPACITY_W, 900, "XX")


def _anchor(chain: ChainClient, name: str, tree: GenerationTree) -> bytes:
    batch_id = keccak(text=name)
    chain.send(chain.prepare_raw("anchorBatch", batch_id, tree.root, INPUTS, tree.shape, tree.plants))
    return batch_id


def _claim(chain: ChainClient, batch_id: bytes, tree: GenerationTree, holder: str, positions: list[int]):
    leaves = [(p, tree.leaves[p][1], 0) for p in sorted(positions)]
    return chain.send(chain.prepare_raw("claimLeaves", tree.header(batch_id, INPUTS), holder,
                                        leaves, tree.proof(positions)))


def test_the_2999_wh_overlap_attack_is_refused(fresh_chain, anvil):
    _setup(fresh_chain)
    a, b, c, d = anvil.addresses[1:5]
    hour = GenerationTree(T0, 3600, 1, [PLANT], slot_bits=0)
    position = hour.put(0, 0, 0, a, 1000)
    hour.caps[0] = 1000
    batch = _anchor(fresh_chain, "hour", hour)
    _claim(fresh_chain, batch, hour, a, [position])
    assert fresh_chain.balance_of(a, token_id(PLANT, T0, 3600)) == 1000

    # the half hours of the same hour, in a second batch: the grid steps are issued already
    halves = GenerationTree(T0, 1800, 2, [PLANT], slot_bits=0)
    halves.put(0, 0, 0, b, 500)
    halves.put(1, 0, 0, c, 500)
    halves.caps = {0: 500, 1: 500}
    assert revert_of(lambda: _anchor(fresh_chain, "halves", halves)) == (
        "GreenCertificateIntervalAlreadyIssued", (PLANT, T0))
    # the 3,599-s interval starting a second late is off the plant's grid
    skewed = GenerationTree(T0 + 1, 3599, 1, [PLANT], slot_bits=0)
    skewed.put(0, 0, 0, d, 999)
    skewed.caps[0] = 999
    assert revert_of(lambda: _anchor(fresh_chain, "skewed", skewed)) == (
        "GreenCertificateOffGrid", (PLANT, T0 + 1, 3599, 900))
    # and so is a 3,599-s batch that starts on the grid
    short = GenerationTree(T0 + 3600, 3599, 1, [PLANT], slot_bits=0)
    assert revert_of(lambda: _anchor(fresh_chain, "short", short)) == (
        "GreenCertificateOffGrid", (PLANT, T0 + 3600, 3599, 900))


def test_a_leaf_cannot_claim_an_interval_length_of_its_own(fresh_chain, anvil):
    _setup(fresh_chain)
    holder = anvil.addresses[1]
    tree = GenerationTree(T0, 3600, 1, [PLANT], slot_bits=1)
    tree.put(0, 0, 0, holder, 600)
    lying = tree.put(0, 0, 1, holder, 400, seconds=1800)  # a half-hour leaf inside an hourly batch
    tree.caps[0] = 1000
    batch = _anchor(fresh_chain, "lying", tree)
    # the contract hashes the leaf with the batch's 3600 s: the half-hour leaf never matches the root
    assert revert_of(lambda: _claim(fresh_chain, batch, tree, holder, [lying])) == (
        "GreenCertificateInvalidProof", (batch,))


def test_leaves_above_the_cap_or_a_cap_above_capacity_cannot_be_proven(fresh_chain, anvil):
    _setup(fresh_chain)
    a, b = anvil.addresses[1:3]
    greedy = GenerationTree(T0, 900, 2, [PLANT], slot_bits=1)
    first = greedy.put(0, 0, 0, a, 200)
    second = greedy.put(0, 0, 1, b, 51)           # 251 Wh under a 250 Wh cap: a faulty root
    over = greedy.put(1, 0, 0, a, 100)            # cap 251 Wh > 1 kW × 900 s = 250 Wh
    greedy.caps = {0: 250, 1: 251}
    batch = _anchor(fresh_chain, "greedy", greedy)
    # every proof through the over-full plant-interval node shows its sum above its cap
    assert revert_of(lambda: _claim(fresh_chain, batch, greedy, a, [first])) == (
        "GreenCertificateAllocationsAboveCap", (PLANT, T0, 251, 250))
    assert revert_of(lambda: _claim(fresh_chain, batch, greedy, b, [second])) == (
        "GreenCertificateAllocationsAboveCap", (PLANT, T0, 251, 250))
    assert revert_of(lambda: _claim(fresh_chain, batch, greedy, a, [over])) == (
        "GreenCertificateCapAboveCapacity", (PLANT, 251, 250))
    # lying about a sibling's sum changes the node it hashes into: the proof fails
    proof = greedy.proof([first])
    proof[1] = (50).to_bytes(32, "big")
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "claimLeaves", greedy.header(batch, INPUTS), a, [(first, 200, 0)], proof))) == (
        "GreenCertificateInvalidProof", (batch,))


def test_one_plant_listed_twice_in_a_batch_is_refused(fresh_chain, anvil):
    _setup(fresh_chain)
    tree = GenerationTree(T0, 900, 1, [PLANT, PLANT], slot_bits=0)
    tree.put(0, 0, 0, anvil.addresses[1], 100)
    tree.put(0, 1, 0, anvil.addresses[1], 100)
    tree.caps = {0: 100, 1: 100}
    assert revert_of(lambda: _anchor(fresh_chain, "twice", tree)) == ("GreenCertificatePlantsNotSorted", (1, PLANT))


def test_two_identical_leaves_of_one_holder_are_used_once(fresh_chain, anvil):
    _setup(fresh_chain)
    holder = anvil.addresses[1]
    tree = GenerationTree(T0, 900, 1, [PLANT], slot_bits=1)
    first = tree.put(0, 0, 0, holder, 100)
    second = tree.put(0, 0, 1, holder, 100)
    tree.caps[0] = 200
    batch = _anchor(fresh_chain, "twins", tree)
    _claim(fresh_chain, batch, tree, holder, [first])
    assert revert_of(lambda: _claim(fresh_chain, batch, tree, holder, [second])) == (
        "GreenCertificateLeafAlreadyClaimed", (holder, PLANT, T0))
    assert fresh_chain.balance_of(holder, token_id(PLANT, T0, 900)) == 100
