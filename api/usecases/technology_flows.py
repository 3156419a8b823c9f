"""Technology → sink energies of attribution runs: computed per interval, stored, summed per period.

Each traced interval gives, for every withdrawal, the power it receives per technology
(:attr:`~greenproof.attribution.Allocation.technology_mix_mw`, upstream gross: losses charged to
the loads, so a sink receives its demand plus its share of losses). Attribution runs
(:func:`greenproof.api.usecases.park_attribution.attribute_period`) sum it per sink and technology and store
whole Wh in :class:`~greenproof.ledger.models.TechnologyFlowRow`; the park Sankey sums the stored
rows of a period (:func:`technology_flows`) instead of re-solving the park.

Sinks are firm codes, or :data:`OTHER_SINKS` for withdrawals that are not firms' loads. Storage
discharge is shown by the technologies that charged it (the run's
:class:`~greenproof.attribution.StorageLedger`); only discharge of energy stored before the run
started (unknown provenance) stays ``storage``. The part of a firm's energy that came out of a
battery is stored again under the sink ``via_storage:<firm>`` (:func:`via_storage_sink`), by the
same origin technologies — included in the firm's own rows, so the Sankey can draw the battery as a
pass-through (technology → battery → firm) without counting anything twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from greenproof.attribution import TECHNOLOGY_KEYS, Allocation
from greenproof.ledger.models import TechnologyFlowRow

from .errors import InvalidPeriodError
from .park_simulation import check_interval_grid
from .units import WH_PER_MWH, mwh

__all__ = ["MAX_SANKEY_DAYS", "OTHER_SINKS", "VIA_STORAGE", "TechnologyFlows", "interval_flows", "technology_flows",
           "via_storage_sink"]

#: Longest period a Sankey sums (a month).
MAX_SANKEY_DAYS = 31
#: Sink keys of withdrawals that are not firms' loads.
OTHER_SINKS = ("export", "storage_charge", "other")
#: Prefix of the sinks holding the part of a firm's energy that a battery delivered.
VIA_STORAGE = "via_storage:"


def via_storage_sink(firm_code: str) -> str:
    """Return the sink key of what storage delivered to ``firm_code`` (a part of the firm's own rows)."""
    return VIA_STORAGE + firm_code


def _sink_of(device: str, kind: str, firm_devices: Mapping[str, str]) -> str:
    if device in firm_devices:
        return firm_devices[device]
    return kind if kind in OTHER_SINKS else "other"


def interval_flows(allocation: Allocation, firm_devices: Mapping[str, str], start_s: int, interval_s: int
                   ) -> list[dict[str, object]]:
    """Return one traced interval's energy per (sink, technology), whole Wh rounded to nearest; zeros left out.

    Rows of :class:`~greenproof.ledger.models.TechnologyFlowRow` as column → value mappings, sorted
    by (sink, technology).

    Parameters
    ----------
    allocation : Allocation
        The traced interval (upstream, gross).
    firm_devices : mapping
        Withdrawal device id → firm code; other withdrawals go to their kind's sink.
    start_s, interval_s : int
        Interval start (UNIX seconds UTC) and length (s).
    """
    # Storage changes side between intervals (charging: a withdrawal), so sinks are looked up each interval.
    sinks = [_sink_of(d, k, firm_devices) for d, k in
             zip(allocation.withdrawal_id.tolist(), allocation.withdrawal_kind.tolist(), strict=True)]
    mix_mwh = allocation.technology_mix_mw * allocation.duration_h  # (n_wd, n_tech), MWh
    stored = np.flatnonzero(allocation.injection_technology == "storage")
    if stored.size:  # what the batteries delivered to firms, by the origin technologies of their discharge
        via_mwh = np.asarray(allocation.mw[stored].T @ allocation.technology_weights[stored]) * allocation.duration_h
        to_firm = np.flatnonzero(np.isin(allocation.withdrawal_id, list(firm_devices)) & (via_mwh > 0).any(axis=1))
        sinks += [via_storage_sink(sinks[m]) for m in to_firm.tolist()]
        mix_mwh = np.vstack([mix_mwh, via_mwh[to_firm]])
    names, sink_of_row = np.unique(np.array(sinks), return_inverse=True)  # names sorted
    by_sink = np.zeros((len(names), mix_mwh.shape[1]))
    np.add.at(by_sink, sink_of_row, np.where(mix_mwh > 0, mix_mwh, 0.0))
    wh = np.rint(by_sink * WH_PER_MWH)
    order = np.argsort(np.array(TECHNOLOGY_KEYS))
    return [{"interval_start_s": start_s, "interval_s": interval_s, "sink": str(names[i]),
             "technology": TECHNOLOGY_KEYS[k], "energy_wh": int(wh[i, k])}
            for i in range(len(names)) for k in order.tolist() if wh[i, k] > 0]


@dataclass(frozen=True)
class TechnologyFlows:
    """Energy from each technology to each sink over a period.

    Attributes
    ----------
    start, end : datetime
        The period (UTC, end exclusive).
    mwh : dict
        ``(technology key, sink) → MWh``; sinks are firm codes and :data:`OTHER_SINKS`; zero
        entries are left out.
    """

    start: datetime
    end: datetime
    mwh: dict[tuple[str, str], float]

    def by_sink(self) -> dict[str, float]:
        """Return the MWh each sink received, over all technologies."""
        totals: dict[str, float] = {}
        for (_, sink), value in self.mwh.items():
            totals[sink] = totals.get(sink, 0.0) + value
        return totals


def technology_flows(session: Session, start: datetime, end: datetime) -> TechnologyFlows:
    """Sum the stored technology → sink energies of the intervals starting in ``[start, end)``.

    Intervals no attribution run covered contribute nothing.

    Raises
    ------
    InvalidPeriodError
        If the period is off the 15-minute grid or longer than :data:`MAX_SANKEY_DAYS` days.
    """
    check_interval_grid(start, end)
    if end - start > timedelta(days=MAX_SANKEY_DAYS):
        raise InvalidPeriodError(f"technology flows are summed for at most {MAX_SANKEY_DAYS} days; "
                                 f"{start.isoformat()} .. {end.isoformat()} is longer")
    rows = session.execute(
        select(TechnologyFlowRow.technology, TechnologyFlowRow.sink, func.sum(TechnologyFlowRow.energy_wh))
        .where(TechnologyFlowRow.interval_start_s >= int(start.timestamp()),
               TechnologyFlowRow.interval_start_s < int(end.timestamp()))
        .group_by(TechnologyFlowRow.technology, TechnologyFlowRow.sink))
    return TechnologyFlows(start=start, end=end,
                           mwh={(technology, sink): mwh(int(wh)) for technology, sink, wh in rows if wh})
