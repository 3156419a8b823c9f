"""Auditor endpoints: certificate history, evidence bundles, leaf files, verification and retirement statements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from ..certificate_queries import CertificateQuery, certificates
from ..deps import Auditor, SessionDep, StateDep
from ..evidence import evidence_bundle
from ..pagination import Page, PageParamsDep
from ..periods import OptionalPeriodDep
from ..problem_details import problem_responses
from ..schemas import CertificatePublic, EvidenceBundle

__all__ = ["HASH_PATTERN", "router"]

router = APIRouter(prefix="/auditor", tags=["auditor"], responses=problem_responses(401, 403, 404, 422))

#: A 32-byte hash or id as ``0x`` + 64 hex digits.
HASH_PATTERN = r"^0x[0-9a-fA-F]{64}$"
Hash32 = Annotated[str, Path(pattern=HASH_PATTERN, description="0x + 64 hex digits.")]
CodeFilter = Annotated[str | None, Query(max_length=64)]


@router.get("/certificates", summary="Certificate history")
def certificate_history(
    _caller: Auditor, session: SessionDep, state: StateDep, page: PageParamsDep, period: OptionalPeriodDep,
    token_id: Annotated[str | None, Query(pattern=r"^[0-9]{1,78}$", description="ERC-1155 token id.")] = None,
    plant: CodeFilter = None, firm: CodeFilter = None,
    batch_id: Annotated[str | None, Query(pattern=HASH_PATTERN)] = None,
) -> Page[CertificatePublic]:
    """List certificates of every holder by token id, plant, firm, batch and period."""
    query = CertificateQuery(firm_code=firm, plant_code=plant, token_id=token_id, batch_id=batch_id,
                             period_start_s=period.start_s, period_end_s=period.end_s)
    items, total = certificates(session, query, page, state.ledger_settings)
    return Page[CertificatePublic].of(items, total, page)


@router.get("/evidence/{leaf_hash}", summary="Evidence bundle of a certificate leaf")
def evidence(leaf_hash: Hash32, _caller: Auditor, session: SessionDep, state: StateDep) -> EvidenceBundle:
    """Return the leaf, its batch's input hash and root, Merkle proofs and the anchoring and retirement transactions."""
    return evidence_bundle(session, leaf_hash, state.leaf_files)


@router.get("/batches/{batch_id}/leaf-file", summary="Published leaf file of a batch",
            responses={200: {"content": {"application/json": {}}, "description": "Canonical JSON leaf file."}})
def leaf_file(batch_id: Hash32, _caller: Auditor, session: SessionDep, state: StateDep) -> Response:
    """Return the batch's leaf file (canonical JSON, docs/ledger.md): enough to rebuild its root offline."""
    return Response(state.leaf_files.get(session, batch_id.lower()).to_bytes(), media_type="application/json")
