"""Public endpoints (no authentication): verify a provenance record against the chain."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from ...usecases.provenance import load_record
from ...usecases.provenance_verify import verify_record
from ...usecases.schemas import ProvenanceRecord, SubmittedRecord, VerificationPublic
from ..deps import ChainDep, Hash32Path, SessionDep
from ..problem_details import problem_responses

__all__ = ["router"]

router = APIRouter(prefix="/public", tags=["public"], responses=problem_responses(404, 422, 502, 503))


@router.get("/records/{claim_ref}", summary="A provenance record")
def get_record(claim_ref: Hash32Path, session: SessionDep) -> ProvenanceRecord:
    """Return the provenance record as issued (to keep, and to verify offline)."""
    return load_record(session, claim_ref)


@router.get("/verify/{claim_ref}", summary="Verify an issued provenance record", response_model=VerificationPublic,
            responses={303: {"description": "A browser (`Accept: text/html`) is sent to the verify page "
                                            "`/ui/verify/{claim_ref}`."}})
def verify_issued(claim_ref: Hash32Path, request: Request, session: SessionDep, chain: ChainDep
                  ) -> VerificationPublic | RedirectResponse:
    """Check the stored record against the chain: claim hash, proofs to on-chain roots, Retired events, coverage.

    This is the URL in a record's QR code: a buyer's phone browser asks for HTML and is redirected
    to the human-readable verify page, which runs the same checks; programs get the JSON verdict.
    """
    if "text/html" in request.headers.get("accept", ""):
        return RedirectResponse(f"/ui/verify/{claim_ref}", status_code=303)
    return verify_record(load_record(session, claim_ref), chain.client())


@router.post("/verify", summary="Verify a provenance record you hold")
def verify_submitted(record: SubmittedRecord, chain: ChainDep) -> VerificationPublic:
    """Check a record (as JSON) against the chain only; a tampered record fails with the checks it breaks.

    Work caps (anonymous callers): at most 1,000 lines and 4 MiB, 400 distinct batches and 64
    separate block ranges of retirements (422 beyond); the rate limit of ``POST`` verifications per
    client applies (429 with ``Retry-After``). Records with more lines verify by their claim reference.
    """
    return verify_record(record, chain.client())
