"""Chain cost benchmark: anchoring Merkle roots vs minting every line, on a local Anvil.

Measures, in one run on one node: gas and wall time of anchoring a park day (96 intervals × 4
plants × 10 holders = 3,840 allocation leaves + 384 cap leaves) against minting the same day
directly with ``issueBatch`` (one transaction per interval, pipelined); gas per claim and per
retire-with-proof; and a park year of daily anchors (365 transactions, pipelined).
Baseline from DESIGN.md "Chain cost model": one directly minted line ≈ 28.7k gas.

    .venv/bin/python scripts/bench/chain.py
"""

from __future__ import annotations

import os
import statistics
import time

from eth_utils import keccak

from greenproof.contracts import (
    AllocationLeaf,
    Anvil,
    CapLeaf,
    ChainClient,
    MerkleTree,
    RetirementClaim,
    leaf_hash,
)

DAY_S = 86_400
INTERVAL_S = 900
N_INTERVALS = 96
N_PLANTS = 4
N_HOLDERS = 10
T0 = 1_735_689_600  # 2025-01-01T00:00:00Z
CAPACITY_W = 400_000_000
BASELINE_GAS_PER_LINE = 28_700  # DESIGN.md, measured earlier with per-line mints


def day_leaves(plants, holders, day_start):
    caps, allocations = [], []
    for i in range(N_INTERVALS):
        start = day_start + i * INTERVAL_S
        for p, plant in enumerate(plants):
            amounts = [1_000_000 + 1_000 * p + 10 * i + h for h in range(len(holders))]
            caps.append(CapLeaf(plant, start, INTERVAL_S, sum(amounts)))
            allocations += [AllocationLeaf(plant, start, INTERVAL_S, holder, a)
                            for holder, a in zip(holders, amounts, strict=True)]
    return caps, allocations


def main():
    with Anvil(accounts=N_HOLDERS + 1) as node:
        chain = ChainClient.deploy(node.rpc_url, node.private_keys[0])
        holders = node.addresses[1:]
        keys = dict(zip(holders, node.private_keys[1:], strict=True))
        anchored = [f"A-PLANT-{p}" for p in range(N_PLANTS)]
        direct = [f"D-PLANT-{p}" for p in range(N_PLANTS)]
        chain.send_many([chain.prepare_register_plant(code, "offshore_wind", True, CAPACITY_W, "CN-JS-YC-BH")
                         for code in anchored + direct])

        # -- one day anchored --------------------------------------------------------------------
        caps, allocations = day_leaves(anchored, holders, T0)
        started = time.perf_counter()
        tree = MerkleTree([leaf_hash(x) for x in allocations + caps])
        tree_s = time.perf_counter() - started
        started = time.perf_counter()
        day_batch = keccak(text="day-0")
        anchor = chain.anchor_batch(day_batch, tree.root, keccak(text="inputs-0"), T0, T0 + DAY_S, anchored)
        anchor_s = time.perf_counter() - started
        n_leaves = len(allocations) + len(caps)

        # -- claims and retirements on that day --------------------------------------------------
        cap_of = {(c.plant_code, c.interval_start_s): c for c in caps}

        def claim_tx(leaf):
            cap = cap_of[(leaf.plant_code, leaf.interval_start_s)]
            return chain.prepare_claim(day_batch, leaf, tree.proof(leaf_hash(leaf)), cap, tree.proof(leaf_hash(cap)))

        first_of_token = allocations[0:400:N_HOLDERS]       # first claim of 40 tokens: new `minted` slot
        later_of_token = allocations[1:400:N_HOLDERS]       # second claim of the same tokens
        claim_first = chain.send_many([claim_tx(x) for x in first_of_token])
        claim_later = chain.send_many([claim_tx(x) for x in later_of_token])
        retire_leaves = allocations[2:400:N_HOLDERS]
        retires = []
        for n, leaf in enumerate(retire_leaves):
            cap = cap_of[(leaf.plant_code, leaf.interval_start_s)]
            claim = RetirementClaim(keccak(text=f"R-{n}"), "Binhai Steel Co.", "EU CBAM", T0, T0 + DAY_S)
            retires.append(chain.prepare_retire_with_proof(
                day_batch, leaf, tree.proof(leaf_hash(leaf)), cap, tree.proof(leaf_hash(cap)), leaf.amount_wh // 2,
                claim, holder_key=keys[leaf.holder]))
        retire_results = chain.send_many(retires)

        # -- the same day minted directly, one issueBatch per interval, pipelined -----------------
        d_caps, d_allocations = day_leaves(direct, holders, T0)
        per_interval = len(direct)
        txs = []
        for i in range(N_INTERVALS):
            start = T0 + i * INTERVAL_S
            caps_i = d_caps[i * per_interval:(i + 1) * per_interval]
            lines_i = d_allocations[i * per_interval * N_HOLDERS:(i + 1) * per_interval * N_HOLDERS]
            txs.append(chain.prepare_issue_batch(keccak(text=f"direct-{i}"), keccak(text=f"in-{i}"), start,
                                                 start + INTERVAL_S, direct, caps_i, lines_i))
        started = time.perf_counter()
        direct_results = chain.send_many(txs)
        direct_s = time.perf_counter() - started
        direct_gas = sum(r.gas_used for r in direct_results)

        # -- a park year of daily anchors (roots of later days synthetic: chain cost only) ---------
        year = [chain.prepare_anchor_batch(keccak(text=f"day-{d}"), keccak(text=f"root-{d}"), keccak(text=f"in-{d}"),
                                           T0 + d * DAY_S, T0 + (d + 1) * DAY_S, anchored) for d in range(1, 366)]
        started = time.perf_counter()
        year_results = chain.send_many(year)
        year_s = time.perf_counter() - started
        sequential = [chain.prepare_anchor_batch(keccak(text=f"seq-{d}"), keccak(text=f"r-{d}"), keccak(text="i"),
                                                 T0 + d * DAY_S, T0 + (d + 1) * DAY_S, anchored)
                      for d in range(366, 366 + 50)]
        started = time.perf_counter()
        for tx in sequential:
            chain.send(tx)
        sequential_tx_s = len(sequential) / (time.perf_counter() - started)

    lines = len(allocations)
    direct_per_line = direct_gas / lines
    anchor_per_leaf = anchor.gas_used / n_leaves
    print(f"Anvil {os.environ.get('GREENPROOF_ANVIL', 'node_modules')} — one run, {N_INTERVALS} intervals × "
          f"{N_PLANTS} plants × {N_HOLDERS} holders = {lines} lines + {len(caps)} caps")
    print(f"anchor a day      : {anchor.gas_used:>10,} gas = {anchor_per_leaf:8.1f} gas/leaf ({n_leaves} leaves), "
          f"{anchor_s * 1000:.1f} ms on chain + {tree_s * 1000:.0f} ms Merkle tree in Python")
    print(f"mint a day direct : {direct_gas:>10,} gas = {direct_per_line:8.1f} gas/line, {direct_s:.2f} s "
          f"({len(txs) / direct_s:.1f} tx/s, {lines / direct_s:,.0f} lines/s, pipelined)")
    print(f"  ratio gas/line direct ÷ gas/leaf anchored : {direct_per_line / anchor_per_leaf:,.0f}×")
    print(f"  ratio direct gas/line ÷ baseline 28.7k     : {direct_per_line / BASELINE_GAS_PER_LINE:.2f}×")
    print(f"  ratio wall time direct day ÷ anchored day   : {direct_s / (anchor_s + tree_s):.1f}×")
    print(f"claim (1st of token)    : {statistics.mean(r.gas_used for r in claim_first):>9,.0f} gas mean")
    print(f"claim (later of token)  : {statistics.mean(r.gas_used for r in claim_later):>9,.0f} gas mean")
    print(f"retire-with-proof (1/2) : {statistics.mean(r.gas_used for r in retire_results):>9,.0f} gas mean")
    print(f"  ratio claim (1st) ÷ baseline line mint     : "
          f"{statistics.mean(r.gas_used for r in claim_first) / BASELINE_GAS_PER_LINE:.2f}×")
    print(f"year of daily anchors   : {len(year_results)} tx in {year_s:.2f} s ({len(year_results) / year_s:.0f} tx/s "
          f"pipelined; {sequential_tx_s:.0f} tx/s send-and-wait), "
          f"{statistics.mean(r.gas_used for r in year_results):,.0f} gas/day")
    print(f"  ratio year anchored ÷ one day minted directly (wall): {year_s / direct_s:.2f}×")


if __name__ == "__main__":
    main()
