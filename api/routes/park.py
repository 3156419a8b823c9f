"""Park-operator endpoints: meter data uploads, attribution runs, renewable shares, carbon intensity."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from sqlalchemy import select

from greenproof.ledger.errors import MeterDataError
from greenproof.ledger.meters import MeterReading, ingest_readings
from greenproof.ledger.models import Firm

from ..deps import ParkOperator, SessionDep
from ..errors import UploadTooLargeError
from ..firm_reports import share_series
from ..meter_upload import readings_from_csv
from ..periods import PeriodDep
from ..problem_details import problem_responses
from ..schemas import IngestResult, MeterReadingsCreate, Resolution, ShareSeriesPublic

__all__ = ["router"]

router = APIRouter(prefix="/park", tags=["park"], responses=problem_responses(401, 403, 404, 409, 422))

#: Largest CSV upload read, bytes (a year of four plants at 15 min is about 9 MB).
MAX_CSV_BYTES = 32 * 1024 * 1024


def _ingest(session: SessionDep, readings: list[MeterReading]) -> IngestResult:
    report = ingest_readings(session, readings)
    session.commit()
    return IngestResult(inserted=report.inserted, unchanged=report.unchanged)


@router.post("/meter-readings", summary="Upload meter readings (JSON)")
def upload_meter_readings(body: MeterReadingsCreate, session: SessionDep, _caller: ParkOperator) -> IngestResult:
    """Store metered plant generation; all readings are validated first and nothing is written on an error."""
    return _ingest(session, [MeterReading(**row.model_dump()) for row in body.readings])


@router.post("/meter-readings/csv", summary="Upload meter readings (CSV file)",
             responses=problem_responses(413))
def upload_meter_csv(file: Annotated[UploadFile, File(description="CSV, see docs/api.md for columns.")],
                     session: SessionDep, _caller: ParkOperator) -> IngestResult:
    """Store metered plant generation from a CSV file (columns in ``docs/api.md``); all or nothing, idempotent."""
    data = file.file.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise UploadTooLargeError(f"file {file.filename!r} is larger than {MAX_CSV_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MeterDataError(f"file {file.filename!r} is not UTF-8 text: {exc}") from exc
    return _ingest(session, readings_from_csv(text))


@router.get("/renewable-shares", summary="Every firm's traced renewable share over time")
def renewable_shares(session: SessionDep, _caller: ParkOperator, period: PeriodDep,
                     resolution: Resolution = Resolution.HOUR) -> list[ShareSeriesPublic]:
    """Return each firm's consumption and its part traced to renewable plants, per 15 min, hour, day or month."""
    codes = session.scalars(select(Firm.code).order_by(Firm.code)).all()
    return [share_series(session, code, period, resolution) for code in codes]
