"""map_intervals with a national-size technology_of mapping (found by scripts/bench/scale.py on PEGASE 9241).

dask (2026.8) turns a large keyword value of ``client.map`` into a task of its own named after the
keyword; with ~1,900 device labels for PEGASE the scheduler failed with
``AssertionError(<TaskState 'technology_of' processing>)``. The mapping must reach every worker.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dask.distributed import Client, LocalCluster

from greenproof.attribution import Snapshot
from greenproof.grids import map_intervals
from greenproof.grids.binhai import build_park, profiles

#: Device labels of a national grid: PEGASE 9241 has 1,444 gen + 434 sgen rows; rounded up.
NATIONAL_DEVICE_COUNT = 5_000


def technology_of_pv(snapshots: Iterator[Snapshot]) -> set[str]:
    found = set()
    for s in snapshots:
        found.update(s.injections.technology[s.injections.device_id == "sgen:3"].tolist())
    return found


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as c:
        yield c


def test_a_national_size_technology_mapping_reaches_the_workers(client: Client) -> None:
    # relabel the park's PV (sgen:3, type solar_pv) so that the result shows the mapping was applied;
    # the other labels name devices the park does not have (ignored, as build_layout documents)
    mapping = {f"sgen:{k}": "other" for k in range(NATIONAL_DEVICE_COUNT)}
    noon = profiles(2025, seed=5).iloc[96 * 170 + 14 * 4: 96 * 170 + 14 * 4 + 4]  # PV produces
    found = map_intervals(client, build_park, noon, technology_of_pv, chunk=2, technology_of=mapping)
    assert found == [{"other"}, {"other"}]
    assert map_intervals(client, build_park, noon, technology_of_pv, chunk=2) == [{"solar_pv"}, {"solar_pv"}]
