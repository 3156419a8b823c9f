"""Issue 16 on-chain, from the attacker's side: charge records can be neither claimed, retired nor recorded
twice, they count against their plant-interval's cap, and no discharge certificate exceeds what was
stored (charged × round-trip efficiency) or comes from an interval never charged (own encoding)."""

from __future__ import annotations

import pytest
from chain_scenario import T0, revert_of
from eth_abi import encode
from eth_utils import keccak
from independent_tree import GenerationTree, claim, discharge_leaf, header, plain_node, storage_account, token_id

pytestmark = pytest.mark.chain

PLANT, STORAGE = 8, 1
DAY = 86_400
INPUTS = keccak(text="storage inputs")
EFFICIENCY_PPM = 800_000


def _setup(chain) -> str:
    chain.register_plant(PLANT, "STORAGE-WIND", "offshore_wind", True, 10_000_000, 900, "XX")
    chain.send(chain.prepare_raw("registerStorage", STORAGE, keccak(text="BESS-1"), "BESS-1", EFFICIENCY_PPM))
    account = storage_account(STORAGE)
    assert chain.view_raw("storageAccount", STORAGE) == account
    return account


def _charged_batch(chain, firm: str, account: str, firm_wh: int, charge_wh: int, cap_wh: int):
    tree = GenerationTree(T0, 900, 1, [PLANT], slot_bits=1)
    firm_position = tree.put(0, 0, 0, firm, firm_wh)
    charge_position = tree.put(0, 0, 1, account, charge_wh)
    tree.caps[0] = cap_wh
    batch_id = keccak(text=f"charged-{firm_wh}-{charge_wh}")
    chain.send(chain.prepare_raw("anchorBatch", batch_id, tree.root, INPUTS, (T0, 900, 1, 1, 0), [PLANT]))
    return batch_id, tree, firm_position, charge_position


def _record(chain, batch_id, tree, position, amount):
    return chain.send(chain.prepare_raw("recordCharges", tree.header(batch_id, INPUTS), STORAGE,
                                        [(position, amount, 0)], tree.proof([position])))


def _discharge_batch(chain, leaves: list[bytes], start: int):
    """A batch of one empty interval of PLANT at ``start`` whose discharge tree holds ``leaves`` (2 levels)."""
    padded = leaves + [bytes(32)] * (4 - len(leaves))
    level1 = [plain_node(padded[0], padded[1]), plain_node(padded[2], padded[3])]
    discharge_root = plain_node(*level1)
    generation_root = bytes(32)
    root = keccak(encode(["bytes32", "bytes32"], [generation_root, discharge_root]))
    batch_id = keccak(text=f"discharge-{start}")
    chain.send(chain.prepare_raw("anchorBatch", batch_id, root, INPUTS, (start, 900, 1, 0, 2), [PLANT]))

    def proof(position: int) -> list[bytes]:
        return [padded[position ^ 1], level1[(position >> 1) ^ 1]]
    return batch_id, generation_root, proof


def test_discharges_are_capped_by_what_was_stored_after_losses(fresh_chain, anvil):
    firm, other = anvil.addresses[1:3]
    account = _setup(fresh_chain)
    batch_id, tree, _, charge = _charged_batch(fresh_chain, firm, account, 400, 500, 900)
    _record(fresh_chain, batch_id, tree, charge, 500)
    assert fresh_chain.view_raw("storedWh", STORAGE, PLANT) == 400  # 500 Wh × 0.8
    first = discharge_leaf(STORAGE, PLANT, T0, 900, firm, 300)
    too_much = discharge_leaf(STORAGE, PLANT, T0, 900, other, 101)
    never_charged = discharge_leaf(STORAGE, PLANT, T0 + 900, 900, other, 1)
    d_batch, g_root, proof = _discharge_batch(fresh_chain, [first, too_much, never_charged], T0 + DAY)
    hdr = header(d_batch, INPUTS, g_root, [PLANT], (T0 + DAY, 900, 1, 0, 2))
    fresh_chain.send(fresh_chain.prepare_raw("claimDischarges", hdr, firm, [(0, STORAGE, PLANT, T0, 900, 300)],
                                             proof(0)))
    discharged = token_id(PLANT, T0, 900, kind=2, storage=STORAGE)
    assert fresh_chain.balance_of(firm, discharged) == 300
    assert fresh_chain.view_raw("storedWh", STORAGE, PLANT) == 100
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "claimDischarges", hdr, other, [(1, STORAGE, PLANT, T0, 900, 101)], proof(1)))) == (
        "GreenCertificateDischargeAboveStored", (STORAGE, PLANT, 101, 100))
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "claimDischarges", hdr, other, [(2, STORAGE, PLANT, T0 + 900, 900, 1)], proof(2)))) == (
        "GreenCertificateOriginNotCharged", (STORAGE, PLANT, T0 + 900))
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "claimDischarges", hdr, firm, [(0, STORAGE, PLANT, T0, 900, 300)], proof(0)))) == (
        "GreenCertificateDischargeAlreadyClaimed", (d_batch, 0))


def test_a_charge_record_can_never_be_claimed_retired_or_recorded_twice(fresh_chain, anvil):
    firm, attacker_key = anvil.addresses[1], anvil.private_keys[2]
    account = _setup(fresh_chain)
    batch_id, tree, _, charge = _charged_batch(fresh_chain, firm, account, 400, 500, 900)
    hdr = tree.header(batch_id, INPUTS)
    # nobody can mint it to the storage account (that would also block its recording)
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "claimLeaves", hdr, account, [(charge, 500, 0)], tree.proof([charge])))) == (
        "GreenCertificateStorageAccount", (account,))
    # the attacker cannot retire it as its own: the leaf is the storage account's
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "retireLeaves", hdr, [(charge, 500, 500)], tree.proof([charge]), claim(keccak(text="x"), T0, T0 + 900),
        sender_key=attacker_key))) == ("GreenCertificateInvalidProof", (batch_id,))
    # nor relay a retirement for the storage account: nobody holds its key
    deadline = fresh_chain.chain_time() + 600
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "retireLeavesFor", hdr, account, [(charge, 500, 500)], tree.proof([charge]),
        claim(keccak(text="x"), T0, T0 + 900), deadline, b"\x11" * 65))) == (
        "GreenCertificateInvalidSignature", (account,))
    _record(fresh_chain, batch_id, tree, charge, 500)
    assert revert_of(lambda: _record(fresh_chain, batch_id, tree, charge, 500)) == (
        "GreenCertificateLeafAlreadyClaimed", (account, PLANT, T0))
    assert fresh_chain.view_raw("storedWh", STORAGE, PLANT) == 400


def test_a_charge_counts_against_its_plant_intervals_cap(fresh_chain, anvil):
    firm = anvil.addresses[1]
    account = _setup(fresh_chain)
    batch_id, tree, firm_position, charge = _charged_batch(fresh_chain, firm, account, 500, 500, 900)
    assert revert_of(lambda: _record(fresh_chain, batch_id, tree, charge, 500)) == (
        "GreenCertificateAllocationsAboveCap", (PLANT, T0, 1000, 900))
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "claimLeaves", tree.header(batch_id, INPUTS), firm, [(firm_position, 500, 0)],
        tree.proof([firm_position])))) == ("GreenCertificateAllocationsAboveCap", (PLANT, T0, 1000, 900))
