"""Public endpoints (no authentication): verify a provenance record against the chain."""

from __future__ import annotations

from fastapi import APIRouter

from ..deps import ChainDep, Hash32Path, SessionDep
from ..problem_details import problem_responses
from ..provenance import load_record
from ..provenance_verify import verify_record
from ..schemas import ProvenanceRecord, VerificationPublic

__all__ = ["router"]

router = APIRouter(prefix="/public", tags=["public"], responses=problem_responses(404, 422, 502, 503))



@router.get("/records/{claim_ref}", summary="A provenance record")
def get_record(claim_ref: Hash32Path, session: SessionDep) -> ProvenanceRecord:
    """Return the provenance record as issued (to keep, and to verify offline)."""
    return load_record(session, claim_ref)


@router.get("/verify/{claim_ref}", summary="Verify an issued provenance record")
def verify_issued(claim_ref: Hash32Path, session: SessionDep, chain: ChainDep) -> VerificationPublic:
    """Check the stored record against the chain: claim hash, proofs to on-chain roots, Retired events, coverage."""
    return verify_record(load_record(session, claim_ref), chain.client())


@router.post("/verify", summary="Verify a provenance record you hold")
def verify_submitted(record: ProvenanceRecord, chain: ChainDep) -> VerificationPublic:
    """Check a record (as JSON) against the chain only; a tampered record fails with the checks it breaks."""
    return verify_record(record, chain.client())
