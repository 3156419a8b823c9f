"""Chain-test scenario shared by the contract tests: three plants and one anchored batch (built with BatchTree)."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import keccak

from greenproof.contracts import (
    AllocationLeaf,
    Anvil,
    BatchHeader,
    BatchTree,
    ChainClient,
    ContractRevertError,
    LeafRef,
    PlantIntervalCap,
    RetirementClaim,
    TxResult,
)

PV, PV_INDEX = "BH-PV-FISHERY-1", 1        # 147 MW fishery-pond PV (DESIGN.md "Binhai park model")
WIND, WIND_INDEX = "BH-WIND-H1", 2         # 100 MW offshore wind H1
COAL, COAL_INDEX = "BH-COAL-1", 3          # 1000 MW coal unit: registered, never issuable
PV_CAPACITY_W = 147_000_000
WIND_CAPACITY_W = 100_000_000
GRID_S = 900
T0 = 1_735_689_600          # 2025-01-01T00:00:00Z
INTERVAL_S = 900
N_INTERVALS = 4
PERIOD_END = T0 + N_INTERVALS * INTERVAL_S
#: Allocation per (interval i, holder h) in Wh; the cap of each plant-interval is their sum.
AMOUNTS_WH = (5_000_000, 3_000_000, 1_000_000)
INPUTS = keccak(text="inputs")
#: First instant at which certificates of January 2025 are expired: 2027-01-01T00:00+08:00.
JANUARY_2025_EXPIRY = 1_798_732_800


@dataclass
class Scenario:
    chain: ChainClient
    anvil: Anvil
    batch_id: bytes
    tree: BatchTree
    holder_keys: dict[str, str]

    @property
    def header(self) -> BatchHeader:
        return BatchHeader(self.batch_id, INPUTS, self.tree.discharge_root, self.tree.layout)

    @property
    def leaves(self) -> list[AllocationLeaf]:
        return self.tree.allocations

    def of(self, holder: str) -> list[AllocationLeaf]:
        return [leaf for leaf in self.tree.allocations if leaf.holder == holder]

    def refs(self, leaves: list[AllocationLeaf], retire: bool = True) -> list[LeafRef]:
        return [LeafRef(self.tree.position(x), x.amount_wh, x.amount_wh if retire else 0) for x in leaves]

    def claim(self, leaves: list[AllocationLeaf]) -> TxResult:
        return self.chain.claim_leaves(self.header, leaves[0].holder, self.refs(leaves, retire=False),
                                       self.tree.multiproof(leaves))

    def retire(self, leaves: list[AllocationLeaf], claim: RetirementClaim, retire_wh: list[int] | None = None,
               key: str | None = None) -> TxResult:
        refs = self.refs(leaves)
        if retire_wh is not None:
            refs = [LeafRef(r.position, r.amount_wh, wh) for r, wh in zip(refs, retire_wh, strict=True)]
        return self.chain.retire_leaves(self.header, refs, self.tree.multiproof(leaves), claim,
                                        holder_key=key or self.holder_keys[leaves[0].holder])


def retirement(ref: str, start: int = T0, end: int = PERIOD_END) -> RetirementClaim:
    return RetirementClaim(keccak(text=ref), "Binhai Steel Co.", "EU CBAM embedded emissions", start, end,
                           keccak(text="SHIP-" + ref))


def register_plants(chain: ChainClient) -> None:
    chain.register_plant(PV_INDEX, PV, "solar_pv", True, PV_CAPACITY_W, GRID_S, "CN-JS-YC-BH")
    chain.register_plant(WIND_INDEX, WIND, "offshore_wind", True, WIND_CAPACITY_W, GRID_S, "CN-JS-YC-BH")
    chain.register_plant(COAL_INDEX, COAL, "coal", False, 1_000_000_000, GRID_S, "CN-JS-YC-BH")


def scenario_tree(holders: list[str], start: int = T0) -> BatchTree:
    """PV and WIND for 4 intervals from ``start``, three holders with ``AMOUNTS_WH`` (minus the interval index)."""
    leaves = [AllocationLeaf(code, index, start + i * INTERVAL_S, INTERVAL_S, holder, amount - i)
              for code, index in ((PV, PV_INDEX), (WIND, WIND_INDEX)) for i in range(N_INTERVALS)
              for holder, amount in zip(holders, AMOUNTS_WH, strict=True)]
    caps = [PlantIntervalCap(code, index, start + i * INTERVAL_S, INTERVAL_S, sum(AMOUNTS_WH) - 3 * i)
            for code, index in ((PV, PV_INDEX), (WIND, WIND_INDEX)) for i in range(N_INTERVALS)]
    return BatchTree(period_start_s=start, interval_s=INTERVAL_S, interval_count=N_INTERVALS,
                     plants=[PV_INDEX, WIND_INDEX], caps=caps, allocations=leaves)


def anchored_scenario(fresh_chain: ChainClient, anvil: Anvil) -> Scenario:
    """Register the plants and anchor PV and WIND for 4 intervals from T0; holders = dev accounts 1-3."""
    register_plants(fresh_chain)
    holders = anvil.addresses[1:4]
    tree = scenario_tree(holders)
    batch_id = keccak(text="batch-2025-01-01")
    fresh_chain.anchor_batch(batch_id, tree.root, INPUTS, tree.layout)
    return Scenario(fresh_chain, anvil, batch_id, tree, dict(zip(holders, anvil.private_keys[1:4], strict=True)))


def set_chain_time(chain: ChainClient, timestamp_s: int) -> None:
    """Mine a block at ``timestamp_s`` (the next transactions and calls see at least that time)."""
    provider = chain.web3.provider
    provider.make_request("evm_setNextBlockTimestamp", [timestamp_s])
    provider.make_request("evm_mine", [])


def revert_of(action) -> tuple[str, tuple]:
    """Run ``action``; return the custom error it reverts with, as (name, args)."""
    try:
        action()
    except ContractRevertError as error:
        return error.name, error.error_args
    raise AssertionError("the call did not revert")
