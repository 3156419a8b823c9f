"""A firm's page: renewable share, hourly matching, balances and certificates with claim buttons."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select

from greenproof.ledger.models import ClaimRow
from greenproof.ledger.registry import firm_by_code

from ...http.access import check_firm_access
from ...http.deps import SessionDep, StateDep
from ...usecases.api_keys import Role
from ...usecases.attribution_results import firm_series
from ...usecases.certificate_claims import claim_firm_day, claim_firm_leaf
from ...usecases.certificate_queries import CertificateQuery, balances, certificates
from ...usecases.errors import InvalidPeriodError
from ...usecases.firm_reports import hourly_matching
from ...usecases.pagination import PageParams
from ...usecases.periods import SupportedDay
from ...usecases.schemas import Resolution
from ...usecases.status_clock import status_clock
from ...usecases.storage_certificates import firm_storage_records
from ...usecases.validation_summary import validation_summary
from ..i18n import Translator, request_language
from ..page_params import (
    CERTIFICATES_PER_PAGE,
    HASH_PATTERN,
    FirmCodePath,
    FirstDay,
    LastDay,
    ResolutionChoice,
    require,
    shown_days,
)
from ..render import PageRoute, render
from ..series import chart_payload, choose_resolution, matching_payload, totals
from ..session import PageCaller, check_same_origin, safe_next

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

_DAY = TypeAdapter(SupportedDay)


def _claimed_wh(session: SessionDep, query: CertificateQuery) -> int:
    """Return the Wh of the certificates matching ``query`` that are minted on-chain (claimed or issued directly)."""
    minted = query.select().where(ClaimRow.id.is_not(None)).subquery()
    return int(session.scalar(select(func.coalesce(func.sum(minted.c.amount_wh), 0))) or 0)


@router.get("/ui/firms/{firm_code}", response_class=HTMLResponse)
def firm_page(request: Request, caller: PageCaller, session: SessionDep, state: StateDep,
              firm_code: FirmCodePath, start: FirstDay = None, end: LastDay = None,
              resolution: ResolutionChoice = None, offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
              done: Annotated[str | None, Query(max_length=32)] = None) -> Response:
    """Render a firm's renewable share, hourly matching score, balances and certificates (with claim buttons)."""
    check_firm_access(caller, firm_code, "open the pages of")
    t = Translator(request_language(request))
    firm = firm_by_code(session, firm_code)
    days = shown_days(session, start, end)
    period = days.period
    step = choose_resolution(period, resolution)
    points = firm_series(session, firm_code, period.start_s, period.end_s, step)
    matching = hourly_matching(session, firm_code, period)
    matching_step = step if step is not Resolution.QUARTER_HOUR else Resolution.HOUR
    matching_steps = points if matching_step is step else firm_series(session, firm_code, period.start_s,
                                                                      period.end_s, matching_step)
    query = CertificateQuery(firm_code=firm_code, period_start_s=period.start_s, period_end_s=period.end_s)
    clock = status_clock(state.settings)
    lines = balances(session, query, state.ledger_settings, now=clock.now)
    items, total = certificates(session, query, PageParams(limit=CERTIFICATES_PER_PAGE, offset=offset),
                                state.ledger_settings, now=clock.now)
    return render(
        request, "firm.html", caller=caller, firm=firm, days=days, resolution=step, requested=resolution,
        summary=totals(points), matching=matching, balances=lines, claimed_wh=_claimed_wh(session, query),
        certificates=items, total=total, offset=offset, clock=clock,
        stored=firm_storage_records(session, firm.id, period.start_s, period.end_s),
        per_page=CERTIFICATES_PER_PAGE, can_claim=caller.role is Role.FIRM, done=done,
        charts={"share": chart_payload(points, step),
                "matching": matching_payload(matching.hours, matching_steps, matching_step),
                "labels": t.subset("chart.")})


@router.post("/ui/firms/{firm_code}/claims/day")
def claim_day(request: Request, caller: PageCaller, state: StateDep, firm_code: FirmCodePath,
              day: Annotated[str, Form(max_length=10)], back: Annotated[str | None, Form(max_length=500)] = None
              ) -> RedirectResponse:
    """Claim every active, unclaimed leaf of the firm of one park day: one transaction per batch (firm keys only)."""
    check_same_origin(request)
    check_firm_access(caller, firm_code, "open the pages of")
    require(caller, Role.FIRM)
    try:
        park_day = _DAY.validate_python(day)
    except ValidationError as exc:
        raise InvalidPeriodError(f"day {day!r}: {validation_summary(exc)}") from exc
    client = state.chain.client()
    with state.session_factory() as session:
        claim_firm_day(session, client, firm_code, park_day, state.ledger_settings)
        session.commit()
    target = safe_next(back) or f"/ui/firms/{quote(firm_code)}"
    return RedirectResponse(f"{target}{'&' if '?' in target else '?'}done=claimed_day", status_code=303)


@router.post("/ui/firms/{firm_code}/claims")
def claim(request: Request, caller: PageCaller, state: StateDep, firm_code: FirmCodePath,
          leaf_hash: Annotated[str, Form(pattern=HASH_PATTERN)],
          back: Annotated[str | None, Form(max_length=500)] = None) -> RedirectResponse:
    """Claim one of the firm's anchored certificate leaves on-chain with its Merkle proof (firm keys only)."""
    check_same_origin(request)
    check_firm_access(caller, firm_code, "open the pages of")
    require(caller, Role.FIRM)
    client = state.chain.client()
    with state.session_factory() as session:
        claim_firm_leaf(session, client, firm_code, leaf_hash)
        session.commit()
    target = safe_next(back) or f"/ui/firms/{quote(firm_code)}"
    return RedirectResponse(f"{target}{'&' if '?' in target else '?'}done=claimed", status_code=303)
