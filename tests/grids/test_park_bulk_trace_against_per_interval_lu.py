"""The park's day traced in stacks (``trace_many``) equals one sparse-LU ``trace`` per interval, to 1e-9 MW.

Real network (the Binhai park model, 25 buses after fusing switches, storage changing sides, the
grid connection importing and exporting), a day of solved intervals. The reference traces each
interval on its own (``trace``) with the storage provenance carried by a second ledger.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from greenproof.api.usecases.park_simulation import simulate_period
from greenproof.attribution import StorageLedger, trace, trace_many
from greenproof.attribution.batch import _dense_allocations


def test_a_park_day_in_stacks_equals_per_interval_lu() -> None:
    snapshots = list(simulate_period(datetime(2025, 6, 1, 16, tzinfo=UTC), datetime(2025, 6, 2, 16, tzinfo=UTC)))
    decided = [values is not None for values in _dense_allocations(snapshots, "upstream", 1e-9)]
    assert sum(decided) >= 0.9 * len(snapshots)  # the stack, not the fallback, carries the park
    reference_ledger, ledger = StorageLedger(), StorageLedger()
    for snapshot, streamed in zip(snapshots, trace_many(snapshots, storage=ledger), strict=True):
        reference = trace(snapshot, source_mix=reference_ledger.source_mix(snapshot))
        reference_ledger.step(snapshot, reference.technology_share)
        np.testing.assert_allclose(streamed.mw.toarray(), reference.mw.toarray(), rtol=0, atol=1e-9)
        np.testing.assert_allclose(streamed.technology_mix_mw, reference.technology_mix_mw, rtol=0, atol=1e-9)
    assert ledger.state_mwh.keys() == reference_ledger.state_mwh.keys()
    for unit, stored in ledger.state_mwh.items():
        np.testing.assert_allclose([stored.get(k, 0.0) for k in sorted(stored)],
                                   [reference_ledger.state_mwh[unit].get(k, 0.0) for k in sorted(stored)], atol=1e-9)
