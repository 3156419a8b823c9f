"""Meter data ingestion: validated, all-or-nothing, idempotent.

A reading is one plant's metered generation over one interval. Energies given in MWh are turned
into whole Wh rounded down (EnergyTag: certificates count whole Wh), reading the MWh value as the
decimal the meter wrote (``0.29`` MWh is 290000 Wh, not 289999 from binary round-off).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from .errors import MeterDataError
from .models import MeterReadingRow, Plant
from .registry import wh_capacity

__all__ = ["IngestReport", "MeterReading", "ingest_readings", "to_unix_s"]

WH_PER_MWH = 1_000_000


@dataclass(frozen=True)
class MeterReading:
    """One metered interval of one plant.

    Attributes
    ----------
    plant_code : str
        Registered plant code.
    interval_start : datetime or int
        Interval start: a timezone-aware datetime at UTC offset 0, or UNIX seconds.
    interval_s : int
        Interval length in seconds; must equal the ledger's interval (900 s by default).
    energy_wh : int, optional
        Generated energy in whole Wh, ``>= 0``. Give exactly one of ``energy_wh`` and ``energy_mwh``.
    energy_mwh : float, optional
        Generated energy in MWh, ``>= 0``; rounded down to whole Wh.
    source : str
        Where the value comes from (meter id, ``"scada"``, ``"simulated"``).
    """

    plant_code: str
    interval_start: datetime | int
    interval_s: int
    energy_wh: int | None = None
    energy_mwh: float | None = None
    source: str = "meter"


@dataclass(frozen=True)
class IngestReport:
    """Outcome of :func:`ingest_readings`: rows inserted, and readings already stored with the same value."""

    inserted: int
    unchanged: int


def to_unix_s(moment: datetime | int, what: str) -> int:
    """Return ``moment`` as integer UNIX seconds; datetimes must be timezone-aware at UTC offset 0.

    Raises
    ------
    MeterDataError
        If ``moment`` is naive, not UTC, or has fractional seconds; ``what`` names it.
    """
    if isinstance(moment, datetime):
        if moment.utcoffset() is None:
            raise MeterDataError(f"{what}: interval start {moment.isoformat()} has no time zone; give it in UTC")
        if moment.utcoffset() != timedelta(0):
            raise MeterDataError(f"{what}: interval start {moment.isoformat()} is not in UTC")
        if moment.microsecond:
            raise MeterDataError(f"{what}: interval start {moment.isoformat()} has fractional seconds")
        return int(moment.timestamp())
    if isinstance(moment, bool) or not isinstance(moment, int):
        raise MeterDataError(f"{what}: interval start {moment!r} is neither a datetime nor UNIX seconds")
    return moment


def _energy_wh(reading: MeterReading, what: str) -> int:
    if (reading.energy_wh is None) == (reading.energy_mwh is None):
        raise MeterDataError(f"{what}: give exactly one of energy_wh and energy_mwh")
    value = reading.energy_wh if reading.energy_wh is not None else reading.energy_mwh
    unit = "Wh" if reading.energy_wh is not None else "MWh"
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise MeterDataError(f"{what}: energy {value!r} {unit} is not a finite number")
    if value < 0:
        raise MeterDataError(f"{what}: energy {value!r} {unit} is negative")
    if reading.energy_wh is not None:
        if value != int(value):
            raise MeterDataError(f"{what}: energy {value!r} Wh is not a whole number of Wh")
        return int(value)
    return int((Decimal(repr(float(value))) * WH_PER_MWH).to_integral_value(rounding=ROUND_FLOOR))


def _describe(index: int, reading: MeterReading) -> str:
    return f"reading {index} (plant {reading.plant_code!r}, interval start {reading.interval_start!s})"


def ingest_readings(session: Session, readings: Iterable[MeterReading], *, interval_s: int = 900) -> IngestReport:
    """Validate ``readings`` and add the new ones to the session (flushed; the caller commits).

    All readings are validated before anything is added: on any error nothing is written.
    A reading equal to the stored one (same plant, interval and Wh) is a no-op.

    Parameters
    ----------
    session : Session
        Open session; the caller owns the transaction.
    readings : iterable of MeterReading
        The readings to store.
    interval_s : int
        The ledger's interval length in seconds; starts must lie on its grid (multiples of it since
        1970-01-01T00:00Z).

    Raises
    ------
    MeterDataError
        Naming the first offending reading: unregistered plant, negative/NaN energy, energy above
        capacity × duration, a start not in UTC or not on the interval grid, a wrong interval length,
        or a different value for an interval already stored or given twice.
    """
    batch: list[MeterReading] = list(readings)
    plants = {plant.code: plant for plant in session.scalars(select(Plant))}
    rows: dict[tuple[str, int], tuple[int, int, str]] = {}  # (plant, start) -> (wh, index, source)
    for index, reading in enumerate(batch):
        what = _describe(index, reading)
        plant = plants.get(reading.plant_code)
        if plant is None:
            raise MeterDataError(f"{what}: plant {reading.plant_code!r} is not registered")
        start_s = to_unix_s(reading.interval_start, what)
        if reading.interval_s != interval_s:
            raise MeterDataError(f"{what}: interval of {reading.interval_s} s, the ledger uses {interval_s} s")
        if start_s % interval_s:
            raise MeterDataError(f"{what}: start {datetime.fromtimestamp(start_s, UTC).isoformat()} is not on the "
                                 f"{interval_s} s grid")
        wh = _energy_wh(reading, what)
        limit_wh = wh_capacity(plant.capacity_mw, interval_s)
        if wh > limit_wh:
            raise MeterDataError(f"{what}: {wh} Wh exceeds capacity {plant.capacity_mw} MW × {interval_s} s = "
                                 f"{limit_wh} Wh")
        key = (reading.plant_code, start_s)
        earlier = rows.get(key)
        if earlier is not None and earlier[0] != wh:
            raise MeterDataError(f"{what}: {wh} Wh conflicts with reading {earlier[1]} of the same interval "
                                 f"({earlier[0]} Wh)")
        rows.setdefault(key, (wh, index, reading.source))
    unchanged = _drop_stored(session, plants, rows)
    if rows:
        session.execute(insert(MeterReadingRow), [
            {"plant_id": plants[code].id, "interval_start_s": start_s, "interval_s": interval_s, "energy_wh": wh,
             "source": source, "recorded_at": datetime.now(UTC)}
            for (code, start_s), (wh, _, source) in rows.items()
        ])
        session.flush()
    return IngestReport(inserted=len(rows), unchanged=unchanged)


def _drop_stored(session: Session, plants: dict[str, Plant],
                 rows: dict[tuple[str, int], tuple[int, int, str]]) -> int:
    """Remove from ``rows`` the readings already stored with the same value; raise on a different value."""
    if not rows:
        return 0
    codes = sorted({code for code, _ in rows})
    starts = [start for _, start in rows]
    code_of = {plants[code].id: code for code in codes}
    stored: Sequence[tuple[int, int, int]] = session.execute(
        select(MeterReadingRow.plant_id, MeterReadingRow.interval_start_s, MeterReadingRow.energy_wh)
        .where(MeterReadingRow.plant_id.in_(list(code_of)),
               MeterReadingRow.interval_start_s.between(min(starts), max(starts)))
    ).all()
    unchanged = 0
    for plant_id, start_s, stored_wh in stored:
        key = (code_of[plant_id], start_s)
        if key not in rows:
            continue
        wh, index, _ = rows[key]
        if wh != stored_wh:
            raise MeterDataError(
                f"reading {index} (plant {key[0]!r}, interval start "
                f"{datetime.fromtimestamp(start_s, UTC).isoformat()}): {wh} Wh differs from the stored {stored_wh} Wh"
            )
        del rows[key]
        unchanged += 1
    return unchanged
