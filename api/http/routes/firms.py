"""Firm endpoints: a firm's certificates, balances, renewable share and hourly matching score.

Readable by the firm's own keys (roles firm and exporter) and by auditors.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from greenproof.ledger.models import AllocationLeafRow
from greenproof.ledger.registry import firm_by_code

from ...usecases.certificate_claims import claim_firm_day, claim_firm_leaf
from ...usecases.certificate_queries import CertificateQuery, balances, certificates
from ...usecases.firm_accounts import firm_account
from ...usecases.firm_reports import hourly_matching, share_series
from ...usecases.schemas import (
    BalanceLine,
    CertificatePublic,
    FirmAccountPublic,
    HourlyMatchingPublic,
    Resolution,
    ShareSeriesPublic,
)
from ...usecases.schemas.fields import CODE_PATTERN
from ..deps import FirmClaimer, FirmScope, SessionDep, StateDep, stamped_clock
from ..pagination import Page, PageParamsDep
from ..periods import OptionalPeriodDep, PeriodDep
from ..problem_details import problem_responses
from ..schemas import ClaimCreate, ClaimPublic, DayClaimCreate, DayClaimPublic

__all__ = ["router"]

router = APIRouter(prefix="/firms/{firm_code}", tags=["firms"], responses=problem_responses(401, 403, 404, 422))

PlantFilter = Annotated[str | None, Query(min_length=1, max_length=64, pattern=CODE_PATTERN,
                                           description="Only certificates of this plant.")]


@router.get("/certificates", summary="A firm's certificates")
def list_certificates(firm_code: FirmScope, session: SessionDep, state: StateDep, page: PageParamsDep,
                      period: OptionalPeriodDep, response: Response, plant: PlantFilter = None
                      ) -> Page[CertificatePublic]:
    """List the firm's certificates per plant and interval: allocated, claimed, retired Wh and status.

    Statuses are judged at the chain's block time (header ``Greenproof-Status-Clock``).
    """
    firm_by_code(session, firm_code)
    query = CertificateQuery(firm_code=firm_code, plant_code=plant, period_start_s=period.start_s,
                             period_end_s=period.end_s)
    items, total = certificates(session, query, page, state.ledger_settings, now=stamped_clock(state, response))
    return Page[CertificatePublic].of(items, total, page)


@router.get("/account", summary="A firm's certificate account and who holds its key")
def account(firm_code: FirmScope, session: SessionDep) -> FirmAccountPublic:
    """Return the firm's certificate account: custodial (key derived by the registry, the demo default) or firm-held."""
    return firm_account(session, firm_code)


@router.get("/balance", summary="A firm's certificate balance per plant")
def balance(firm_code: FirmScope, session: SessionDep, state: StateDep, period: OptionalPeriodDep,
            response: Response) -> list[BalanceLine]:
    """Sum the firm's certificates per plant (and its technology): allocated, retired, expired, active Wh.

    Expiry is judged at the chain's block time (header ``Greenproof-Status-Clock``).
    """
    firm_by_code(session, firm_code)
    query = CertificateQuery(firm_code=firm_code, period_start_s=period.start_s, period_end_s=period.end_s)
    return balances(session, query, state.ledger_settings, now=stamped_clock(state, response))


@router.get("/hourly-matching", summary="A firm's hourly matching score")
def matching(firm_code: FirmScope, session: SessionDep, period: PeriodDep) -> HourlyMatchingPublic:
    """Share of the firm's consumption matched, hour by hour, by its renewable certificates of the same hour."""
    firm_by_code(session, firm_code)
    return hourly_matching(session, firm_code, period)


@router.get("/renewable-share", summary="A firm's traced renewable share over time")
def renewable_share(firm_code: FirmScope, session: SessionDep, period: PeriodDep,
                    resolution: Resolution = Resolution.HOUR) -> ShareSeriesPublic:
    """Return the firm's consumption and its part traced to renewable plants, per 15 min, hour, day or month."""
    firm_by_code(session, firm_code)
    return share_series(session, firm_code, period, resolution)


@router.post("/claims/day", status_code=201, summary="Claim a whole park day's certificate leaves on-chain",
             responses=problem_responses(409, 502, 503))
def create_day_claim(firm_code: FirmClaimer, body: DayClaimCreate, state: StateDep) -> DayClaimPublic:
    """Mint every active, unclaimed, unretired leaf of the firm of one park day: one ``claimLeaves`` per batch.

    Replaces one claim per leaf (about a hundred a day) with one transaction and one Merkle
    multiproof per batch. Firm keys only, like single claims. A day with nothing left to claim
    answers with zero leaves.
    """
    client = state.chain.client()
    with state.session_factory() as session:
        rows = claim_firm_day(session, client, firm_code, body.day, state.ledger_settings)
        session.commit()
        amounts = dict(session.execute(select(AllocationLeafRow.id, AllocationLeafRow.amount_wh)
                                       .where(AllocationLeafRow.id.in_([r.leaf_id for r in rows]))).all())
        return DayClaimPublic(day=body.day.isoformat(), leaves=len(rows), amount_wh=sum(amounts.values()),
                              tx_hashes=list(dict.fromkeys(r.tx_hash for r in rows)))


@router.post("/claims", status_code=201, summary="Claim a certificate leaf on-chain",
             responses=problem_responses(409, 502, 503))
def create_claim(firm_code: FirmClaimer, body: ClaimCreate, state: StateDep) -> ClaimPublic:
    """Mint one of the firm's anchored allocation leaves to its account with the leaf's Merkle proof.

    Firm keys only: auditors and exporter keys may read the firm's certificates but not claim them
    (exporters retire against shipments, which needs no prior claim).
    """
    client = state.chain.client()
    with state.session_factory() as session:
        row = claim_firm_leaf(session, client, firm_code, body.leaf_hash)
        session.commit()
        return ClaimPublic(leaf_hash=body.leaf_hash.lower(), mode=row.mode, tx_hash=row.tx_hash,
                           block_number=row.block_number)
