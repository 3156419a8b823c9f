"""The auditor's pages: certificate search, evidence bundles, on-chain verification, retirement statements."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from greenproof.ledger.models import Firm

from ...http.deps import SessionDep, StateDep
from ...http.routes import auditor as auditor_api
from ...usecases.api_keys import Role
from ...usecases.certificate_queries import CertificateQuery, certificates
from ...usecases.evidence import evidence_bundle
from ...usecases.pagination import PageParams
from ...usecases.retirement_statement import retirement_statement, statement_pdf
from ...usecases.schemas.fields import CODE_PATTERN
from ...usecases.status_clock import status_clock
from ..page_params import CERTIFICATES_PER_PAGE, CodeFilter, FirstDay, Hash32, LastDay, require, shown_days
from ..render import PageRoute, render
from ..session import PageCaller

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

StatementFirm = Annotated[str, Query(min_length=1, max_length=64, pattern=CODE_PATTERN)]


@router.get("/ui/auditor", response_class=HTMLResponse)
def auditor_page(
    request: Request, caller: PageCaller, session: SessionDep, state: StateDep, start: FirstDay = None,
    end: LastDay = None, token_id: Annotated[str | None, Query(pattern=r"^[0-9]{0,78}$")] = None,
    plant: CodeFilter = None, firm: CodeFilter = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Certificate search (token id, plant, firm, period) and the retirement statement form."""
    require(caller, Role.AUDITOR)
    days = shown_days(session, start, end)
    period = days.period
    query = CertificateQuery(firm_code=firm or None, plant_code=plant or None, token_id=token_id or None,
                             period_start_s=period.start_s, period_end_s=period.end_s)
    clock = status_clock(state.settings)
    items, total = certificates(session, query, PageParams(limit=CERTIFICATES_PER_PAGE, offset=offset),
                                state.ledger_settings, now=clock.now)
    firms = session.scalars(select(Firm).order_by(Firm.code)).all()
    return render(request, "auditor.html", caller=caller, days=days, certificates=items, total=total, offset=offset,
                  clock=clock,
                  per_page=CERTIFICATES_PER_PAGE, filters={"token_id": token_id or "", "plant": plant or "",
                                                           "firm": firm or ""}, firms=firms)


@router.get("/ui/auditor/evidence/{leaf_hash}", response_class=HTMLResponse)
def evidence_page(request: Request, caller: PageCaller, session: SessionDep, state: StateDep, leaf_hash: Hash32
                  ) -> Response:
    """Render the evidence bundle of one certificate leaf, with the button that verifies it on-chain."""
    require(caller, Role.AUDITOR)
    return render(request, "evidence.html", caller=caller,
                  bundle=evidence_bundle(session, leaf_hash.lower(), state.leaf_files))


@router.get("/ui/auditor/verify/{leaf_hash}", response_class=HTMLResponse)
def verify_leaf_page(request: Request, caller: PageCaller, session: SessionDep, state: StateDep, leaf_hash: Hash32
                     ) -> Response:
    """Verify a leaf against the chain: the proof path from the leaf to the on-chain root and the anchoring tx."""
    require(caller, Role.AUDITOR)
    result = auditor_api.verify(leaf_hash.lower(), caller, session, state, state.chain)
    return render(request, "verify_leaf.html", caller=caller, result=result,
                  bundle=evidence_bundle(session, leaf_hash.lower(), state.leaf_files))


@router.get("/ui/auditor/statement", response_class=HTMLResponse)
def statement_page(request: Request, caller: PageCaller, session: SessionDep,
                   firm: StatementFirm, start: FirstDay = None,
                   end: LastDay = None) -> Response:
    """Render the aggregate retirement statement of one firm account over a period."""
    require(caller, Role.AUDITOR)
    days = shown_days(session, start, end)
    return render(request, "statement.html", caller=caller, days=days,
                  statement=retirement_statement(session, firm, days.period))


@router.get("/ui/auditor/statement.pdf")
def statement_download(caller: PageCaller, session: SessionDep, state: StateDep,
                       firm: StatementFirm, start: FirstDay = None,
                       end: LastDay = None) -> Response:
    """Return the retirement statement as a PDF download."""
    require(caller, Role.AUDITOR)
    days = shown_days(session, start, end)
    pdf = statement_pdf(retirement_statement(session, firm, days.period), state.settings.pdf_font)
    filename = f"retirement-statement-{firm}-{days.first}-{days.last}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{quote(filename)}"'})
