"""Plant registry and batch registration: once-only ids, per-plant watermarks, roles (real Anvil)."""

from __future__ import annotations

import pytest
from chain_scenario import COAL, INTERVAL_S, PERIOD_END, PV, PV_CAPACITY_W, T0, WIND, register_plants
from eth_utils import keccak

from greenproof.contracts import AllocationLeaf, CapLeaf, ContractRevertError, plant_key, text32

pytestmark = pytest.mark.chain

ROOT = keccak(text="root")
INPUTS = keccak(text="inputs")
ISSUER_ROLE = keccak(text="ISSUER_ROLE")


def _error(action):
    with pytest.raises(ContractRevertError) as err:
        action()
    return err.value.name, err.value.error_args


def test_plant_registry_round_trips_and_registers_once(fresh_chain):
    register_plants(fresh_chain)
    pv = fresh_chain.plant(PV)
    assert (pv.code, pv.technology, pv.location_code, pv.capacity_w, pv.renewable, pv.issued_until_s) == (
        PV, text32("solar_pv"), text32("CN-JS-YC-BH"), PV_CAPACITY_W, True, 0)
    assert fresh_chain.plant("BH-UNKNOWN") is None
    assert _error(lambda: fresh_chain.register_plant(PV, "solar_pv", True, 1, "X")) == (
        "GreenCertificatePlantAlreadyRegistered", (plant_key(PV),))
    assert _error(lambda: fresh_chain.register_plant("BH-ZERO", "solar_pv", True, 0, "X")) == (
        "GreenCertificateZeroAmount", ())


def test_anchored_batch_is_stored_and_registers_once(fresh_chain):
    register_plants(fresh_chain)
    batch_id = keccak(text="day-1")
    tx = fresh_chain.anchor_batch(batch_id, ROOT, INPUTS, T0, PERIOD_END, [PV, WIND])
    stored = fresh_chain.batch(batch_id)
    assert (stored.root, stored.input_hash, stored.period_start_s, stored.period_end_s, stored.block_number,
            stored.issuer, stored.direct) == (ROOT, INPUTS, T0, PERIOD_END, tx.block_number, fresh_chain.sender,
                                              False)
    assert fresh_chain.batch(keccak(text="day-2")) is None
    assert fresh_chain.plant(PV).issued_until_s == PERIOD_END
    (event,) = [e for e in fresh_chain.events(tx.block_number, tx.block_number) if e.name == "BatchAnchored"]
    assert event.args == {"batchId": batch_id, "issuer": fresh_chain.sender, "root": ROOT, "inputHash": INPUTS,
                          "periodStart": T0, "periodEnd": PERIOD_END, "plantKeys": [plant_key(PV), plant_key(WIND)]}
    # same id, later period: still refused
    assert _error(lambda: fresh_chain.anchor_batch(batch_id, ROOT, INPUTS, PERIOD_END, PERIOD_END + 900, [PV])) == (
        "GreenCertificateBatchAlreadyRegistered", (batch_id,))


def test_a_plant_interval_is_issued_by_one_batch_only(fresh_chain, anvil):
    register_plants(fresh_chain)
    fresh_chain.anchor_batch(keccak(text="a"), ROOT, INPUTS, T0, PERIOD_END, [PV])
    overlap_start = PERIOD_END - INTERVAL_S
    assert _error(lambda: fresh_chain.anchor_batch(keccak(text="b"), ROOT, INPUTS, overlap_start,
                                                   PERIOD_END + 900, [WIND, PV])) == (
        "GreenCertificateIntervalAlreadyIssued", (plant_key(PV), overlap_start, PERIOD_END))
    # direct issuance shares the watermark
    cap = CapLeaf(PV, T0, INTERVAL_S, 10)
    assert _error(lambda: fresh_chain.issue_batch(keccak(text="c"), INPUTS, T0, PERIOD_END, [PV], [cap],
                                                  [AllocationLeaf(PV, T0, INTERVAL_S, anvil.addresses[1], 1)])) == (
        "GreenCertificateIntervalAlreadyIssued", (plant_key(PV), T0, PERIOD_END))
    # the same plant listed twice in one batch trips its own watermark
    assert _error(lambda: fresh_chain.anchor_batch(keccak(text="d"), ROOT, INPUTS, PERIOD_END, PERIOD_END + 900,
                                                   [WIND, WIND]))[0] == "GreenCertificateIntervalAlreadyIssued"
    # the next adjacent period is fine
    fresh_chain.anchor_batch(keccak(text="e"), ROOT, INPUTS, PERIOD_END, PERIOD_END + 900, [PV, WIND])
    assert fresh_chain.plant(PV).issued_until_s == PERIOD_END + 900


@pytest.mark.parametrize(("plants", "root", "start", "end", "expected"), [
    ([COAL], ROOT, T0, PERIOD_END, ("GreenCertificateNonRenewablePlant", (plant_key(COAL),))),
    (["BH-GHOST"], ROOT, T0, PERIOD_END, ("GreenCertificateUnknownPlant", (plant_key("BH-GHOST"),))),
    ([], ROOT, T0, PERIOD_END, ("GreenCertificateEmptyBatch", (keccak(text="bad"),))),
    ([PV], bytes(32), T0, PERIOD_END, ("GreenCertificateZeroHash", ())),
    ([PV], ROOT, T0, T0, ("GreenCertificateInvalidPeriod", (T0, T0))),
    ([PV], ROOT, PERIOD_END, T0, ("GreenCertificateInvalidPeriod", (PERIOD_END, T0))),
])
def test_malformed_batch_reverts(fresh_chain, plants, root, start, end, expected):
    register_plants(fresh_chain)
    assert _error(lambda: fresh_chain.anchor_batch(keccak(text="bad"), root, INPUTS, start, end, plants)) == expected


def test_only_issuers_register_plants_and_batches(fresh_chain, anvil):
    register_plants(fresh_chain)
    outsider_key, outsider = anvil.private_keys[5], anvil.addresses[5]
    outsider_client = fresh_chain.with_sender(outsider_key)
    unauthorized = ("AccessControlUnauthorizedAccount", (outsider, ISSUER_ROLE))
    assert _error(lambda: outsider_client.anchor_batch(keccak(text="x"), ROOT, INPUTS, T0, PERIOD_END, [PV])) == (
        unauthorized)
    assert _error(lambda: outsider_client.register_plant("BH-X", "solar_pv", True, 1, "X")) == unauthorized
    assert not fresh_chain.has_issuer_role(outsider)
    fresh_chain.grant_issuer(outsider)
    assert fresh_chain.has_issuer_role(outsider)
    outsider_client.anchor_batch(keccak(text="x"), ROOT, INPUTS, T0, PERIOD_END, [PV])
    assert fresh_chain.batch(keccak(text="x")).issuer == outsider
