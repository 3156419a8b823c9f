"""Attribution of a park period: solved snapshots → traced shares → per-firm results and a pending batch.

One pass over the snapshots (streamed, storage provenance carried by a
:class:`~greenproof.attribution.StorageLedger`) produces, per interval:

- the holder shares of every renewable plant (:func:`greenproof.ledger.holder_shares.holder_shares`),
  which the ledger turns into certificate leaves (:func:`greenproof.ledger.batches.build_batch`) —
  a plant's share into the battery's charging goes to the battery's storage account (its charge
  record) — and the battery's metered flows and discharge shares
  (:func:`greenproof.ledger.holder_shares.storage_flows`), from which the ledger issues storage
  discharge certificates with their origin;
- each firm's consumption, traced renewable part and emissions (:mod:`greenproof.api.usecases.attribution_results`);
- each sink's energy per technology, for the park Sankey (:mod:`greenproof.api.usecases.technology_flows`);
- optionally, simulated meter readings of the renewable plants (their solved output), for runs
  without real meter data (the demo).

Tracing is upstream (gross): losses are charged to the loads, so a firm's traced supply covers its
demand plus its share of losses; its renewable share is the renewable fraction of that supply.
Emissions use the technology table's factors; storage output whose provenance is unknown (the
pool was empty) is counted at the East China grid average (0.5617 tCO2/MWh, the conservative
choice), never as zero-carbon.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from greenproof.attribution import (
    TECHNOLOGY_KEYS,
    Allocation,
    Snapshot,
    StorageLedger,
    emission_factors,
    renewable_technologies,
    trace_many,
)
from greenproof.attribution.technologies import EAST_CHINA_GRID_2022_T_PER_MWH
from greenproof.ledger.batches import IntervalShares, build_batch
from greenproof.ledger.canonical import snapshot_digest
from greenproof.ledger.holder_shares import holder_shares, ledger_devices, storage_devices, storage_flows
from greenproof.ledger.meters import MeterReading, ingest_readings
from greenproof.ledger.models import FirmIntervalResult, TechnologyFlowRow

from .attribution_results import FirmEnergies, replace_interval_rows
from .errors import InvalidPeriodError
from .park_simulation import snapshot_readings
from .technology_flows import interval_flows
from .units import KG_PER_T, WH_PER_MWH

__all__ = ["AttributionRun", "FirmTotal", "attribute_period"]


@dataclass(frozen=True)
class FirmTotal(FirmEnergies):
    """A firm's energies summed over an attribution run (Wh, Wh, kg CO2)."""

    firm_code: str
    consumption_wh: int
    renewable_wh: int
    emissions_kg: float


@dataclass(frozen=True)
class AttributionRun:
    """Outcome of :func:`attribute_period`.

    Attributes
    ----------
    period_start, period_end : datetime
        The period traced (UTC, end exclusive).
    intervals : int
        Number of intervals traced.
    batch_id : str
        The issuance batch holding the period's certificates (``0x`` hex): a new pending batch, or
        the stored one when the period was traced before from the same inputs.
    batch_state : str
        That batch's state: ``pending``, ``sent``, ``confirmed`` (already issued) or ``failed``.
    batch_block : int or None
        Block that anchored the batch, once it is sent.
    readings_inserted : int
        Simulated meter readings stored (0 when the run used uploaded readings).
    firms : tuple of FirmTotal
        Per-firm totals, sorted by firm code.
    """

    period_start: datetime
    period_end: datetime
    intervals: int
    batch_id: str
    batch_state: str
    batch_block: int | None
    readings_inserted: int
    firms: tuple[FirmTotal, ...]


def _emission_factors() -> NDArray[np.float64]:
    table = emission_factors()
    table["storage"] = EAST_CHINA_GRID_2022_T_PER_MWH  # untracked storage provenance: see module docstring
    return np.array([table[key] for key in TECHNOLOGY_KEYS], dtype=np.float64)


def _firm_results(allocation: Allocation, firm_columns: dict[str, NDArray[np.intp]], start_s: int, interval_s: int,
                  factors: NDArray[np.float64]) -> list[FirmIntervalResult]:
    renewable = np.isin(np.array(TECHNOLOGY_KEYS), sorted(renewable_technologies()))
    share = np.nan_to_num(allocation.technology_share, nan=0.0)  # (n_wd, n_tech); unsupplied rows count 0
    demand_mwh = allocation.withdrawal_mw * allocation.duration_h
    renewable_mwh = share[:, renewable].sum(axis=1) * demand_mwh
    emissions_t = (share @ factors) * demand_mwh
    return [FirmIntervalResult(firm_code=firm, interval_start_s=start_s, interval_s=interval_s,
                               consumption_wh=int(demand_mwh[cols].sum() * WH_PER_MWH),
                               renewable_wh=int(renewable_mwh[cols].sum() * WH_PER_MWH),
                               emissions_kg=float(emissions_t[cols].sum() * KG_PER_T))
            for firm, cols in firm_columns.items()]


def attribute_period(session: Session, snapshots: Iterable[Snapshot], *, period_start: datetime,
                     period_end: datetime, simulated_meters: bool, mode: str = "anchor",
                     interval_s: int = 900) -> AttributionRun:
    """Trace every interval of a period and record its results and certificates (flushed; the caller commits).

    Parameters
    ----------
    session : Session
        Open session; plants and firms must be registered.
    snapshots : iterable of Snapshot
        One solved snapshot per interval of ``[period_start, period_end)``, in time order, each
        with its ``start`` set (e.g. from :func:`greenproof.grids.timeseries.solve_series`).
    period_start, period_end : datetime
        The period (UTC, end exclusive, on the ``interval_s`` grid).
    simulated_meters : bool
        Store the renewable plants' solved output as their meter readings (``source="simulated"``);
        otherwise the batch uses the readings already uploaded.
    mode : {"anchor", "direct"}
        Issuance mode of the batch (see :func:`greenproof.ledger.batches.build_batch`).
    interval_s : int
        Interval length, seconds.

    Raises
    ------
    BatchError, MeterDataError, AttributionError
        From the ledger and the tracer, naming the interval or reading at fault.
    InvalidPeriodError
        If a snapshot has no start time.
    """
    plant_devices, firm_devices = ledger_devices(session)
    units = storage_devices(session)
    sinks = {**firm_devices, **units}  # a plant's share into a battery's charging goes to its storage account
    factors = _emission_factors()
    intervals: list[IntervalShares] = []
    results: list[FirmIntervalResult] = []
    flows: list[TechnologyFlowRow] = []
    readings: list[MeterReading] = []
    fed: list[Snapshot] = []

    def feed() -> Iterator[Snapshot]:
        for snapshot in snapshots:
            fed.append(snapshot)
            yield snapshot

    firm_columns: dict[str, NDArray[np.intp]] | None = None
    for allocation in trace_many(feed(), storage=StorageLedger()):
        snapshot = fed.pop()
        if snapshot.start is None:
            raise InvalidPeriodError(f"snapshot {len(intervals)} of [{period_start.isoformat()}, "
                                     f"{period_end.isoformat()}) has no start time")
        start_s = int(snapshot.start.timestamp())
        if firm_columns is None:
            owners = np.array([firm_devices.get(str(d), "") for d in allocation.withdrawal_id])
            firm_columns = {firm: np.flatnonzero(owners == firm) for firm in sorted(set(firm_devices.values()))}
        intervals.append(IntervalShares(start_s, holder_shares(allocation, plant_devices, sinks),
                                        snapshot_digest(snapshot), storage_flows(allocation, units, firm_devices)))
        results.extend(_firm_results(allocation, firm_columns, start_s, interval_s, factors))
        flows.extend(interval_flows(allocation, firm_devices, start_s, interval_s))
        if simulated_meters:
            readings.extend(snapshot_readings(snapshot, plant_devices, interval_s))
    start_s, end_s = int(period_start.timestamp()), int(period_end.timestamp())
    inserted = ingest_readings(session, readings, interval_s=interval_s).inserted if readings else 0
    replace_interval_rows(session, FirmIntervalResult, results, start_s, end_s)
    replace_interval_rows(session, TechnologyFlowRow, flows, start_s, end_s)
    batch = build_batch(session, period_start_s=start_s, period_end_s=end_s, intervals=intervals,
                        interval_s=interval_s, mode=mode)
    totals: dict[str, list[float]] = {}
    for row in results:
        total = totals.setdefault(row.firm_code, [0, 0, 0.0])
        total[0] += row.consumption_wh
        total[1] += row.renewable_wh
        total[2] += row.emissions_kg
    return AttributionRun(
        period_start=period_start.astimezone(UTC), period_end=period_end.astimezone(UTC), intervals=len(intervals),
        batch_id=batch.batch_id, batch_state=batch.state, batch_block=batch.block_number, readings_inserted=inserted,
        firms=tuple(FirmTotal(code, int(c), int(r), e) for code, (c, r, e) in sorted(totals.items())),
    )
