"""State-of-charge provenance carried through a stream of traced intervals, whatever chunks traced them.

Tracing is linear in the source mix: the energy a withdrawal receives from an injection (the rows of
an :class:`IntervalTrace`) does not depend on what technology the injection carries. So a storage
unit's discharge rows, traced anywhere (locally or by Dask workers, chunk by chunk), can be given
their provenance afterwards, in time order, by one :class:`~greenproof.attribution.StorageLedger`
on the driver: each ``storage`` row is split into one row per origin technology of the unit's
discharge (``storage`` stays for energy of unknown origin), each withdrawal's renewable part is
recomputed with it, and what storage-charging withdrawals received is charged into their unit.
The result equals tracing every interval with the ledger's ``source_mix`` (tested), and the state
crosses chunk boundaries because the driver sees every interval in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import replace

import numpy as np

from greenproof.attribution import StorageLedger, renewable_technologies

from .interval_trace import IntervalTrace

__all__ = ["carry_storage"]

_STORAGE = "storage"


def carry_storage(items: Iterable[IntervalTrace], ledger: StorageLedger) -> Iterator[IntervalTrace]:
    """Yield each interval with its storage rows split by tracked origin, advancing ``ledger``.

    Per interval: units discharge first (their ``storage`` rows' MWh, from what they held), then
    storage-charging withdrawals charge their unit (same device id) with the technology mix they received.
    """
    renewable = renewable_technologies()
    for item in items:
        is_storage = item.technology == _STORAGE
        if not is_storage.any() and not (item.totals_kind == "storage_charge").any():
            yield item
            continue
        mixes = {}
        for unit in sorted(set(item.injection_id[is_storage].tolist())):
            rows = is_storage & (item.injection_id == unit)
            delivered = ledger.discharge(unit, float(item.mwh[rows].sum()))
            total = sum(delivered.values())
            mixes[unit] = {key: value / total for key, value in delivered.items()} if total > 0 else {_STORAGE: 1.0}
        inj, tech, wd, kind, mwh = [], [], [], [], []
        for k in range(len(item.mwh)):
            unit = str(item.injection_id[k])
            split = mixes[unit].items() if is_storage[k] else ((str(item.technology[k]), 1.0),)
            for key, share in split:
                inj.append(unit)
                tech.append(key)
                wd.append(str(item.withdrawal_id[k]))
                kind.append(str(item.withdrawal_kind[k]))
                mwh.append(float(item.mwh[k]) * share)
        received: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
        stored_renewable: defaultdict[str, float] = defaultdict(float)  # renewable MWh that came through storage
        for withdrawal, key, value in zip(wd, tech, mwh, strict=True):
            received[withdrawal][key] += value
        for k in np.flatnonzero(is_storage):
            unit, withdrawal = str(item.injection_id[k]), str(item.withdrawal_id[k])
            stored_renewable[withdrawal] += float(item.mwh[k]) * sum(
                share for key, share in mixes[unit].items() if key in renewable)
        renewable_mwh = item.renewable_mwh + np.array([stored_renewable.get(w, 0.0) for w in item.totals_id.tolist()])
        for w, w_kind, demand in zip(item.totals_id.tolist(), item.totals_kind.tolist(), item.demand_mwh.tolist(),
                                     strict=True):
            got = sum(received[w].values()) if w in received else 0.0
            if w_kind == "storage_charge" and got > 0:  # its own demand, at the mix it received (as StorageLedger.step)
                ledger.charge(w, {key: value / got * demand for key, value in received[w].items()})
        yield replace(item, injection_id=np.array(inj), technology=np.array(tech), withdrawal_id=np.array(wd),
                      withdrawal_kind=np.array(kind), mwh=np.array(mwh, dtype=np.float64),
                      renewable_mwh=renewable_mwh)
