"""The API's dependency vocabulary: ``Annotated`` aliases used in route signatures.

- :data:`StateDep` — the app's :class:`~greenproof.api.usecases.app_state.AppState` (settings, sessions, chain);
- :data:`SessionDep` — a ledger database session for the request (routes commit what they write);
- :data:`ChainDep` — the lazily connected chain (503 when none is configured);
- :data:`CurrentPrincipal` — the caller of a valid API key (401 otherwise);
- :func:`require_role` — a dependency admitting only some roles (403 otherwise); the aliases
  :data:`ParkOperator`, :data:`Auditor` and :data:`Exporter` are built with it;
- :data:`FirmScope` — the ``{firm_code}`` path parameter, checked against the caller's firm
  (readable by that firm's firm and exporter keys, and by auditors:
  :func:`~greenproof.api.http.access.check_firm_access`, the rule the dashboard applies too);
- :data:`FirmClaimer` — the same, for claiming the firm's certificates on-chain: its own firm keys
  only (least privilege: exporter keys retire against shipments, they do not mint);
- :data:`Hash32Path` — a ``0x`` + 64-hex path parameter (batch id, leaf hash, claim reference);
- :func:`stamped_clock` — the clock of certificate statuses (the chain's block time, or the
  labelled wall clock), named in the ``Greenproof-Status-Clock`` response header.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path, Request, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from ..usecases.api_keys import Principal, Role
from ..usecases.app_state import AppState
from ..usecases.chain_gateway import ChainGateway
from ..usecases.errors import AuthenticationError, PermissionDeniedError
from ..usecases.firm_codes import canonical_firm_code
from ..usecases.schemas.fields import CODE_PATTERN, HEX32_PATTERN
from ..usecases.status_clock import STATUS_CLOCK_HEADER, status_clock
from .access import check_firm_access, check_role

__all__ = [
    "Auditor",
    "ChainDep",
    "CurrentPrincipal",
    "Exporter",
    "FirmClaimer",
    "FirmCodePath",
    "FirmScope",
    "Hash32Path",
    "ParkOperator",
    "SessionDep",
    "StateDep",
    "require_role",
    "stamped_clock",
]

_bearer = HTTPBearer(auto_error=False, description="API key as `Authorization: Bearer gp_<id>_<secret>`.")
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key `gp_<id>_<secret>`.")


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.greenproof
    return state


StateDep = Annotated[AppState, Depends(_state)]


def _session(state: StateDep) -> Iterator[Session]:
    with state.session_factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(_session)]


def _chain(state: StateDep) -> ChainGateway:
    return state.chain


ChainDep = Annotated[ChainGateway, Depends(_chain)]


def _principal(
    state: StateDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key_header)],
) -> Principal:
    key = bearer.credentials if bearer is not None else api_key
    if not key:
        raise AuthenticationError("no API key: send `Authorization: Bearer <key>` or `X-API-Key: <key>`")
    return state.keys.authenticate(key)


CurrentPrincipal = Annotated[Principal, Depends(_principal)]


def require_role(*roles: Role) -> Callable[[Principal], Principal]:
    """Return a dependency that admits callers whose key has one of ``roles``.

    Raises
    ------
    PermissionDeniedError
        (from the dependency) if the caller's role is not among ``roles``.
    """
    def check(principal: CurrentPrincipal) -> Principal:
        check_role(principal, roles, "call this endpoint")
        return principal

    return check


def _firm_code(firm_code: Annotated[str, Path(min_length=1, max_length=64, pattern=CODE_PATTERN,
                                               description="Firm code, any case, e.g. GH2.")]) -> str:
    return canonical_firm_code(firm_code)


#: The ``{firm_code}`` path parameter, any case, in its canonical form (access is the route's role's).
FirmCodePath = Annotated[str, Depends(_firm_code)]


def _firm_scope(firm_code: FirmCodePath, principal: CurrentPrincipal) -> str:
    code = firm_code
    check_firm_access(principal, code)
    return code


#: The ``{firm_code}`` path parameter, readable by that firm's own keys (firm, exporter) and by auditors.
FirmScope = Annotated[str, Depends(_firm_scope)]


def _firm_claimer(firm_code: FirmScope, principal: CurrentPrincipal) -> str:
    if principal.role is not Role.FIRM:
        raise PermissionDeniedError(f"role {principal.role.value} may read firm {firm_code} but not claim its "
                                    "certificates (firm keys claim; exporter keys retire)")
    return firm_code


#: The ``{firm_code}`` path parameter, for claiming the firm's certificates: its own firm keys only.
FirmClaimer = Annotated[str, Depends(_firm_claimer)]

ParkOperator = Annotated[Principal, Depends(require_role(Role.PARK_OPERATOR))]
Auditor = Annotated[Principal, Depends(require_role(Role.AUDITOR))]
Exporter = Annotated[Principal, Depends(require_role(Role.EXPORTER))]

#: A 32-byte hash or id in a path (batch id, leaf hash, claim reference): ``0x`` + 64 hex digits.
Hash32Path = Annotated[str, Path(pattern=HEX32_PATTERN, description="0x + 64 hex digits.")]


def stamped_clock(state: AppState, response: Response) -> datetime:
    """Return the instant certificate statuses are judged at (:func:`status_clock`) and name it in a response header."""
    clock = status_clock(state.settings)
    response.headers[STATUS_CLOCK_HEADER] = clock.header()
    return clock.now
