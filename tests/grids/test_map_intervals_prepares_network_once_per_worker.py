"""map_intervals builds and prepares each network once per dask worker, not once per task.

Found by scripts/bench/scale.py on PEGASE 9241: every task paid ≈7 s of set-up (building the case,
copying, solving and building the layout and fast engine), so chunks of 96 intervals on two workers
were 1.85× slower than the sequential run. In-process workers (``processes=False``) let the test
count the factory's calls directly.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest
from dask.distributed import Client, LocalCluster
from pandapower.auxiliary import pandapowerNet

from greenproof.attribution import Snapshot
from greenproof.grids import map_intervals, solve_series
from greenproof.grids.binhai import build_park, profiles

WORKERS = 2
_calls = {"count": 0}
_calls_lock = threading.Lock()


def counting_park() -> pandapowerNet:
    with _calls_lock:
        _calls["count"] += 1
    return build_park()


def losses_mwh(snapshots: Iterator[Snapshot]) -> float:
    """Network losses (injected minus withdrawn energy), MWh: they depend on the solved voltages."""
    total = 0.0
    for s in snapshots:
        total += (float(s.injections.p_mw.sum()) - float(s.withdrawals.p_mw.sum())) * s.duration_h
    return total


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as c:
        yield c


def test_many_chunks_build_the_network_at_most_once_per_worker(client: Client) -> None:
    day = profiles(2025, seed=5).iloc[96 * 40: 96 * 40 + 24]  # 12 chunks of 2 intervals
    _calls["count"] = 0
    first = map_intervals(client, counting_park, day, losses_mwh, chunk=2)
    again = map_intervals(client, counting_park, day, losses_mwh, chunk=2)
    assert len(first) == 12
    assert 1 <= _calls["count"] <= WORKERS
    # the reused engine warm-starts from other intervals: equal to fresh per-chunk runs within the
    # solver tolerance (1e-10 p.u. of 1 MVA ≈ 1e-10 MW per interval; 1e-6 MWh leaves margin)
    sequential = [losses_mwh(solve_series(build_park(), day.iloc[k:k + 2], progress=False))
                  for k in range(0, len(day), 2)]
    np.testing.assert_allclose(first, sequential, rtol=0, atol=1e-6)
    np.testing.assert_allclose(again, sequential, rtol=0, atol=1e-6)
