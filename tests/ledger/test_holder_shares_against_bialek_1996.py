"""Holder shares read from a traced Allocation: Bialek 1996 4-bus example, published upstream numbers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from greenproof.attribution import Branches, Injections, Snapshot, Withdrawals, trace
from greenproof.ledger.allocation_leaves import split_cap
from greenproof.ledger.errors import AllocationError
from greenproof.ledger.holder_shares import holder_shares

# J. Bialek, "Tracing the flow of electricity", IEE Proc. Gener. Transm. Distrib. 143(4), 1996:
# G1 = 400 MW at bus 1, G2 = 114 MW at bus 2, loads 300 MW (bus 3) and 200 MW (bus 4); line flows
# sending/loss 1→2 60/1, 2→4 173/2, 1→4 115/3, 1→3 225/7, 4→3 83/1. Upstream (gross) result:
# G2 supplies 33.4346 MW to bus 3 and 80.5654 MW to bus 4 (4 decimals printed).
G2_TO_BUS3_MW, G2_TO_BUS4_MW, G2_MW = 33.4346, 80.5654, 114.0
TOL = 1e-3 / G2_MW  # the paper's 4-decimal rounding, as a share


def bialek_snapshot() -> Snapshot:
    lines = [(1, 2, 60, 1), (2, 4, 173, 2), (1, 4, 115, 3), (1, 3, 225, 7), (4, 3, 83, 1)]
    return Snapshot(
        bus_ids=np.array([1, 2, 3, 4]),
        injections=Injections(np.array(["gen:coal", "gen:wind"]), np.array([1, 2]),
                              np.array(["coal", "wind_offshore"]), np.array([400.0, 114.0])),
        withdrawals=Withdrawals(np.array(["load:3", "load:4"]), np.array([3, 4]), np.array([300.0, 200.0])),
        branches=Branches(np.array([f"line:{i}" for i in range(5)]), np.array([f for f, *_ in lines]),
                          np.array([t for _, t, *_ in lines]), np.array([float(s) for *_, s, _ in lines]),
                          np.array([float(loss - s) for *_, s, loss in lines])),
    )


PLANTS = {"gen:wind": "WIND"}


def test_shares_of_the_wind_plant_match_the_published_upstream_split() -> None:
    shares = holder_shares(trace(bialek_snapshot()), PLANTS, {"load:3": "PORT", "load:4": "STEEL"})
    assert shares["WIND"] == pytest.approx({"PORT": G2_TO_BUS3_MW / G2_MW, "STEEL": G2_TO_BUS4_MW / G2_MW}, abs=TOL)


def test_output_reaching_no_firm_stays_with_the_plant_account() -> None:
    shares = holder_shares(trace(bialek_snapshot()), PLANTS, {"load:3": "PORT"})  # bus 4 belongs to no firm
    assert shares == {"WIND": pytest.approx({"PORT": G2_TO_BUS3_MW / G2_MW}, abs=TOL)}
    split = split_cap(114_000_000 // 4, shares["WIND"], "plant")  # 114 MW for 15 min = 28.5 MWh
    assert split["plant"] == pytest.approx(G2_TO_BUS4_MW / 4 * 1e6, abs=1e3 / 4)
    assert sum(split.values()) == 28_500_000


def test_downstream_losses_stay_with_the_plant_account() -> None:
    allocation = trace(bialek_snapshot(), method="downstream")
    shares = holder_shares(allocation, PLANTS, {"load:3": "PORT", "load:4": "STEEL"})
    delivered = allocation.delivered_mw[1] / G2_MW
    assert sum(shares["WIND"].values()) == pytest.approx(delivered, rel=1e-12)
    assert delivered < 1


def test_a_plant_absent_or_idle_gets_no_shares() -> None:
    shares = holder_shares(trace(bialek_snapshot()), {"gen:pv": "PV"}, {"load:3": "PORT"})
    assert shares == {"PV": {}}


def test_an_allocation_delivering_more_than_the_output_is_refused() -> None:
    allocation = trace(bialek_snapshot())
    inflated = dataclasses.replace(allocation, matrix_mw=allocation.mw * 2)
    with pytest.raises(AllocationError, match=r"plant 'WIND' .*more than all of it"):
        holder_shares(inflated, PLANTS, {"load:3": "PORT", "load:4": "STEEL"})
