"""The Binhai park network: metadata matches the snapshots, it has a trafo3w and a 110 kV mesh,
and it converges at every interval of a sample week."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from _grid_checks import bus_mismatch_mw

from greenproof.grids import solve_series
from greenproof.grids.binhai import FIRMS, GRID_CONNECTION_ID, PLANTS, build_park, profiles


@pytest.fixture(scope="module")
def year() -> object:
    return profiles(2025, seed=11)


def test_cited_capacities() -> None:
    capacity = {p.code: p.capacity_mw for p in PLANTS}
    # grids/data/binhai_sources.md: H1 100, H2 400, H3 300, PV 147, storage 200/400, coal 2 x 1000
    assert capacity == {"H1": 100.0, "H2": 400.0, "H3": 300.0, "PV147": 147.0, "BESS": 200.0, "GX1": 1000.0,
                        "GX2": 1000.0}
    assert next(p for p in PLANTS if p.code == "BESS").energy_mwh == 400.0
    assert len(FIRMS) >= 6 and len({f.code for f in FIRMS}) == len(FIRMS)


def test_network_has_trafo3w_and_a_110kv_loop() -> None:
    net = build_park()
    assert len(net.trafo3w) >= 1
    hv110 = set(net.bus.index[net.bus.vn_kv == 110.0])
    graph = nx.Graph([(a, b) for a, b in zip(net.line.from_bus, net.line.to_bus, strict=True)
                      if a in hv110 and b in hv110])
    assert nx.cycle_basis(graph)


def test_sample_week_converges_and_metadata_ids_are_snapshot_rows(year: object) -> None:
    net = build_park()
    week = year.iloc[96 * 180: 96 * 187]  # a week in early July (local days)
    count = 0
    for snapshot in solve_series(net, week, progress=False):
        count += 1
        ids = set(snapshot.injections.device_id) | set(snapshot.withdrawals.device_id)
        assert {p.device_id for p in PLANTS} <= ids
        assert {d for f in FIRMS for d in f.device_ids} <= ids
        assert GRID_CONNECTION_ID in ids
        assert np.abs(bus_mismatch_mw(snapshot)).max() < 1e-6
    assert count == 7 * 96
