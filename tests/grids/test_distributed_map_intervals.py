"""map_intervals on a dask LocalCluster equals the sequential run."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from dask.distributed import Client, LocalCluster

from greenproof.attribution import Snapshot
from greenproof.grids import GridError, map_intervals, solve_series
from greenproof.grids.binhai import build_park, profiles


def exported_mwh(snapshots: Iterator[Snapshot]) -> float:
    total = 0.0
    for s in snapshots:
        total += float(s.withdrawals.p_mw[s.withdrawals.kind == "export"].sum()) * s.duration_h
    return total


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as c:
        yield c


def test_chunks_on_two_workers_equal_sequential_run(client: Client) -> None:
    two_days = profiles(2025, seed=5).iloc[96 * 100: 96 * 102]
    chunked = map_intervals(client, build_park, two_days, exported_mwh, chunk=48)
    assert len(chunked) == 4
    sequential = [exported_mwh(solve_series(build_park(), two_days.iloc[k:k + 48], progress=False))
                  for k in range(0, 192, 48)]
    np.testing.assert_allclose(chunked, sequential, rtol=0, atol=1e-6)
    whole = exported_mwh(solve_series(build_park(), two_days, progress=False))
    assert sum(chunked) == pytest.approx(whole, abs=1e-5)


def test_chunk_must_be_positive(client: Client) -> None:
    with pytest.raises(GridError, match="chunk"):
        map_intervals(client, build_park, profiles(2025, seed=5).iloc[:4], exported_mwh, chunk=0)
