"""Exporter endpoints: retire the key's firm's certificates against a shipment, and fetch provenance records."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from ...usecases.api_keys import Principal
from ...usecases.errors import NotFoundError, PermissionDeniedError
from ...usecases.firm_signed_retirement import prepare_firm_retirement, submit_firm_retirement
from ...usecases.provenance import issue_provenance, load_record
from ...usecases.provenance_render import RECORD_HTML_CSP, qr_png, record_html, record_pdf
from ...usecases.schemas import FirmAuthorisations, ProvenanceRecord, SignedRetirement
from ..deps import Exporter, Hash32Path, SessionDep, StateDep
from ..problem_details import problem_responses
from ..schemas import RetirementCreate

__all__ = ["router"]

router = APIRouter(prefix="/exporter", tags=["exporter"], responses=problem_responses(401, 403, 404, 422))


def _own_record(session: SessionDep, caller: Principal, claim_ref: str) -> ProvenanceRecord:
    record = load_record(session, claim_ref)
    if record.claim.firm_code != caller.firm_code:
        raise NotFoundError(f"no provenance record {claim_ref} of firm {caller.firm_code}")
    return record


@router.post("/retirements", status_code=201, summary="Retire certificates against a shipment",
             responses=problem_responses(409, 502, 503))
def create_retirement(body: RetirementCreate, caller: Exporter, state: StateDep) -> ProvenanceRecord:
    """Retire the firm's certificates against a shipment and return its provenance record.

    Active certificates of the consumption period are retired oldest first until they cover the
    shipment's embedded electricity; the record holds the proofs, transactions and public verify URL.
    """
    return issue_provenance(
        state.session_factory, state.chain.client(), state.chain.issuer_key(), str(caller.firm_code), body.shipment,
        body.consumption_start, body.consumption_end, beneficiary=body.beneficiary, purpose=body.purpose,
        public_base_url=state.settings.public_base_url, rule=state.ledger_settings, files=state.leaf_files)


@router.post("/retirements/authorisations", summary="Prepare a firm-signed retirement",
             responses=problem_responses(409, 502, 503))
def prepare_retirement(body: RetirementCreate, caller: Exporter, state: StateDep) -> FirmAuthorisations:
    """For a firm that holds its own key: return the EIP-712 authorisations to sign, nothing retired yet.

    Each document is exactly what ``eth_signTypedData_v4`` takes; sign them in order with the
    firm's wallet and post them with the returned claim and block time to
    ``/exporter/retirements/signed`` within the hour. 409 if the firm's account is custodial.
    """
    return prepare_firm_retirement(
        state.session_factory, state.chain.client(), str(caller.firm_code), body.shipment, body.consumption_start,
        body.consumption_end, beneficiary=body.beneficiary, purpose=body.purpose, rule=state.ledger_settings)


@router.post("/retirements/signed", status_code=201, summary="Submit a firm-signed retirement",
             responses=problem_responses(409, 502, 503))
def submit_retirement(body: SignedRetirement, caller: Exporter, state: StateDep) -> ProvenanceRecord:
    """Relay the firm's signed authorisations (the park pays the gas) and return the provenance record.

    The chain checks every signature against the firm's account: a signature that is not the
    firm's over exactly this retirement is refused on-chain (502, naming the contract's error).
    """
    if body.claim.firm_code != caller.firm_code:
        raise PermissionDeniedError(f"this key retires for firm {caller.firm_code}, not {body.claim.firm_code}")
    return submit_firm_retirement(state.session_factory, state.chain.client(), body,
                                  public_base_url=state.settings.public_base_url, rule=state.ledger_settings,
                                  files=state.leaf_files)


@router.get("/retirements/{claim_ref}", summary="Provenance record (JSON)")
def get_record(claim_ref: Hash32Path, caller: Exporter, session: SessionDep) -> ProvenanceRecord:
    """Return one of the firm's provenance records as issued."""
    return _own_record(session, caller, claim_ref)


@router.get("/retirements/{claim_ref}/html", summary="Provenance record (HTML)", response_class=HTMLResponse)
def get_record_html(claim_ref: Hash32Path, caller: Exporter, session: SessionDep) -> HTMLResponse:
    """Return the record as a self-contained HTML page with the QR code of its public verify URL."""
    return HTMLResponse(record_html(_own_record(session, caller, claim_ref)),
                        headers={"Content-Security-Policy": RECORD_HTML_CSP})


@router.get("/retirements/{claim_ref}/pdf", summary="Provenance record (PDF)",
            responses={200: {"content": {"application/pdf": {}}, "description": "PDF record."},
                       **problem_responses(503)})
def get_record_pdf(claim_ref: Hash32Path, caller: Exporter, session: SessionDep, state: StateDep) -> Response:
    """Return the record as a PDF with the QR code of its public verify URL (503 if no CJK font is installed)."""
    return Response(record_pdf(_own_record(session, caller, claim_ref), state.settings.pdf_font),
                    media_type="application/pdf")


@router.get("/retirements/{claim_ref}/qr.png", summary="QR code of the public verify URL",
            responses={200: {"content": {"image/png": {}}, "description": "PNG QR code."}})
def get_record_qr(claim_ref: Hash32Path, caller: Exporter, session: SessionDep) -> Response:
    """Return a PNG QR code encoding the record's public verify URL."""
    return Response(qr_png(_own_record(session, caller, claim_ref).verify_url), media_type="image/png")
