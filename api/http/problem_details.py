"""RFC 7807 problem details for every error the API returns (``application/problem+json``).

Domain errors (:class:`~greenproof.attribution.errors.GreenproofError` subclasses) are mapped to
HTTP statuses here and nowhere else; HTTP errors raised by routes or by Starlette (404 unknown
path, 405) and request validation errors get the same shape.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from greenproof.attribution.errors import AttributionError, GreenproofError, SnapshotError
from greenproof.contracts.errors import ChainError, ContractRevertError
from greenproof.grids.errors import GridError
from greenproof.ledger.database import database_unavailable
from greenproof.ledger.errors import (
    AllocationError,
    BatchError,
    DatabaseUnavailableError,
    IssuanceError,
    LeafFileError,
    LedgerError,
    MeterDataError,
    RetirementError,
    UnknownRecordError,
)

from ..usecases.errors import ApiError, AuthenticationError

__all__ = [
    "BODY_STATUSES",
    "PROBLEM_MEDIA_TYPE",
    "Problem",
    "ValidationIssue",
    "http_problem",
    "install_problem_handlers",
    "problem_responses",
    "status_of",
    "unexpected_problem",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
#: Statuses of every operation that takes a body, answered before the route runs (:mod:`.request_limits`).
BODY_STATUSES = (400, 413)
_BODY_STATUS_TEXT = {
    400: "The body is not UTF-8, or its JSON nests deeper than the accepted depth.",
    413: "The body is larger than the endpoint's cap (smaller for callers without a valid API key).",
}
_log = logging.getLogger(__name__)


class ValidationIssue(BaseModel):
    """One field that failed validation."""

    loc: list[str | int] = Field(description="Path to the offending field, e.g. ['query', 'limit'].")
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 7807 problem document."""

    type: str = Field(description="URI identifying the problem type; 'about:blank' for plain HTTP errors.")
    title: str = Field(description="Short summary of the problem type.")
    status: int = Field(ge=400, le=599, description="HTTP status code.")
    detail: str = Field(description="What went wrong with this request, naming the offending input.")
    instance: str = Field(description="Path of the request that failed.")
    errors: list[ValidationIssue] | None = Field(default=None, description="Per-field issues (422 only).")


def _problem_type(exc: BaseException) -> str:
    return f"urn:greenproof:problem:{type(exc).__name__}"


#: (error class, HTTP status), most specific first; the first ``isinstance`` match wins.
_STATUS_BY_ERROR: tuple[tuple[type[GreenproofError], int], ...] = (
    (ApiError, 0),  # 0: use the error's own ``status``
    (SnapshotError, 422),
    (AttributionError, 422),
    (MeterDataError, 422),
    (AllocationError, 422),
    (LeafFileError, 422),
    (UnknownRecordError, 404),
    (RetirementError, 409),
    (BatchError, 409),
    (IssuanceError, 409),
    (ContractRevertError, 409),
    (DatabaseUnavailableError, 503),
    (LedgerError, 409),  # the rest of the ledger's refusals: registry conflicts (code, address, device taken)
    (ChainError, 502),
    (GridError, 500),  # the park model failed to solve an interval: the server's fault, logged
)


def status_of(exc: GreenproofError) -> int:
    """Return the HTTP status a domain error maps to (the first match of the table above; 500 if none)."""
    for cls, status in _STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return status or int(getattr(exc, "status", 500))
    return 500


def _response(request: Request, status: int, detail: str, type_: str = "about:blank", title: str | None = None,
              headers: Mapping[str, str] | None = None, errors: list[ValidationIssue] | None = None) -> JSONResponse:
    body = Problem(type=type_, title=title or HTTPStatus(status).phrase, status=status, detail=detail,
                   instance=request.url.path, errors=errors)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status,
                        headers=dict(headers) if headers else None, media_type=PROBLEM_MEDIA_TYPE)


async def http_problem(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Answer an HTTP error (404 unknown path, 405, 413, ...) as a problem document."""
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).description
    return _response(request, exc.status_code, detail, headers=exc.headers)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    issues = [ValidationIssue(loc=[p if isinstance(p, int) else str(p) for p in err.get("loc", ())],
                              msg=str(err.get("msg", "")), type=str(err.get("type", ""))) for err in exc.errors()]
    detail = (f"{'.'.join(map(str, issues[0].loc)) or 'request'}: {issues[0].msg}" if issues
              else "the request is invalid")
    if len(issues) > 1:
        detail += f" (and {len(issues) - 1} more)"
    return _response(request, 422, detail, type_="urn:greenproof:problem:RequestValidationError",
                     title="Request validation failed", errors=issues)


async def _domain_error(request: Request, exc: GreenproofError) -> JSONResponse:
    status = status_of(exc)
    if status >= 500:
        _log.error("domain error answered %d on %s", status, request.url.path, exc_info=exc)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthenticationError) else None
    return _response(request, status, str(exc), type_=_problem_type(exc), headers=headers)


async def unexpected_problem(request: Request, exc: Exception) -> JSONResponse:
    """Log an unexpected error and answer a 500 problem document without its details.

    A database driver error saying the database is unusable (unreachable, read-only, full) is
    answered as :class:`~greenproof.ledger.errors.DatabaseUnavailableError`: 503, one sentence.
    """
    unavailable = database_unavailable(exc)
    if unavailable is not None:
        return await _domain_error(request, unavailable)
    _log.error("unexpected error on %s", request.url.path, exc_info=exc)
    return _response(request, 500, "an unexpected error occurred; it has been logged")


def install_problem_handlers(app: FastAPI) -> None:
    """Register the problem-details exception handlers and document them in the OpenAPI schema."""
    # Starlette types handlers as taking any Exception; each is registered for its own class only.
    app.add_exception_handler(StarletteHTTPException, http_problem)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(GreenproofError, _domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, unexpected_problem)
    app.openapi = _problem_openapi(app)  # type: ignore[method-assign]


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Return a FastAPI ``responses`` mapping documenting ``statuses`` as problem documents."""
    return {status: {"model": Problem, "description": HTTPStatus(status).phrase} for status in statuses}


def _documented(status: int) -> dict[str, Any]:
    """Return the OpenAPI response object of a problem document with ``status``."""
    return {"description": _BODY_STATUS_TEXT[status], "content": {PROBLEM_MEDIA_TYPE: {
        "schema": {"$ref": "#/components/schemas/Problem"}}}}


def _problem_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = original()
        # FastAPI documents additional responses in the route's media type; every error of ours is problem+json.
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                if "requestBody" in operation:  # refused by the request limits before the route runs
                    for status in BODY_STATUSES:
                        operation["responses"].setdefault(str(status), _documented(status))
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    problem = next((media for media in content.values() if "schema" in media), None)
                    if status.isdigit() and int(status) >= 400 and problem is not None:
                        response["content"] = {PROBLEM_MEDIA_TYPE: problem}
        app.openapi_schema = schema
        return schema

    return openapi
