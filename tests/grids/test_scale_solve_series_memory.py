"""solve_series memory does not grow with the number of intervals (found by scripts/bench/scale.py).

On PEGASE 9241 the fast engine held 672 intervals of voltages and flows at once (~1.2 GB) and the
driver's peak RSS grew from 1.4 GB (384 intervals) to 2.3 GB (1,536). Chunks are now sized by a
memory budget (``CHUNK_BYTES``) and only the rows of the current chunk are read from the profile.
Here the budget is shrunk so that the park shows the same behaviour in a fraction of a second.
"""

from __future__ import annotations

import tracemalloc
import warnings

import pytest

from greenproof.grids import solve_series, timeseries
from greenproof.grids.binhai import build_park, profiles


def peak_traced_bytes(net, table) -> int:
    tracemalloc.start()
    try:
        for _ in solve_series(net, table, progress=False):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def park_days():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return build_park(), profiles(2025, seed=3).iloc[:384]


@pytest.mark.slow  # ~10 s: tracemalloc slows pandapower's set-up down
def test_peak_memory_is_the_same_for_eight_hours_and_for_four_days(park_days, monkeypatch: pytest.MonkeyPatch) -> None:
    net, days = park_days
    monkeypatch.setattr(timeseries, "CHUNK_BYTES", 256 * 2**10)
    peak_traced_bytes(net, days.iloc[:2])  # first-call caches of pandapower/numba stay out of the comparison
    eight_hours = peak_traced_bytes(net, days.iloc[:32])
    four_days = peak_traced_bytes(net, days)
    # before the fix: 0.85 MB vs 1.5 MB at 192 intervals, growing with the count; now one budget-sized chunk
    assert four_days - eight_hours < 512 * 2**10, (eight_hours, four_days)


def test_chunk_length_keeps_a_week_for_small_grids_and_shrinks_for_national_ones() -> None:
    assert timeseries.fast_chunk_length(60, 80, 30) == timeseries.CHUNK
    # PEGASE 9241 as the fast engine sees it: 9,241 buses, 16,049 branches, 13,667 devices
    per_interval = 16 * (3 * 9241 + 4 * 16049) + 8 * (2 * 16049 + 13667)
    length = timeseries.fast_chunk_length(9241, 16049, 13667)
    assert length * per_interval <= timeseries.CHUNK_BYTES < (length + 1) * per_interval
