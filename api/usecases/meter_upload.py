"""Meter data uploads (JSON rows or CSV files) turned into ledger :class:`MeterReading` objects.

:func:`ingest_meter_csv` is the whole CSV path, shared by ``POST /park/meter-readings/csv`` and
``greenproof meters load``: size limit, UTF-8, parsing, then the ledger's validation, all or nothing.

CSV columns (header row required, UTF-8, comma separated): ``plant_code``, ``interval_start``
(ISO 8601 with a UTC offset, e.g. ``2025-06-21T00:15:00Z``), ``interval_s`` (optional, default
900), exactly one of ``energy_wh`` (whole Wh) or ``energy_mwh`` (MWh), ``source`` (optional,
default ``"meter"``). The ledger validates the values; this module only parses.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from greenproof.ledger.errors import MeterDataError
from greenproof.ledger.meters import IngestReport, MeterReading, ingest_readings

from .errors import UploadTooLargeError
from .periods import supported_day, utc_from_s

__all__ = [
    "CSV_COLUMNS",
    "MAX_CSV_BYTES",
    "MAX_UPLOAD_ROWS",
    "ingest_meter_csv",
    "readings_from_csv",
    "readings_to_csv",
]

CSV_COLUMNS = ("plant_code", "interval_start", "interval_s", "energy_wh", "energy_mwh", "source")
#: Most readings accepted in one upload (a year of 15-min data of four plants is 140,160).
MAX_UPLOAD_ROWS = 200_000
#: Largest CSV file read, bytes (a year of four plants at 15 min is about 9 MB).
MAX_CSV_BYTES = 32 * 1024 * 1024


def ingest_meter_csv(session: Session, data: bytes, name: str) -> IngestReport:
    """Validate a meter-data CSV file as a whole and add its new readings (flushed; the caller commits).

    Parameters
    ----------
    session : Session
        Open ledger session; nothing is added on any error.
    data : bytes
        The file's content (at most :data:`MAX_CSV_BYTES`; read one byte more to detect a larger file).
    name : str
        The file's name, quoted in every error.

    Raises
    ------
    UploadTooLargeError
        If ``data`` is longer than :data:`MAX_CSV_BYTES`.
    MeterDataError
        Naming the file, then the CSV line or reading at fault (see :func:`readings_from_csv` and
        :func:`greenproof.ledger.meters.ingest_readings`).
    """
    if len(data) > MAX_CSV_BYTES:
        raise UploadTooLargeError(f"file {name!r} is larger than {MAX_CSV_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MeterDataError(f"file {name!r} is not UTF-8 text: {exc}") from exc
    try:
        return ingest_readings(session, readings_from_csv(text))
    except MeterDataError as exc:
        raise MeterDataError(f"file {name!r}: {exc}") from exc


def _number(text: str, kind: type[int] | type[float], line: int, column: str) -> int | float | None:
    if not text.strip():
        return None
    try:
        return kind(text)
    except ValueError as exc:
        raise MeterDataError(f"CSV line {line}: {column} {text!r} is not a{'n integer' if kind is int else ' number'}"
                             ) from exc


def readings_from_csv(text: str, *, default_interval_s: int = 900) -> list[MeterReading]:
    """Parse a CSV upload into readings (see the module docstring for the columns).

    Raises
    ------
    MeterDataError
        Naming the CSV line: missing columns, unparsable numbers or timestamps, too many rows.
    """
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return _parse(reader, default_interval_s)
    except csv.Error as exc:
        raise MeterDataError(f"CSV line {reader.line_num}: {exc}") from exc


def _parse(reader: csv.DictReader[str], default_interval_s: int) -> list[MeterReading]:
    header = set(reader.fieldnames or ())
    missing = {"plant_code", "interval_start"} - header
    if missing or not header & {"energy_wh", "energy_mwh"}:
        raise MeterDataError(f"CSV header {sorted(header)} lacks {sorted(missing) or ['energy_wh or energy_mwh']}; "
                             f"expected columns {', '.join(CSV_COLUMNS)}")
    unknown = header - set(CSV_COLUMNS)
    if unknown:
        raise MeterDataError(f"CSV header has unknown columns {sorted(unknown)}; expected {', '.join(CSV_COLUMNS)}")
    readings: list[MeterReading] = []
    for row in reader:
        line = reader.line_num
        if len(readings) >= MAX_UPLOAD_ROWS:
            raise MeterDataError(f"CSV line {line}: more than {MAX_UPLOAD_ROWS} readings in one upload")
        if None in row:
            raise MeterDataError(f"CSV line {line}: more fields than header columns")
        start_text = (row.get("interval_start") or "").strip()
        try:
            start = datetime.fromisoformat(start_text)
        except ValueError as exc:
            raise MeterDataError(f"CSV line {line}: interval_start {start_text!r} is not an ISO 8601 timestamp"
                                 ) from exc
        try:
            supported_day(start.date())  # the JSON API's range: no year 0001 or 9999 either
        except ValueError as exc:
            raise MeterDataError(f"CSV line {line}: interval_start {exc}") from exc
        interval_s = _number(row.get("interval_s") or "", int, line, "interval_s")
        energy_wh = _number(row.get("energy_wh") or "", int, line, "energy_wh")
        energy_mwh = _number(row.get("energy_mwh") or "", float, line, "energy_mwh")
        readings.append(MeterReading(
            plant_code=(row.get("plant_code") or "").strip(), interval_start=start,
            interval_s=int(interval_s) if interval_s is not None else default_interval_s,
            energy_wh=int(energy_wh) if energy_wh is not None else None, energy_mwh=energy_mwh,
            source=(row.get("source") or "").strip() or "meter",
        ))
    return readings


def readings_to_csv(readings: Iterable[MeterReading]) -> str:
    """Write readings given in whole Wh as CSV text that :func:`readings_from_csv` reads back unchanged."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["plant_code", "interval_start", "interval_s", "energy_wh", "source"])
    for reading in readings:
        start = reading.interval_start
        moment = utc_from_s(start) if isinstance(start, int) else start
        writer.writerow([reading.plant_code, moment.isoformat().replace("+00:00", "Z"), reading.interval_s,
                         reading.energy_wh, reading.source])
    return out.getvalue()
