"""The web dashboard: server-rendered pages for the park operator, firms, auditors, exporters and buyers.

Pages are Jinja2 templates (``api/templates``) with a small script (``api/static/app.js``) that
draws ECharts charts from JSON embedded in the page; numbers are aggregated server-side. Sign-in
keeps the API key in an HttpOnly cookie (:mod:`greenproof.api.web.session`), so the roles and firm
scopes are the JSON API's. Pages call the same service functions (and, for verification and
retirement, the same route functions) as the JSON API; no business logic lives here.

:func:`install_dashboard` adds the pages and the static files to an app.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path as FilePath
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from sqlalchemy import func, select

from greenproof.ledger.models import ClaimRow, Firm, ProvenanceRecordRow
from greenproof.ledger.registry import firm_by_code

from ..http.access import check_firm_access, check_role
from ..http.deps import SessionDep, StateDep
from ..http.routes import auditor as auditor_api
from ..http.routes import exporter as exporter_api
from ..http.schemas import RetirementCreate
from ..usecases.api_keys import Principal, Role
from ..usecases.attribution_results import PARK_TZ, firm_series
from ..usecases.certificate_claims import claim_firm_leaf
from ..usecases.certificate_queries import CertificateQuery, balances, certificates
from ..usecases.errors import AuthenticationError, ProvenanceRecordError
from ..usecases.evidence import evidence_bundle
from ..usecases.firm_reports import hourly_matching
from ..usecases.pagination import PageParams
from ..usecases.park_simulation import INTERVAL
from ..usecases.provenance import load_record
from ..usecases.provenance_render import qr_png, record_html, record_pdf
from ..usecases.provenance_verify import verify_record
from ..usecases.retirement_statement import retirement_statement, statement_pdf
from ..usecases.schemas import ProvenanceRecord, Resolution, ShipmentCreate
from ..usecases.technology_flows import OTHER_SINKS, technology_flows
from .i18n import LANGUAGE_COOKIE, LANGUAGES, Translator, request_language
from .park_flows import interval_diagram
from .render import PageRoute, render
from .series import DateRange, chart_payload, choose_resolution, default_range, matching_payload, park_series, totals
from .session import PageCaller, check_same_origin, clear_session, landing_path, optional_caller, start_session

__all__ = ["install_dashboard", "router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

#: Certificates listed per page.
CERTIFICATES_PER_PAGE = 50
#: Largest provenance record file accepted by the public verify form, bytes.
MAX_RECORD_BYTES = 4 * 1024 * 1024
_STATIC_DIR = FilePath(__file__).resolve().parent / "static"
_HASH = r"^0x[0-9a-fA-F]{64}$"

FirstDay = Annotated[date | None, Query(description="First park-local day shown.")]
LastDay = Annotated[date | None, Query(description="Last park-local day shown (inclusive).")]
ResolutionChoice = Annotated[Resolution | None, Query(description="Step of the charts (coarsened if too fine).")]
Hash32 = Annotated[str, Path(pattern=_HASH)]


def install_dashboard(app: FastAPI) -> None:
    """Add the dashboard's pages and its static files (``/static``) to ``app``."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=_STATIC_DIR), name="static")


def _require(caller: Principal, *roles: Role) -> None:
    check_role(caller, roles, "open this page")


def _safe_next(target: str | None) -> str | None:
    """Keep only same-site paths as redirect targets (no ``//host`` or absolute URLs)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _days(session: SessionDep, start: date | None, end: date | None) -> DateRange:
    days = default_range(session, start, end)
    if days.last < days.first:
        return DateRange(days.last, days.first)
    return days


# --- sign-in, sign-out, language -------------------------------------------------------------------------------


@router.get("/")
def home(request: Request) -> RedirectResponse:
    """Send signed-in callers to their landing page, others to the sign-in page."""
    caller = optional_caller(request)
    return RedirectResponse(landing_path(caller) if caller else "/ui/login", status_code=303)


@router.get("/ui/login", response_class=HTMLResponse)
def login_page(request: Request, next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    """Render the sign-in form."""
    return render(request, "login.html", next=_safe_next(next))


@router.post("/ui/session")
def sign_in(request: Request, api_key: Annotated[str, Form(max_length=200)],
            next: Annotated[str | None, Form(max_length=500)] = None) -> Response:
    """Check the pasted API key, keep it in the session cookie and go to the landing page (or ``next``)."""
    check_same_origin(request)
    response = RedirectResponse("/", status_code=303)
    try:
        caller = start_session(request, response, api_key)
    except AuthenticationError as exc:
        return render(request, "login.html", status_code=401, next=_safe_next(next), error=str(exc))
    response.headers["location"] = _safe_next(next) or landing_path(caller)
    return response


@router.post("/ui/logout")
def sign_out(request: Request) -> RedirectResponse:
    """Forget the session cookie."""
    check_same_origin(request)
    response = RedirectResponse("/ui/login", status_code=303)
    clear_session(response)
    return response


@router.post("/ui/language")
def choose_language(request: Request, lang: Annotated[str, Form(max_length=8)],
                    next: Annotated[str | None, Form(max_length=500)] = None) -> RedirectResponse:
    """Remember the chosen language (a cookie) and return to the page."""
    response = RedirectResponse(_safe_next(next) or "/", status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86_400, samesite="lax", path="/")
    return response


# --- park operator ----------------------------------------------------------------------------------------------


def _interval_at(at: datetime | None, days: DateRange) -> datetime:
    """Return the 15-minute interval start of ``at`` (park time when naive), default noon of the last day."""
    if at is None:
        at = datetime.combine(days.last, datetime.min.time().replace(hour=12), PARK_TZ)
    elif at.tzinfo is None:
        at = at.replace(tzinfo=PARK_TZ)
    step = int(INTERVAL.total_seconds())
    return datetime.fromtimestamp(int(at.timestamp()) // step * step, PARK_TZ)


def _sankey_period(interval: datetime, scope: str) -> tuple[datetime, datetime]:
    if scope == "interval":
        return interval, interval + INTERVAL
    day = interval.replace(hour=0, minute=0)
    if scope == "day":
        return day, day + timedelta(days=1)
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


def _sankey_payload(session: SessionDep, start: datetime, end: datetime, t: Translator
                    ) -> tuple[dict[str, object], dict[str, float]]:
    """Return the Sankey of technology → firm MWh, and the MWh that went to other sinks (export, storage, ...)."""
    flows = technology_flows(session, start, end)
    names: dict[str, str] = {code: name for code, name in session.execute(
        select(Firm.code, Firm.name_zh if t.language == "zh" else Firm.name_en))}
    tech = t.subset("tech.")
    edges = [(tech.get(key, key), f"{sink} {names[sink]}", round(mwh, 3))
             for (key, sink), mwh in sorted(flows.mwh.items()) if sink in names and mwh >= 0.001]
    links = [{"source": source, "target": target, "value": value} for source, target, value in edges]
    nodes = sorted({source for source, _, _ in edges} | {target for _, target, _ in edges})
    others = {t(f"sink.{sink}"): mwh for sink, mwh in sorted(flows.by_sink().items()) if sink in OTHER_SINKS}
    return {"nodes": [{"name": n} for n in nodes], "links": links}, others


@router.get("/ui/park", response_class=HTMLResponse)
def park_page(request: Request, caller: PageCaller, session: SessionDep, start: FirstDay = None, end: LastDay = None,
              resolution: ResolutionChoice = None, at: Annotated[datetime | None, Query()] = None,
              scope: Annotated[str, Query(pattern="^(interval|day|month)$")] = "day") -> Response:
    """Park overview: renewable share over time, the grid with flows and nodal intensity, a Sankey, firm totals."""
    _require(caller, Role.PARK_OPERATOR)
    t = Translator(request_language(request))
    days = _days(session, start, end)
    period = days.period
    step = choose_resolution(period, resolution)
    points, firm_totals = park_series(session, period, step)
    interval = _interval_at(at, days)
    sankey_start, sankey_end = _sankey_period(interval, scope)
    sankey, sankey_others = _sankey_payload(session, sankey_start, sankey_end, t)
    firms = [(firm, firm_totals[firm.code]) for firm in session.scalars(select(Firm).order_by(Firm.code))]
    return render(
        request, "park.html", caller=caller, days=days, resolution=step, requested=resolution, scope=scope,
        interval=interval, summary=totals(points), firms=firms, diagram=interval_diagram(session, interval),
        sankey_start=sankey_start, sankey_end=sankey_end, sankey_others=sankey_others,
        charts={"share": chart_payload(points, step), "sankey": sankey, "labels": t.subset("chart.")})


# --- firms ------------------------------------------------------------------------------------------------------


def _claimed_wh(session: SessionDep, query: CertificateQuery) -> int:
    """Return the Wh of the certificates matching ``query`` that are minted on-chain (claimed or issued directly)."""
    minted = query.select().where(ClaimRow.id.is_not(None)).subquery()
    return int(session.scalar(select(func.coalesce(func.sum(minted.c.amount_wh), 0))) or 0)


@router.get("/ui/firms/{firm_code}", response_class=HTMLResponse)
def firm_page(request: Request, caller: PageCaller, session: SessionDep, state: StateDep,
              firm_code: Annotated[str, Path(max_length=64)], start: FirstDay = None, end: LastDay = None,
              resolution: ResolutionChoice = None, offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
              done: Annotated[str | None, Query(max_length=32)] = None) -> Response:
    """Render a firm's renewable share, hourly matching score, balances and certificates (with claim buttons)."""
    check_firm_access(caller, firm_code, "open the pages of")
    t = Translator(request_language(request))
    firm = firm_by_code(session, firm_code)
    days = _days(session, start, end)
    period = days.period
    step = choose_resolution(period, resolution)
    points = firm_series(session, firm_code, period.start_s, period.end_s, step)
    matching = hourly_matching(session, firm_code, period)
    matching_step = step if step is not Resolution.QUARTER_HOUR else Resolution.HOUR
    matching_steps = points if matching_step is step else firm_series(session, firm_code, period.start_s,
                                                                      period.end_s, matching_step)
    query = CertificateQuery(firm_code=firm_code, period_start_s=period.start_s, period_end_s=period.end_s)
    lines = balances(session, query, state.ledger_settings)
    items, total = certificates(session, query, PageParams(limit=CERTIFICATES_PER_PAGE, offset=offset),
                                state.ledger_settings)
    return render(
        request, "firm.html", caller=caller, firm=firm, days=days, resolution=step, requested=resolution,
        summary=totals(points), matching=matching, balances=lines, claimed_wh=_claimed_wh(session, query),
        certificates=items, total=total, offset=offset,
        per_page=CERTIFICATES_PER_PAGE, can_claim=caller.role is Role.FIRM, done=done,
        charts={"share": chart_payload(points, step),
                "matching": matching_payload(matching.hours, matching_steps, matching_step),
                "labels": t.subset("chart.")})


@router.post("/ui/firms/{firm_code}/claims")
def claim(request: Request, caller: PageCaller, state: StateDep, firm_code: Annotated[str, Path(max_length=64)],
          leaf_hash: Annotated[str, Form(pattern=_HASH)], back: Annotated[str | None, Form(max_length=500)] = None,
          ) -> RedirectResponse:
    """Claim one of the firm's anchored certificate leaves on-chain with its Merkle proof (firm keys only)."""
    check_same_origin(request)
    check_firm_access(caller, firm_code, "open the pages of")
    _require(caller, Role.FIRM)
    client = state.chain.client()
    with state.session_factory() as session:
        claim_firm_leaf(session, client, firm_code, leaf_hash)
        session.commit()
    target = _safe_next(back) or f"/ui/firms/{quote(firm_code)}"
    return RedirectResponse(f"{target}{'&' if '?' in target else '?'}done=claimed", status_code=303)


# --- auditor ----------------------------------------------------------------------------------------------------


@router.get("/ui/auditor", response_class=HTMLResponse)
def auditor_page(
    request: Request, caller: PageCaller, session: SessionDep, state: StateDep, start: FirstDay = None,
    end: LastDay = None, token_id: Annotated[str | None, Query(pattern=r"^[0-9]{0,78}$")] = None,
    plant: Annotated[str | None, Query(max_length=64)] = None, firm: Annotated[str | None, Query(max_length=64)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Certificate search (token id, plant, firm, period) and the retirement statement form."""
    _require(caller, Role.AUDITOR)
    days = _days(session, start, end)
    period = days.period
    query = CertificateQuery(firm_code=firm or None, plant_code=plant or None, token_id=token_id or None,
                             period_start_s=period.start_s, period_end_s=period.end_s)
    items, total = certificates(session, query, PageParams(limit=CERTIFICATES_PER_PAGE, offset=offset),
                                state.ledger_settings)
    firms = session.scalars(select(Firm).order_by(Firm.code)).all()
    return render(request, "auditor.html", caller=caller, days=days, certificates=items, total=total, offset=offset,
                  per_page=CERTIFICATES_PER_PAGE, filters={"token_id": token_id or "", "plant": plant or "",
                                                           "firm": firm or ""}, firms=firms)


@router.get("/ui/auditor/evidence/{leaf_hash}", response_class=HTMLResponse)
def evidence_page(request: Request, caller: PageCaller, session: SessionDep, state: StateDep, leaf_hash: Hash32
                  ) -> Response:
    """Render the evidence bundle of one certificate leaf, with the button that verifies it on-chain."""
    _require(caller, Role.AUDITOR)
    return render(request, "evidence.html", caller=caller,
                  bundle=evidence_bundle(session, leaf_hash.lower(), state.leaf_files))


@router.get("/ui/auditor/verify/{leaf_hash}", response_class=HTMLResponse)
def verify_leaf_page(request: Request, caller: PageCaller, session: SessionDep, state: StateDep, leaf_hash: Hash32
                     ) -> Response:
    """Verify a leaf against the chain: the proof path from the leaf to the on-chain root and the anchoring tx."""
    _require(caller, Role.AUDITOR)
    result = auditor_api.verify(leaf_hash.lower(), caller, session, state, state.chain)
    return render(request, "verify_leaf.html", caller=caller, result=result,
                  bundle=evidence_bundle(session, leaf_hash.lower(), state.leaf_files))


@router.get("/ui/auditor/statement", response_class=HTMLResponse)
def statement_page(request: Request, caller: PageCaller, session: SessionDep,
                   firm: Annotated[str, Query(min_length=1, max_length=64)], start: FirstDay = None,
                   end: LastDay = None) -> Response:
    """Render the aggregate retirement statement of one firm account over a period."""
    _require(caller, Role.AUDITOR)
    days = _days(session, start, end)
    return render(request, "statement.html", caller=caller, days=days,
                  statement=retirement_statement(session, firm, days.period))


@router.get("/ui/auditor/statement.pdf")
def statement_download(caller: PageCaller, session: SessionDep,
                       firm: Annotated[str, Query(min_length=1, max_length=64)], start: FirstDay = None,
                       end: LastDay = None) -> Response:
    """Return the retirement statement as a PDF download."""
    _require(caller, Role.AUDITOR)
    days = _days(session, start, end)
    pdf = statement_pdf(retirement_statement(session, firm, days.period))
    filename = f"retirement-statement-{firm}-{days.first}-{days.last}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{quote(filename)}"'})


# --- exporter ---------------------------------------------------------------------------------------------------


@router.get("/ui/exporter", response_class=HTMLResponse)
def exporter_page(request: Request, caller: PageCaller, session: SessionDep, state: StateDep,
                  error: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    """Render the retirement form, the firm's active certificates and its provenance records."""
    _require(caller, Role.EXPORTER)
    firm_code = str(caller.firm_code)
    firm = firm_by_code(session, firm_code)
    days = _days(session, None, None)
    records = session.scalars(select(ProvenanceRecordRow).where(ProvenanceRecordRow.firm_code == firm_code)
                              .order_by(ProvenanceRecordRow.created_at.desc())).all()
    return render(request, "exporter.html", caller=caller, firm=firm, days=days,
                  balances=balances(session, CertificateQuery(firm_code=firm_code), state.ledger_settings),
                  records=[ProvenanceRecord.model_validate_json(row.record_json) for row in records], error=error)


@router.post("/ui/exporter/retirements")
def retire_page(
    request: Request, caller: PageCaller, state: StateDep, shipment_id: Annotated[str, Form(max_length=128)],
    product: Annotated[str, Form(max_length=200)], quantity: Annotated[float, Form(gt=0)],
    quantity_unit: Annotated[str, Form(max_length=16)], destination: Annotated[str, Form(max_length=200)],
    embedded_mwh: Annotated[float, Form(gt=0)], start: Annotated[date, Form()], end: Annotated[date, Form()],
    beneficiary: Annotated[str, Form(max_length=200)] = "", purpose: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Retire the firm's certificates against the shipment (the API's retirement) and show the provenance record."""
    check_same_origin(request)
    _require(caller, Role.EXPORTER)
    period = DateRange(start, end).period
    try:
        body = RetirementCreate(
            shipment=ShipmentCreate(shipment_id=shipment_id, product=product, quantity=quantity,
                                    quantity_unit=quantity_unit, destination=destination,
                                    embedded_electricity_mwh=embedded_mwh),
            consumption_start=period.start, consumption_end=period.end, beneficiary=beneficiary or None,
            **({"purpose": purpose} if purpose else {}))
    except ValidationError as exc:
        raise ProvenanceRecordError(f"retirement form: {exc.errors()[0]['msg']}") from exc
    record = exporter_api.create_retirement(body, caller, state)
    return RedirectResponse(f"/ui/exporter/records/{record.claim_ref}", status_code=303)


def _own_record(session: SessionDep, caller: Principal, claim_ref: str) -> ProvenanceRecord:
    _require(caller, Role.EXPORTER)
    return exporter_api.get_record(claim_ref.lower(), caller, session)


@router.get("/ui/exporter/records/{claim_ref}", response_class=HTMLResponse)
def record_page(request: Request, caller: PageCaller, session: SessionDep, claim_ref: Hash32) -> Response:
    """One provenance record: what was retired, its QR code and downloads."""
    return render(request, "record.html", caller=caller, record=_own_record(session, caller, claim_ref))


@router.get("/ui/exporter/records/{claim_ref}/{fmt}")
def record_download(caller: PageCaller, session: SessionDep, claim_ref: Hash32,
                    fmt: Annotated[str, Path(pattern="^(json|html|pdf|qr.png)$")]) -> Response:
    """Download a provenance record as JSON, HTML or PDF, or its QR code."""
    record = _own_record(session, caller, claim_ref)
    name = f"provenance-{record.claim.shipment.shipment_id}"
    if fmt == "qr.png":
        return Response(qr_png(record.verify_url), media_type="image/png")
    body, media = {"json": (record.model_dump_json(indent=2).encode("utf-8"), "application/json"),
                   "html": (record_html(record).encode("utf-8"), "text/html; charset=utf-8"),
                   "pdf": (record_pdf(record), "application/pdf")}[fmt]
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{quote(name)}.{fmt}"'})


# --- public verification ----------------------------------------------------------------------------------------


@router.get("/ui/verify", response_class=HTMLResponse)
def public_verify_form(request: Request) -> Response:
    """Render the public verify form: paste or upload a provenance record (no account needed)."""
    return render(request, "verify.html", caller=optional_caller(request))


def _verification_page(request: Request, state: StateDep, record: ProvenanceRecord) -> Response:
    result = verify_record(record, state.chain.client())
    return render(request, "verify.html", caller=optional_caller(request), record=record, result=result,
                  status_code=200 if result.valid else 422)


@router.post("/ui/verify", response_class=HTMLResponse)
def public_verify_submitted(
    request: Request, state: StateDep, record_json: Annotated[str, Form(max_length=MAX_RECORD_BYTES)] = "",
    record_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Verify a pasted or uploaded record against the chain; a tampered record is rejected with its reasons."""
    text = record_json
    if record_file is not None and record_file.filename:
        data = record_file.file.read(MAX_RECORD_BYTES + 1)
        if len(data) > MAX_RECORD_BYTES:
            raise ProvenanceRecordError(f"file {record_file.filename!r} is larger than {MAX_RECORD_BYTES} bytes")
        text = data.decode("utf-8", errors="replace")
    if not text.strip():
        raise ProvenanceRecordError("paste a provenance record (JSON) or choose its file")
    try:
        record = ProvenanceRecord.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ProvenanceRecordError(f"the record is not a greenproof provenance record: "
                                    f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from exc
    return _verification_page(request, state, record)


@router.get("/ui/verify/{claim_ref}", response_class=HTMLResponse)
def public_verify_issued(request: Request, session: SessionDep, state: StateDep, claim_ref: Hash32) -> Response:
    """Verify an issued record by its claim reference (the QR code's target)."""
    return _verification_page(request, state, load_record(session, claim_ref.lower()))
