"""Python encodings (eth-abi) against the contract's own Solidity (abi.encode) and MerkleProof (real Anvil).

The token id and both leaf kinds are computed independently on each side; proofs built by
``greenproof.contracts.merkle`` must verify in OpenZeppelin ``MerkleProof`` for trees of 1, 2, 3,
5 and 1000 leaves (odd levels included).
"""

from __future__ import annotations

import pytest
from chain_scenario import INTERVAL_S, PV, T0, register_plants
from eth_utils import keccak

from greenproof.contracts import AllocationLeaf, CapLeaf, MerkleTree, leaf_hash, token_id

pytestmark = pytest.mark.chain

UINT64_MAX = 2**64 - 1
UINT32_MAX = 2**32 - 1

CASES = [
    ("BH-PV-FISHERY-1", T0, 900, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 36_750_000),
    ("滨海H2海上风电", 0, 1, "0x0000000000000000000000000000000000000001", 1),
    ("x", UINT64_MAX, UINT32_MAX, "0xffffffffffffffffffffffffffffffffffffffff", 2**256 - 1),
]


@pytest.mark.parametrize(("plant", "start", "seconds", "holder", "amount"), CASES)
def test_token_id_and_leaf_hashes_match_solidity(chain, plant, start, seconds, holder, amount):
    assert chain.token_id_of(plant, start, seconds) == token_id(plant, start, seconds)
    allocation = AllocationLeaf(plant, start, seconds, holder, amount)
    cap = CapLeaf(plant, start, seconds, amount)
    assert chain.leaf_hash_of(allocation) == leaf_hash(allocation)
    assert chain.leaf_hash_of(cap) == leaf_hash(cap)
    assert leaf_hash(allocation) != leaf_hash(cap)


@pytest.mark.parametrize("n_leaves", [1, 2, 3, 5, 1000])
def test_python_proofs_verify_in_openzeppelin_merkle_proof(fresh_chain, anvil, n_leaves):
    register_plants(fresh_chain)
    holders = anvil.addresses
    cap = CapLeaf(PV, T0, INTERVAL_S, 10 * n_leaves)
    leaves = [cap] + [AllocationLeaf(PV, T0, INTERVAL_S, holders[i % len(holders)], 1 + i)
                      for i in range(n_leaves - 1)]
    tree = MerkleTree([leaf_hash(x) for x in leaves])
    batch_id = keccak(text=f"tree-{n_leaves}")
    fresh_chain.anchor_batch(batch_id, tree.root, keccak(text="inputs"), T0, T0 + INTERVAL_S, [PV])
    checked = leaves if n_leaves <= 5 else leaves[::37] + leaves[-3:]
    for leaf in checked:
        assert fresh_chain.verify_leaf(batch_id, leaf, tree.proof(leaf_hash(leaf))), leaf
    if n_leaves > 1:
        # a proof for one leaf does not verify another, and the allocation itself is claimable
        other, leaf = leaves[0], leaves[-1]
        assert not fresh_chain.verify_leaf(batch_id, other, tree.proof(leaf_hash(leaf)))
        fresh_chain.claim(batch_id, leaf, tree.proof(leaf_hash(leaf)), cap, tree.proof(leaf_hash(cap)))
        assert fresh_chain.balance_of(leaf.holder, leaf.token_id) == leaf.amount_wh
