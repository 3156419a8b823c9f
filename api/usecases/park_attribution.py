"""Attribution of a park period: solved snapshots → traced shares → per-firm results and a pending batch.

One pass over the snapshots (streamed, storage provenance carried by a
:class:`~greenproof.attribution.StorageLedger` across the whole run), cut into park days
(midnight to midnight in park time, Asia/Shanghai; the first and last day of a period may be
partial). Per interval it produces:

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

Each park day is written as soon as it is traced (readings, results, flows) and becomes one
issuance batch, so memory holds one day whatever the length of the period. Many day batches
rather than one root over day sub-roots: a day batch is what the contract anchors (one root over
the positional Merkle-sum tree of its plant-intervals, ≈50k gas); one root per period would need a
new on-chain layout, and a long period would then be all-or-nothing on-chain. Day batches are
anchored in a few seconds for a year, are found again by their id when a period is traced again
from the same inputs, and a day that failed can be redone alone.

Tracing is upstream (gross): losses are charged to the loads, so a firm's traced supply covers its
demand plus its share of losses; its renewable share is the renewable fraction of that supply.
Emissions use the technology table's factors; storage output whose provenance is unknown (the
pool was empty) is counted at the East China grid average (0.5617 tCO2/MWh, the conservative
choice), never as zero-carbon.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice, pairwise

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
    trace_snapshots,
)
from greenproof.attribution.technologies import EAST_CHINA_GRID_2022_T_PER_MWH
from greenproof.ledger.batches import IntervalShares, build_batch
from greenproof.ledger.canonical import snapshot_digest
from greenproof.ledger.holder_shares import holder_shares, ledger_devices, storage_devices, storage_flows
from greenproof.ledger.meters import MeterReading, ingest_readings
from greenproof.ledger.models import FirmIntervalResult, TechnologyFlowRow

from .attribution_results import PARK_TZ, FirmEnergies, replace_interval_rows
from .errors import InvalidPeriodError
from .park_simulation import snapshot_readings
from .periods import utc_from_s
from .technology_flows import interval_flows
from .units import KG_PER_T, WH_PER_MWH

__all__ = ["AttributionRun", "FirmTotal", "RunBatch", "attribute_period", "park_days"]

#: Seconds in a park day.
DAY_S = 86_400


@dataclass(frozen=True)
class FirmTotal(FirmEnergies):
    """A firm's energies summed over an attribution run (Wh, Wh, kg CO2)."""

    firm_code: str
    consumption_wh: int
    renewable_wh: int
    emissions_kg: float


@dataclass(frozen=True)
class RunBatch:
    """One park day's issuance batch of an attribution run.

    Attributes
    ----------
    batch_id : str
        ``0x`` hex: a new pending batch, or the stored one when the day was traced before from the
        same inputs.
    period_start, period_end : datetime
        The batch's period (UTC, end exclusive).
    state : str
        ``pending``, ``sent``, ``confirmed`` (already issued) or ``failed``.
    block_number : int or None
        Block that anchored the batch, once it is sent.
    """

    batch_id: str
    period_start: datetime
    period_end: datetime
    state: str
    block_number: int | None


@dataclass(frozen=True)
class AttributionRun:
    """Outcome of :func:`attribute_period`.

    Attributes
    ----------
    period_start, period_end : datetime
        The period traced (UTC, end exclusive).
    intervals : int
        Number of intervals traced.
    batches : tuple of RunBatch
        The period's certificate batches, one per park day, in time order.
    readings_inserted : int
        Simulated meter readings stored (0 when the run used uploaded readings).
    firms : tuple of FirmTotal
        Per-firm totals, sorted by firm code.
    """

    period_start: datetime
    period_end: datetime
    intervals: int
    batches: tuple[RunBatch, ...]
    readings_inserted: int
    firms: tuple[FirmTotal, ...]


def _emission_factors() -> NDArray[np.float64]:
    table = emission_factors()
    table["storage"] = EAST_CHINA_GRID_2022_T_PER_MWH  # untracked storage provenance: see module docstring
    return np.array([table[key] for key in TECHNOLOGY_KEYS], dtype=np.float64)


def _firm_results(allocation: Allocation, firm_columns: dict[str, NDArray[np.intp]], start_s: int, interval_s: int,
                  factors: NDArray[np.float64]) -> list[dict[str, object]]:
    """Rows of :class:`~greenproof.ledger.models.FirmIntervalResult` for one interval (Wh, Wh, kg CO2)."""
    renewable = np.isin(np.array(TECHNOLOGY_KEYS), sorted(renewable_technologies()))
    share = np.nan_to_num(allocation.technology_share, nan=0.0)  # (n_wd, n_tech); unsupplied rows count 0
    demand_mwh = allocation.withdrawal_mw * allocation.duration_h
    renewable_mwh = share[:, renewable].sum(axis=1) * demand_mwh
    emissions_t = (share @ factors) * demand_mwh
    return [{"firm_code": firm, "interval_start_s": start_s, "interval_s": interval_s,
             "consumption_wh": int(demand_mwh[cols].sum() * WH_PER_MWH),
             "renewable_wh": int(renewable_mwh[cols].sum() * WH_PER_MWH),
             "emissions_kg": float(emissions_t[cols].sum() * KG_PER_T)}
            for firm, cols in firm_columns.items()]


def park_days(start_s: int, end_s: int) -> list[tuple[int, int]]:
    """Cut ``[start_s, end_s)`` (UNIX s UTC) at midnights in park time: one ``(start_s, end_s)`` per park day."""
    offset_s = int(datetime.fromtimestamp(start_s, PARK_TZ).utcoffset().total_seconds())  # type: ignore[union-attr]
    cuts = range((start_s + offset_s) // DAY_S * DAY_S + DAY_S - offset_s, end_s, DAY_S)
    bounds = [start_s, *cuts, end_s]
    return list(pairwise(bounds))


class _DayWriter:
    """Collects one park day's rows and writes them, with the day's batch, when the day is complete."""

    def __init__(self, session: Session, *, simulated_meters: bool, mode: str, interval_s: int) -> None:
        self._session, self._simulated_meters = session, simulated_meters
        self._mode, self._interval_s = mode, interval_s
        self.plant_devices, self.firm_devices = ledger_devices(session)
        self.units = storage_devices(session)
        # a plant's share into a battery's charging goes to the battery's storage account
        self.sinks = {**self.firm_devices, **self.units}
        self._factors = _emission_factors()
        self._firm_columns: dict[str, NDArray[np.intp]] | None = None
        self.inserted = 0
        self.totals: dict[str, list[float]] = {}

    def write_day(self, start_s: int, end_s: int, pairs: list[tuple[Snapshot, Allocation]]) -> RunBatch:
        intervals: list[IntervalShares] = []
        results: list[dict[str, object]] = []
        flows: list[dict[str, object]] = []
        readings: list[MeterReading] = []
        for snapshot, allocation in pairs:
            if snapshot.start is None:
                raise InvalidPeriodError(f"a snapshot of [{utc_from_s(start_s).isoformat()}, "
                                         f"{utc_from_s(end_s).isoformat()}) has no start time")
            interval_start_s = int(snapshot.start.timestamp())
            if self._firm_columns is None:
                owners = np.array([self.firm_devices.get(str(d), "") for d in allocation.withdrawal_id])
                self._firm_columns = {firm: np.flatnonzero(owners == firm)
                                      for firm in sorted(set(self.firm_devices.values()))}
            intervals.append(IntervalShares(interval_start_s,
                                            holder_shares(allocation, self.plant_devices, self.sinks),
                                            snapshot_digest(snapshot),
                                            storage_flows(allocation, self.units, self.firm_devices)))
            results.extend(_firm_results(allocation, self._firm_columns, interval_start_s, self._interval_s,
                                         self._factors))
            flows.extend(interval_flows(allocation, self.firm_devices, interval_start_s, self._interval_s))
            if self._simulated_meters:
                readings.extend(snapshot_readings(snapshot, self.plant_devices, self._interval_s))
        session = self._session
        if readings:
            self.inserted += ingest_readings(session, readings, interval_s=self._interval_s).inserted
        replace_interval_rows(session, FirmIntervalResult, results, start_s, end_s)
        replace_interval_rows(session, TechnologyFlowRow, flows, start_s, end_s)
        batch = build_batch(session, period_start_s=start_s, period_end_s=end_s, intervals=intervals,
                            interval_s=self._interval_s, mode=self._mode)
        for row in results:
            total = self.totals.setdefault(str(row["firm_code"]), [0, 0, 0.0])
            for j, name in enumerate(("consumption_wh", "renewable_wh", "emissions_kg")):
                total[j] += row[name]  # type: ignore[operator]
        return RunBatch(batch.batch_id, utc_from_s(start_s), utc_from_s(end_s), batch.state, batch.block_number)


def attribute_period(session: Session, snapshots: Iterable[Snapshot], *, period_start: datetime,
                     period_end: datetime, simulated_meters: bool, mode: str = "anchor",
                     interval_s: int = 900) -> AttributionRun:
    """Trace every interval of a period and record its results and day batches (flushed; the caller commits).

    Parameters
    ----------
    session : Session
        Open session; plants and firms must be registered.
    snapshots : iterable of Snapshot
        One solved snapshot per interval of ``[period_start, period_end)``, in time order, each
        with its ``start`` set (e.g. from :func:`greenproof.grids.timeseries.solve_series`); read
        one park day at a time.
    period_start, period_end : datetime
        The period (UTC, end exclusive, on the ``interval_s`` grid).
    simulated_meters : bool
        Store the renewable plants' solved output as their meter readings (``source="simulated"``);
        otherwise the batches use the readings already uploaded.
    mode : {"anchor", "direct"}
        Issuance mode of the batches (see :func:`greenproof.ledger.batches.build_batch`).
    interval_s : int
        Interval length, seconds.

    Raises
    ------
    BatchError, MeterDataError, AttributionError
        From the ledger and the tracer, naming the interval or reading at fault.
    InvalidPeriodError
        If a snapshot has no start time, or more snapshots than intervals are given.
    """
    writer = _DayWriter(session, simulated_meters=simulated_meters, mode=mode, interval_s=interval_s)
    start_s, end_s = int(period_start.timestamp()), int(period_end.timestamp())
    stream = trace_snapshots(snapshots, storage=StorageLedger())
    batches, intervals = [], 0
    for day_start_s, day_end_s in park_days(start_s, end_s):
        pairs = list(islice(stream, (day_end_s - day_start_s) // interval_s))
        intervals += len(pairs)
        batches.append(writer.write_day(day_start_s, day_end_s, pairs))
    if next(stream, None) is not None:
        raise InvalidPeriodError(f"more snapshots than the {intervals} intervals of [{period_start.isoformat()}, "
                                 f"{period_end.isoformat()})")
    return AttributionRun(
        period_start=period_start.astimezone(UTC), period_end=period_end.astimezone(UTC), intervals=intervals,
        batches=tuple(batches), readings_inserted=writer.inserted,
        firms=tuple(FirmTotal(code, int(c), int(r), e) for code, (c, r, e) in sorted(writer.totals.items())),
    )
