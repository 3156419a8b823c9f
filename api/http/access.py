"""Who may do what: the role and firm-scope rules, shared by the JSON API (:mod:`.deps`) and the dashboard pages.

- :func:`check_role` admits the caller if its key has one of the given roles;
- :func:`check_firm_access` admits a firm's own keys (roles ``firm`` and ``exporter``) and
  auditors to that firm's data (:data:`FIRM_READERS`); park operators read park-wide views only.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..usecases.api_keys import Principal, Role
from ..usecases.errors import PermissionDeniedError

__all__ = ["FIRM_READERS", "check_firm_access", "check_role"]

#: Roles that may read a firm's data (firm-bound roles only their own firm's).
FIRM_READERS = (Role.FIRM, Role.EXPORTER, Role.AUDITOR)


def check_role(principal: Principal, roles: Iterable[Role], action: str) -> None:
    """Admit ``principal`` if its role is one of ``roles``.

    Parameters
    ----------
    action : str
        What the caller tried, for the message, e.g. ``"call this endpoint"``.

    Raises
    ------
    PermissionDeniedError
        Naming the caller's role and the allowed ones.
    """
    allowed = frozenset(roles)
    if principal.role not in allowed:
        raise PermissionDeniedError(f"role {principal.role.value} may not {action} (allowed: "
                                    f"{', '.join(sorted(r.value for r in allowed))})")


def check_firm_access(principal: Principal, firm_code: str, action: str = "read") -> None:
    """Admit the firm's own keys (firm, exporter) and auditors to firm ``firm_code``.

    Parameters
    ----------
    action : str
        What the caller tried on the firm, for the message, e.g. ``"read"`` or ``"open the pages of"``.

    Raises
    ------
    PermissionDeniedError
        If the caller is a park operator, or a firm-bound key of another firm (both named).
    """
    check_role(principal, FIRM_READERS, f"{action} firm {firm_code}")
    if principal.role.firm_bound and principal.firm_code != firm_code:
        raise PermissionDeniedError(f"{principal.role.with_article} key of firm {principal.firm_code} may not {action} "
                                    f"firm {firm_code}")
