"""Plant and storage registry, batch registration: once-only ids, per-(plant, interval) issued bitmap, roles."""

from __future__ import annotations

import pytest
from chain_scenario import (
    COAL_INDEX,
    GRID_S,
    INPUTS,
    INTERVAL_S,
    PV,
    PV_CAPACITY_W,
    PV_INDEX,
    T0,
    WIND_INDEX,
    register_plants,
    revert_of,
    scenario_tree,
)
from eth_utils import keccak

from greenproof.contracts import BatchLayout, plant_key, text32

pytestmark = pytest.mark.chain

ROOT = keccak(text="root")
DAY = 86_400
ISSUER_ROLE = keccak(text="ISSUER_ROLE")


def _day(start: int, plants: tuple[int, ...] = (PV_INDEX, WIND_INDEX), count: int = 96) -> BatchLayout:
    return BatchLayout(start, INTERVAL_S, count, plants, slot_bits=2)


def test_plant_and_storage_registry_round_trip_and_register_once(fresh_chain):
    register_plants(fresh_chain)
    pv = fresh_chain.plant(PV_INDEX)
    assert (pv.plant_key, pv.technology, pv.location_code, pv.capacity_w, pv.grid_s, pv.renewable) == (
        plant_key(PV), text32("solar_pv"), text32("CN-JS-YC-BH"), PV_CAPACITY_W, GRID_S, True)
    assert fresh_chain.plant(99) is None
    assert revert_of(lambda: fresh_chain.register_plant(PV_INDEX, "OTHER", "solar_pv", True, 1, 900, "X")) == (
        "GreenCertificatePlantAlreadyRegistered", (PV_INDEX, plant_key("OTHER")))
    assert revert_of(lambda: fresh_chain.register_plant(9, PV, "solar_pv", True, 1, 900, "X")) == (
        "GreenCertificatePlantAlreadyRegistered", (9, plant_key(PV)))
    assert revert_of(lambda: fresh_chain.register_plant(0, "ZERO-INDEX", "solar_pv", True, 1, 900, "X")) == (
        "GreenCertificatePlantAlreadyRegistered", (0, plant_key("ZERO-INDEX")))
    assert revert_of(lambda: fresh_chain.register_plant(9, "NO-CAPACITY", "solar_pv", True, 0, 900, "X")) == (
        "GreenCertificateZeroAmount", ())
    assert revert_of(lambda: fresh_chain.register_plant(9, "NO-GRID", "solar_pv", True, 1, 0, "X")) == (
        "GreenCertificateZeroAmount", ())
    fresh_chain.register_storage(1, "BESS-1", 850_000)
    assert fresh_chain.storage_unit(1).efficiency_ppm == 850_000 and fresh_chain.storage_unit(2) is None
    assert revert_of(lambda: fresh_chain.register_storage(2, "BESS-2", 1_000_001)) == (
        "GreenCertificateInvalidEfficiency", (1_000_001,))
    assert revert_of(lambda: fresh_chain.register_storage(1, "BESS-X", 1)) == (
        "GreenCertificateStorageAlreadyRegistered", (1, plant_key("BESS-X")))


def test_anchored_batch_is_stored_with_its_commitment_and_registers_once(fresh_chain, anvil):
    register_plants(fresh_chain)
    tree = scenario_tree(anvil.addresses[1:4])
    batch_id = keccak(text="day-1")
    tx = fresh_chain.anchor_batch(batch_id, tree.root, INPUTS, tree.layout)
    stored = fresh_chain.batch(batch_id)
    assert stored.commitment == tree.commitment(INPUTS) == fresh_chain.view_raw("batchCommitment", batch_id)
    assert (stored.root, stored.input_hash, stored.layout, stored.issuer, stored.block_number, stored.tx_hash) == (
        tree.root, INPUTS, tree.layout, fresh_chain.sender, tx.block_number, tx.tx_hash)
    assert (stored.period_start_s, stored.period_end_s) == (T0, T0 + 3600)
    (event,) = [e for e in fresh_chain.events(tx.block_number, tx.block_number) if e.name == "BatchAnchored"]
    assert event.args == {"batchId": batch_id, "issuer": fresh_chain.sender, "root": tree.root, "inputHash": INPUTS,
                          "shape": {"periodStart": T0, "intervalSeconds": INTERVAL_S, "intervalCount": 4,
                                    "slotBits": 2, "dischargeBits": 0},
                          "plants": [PV_INDEX, WIND_INDEX]}
    assert fresh_chain.batch(keccak(text="never")) is None
    assert revert_of(lambda: fresh_chain.anchor_batch(batch_id, tree.root, INPUTS, _day(T0 + DAY))) == (
        "GreenCertificateBatchAlreadyRegistered", (batch_id,))


def test_days_anchor_in_any_order_and_a_gap_can_be_filled(fresh_chain):
    register_plants(fresh_chain)
    for day in (3, 1, 0, 2):  # later days first, then the gap
        fresh_chain.anchor_batch(keccak(text=f"day-{day}"), ROOT, INPUTS, _day(T0 + day * DAY))
    steps = [*range(0, 4 * 96, 19), 95, 96, 4 * 96 - 1]  # a sample, day edges included
    assert all(fresh_chain.is_issued(p, T0 + i * INTERVAL_S) for p in (PV_INDEX, WIND_INDEX) for i in steps)
    assert not fresh_chain.is_issued(PV_INDEX, T0 + 4 * DAY)
    # any overlap with an issued step is refused, naming the first such step
    assert revert_of(lambda: fresh_chain.anchor_batch(keccak(text="overlap"), ROOT, INPUTS,
                                                      _day(T0 + 4 * DAY - 2 * INTERVAL_S, count=4))) == (
        "GreenCertificateIntervalAlreadyIssued", (PV_INDEX, T0 + 4 * DAY - 2 * INTERVAL_S))
    # a plant that was not in a batch keeps its intervals free
    fresh_chain.register_plant(4, "LATE-WIND", "offshore_wind", True, 1_000_000, 900, "X")
    fresh_chain.anchor_batch(keccak(text="late"), ROOT, INPUTS, _day(T0, plants=(4,)))
    assert fresh_chain.is_issued(4, T0)


def test_batch_checks_its_plants_shape_and_root(fresh_chain):
    register_plants(fresh_chain)
    bid = keccak(text="b")
    assert revert_of(lambda: fresh_chain.anchor_batch(bid, ROOT, INPUTS, _day(T0, plants=(99,)))) == (
        "GreenCertificateUnknownPlant", (99,))
    assert revert_of(lambda: fresh_chain.anchor_batch(bid, ROOT, INPUTS, _day(T0, plants=(PV_INDEX, COAL_INDEX)))) == (
        "GreenCertificateNonRenewablePlant", (COAL_INDEX,))
    assert revert_of(lambda: fresh_chain.anchor_batch(bid, bytes(32), INPUTS, _day(T0))) == (
        "GreenCertificateZeroHash", ())
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "anchorBatch", bid, ROOT, INPUTS, (T0, 900, 1, 0, 0), [WIND_INDEX, PV_INDEX]))) == (
        "GreenCertificatePlantsNotSorted", (1, PV_INDEX))
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "anchorBatch", bid, ROOT, INPUTS, (T0, 900, 1, 0, 0), []))) == ("GreenCertificatePlantsNotSorted", (0, 0))
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "anchorBatch", bid, ROOT, INPUTS, (T0, 900, 0, 0, 0), [PV_INDEX]))) == (
        "GreenCertificateInvalidBatchShape", (900, 0, 0, 0))
    assert revert_of(lambda: fresh_chain.send(fresh_chain.prepare_raw(
        "anchorBatch", bid, ROOT, INPUTS, (T0, 900, 1, 17, 0), [PV_INDEX]))) == (
        "GreenCertificateInvalidBatchShape", (900, 1, 17, 0))
    # hourly batches are fine on a 15-minute grid; they issue four grid steps each
    fresh_chain.send(fresh_chain.prepare_raw("anchorBatch", bid, ROOT, INPUTS, (T0, 3600, 2, 0, 0), [PV_INDEX]))
    assert all(fresh_chain.is_issued(PV_INDEX, T0 + k * 900) for k in range(8))


def test_only_issuers_register_plants_and_batches(fresh_chain, anvil):
    register_plants(fresh_chain)
    outsider = fresh_chain.with_sender(anvil.private_keys[5])
    denied = ("AccessControlUnauthorizedAccount", (anvil.addresses[5], ISSUER_ROLE))
    for action in (lambda: outsider.register_plant(9, "BH-X", "solar_pv", True, 1, 900, "X"),
                   lambda: outsider.register_storage(9, "BESS-X", 1),
                   lambda: outsider.anchor_batch(keccak(text="x"), ROOT, INPUTS, _day(T0))):
        assert revert_of(action) == denied
    fresh_chain.grant_issuer(anvil.addresses[5])
    assert fresh_chain.has_issuer_role(anvil.addresses[5])
    outsider.anchor_batch(keccak(text="x"), ROOT, INPUTS, _day(T0))
