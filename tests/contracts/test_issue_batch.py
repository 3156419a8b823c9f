"""Direct issuance (``issueBatch``): every line minted, caps and batch rules enforced (real Anvil)."""

from __future__ import annotations

import pytest
from chain_scenario import INTERVAL_S, PERIOD_END, PV, PV_CAPACITY_W, T0, WIND, register_plants
from eth_utils import keccak

from greenproof.contracts import AllocationLeaf, CapLeaf, ChainError, ContractRevertError, plant_key

pytestmark = pytest.mark.chain

INPUTS = keccak(text="inputs")
BATCH = keccak(text="demo-day")


def _error(action):
    with pytest.raises(ContractRevertError) as err:
        action()
    return err.value.name, err.value.error_args


def _lines(holders):
    caps = [CapLeaf(plant, T0 + i * INTERVAL_S, INTERVAL_S, 9_000 + i) for plant in (PV, WIND) for i in range(4)]
    allocations = [AllocationLeaf(c.plant_code, c.interval_start_s, INTERVAL_S, h, share + c.interval_start_s % 7)
                   for c in caps for h, share in zip(holders, (4_000, 3_000, 1_000), strict=True)]
    return caps, allocations


def test_issue_batch_mints_every_line_to_its_holder(fresh_chain, anvil):
    register_plants(fresh_chain)
    caps, allocations = _lines(anvil.addresses[1:4])
    tx = fresh_chain.issue_batch(BATCH, INPUTS, T0, PERIOD_END, [PV, WIND], caps, allocations)
    for leaf in allocations:
        assert fresh_chain.balance_of(leaf.holder, leaf.token_id) == leaf.amount_wh
    for cap in caps:
        assert fresh_chain.minted(cap.token_id) == sum(a.amount_wh for a in allocations if a.token_id == cap.token_id)
    stored = fresh_chain.batch(BATCH)
    assert (stored.root, stored.direct, stored.input_hash) == (bytes(32), True, INPUTS)
    events = fresh_chain.events(tx.block_number, tx.block_number)
    assert [e.name for e in events] == ["TransferSingle"] * len(allocations) + ["BatchIssued"]
    assert events[-1].args == {"batchId": BATCH, "issuer": fresh_chain.sender, "inputHash": INPUTS,
                               "periodStart": T0, "periodEnd": PERIOD_END,
                               "plantKeys": [plant_key(PV), plant_key(WIND)], "lines": len(allocations),
                               "totalWh": sum(a.amount_wh for a in allocations)}
    # a direct batch has no root: nothing can be claimed against it
    leaf, cap = allocations[0], caps[0]
    assert _error(lambda: fresh_chain.claim(BATCH, leaf, [], cap, [])) == ("GreenCertificateUnknownBatch", (BATCH,))


def test_lines_of_a_token_summing_above_its_cap_revert(fresh_chain, anvil):
    register_plants(fresh_chain)
    cap = CapLeaf(PV, T0, INTERVAL_S, 1000)
    lines = [AllocationLeaf(PV, T0, INTERVAL_S, h, a) for h, a in zip(anvil.addresses[1:3], (600, 401), strict=True)]
    assert _error(lambda: fresh_chain.issue_batch(BATCH, INPUTS, T0, PERIOD_END, [PV], [cap], lines)) == (
        "GreenCertificateAmountAboveCap", (cap.token_id, 1001, 1000))
    exact = [lines[0], AllocationLeaf(PV, T0, INTERVAL_S, anvil.addresses[2], 400)]
    fresh_chain.issue_batch(BATCH, INPUTS, T0, PERIOD_END, [PV], [cap], exact)
    assert fresh_chain.minted(cap.token_id) == 1000


def test_malformed_direct_batches_revert(fresh_chain, anvil):
    register_plants(fresh_chain)
    holder = anvil.addresses[1]
    max_wh = PV_CAPACITY_W * INTERVAL_S // 3600
    cap = CapLeaf(PV, T0, INTERVAL_S, 100)
    line = AllocationLeaf(PV, T0, INTERVAL_S, holder, 10)

    def issue(caps, lines, plants=(PV,)):
        return _error(lambda: fresh_chain.issue_batch(BATCH, INPUTS, T0, PERIOD_END, list(plants), caps, lines))

    big = CapLeaf(PV, T0, INTERVAL_S, max_wh + 1)
    assert issue([big], [line]) == ("GreenCertificateCapAboveCapacity", (plant_key(PV), max_wh + 1, max_wh))
    two_caps = [(plant_key(PV), T0, INTERVAL_S, 100)] * 2  # the client refuses these: send raw arguments
    raw = fresh_chain.prepare_raw("issueBatch", BATCH, INPUTS, T0, PERIOD_END, [plant_key(PV)], two_caps,
                                  [(0, holder, 5), (1, holder, 5)])
    assert _error(lambda: fresh_chain.send(raw)) == ("GreenCertificateDuplicateCap", (cap.token_id,))
    assert issue([cap], []) == ("GreenCertificateEmptyBatch", (BATCH,))
    assert issue([], []) == ("GreenCertificateEmptyBatch", (BATCH,))
    assert issue([cap], [AllocationLeaf(PV, T0, INTERVAL_S, holder, 0)]) == ("GreenCertificateZeroAmount", ())
    wind_cap = CapLeaf(WIND, T0, INTERVAL_S, 100)
    assert issue([wind_cap], [AllocationLeaf(WIND, T0, INTERVAL_S, holder, 1)]) == (
        "GreenCertificatePlantNotInBatch", (BATCH, plant_key(WIND)))
    late = CapLeaf(PV, PERIOD_END, INTERVAL_S, 100)
    assert issue([late], [AllocationLeaf(PV, PERIOD_END, INTERVAL_S, holder, 1)]) == (
        "GreenCertificateIntervalOutsidePeriod", (BATCH, PERIOD_END, INTERVAL_S))
    # a mint line pointing past the cap array (the client never builds one: send raw arguments)
    raw = fresh_chain.prepare_raw("issueBatch", BATCH, INPUTS, T0, PERIOD_END, [plant_key(PV)],
                                  [(plant_key(PV), T0, INTERVAL_S, 100)], [(0, holder, 5), (3, holder, 5)])
    assert _error(lambda: fresh_chain.send(raw)) == ("GreenCertificateArrayLengthMismatch", (1, 3, 1))
    assert fresh_chain.batch(BATCH) is None


def test_client_refuses_an_allocation_without_a_cap_or_a_duplicate_cap(fresh_chain, anvil):
    cap = CapLeaf(PV, T0, INTERVAL_S, 100)
    orphan = AllocationLeaf(WIND, T0, INTERVAL_S, anvil.addresses[1], 1)
    with pytest.raises(ChainError, match="no cap entry"):
        fresh_chain.prepare_issue_batch(BATCH, INPUTS, T0, PERIOD_END, [PV], [cap], [orphan])
    with pytest.raises(ChainError, match="more than one cap entry"):
        fresh_chain.prepare_issue_batch(BATCH, INPUTS, T0, PERIOD_END, [PV], [cap, cap], [])
