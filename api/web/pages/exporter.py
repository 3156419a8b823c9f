"""The exporter's pages: the retirement form, its provenance records and their downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from greenproof.attribution.errors import GreenproofError
from greenproof.ledger.models import ProvenanceRecordRow
from greenproof.ledger.registry import firm_by_code

from ...http.deps import SessionDep, StateDep
from ...http.problem_details import status_of
from ...http.request_limits import MAX_BODY_BYTES
from ...http.routes import exporter as exporter_api
from ...usecases.api_keys import Principal, Role
from ...usecases.certificate_queries import CertificateQuery, balances
from ...usecases.errors import AuthorisationError
from ...usecases.provenance_render import RECORD_HTML_CSP, qr_png, record_html, record_pdf
from ...usecases.schemas import FirmAuthorisations, ProvenanceRecord, SignedRetirement
from ...usecases.status_clock import status_clock
from ...usecases.validation_summary import validation_summary
from ..i18n import Translator, request_language
from ..page_params import Hash32, require, shown_days
from ..render import PageRoute, render
from ..retirement_form import FormRefusal, RetirementForm, refusal_of
from ..session import PageCaller, check_same_origin

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _form_page(request: Request, caller: Principal, session: SessionDep, state: StateDep,
               form: RetirementForm | None = None, error: str | None = None, status_code: int = 200) -> Response:
    firm_code = str(caller.firm_code)
    firm = firm_by_code(session, firm_code)
    days = shown_days(session, None, None)
    records = session.scalars(select(ProvenanceRecordRow).where(ProvenanceRecordRow.firm_code == firm_code)
                              .order_by(ProvenanceRecordRow.created_at.desc())).all()
    typed = form or RetirementForm(start=days.first.isoformat(), end=days.last.isoformat())
    clock = status_clock(state.settings)
    return render(request, "exporter.html", caller=caller, firm=firm, days=days, status_code=status_code,
                  balances=balances(session, CertificateQuery(firm_code=firm_code), state.ledger_settings,
                                    now=clock.now), clock=clock,
                  records=[ProvenanceRecord.model_validate_json(row.record_json) for row in records],
                  form=typed.values(), error=error)


@router.get("/ui/exporter", response_class=HTMLResponse)
def exporter_page(request: Request, caller: PageCaller, session: SessionDep, state: StateDep) -> Response:
    """Render the retirement form, the firm's active certificates and its provenance records."""
    require(caller, Role.EXPORTER)
    return _form_page(request, caller, session, state)


FormText = Annotated[str, Form(max_length=1000)]


@router.post("/ui/exporter/retirements")
def retire_page(
    request: Request, caller: PageCaller, session: SessionDep, state: StateDep, shipment_id: FormText = "",
    product: FormText = "", quantity: FormText = "", quantity_unit: FormText = "", destination: FormText = "",
    embedded_mwh: FormText = "", start: FormText = "", end: FormText = "", beneficiary: FormText = "",
    purpose: FormText = "",
) -> Response:
    """Retire the firm's certificates against the shipment (the API's retirement) and show the provenance record.

    A refused retirement shows the form again with what was typed and a message in the page's
    language (:mod:`greenproof.api.web.retirement_form`).
    """
    check_same_origin(request)
    require(caller, Role.EXPORTER)
    form = RetirementForm(shipment_id=shipment_id, product=product, quantity=quantity, quantity_unit=quantity_unit,
                          destination=destination, embedded_mwh=embedded_mwh, start=start, end=end,
                          beneficiary=beneficiary, purpose=purpose)
    t = Translator(request_language(request))
    try:
        record = exporter_api.create_retirement(form.request(), caller, state)
    except FormRefusal as exc:
        return _form_page(request, caller, session, state, form, refusal_of(exc, form, t), 422)
    except GreenproofError as exc:
        period = form.period()
        query = CertificateQuery(firm_code=str(caller.firm_code), period_start_s=period.start_s,
                                 period_end_s=period.end_s)
        available = sum(line.active_wh for line in balances(session, query, state.ledger_settings,
                                                            now=status_clock(state.settings).now))
        return _form_page(request, caller, session, state, form, refusal_of(exc, form, t, available), status_of(exc))
    return RedirectResponse(f"/ui/exporter/records/{record.claim_ref}", status_code=303)


def _sign_page(request: Request, caller: Principal, prepared: FirmAuthorisations, error: str | None = None,
               status_code: int = 200) -> Response:
    return render(request, "sign.html", caller=caller, prepared=prepared, status_code=status_code, error=error,
                  prepared_json=prepared.model_dump_json())


@router.post("/ui/exporter/authorisations")
def prepare_page(
    request: Request, caller: PageCaller, session: SessionDep, state: StateDep, shipment_id: FormText = "",
    product: FormText = "", quantity: FormText = "", quantity_unit: FormText = "", destination: FormText = "",
    embedded_mwh: FormText = "", start: FormText = "", end: FormText = "", beneficiary: FormText = "",
    purpose: FormText = "",
) -> Response:
    """For a firm-held account: prepare the retirement's authorisations and show them to sign (the API's prepare).

    The page signs with a browser wallet (``window.ethereum``, ``eth_signTypedData_v4``) where one
    is present, and takes pasted signatures otherwise.
    """
    check_same_origin(request)
    require(caller, Role.EXPORTER)
    form = RetirementForm(shipment_id=shipment_id, product=product, quantity=quantity, quantity_unit=quantity_unit,
                          destination=destination, embedded_mwh=embedded_mwh, start=start, end=end,
                          beneficiary=beneficiary, purpose=purpose)
    t = Translator(request_language(request))
    try:
        prepared = exporter_api.prepare_retirement(form.request(), caller, state)
    except FormRefusal as exc:
        return _form_page(request, caller, session, state, form, refusal_of(exc, form, t), 422)
    except GreenproofError as exc:
        return _form_page(request, caller, session, state, form, refusal_of(exc, form, t), status_of(exc))
    return _sign_page(request, caller, prepared)


PreparedText = Annotated[str, Form(max_length=MAX_BODY_BYTES)]


@router.post("/ui/exporter/signed")
def submit_page(request: Request, caller: PageCaller, state: StateDep, prepared: PreparedText = "",
                signature: Annotated[list[str] | None, Form(max_length=200)] = None) -> Response:
    """Submit the firm's signatures of the prepared authorisations (the API's submit); show the record."""
    check_same_origin(request)
    require(caller, Role.EXPORTER)
    try:
        authorisations = FirmAuthorisations.model_validate_json(prepared)
    except ValidationError as exc:
        raise AuthorisationError(f"the prepared retirement is malformed: {validation_summary(exc)}") from exc
    signatures = [s.strip() for s in signature or []]
    try:
        signed = SignedRetirement(claim=authorisations.claim, chain_time_s=authorisations.chain_time_s,
                                  signatures=signatures)
        record = exporter_api.submit_retirement(signed, caller, state)
    except ValidationError:
        t = Translator(request_language(request))
        return _sign_page(request, caller, authorisations, t("sign.malformed"), 422)
    except GreenproofError as exc:
        return _sign_page(request, caller, authorisations, str(exc), status_of(exc))
    return RedirectResponse(f"/ui/exporter/records/{record.claim_ref}", status_code=303)


def _own_record(session: SessionDep, caller: Principal, claim_ref: str) -> ProvenanceRecord:
    require(caller, Role.EXPORTER)
    return exporter_api.get_record(claim_ref.lower(), caller, session)


@router.get("/ui/exporter/records/{claim_ref}", response_class=HTMLResponse)
def record_page(request: Request, caller: PageCaller, session: SessionDep, claim_ref: Hash32) -> Response:
    """One provenance record: what was retired, its QR code and downloads."""
    return render(request, "record.html", caller=caller, record=_own_record(session, caller, claim_ref))


@router.get("/ui/exporter/records/{claim_ref}/{fmt}")
def record_download(caller: PageCaller, session: SessionDep, state: StateDep, claim_ref: Hash32,
                    fmt: Annotated[str, Path(pattern="^(json|html|pdf|qr.png)$")]) -> Response:
    """Download a provenance record as JSON, HTML or PDF, or its QR code."""
    record = _own_record(session, caller, claim_ref)
    name = f"provenance-{record.claim.shipment.shipment_id}"
    if fmt == "qr.png":
        return Response(qr_png(record.verify_url), media_type="image/png")
    formats: dict[str, tuple[Callable[[], bytes], str]] = {
        "json": (lambda: record.model_dump_json(indent=2).encode("utf-8"), "application/json"),
        "html": (lambda: record_html(record).encode("utf-8"), "text/html; charset=utf-8"),
        "pdf": (lambda: record_pdf(record, state.settings.pdf_font), "application/pdf"),
    }
    body, media = formats[fmt]
    return Response(body(), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{quote(name)}.{fmt}"',
                             "Content-Security-Policy": RECORD_HTML_CSP})
