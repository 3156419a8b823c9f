"""Auditor endpoints: certificate history, evidence bundles, leaf files, verification and retirement statements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from greenproof.contracts.leaves import AllocationLeaf
from greenproof.ledger.verify import verify_leaf

from ...usecases.certificate_queries import CertificateQuery, certificates
from ...usecases.evidence import evidence_bundle
from ...usecases.retirement_statement import retirement_statement, statement_pdf
from ...usecases.schemas import CertificatePublic, EvidenceBundle, RetirementLinePublic, RetirementStatementPublic
from ...usecases.schemas.fields import CODE_PATTERN, HEX32_PATTERN
from ..deps import Auditor, ChainDep, Hash32Path, SessionDep, StateDep, stamped_clock
from ..pagination import Page, PageParamsDep
from ..periods import OptionalPeriodDep, PeriodDep
from ..problem_details import problem_responses
from ..schemas import LeafVerificationPublic

__all__ = ["router"]

router = APIRouter(prefix="/auditor", tags=["auditor"], responses=problem_responses(401, 403, 404, 422))

CodeFilter = Annotated[str | None, Query(min_length=1, max_length=64, pattern=CODE_PATTERN)]
FirmCode = Annotated[str, Path(min_length=1, max_length=64, pattern=CODE_PATTERN, description="Firm code.")]


@router.get("/certificates", summary="Certificate history")
def certificate_history(
    _caller: Auditor, session: SessionDep, state: StateDep, page: PageParamsDep, period: OptionalPeriodDep,
    response: Response,
    token_id: Annotated[str | None, Query(pattern=r"^[0-9]{1,78}$", description="ERC-1155 token id.")] = None,
    plant: CodeFilter = None, firm: CodeFilter = None,
    batch_id: Annotated[str | None, Query(pattern=HEX32_PATTERN)] = None,
) -> Page[CertificatePublic]:
    """List certificates of every holder by token id, plant, firm, batch and period.

    Statuses are judged at the chain's block time (header ``Greenproof-Status-Clock``).
    """
    query = CertificateQuery(firm_code=firm, plant_code=plant, token_id=token_id, batch_id=batch_id,
                             period_start_s=period.start_s, period_end_s=period.end_s)
    items, total = certificates(session, query, page, state.ledger_settings, now=stamped_clock(state, response))
    return Page[CertificatePublic].of(items, total, page)


@router.get("/evidence/{leaf_hash}", summary="Evidence bundle of a certificate leaf")
def evidence(leaf_hash: Hash32Path, _caller: Auditor, session: SessionDep, state: StateDep) -> EvidenceBundle:
    """Return the leaf, its batch's input hash and root, Merkle proofs and the anchoring and retirement transactions."""
    return evidence_bundle(session, leaf_hash, state.leaf_files)


@router.get("/batches/{batch_id}/leaf-file", summary="Published leaf file of a batch",
            responses={200: {"content": {"application/json": {}}, "description": "Canonical JSON leaf file."}})
def leaf_file(batch_id: Hash32Path, _caller: Auditor, session: SessionDep, state: StateDep) -> Response:
    """Return the batch's leaf file (canonical JSON, docs/ledger.md): enough to rebuild its root offline."""
    return Response(state.leaf_files.get(session, batch_id.lower()).to_bytes(), media_type="application/json")


@router.get("/verify/{leaf_hash}", summary="Verify a certificate leaf against the chain",
            responses=problem_responses(502, 503))
def verify(leaf_hash: Hash32Path, _caller: Auditor, session: SessionDep, state: StateDep,
           chain: ChainDep) -> LeafVerificationPublic:
    """Check the leaf and its cap against the batch commitment stored on-chain, from the chain and the leaf file.

    The database only locates the leaf's batch; the answer comes from the chain's root and events.
    """
    bundle = evidence_bundle(session, leaf_hash, state.leaf_files)
    leaf = AllocationLeaf(bundle.leaf.plant_code, bundle.leaf.plant_index, bundle.leaf.interval_start_s,
                          bundle.leaf.interval_s, bundle.leaf.holder, bundle.leaf.amount_wh)
    result = verify_leaf(chain.client(), state.leaf_files.get(session, bundle.batch_id), leaf)
    return LeafVerificationPublic(
        ok=result.ok, batch_id=result.batch_id, leaf_hash=result.leaf_hash,
        file_root=result.file_root, chain_root=result.chain_root, proof=list(result.proof), cap_wh=result.cap_wh,
        anchor_tx=result.anchor_tx, anchor_block=result.anchor_block, claim_tx=result.claim_tx,
        retired_wh=result.retired_wh,
        retirements=[RetirementLinePublic(claim_ref=r.claim_ref, amount_wh=r.amount_wh, tx_hash=r.tx_hash,
                                          block_number=r.block_number) for r in result.retirements],
        problems=list(result.problems))


@router.get("/retirement-statements/{firm_code}", summary="Retirement statement of an account (JSON)")
def statement(firm_code: FirmCode, _caller: Auditor, session: SessionDep, period: PeriodDep
              ) -> RetirementStatementPublic:
    """Aggregate the firm's confirmed retirements whose claimed consumption period overlaps the period."""
    return retirement_statement(session, firm_code, period)


@router.get("/retirement-statements/{firm_code}/pdf", summary="Retirement statement of an account (PDF)",
            responses={200: {"content": {"application/pdf": {}}, "description": "PDF statement."},
                       **problem_responses(503)})
def statement_as_pdf(firm_code: FirmCode, _caller: Auditor, session: SessionDep, state: StateDep,
                     period: PeriodDep) -> Response:
    """Return the same statement as a PDF document (503 if no CJK font is installed)."""
    return Response(statement_pdf(retirement_statement(session, firm_code, period), state.settings.pdf_font),
                    media_type="application/pdf")
