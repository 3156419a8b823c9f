"""Park-operator endpoints: meter data uploads, attribution runs, renewable shares, carbon intensity."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from sqlalchemy import func, select

from greenproof.ledger.database import session_scope
from greenproof.ledger.holder_shares import ledger_devices
from greenproof.ledger.meters import IngestReport, MeterReading, ingest_readings
from greenproof.ledger.models import Firm, IssuanceBatch
from greenproof.ledger.storage_records import discharge_source_mix

from ...usecases.errors import InvalidPeriodError
from ...usecases.firm_accounts import register_firm_account
from ...usecases.firm_reports import share_series
from ...usecases.meter_upload import MAX_CSV_BYTES, ingest_meter_csv
from ...usecases.park_intensity import nodal_intensity
from ...usecases.park_runs import batch_public, issue_pending, run_attribution
from ...usecases.park_setup import register_park
from ...usecases.park_simulation import INTERVAL, check_interval_grid
from ...usecases.periods import UtcTime
from ...usecases.schemas import (
    BatchPublic,
    FirmAccountPublic,
    NodalIntensityPublic,
    Resolution,
    ShareSeriesPublic,
)
from ...usecases.units import KG_PER_T, mwh
from ..deps import FirmCodePath, ParkOperator, SessionDep, StateDep
from ..pagination import Page, PageParamsDep
from ..periods import PeriodDep
from ..problem_details import problem_responses
from ..schemas import (
    AttributionRunCreate,
    AttributionRunPublic,
    FirmAccountUpdate,
    FirmTotalPublic,
    IngestResult,
    MeterReadingsCreate,
    ParkRegistrationPublic,
)

__all__ = ["router"]

router = APIRouter(prefix="/park", tags=["park"], responses=problem_responses(401, 403, 404, 409, 422))

#: Longest period one attribution request traces (the CLI has no limit).
MAX_RUN = timedelta(days=7)


def _ingested(session: SessionDep, report: IngestReport) -> IngestResult:
    session.commit()
    return IngestResult(inserted=report.inserted, unchanged=report.unchanged)


@router.post("/meter-readings", summary="Upload meter readings (JSON)")
def upload_meter_readings(body: MeterReadingsCreate, session: SessionDep, _caller: ParkOperator) -> IngestResult:
    """Store metered plant generation; all readings are validated first and nothing is written on an error."""
    return _ingested(session, ingest_readings(session, [MeterReading(**row.model_dump()) for row in body.readings]))


@router.post("/meter-readings/csv", summary="Upload meter readings (CSV file)",
             responses=problem_responses(413))
def upload_meter_csv(file: Annotated[UploadFile, File(description="CSV, see docs/api.md for columns.")],
                     session: SessionDep, _caller: ParkOperator) -> IngestResult:
    """Store metered plant generation from a CSV file (columns in ``docs/api.md``); all or nothing, idempotent."""
    return _ingested(session, ingest_meter_csv(session, file.file.read(MAX_CSV_BYTES + 1), str(file.filename)))


@router.get("/renewable-shares", summary="Every firm's traced renewable share over time")
def renewable_shares(session: SessionDep, _caller: ParkOperator, period: PeriodDep,
                     resolution: Resolution = Resolution.HOUR) -> list[ShareSeriesPublic]:
    """Return each firm's consumption and its part traced to renewable plants, per 15 min, hour, day or month."""
    codes = session.scalars(select(Firm.code).order_by(Firm.code)).all()
    return [share_series(session, code, period, resolution) for code in codes]


@router.post("/registry", summary="Register the park's plants and firms", responses=problem_responses(503))
def register(state: StateDep, _caller: ParkOperator) -> ParkRegistrationPublic:
    """Register the Binhai park model's plants and firms with their custodial certificate accounts (idempotent)."""
    with session_scope(state.session_factory) as session:
        added = register_park(session, state.chain.issuer_key())
    return ParkRegistrationPublic(plants_added=list(added.plants_added), firms_added=list(added.firms_added))


@router.put("/firms/{firm_code}/account", summary="Set a firm's certificate account")
def set_firm_account(firm_code: FirmCodePath, body: FirmAccountUpdate, state: StateDep, _caller: ParkOperator
                     ) -> FirmAccountPublic:
    """Register an address of the firm's own wallet as the firm's certificate account, or (null) its custodial one.

    The firm's certificates are then allocated to that address, and only the firm's EIP-712
    signature retires them (``POST /exporter/retirements/authorisations``, then
    ``/exporter/retirements/signed``). 409 if the address is another firm's or its custodial one,
    or certificates were already allocated to the firm's account.
    """
    return register_firm_account(state.session_factory, state.chain.issuer_key(), firm_code, body.address)


@router.post("/attribution-runs", summary="Trace the park over a period", responses=problem_responses(503))
def create_attribution_run(body: AttributionRunCreate, state: StateDep, _caller: ParkOperator
                           ) -> AttributionRunPublic:
    """Solve and trace the park model over ``[start, end)``, at most a week, and store the results.

    Every firm's consumption and traced renewable part is stored, and the period's certificates
    are written as a pending batch (sent by ``POST /park/issuance``).
    """
    if body.end - body.start > MAX_RUN:
        raise InvalidPeriodError(f"an attribution run covers at most {MAX_RUN.days} days per request; "
                                 f"split {body.start.isoformat()} .. {body.end.isoformat()} or use the CLI")
    run = run_attribution(state.session_factory, state.chain.issuer_key(), body.start, body.end,
                          simulated_meters=body.simulated_meters, mode=body.mode.value)
    return AttributionRunPublic(
        start=run.period_start, end=run.period_end, intervals=run.intervals,
        batch_ids=[batch.batch_id for batch in run.batches],
        readings_inserted=run.readings_inserted,
        firms=[FirmTotalPublic(firm_code=f.firm_code, consumption_mwh=mwh(f.consumption_wh),
                               renewable_mwh=mwh(f.renewable_wh), renewable_share=min(f.renewable_share, 1.0),
                               emissions_t=f.emissions_kg / KG_PER_T) for f in run.firms])


@router.post("/issuance", summary="Send pending batches to the chain", responses=problem_responses(502, 503))
def issue(state: StateDep, _caller: ParkOperator) -> list[BatchPublic]:
    """Anchor (or directly issue) every pending or interrupted batch on-chain and confirm it from the chain."""
    return [batch_public(batch) for batch in issue_pending(state.session_factory, state.chain.client())]


@router.get("/batches", summary="Issuance batches")
def list_batches(session: SessionDep, _caller: ParkOperator, page: PageParamsDep) -> Page[BatchPublic]:
    """List issuance batches, newest period first, with their outbox state."""
    total = session.scalar(select(func.count()).select_from(IssuanceBatch)) or 0
    rows = session.scalars(select(IssuanceBatch).order_by(IssuanceBatch.period_start_s.desc(), IssuanceBatch.id)
                           .limit(page.limit).offset(page.offset)).all()
    return Page[BatchPublic].of([batch_public(b) for b in rows], total, page)


@router.get("/carbon-intensity", summary="Nodal carbon intensity of an interval")
def carbon_intensity(
    session: SessionDep, _caller: ParkOperator,
    interval_start: Annotated[UtcTime, Query(description="Start of a 15-minute interval (UTC instant).")],
) -> NodalIntensityPublic:
    """Solve the park model for one interval and return every bus's and firm's carbon intensity, tCO2/MWh."""
    check_interval_grid(interval_start, interval_start + INTERVAL)
    _plants, firm_devices = ledger_devices(session)
    return nodal_intensity(interval_start, firm_devices,
                           discharge_source_mix(session, int(interval_start.timestamp())))
