"""Public endpoints (no authentication): verify a provenance record against the chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from ..deps import ChainDep, SessionDep
from ..problem_details import problem_responses
from ..provenance import load_record
from ..provenance_verify import verify_record
from ..schemas import ProvenanceRecord, VerificationPublic

__all__ = ["router"]

router = APIRouter(prefix="/public", tags=["public"], responses=problem_responses(404, 422, 502, 503))

ClaimRef = Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$", description="Claim reference of the record.")]


@router.get("/records/{claim_ref}", summary="A provenance record")
def get_record(claim_ref: ClaimRef, session: SessionDep) -> ProvenanceRecord:
    """Return the provenance record as issued (to keep, and to verify offline)."""
    return load_record(session, claim_ref)


@router.get("/verify/{claim_ref}", summary="Verify an issued provenance record")
def verify_issued(claim_ref: ClaimRef, session: SessionDep, chain: ChainDep) -> VerificationPublic:
    """Check the stored record against the chain: claim hash, proofs to on-chain roots, Retired events, coverage."""
    return verify_record(load_record(session, claim_ref), chain.client())


@router.post("/verify", summary="Verify a provenance record you hold")
def verify_submitted(record: ProvenanceRecord, chain: ChainDep) -> VerificationPublic:
    """Check a record (as JSON) against the chain only; a tampered record fails with the checks it breaks."""
    return verify_record(record, chain.client())
