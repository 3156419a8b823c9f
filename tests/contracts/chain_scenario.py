"""Chain-test scenario shared by the contract tests: three plants and one anchored batch."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import keccak

from greenproof.contracts import (
    AllocationLeaf,
    Anvil,
    CapLeaf,
    ChainClient,
    ContractRevertError,
    MerkleTree,
    RetirementClaim,
    TxResult,
    leaf_hash,
)

PV = "BH-PV-FISHERY-1"      # 147 MW fishery-pond PV (DESIGN.md "Binhai park model")
WIND = "BH-WIND-H1"         # 100 MW offshore wind H1
COAL = "BH-COAL-1"          # 1000 MW coal unit: registered, never issuable
PV_CAPACITY_W = 147_000_000
WIND_CAPACITY_W = 100_000_000
T0 = 1_735_689_600          # 2025-01-01T00:00:00Z
INTERVAL_S = 900
N_INTERVALS = 4
PERIOD_END = T0 + N_INTERVALS * INTERVAL_S
#: Allocation per (interval i, holder h) in Wh; the cap of each plant-interval is their sum.
AMOUNTS_WH = (5_000_000, 3_000_000, 1_000_000)


@dataclass
class Scenario:
    chain: ChainClient
    anvil: Anvil
    batch_id: bytes
    tree: MerkleTree
    leaves: list[AllocationLeaf]
    caps: dict[tuple[str, int], CapLeaf]
    holder_keys: dict[str, str]

    def proof(self, leaf: AllocationLeaf | CapLeaf) -> list[bytes]:
        return self.tree.proof(leaf_hash(leaf))

    def cap_of(self, leaf: AllocationLeaf) -> CapLeaf:
        return self.caps[(leaf.plant_code, leaf.interval_start_s)]

    def claim(self, leaf: AllocationLeaf) -> TxResult:
        cap = self.cap_of(leaf)
        return self.chain.claim(self.batch_id, leaf, self.proof(leaf), cap, self.proof(cap))

    def retire_with_proof(self, leaf: AllocationLeaf, amount_wh: int, claim: RetirementClaim,
                          key: str | None = None) -> TxResult:
        cap = self.cap_of(leaf)
        return self.chain.retire_with_proof(self.batch_id, leaf, self.proof(leaf), cap, self.proof(cap), amount_wh,
                                            claim, holder_key=key or self.holder_keys[leaf.holder])


def retirement(ref: str, start: int = T0, end: int = PERIOD_END) -> RetirementClaim:
    return RetirementClaim(keccak(text=ref), "Binhai Steel Co.", "EU CBAM embedded emissions", start, end,
                           keccak(text="SHIP-" + ref))


def register_plants(chain: ChainClient) -> None:
    chain.register_plant(PV, "solar_pv", True, PV_CAPACITY_W, "CN-JS-YC-BH")
    chain.register_plant(WIND, "offshore_wind", True, WIND_CAPACITY_W, "CN-JS-YC-BH")
    chain.register_plant(COAL, "coal", False, 1_000_000_000, "CN-JS-YC-BH")


def anchored_scenario(fresh_chain: ChainClient, anvil: Anvil) -> Scenario:
    """Register the plants and anchor PV and WIND for 4 intervals from T0; holders = dev accounts 1-3."""
    register_plants(fresh_chain)
    holders = anvil.addresses[1:4]
    leaves = [AllocationLeaf(plant, T0 + i * INTERVAL_S, INTERVAL_S, holder, amount - i)
              for plant in (PV, WIND) for i in range(N_INTERVALS)
              for holder, amount in zip(holders, AMOUNTS_WH, strict=True)]
    caps = {(plant, T0 + i * INTERVAL_S): CapLeaf(plant, T0 + i * INTERVAL_S, INTERVAL_S, sum(AMOUNTS_WH) - 3 * i)
            for plant in (PV, WIND) for i in range(N_INTERVALS)}
    tree = MerkleTree([leaf_hash(x) for x in [*leaves, *caps.values()]])
    batch_id = keccak(text="batch-2025-01-01")
    fresh_chain.anchor_batch(batch_id, tree.root, keccak(text="inputs"), T0, PERIOD_END, [PV, WIND])
    return Scenario(fresh_chain, anvil, batch_id, tree, leaves, caps,
                   dict(zip(holders, anvil.private_keys[1:4], strict=True)))


def anchor_tree(chain: ChainClient, name: str, leaves: list[AllocationLeaf | CapLeaf], plants: list[str],
                start: int = T0, end: int = PERIOD_END) -> tuple[bytes, MerkleTree]:
    """Anchor an arbitrary set of leaves as batch ``keccak(name)``; return its id and tree."""
    tree = MerkleTree([leaf_hash(x) for x in leaves])
    batch_id = keccak(text=name)
    chain.anchor_batch(batch_id, tree.root, keccak(text="inputs-" + name), start, end, plants)
    return batch_id, tree


def reverts_with(error: ContractRevertError, name: str, *args: object) -> bool:
    """Whether ``error`` is the custom error ``name`` with exactly ``args``."""
    return (error.name, error.error_args) == (name, args)
