"""The exporter's pages: the retirement form, its provenance records and their downloads."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from greenproof.ledger.models import ProvenanceRecordRow
from greenproof.ledger.registry import firm_by_code

from ...http.deps import SessionDep, StateDep
from ...http.routes import exporter as exporter_api
from ...http.schemas import RetirementCreate
from ...usecases.api_keys import Principal, Role
from ...usecases.certificate_queries import CertificateQuery, balances
from ...usecases.errors import ProvenanceRecordError
from ...usecases.provenance_render import qr_png, record_html, record_pdf
from ...usecases.schemas import ProvenanceRecord, ShipmentCreate
from ..page_params import Hash32, require, shown_days
from ..render import PageRoute, render
from ..series import DateRange
from ..session import PageCaller, check_same_origin

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/ui/exporter", response_class=HTMLResponse)
def exporter_page(request: Request, caller: PageCaller, session: SessionDep, state: StateDep,
                  error: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    """Render the retirement form, the firm's active certificates and its provenance records."""
    require(caller, Role.EXPORTER)
    firm_code = str(caller.firm_code)
    firm = firm_by_code(session, firm_code)
    days = shown_days(session, None, None)
    records = session.scalars(select(ProvenanceRecordRow).where(ProvenanceRecordRow.firm_code == firm_code)
                              .order_by(ProvenanceRecordRow.created_at.desc())).all()
    return render(request, "exporter.html", caller=caller, firm=firm, days=days,
                  balances=balances(session, CertificateQuery(firm_code=firm_code), state.ledger_settings),
                  records=[ProvenanceRecord.model_validate_json(row.record_json) for row in records], error=error)


@router.post("/ui/exporter/retirements")
def retire_page(
    request: Request, caller: PageCaller, state: StateDep, shipment_id: Annotated[str, Form(max_length=128)],
    product: Annotated[str, Form(max_length=200)], quantity: Annotated[float, Form(gt=0)],
    quantity_unit: Annotated[str, Form(max_length=16)], destination: Annotated[str, Form(max_length=200)],
    embedded_mwh: Annotated[float, Form(gt=0)], start: Annotated[date, Form()], end: Annotated[date, Form()],
    beneficiary: Annotated[str, Form(max_length=200)] = "", purpose: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Retire the firm's certificates against the shipment (the API's retirement) and show the provenance record."""
    check_same_origin(request)
    require(caller, Role.EXPORTER)
    period = DateRange(start, end).period
    try:
        body = RetirementCreate(
            shipment=ShipmentCreate(shipment_id=shipment_id, product=product, quantity=quantity,
                                    quantity_unit=quantity_unit, destination=destination,
                                    embedded_electricity_mwh=embedded_mwh),
            consumption_start=period.start, consumption_end=period.end, beneficiary=beneficiary or None,
            **({"purpose": purpose} if purpose else {}))
    except ValidationError as exc:
        raise ProvenanceRecordError(f"retirement form: {exc.errors()[0]['msg']}") from exc
    record = exporter_api.create_retirement(body, caller, state)
    return RedirectResponse(f"/ui/exporter/records/{record.claim_ref}", status_code=303)


def _own_record(session: SessionDep, caller: Principal, claim_ref: str) -> ProvenanceRecord:
    require(caller, Role.EXPORTER)
    return exporter_api.get_record(claim_ref.lower(), caller, session)


@router.get("/ui/exporter/records/{claim_ref}", response_class=HTMLResponse)
def record_page(request: Request, caller: PageCaller, session: SessionDep, claim_ref: Hash32) -> Response:
    """One provenance record: what was retired, its QR code and downloads."""
    return render(request, "record.html", caller=caller, record=_own_record(session, caller, claim_ref))


@router.get("/ui/exporter/records/{claim_ref}/{fmt}")
def record_download(caller: PageCaller, session: SessionDep, claim_ref: Hash32,
                    fmt: Annotated[str, Path(pattern="^(json|html|pdf|qr.png)$")]) -> Response:
    """Download a provenance record as JSON, HTML or PDF, or its QR code."""
    record = _own_record(session, caller, claim_ref)
    name = f"provenance-{record.claim.shipment.shipment_id}"
    if fmt == "qr.png":
        return Response(qr_png(record.verify_url), media_type="image/png")
    body, media = {"json": (record.model_dump_json(indent=2).encode("utf-8"), "application/json"),
                   "html": (record_html(record).encode("utf-8"), "text/html; charset=utf-8"),
                   "pdf": (record_pdf(record), "application/pdf")}[fmt]
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{quote(name)}.{fmt}"'})
