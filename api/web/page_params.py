"""What the dashboard's pages take and check: day ranges, chart steps, hashes, list sizes and the role guard."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from ..http.access import check_role
from ..http.deps import SessionDep
from ..usecases.api_keys import Principal, Role
from ..usecases.periods import SupportedDay
from ..usecases.schemas import Resolution
from ..usecases.schemas.fields import CODE_PATTERN
from .series import DateRange, default_range

__all__ = [
    "CERTIFICATES_PER_PAGE",
    "HASH_PATTERN",
    "CodeFilter",
    "FirmCodePath",
    "FirstDay",
    "Hash32",
    "LastDay",
    "ResolutionChoice",
    "require",
    "shown_days",
]

#: A 32-byte hash or id (leaf hash, claim reference): ``0x`` + 64 hex digits.
HASH_PATTERN = r"^0x[0-9a-fA-F]{64}$"
#: Certificates listed per page.
CERTIFICATES_PER_PAGE = 50

FirstDay = Annotated[SupportedDay | None, Query(description="First park-local day shown.")]
LastDay = Annotated[SupportedDay | None, Query(description="Last park-local day shown (inclusive).")]
#: A firm code in a page's path.
FirmCodePath = Annotated[str, Path(min_length=1, max_length=64, pattern=CODE_PATTERN)]
#: An optional code filter of a search form (empty: no filter).
CodeFilter = Annotated[str | None, Query(max_length=64, pattern=CODE_PATTERN.replace("+", "*"))]
ResolutionChoice = Annotated[Resolution | None, Query(description="Step of the charts (coarsened if too fine).")]
Hash32 = Annotated[str, Path(pattern=HASH_PATTERN)]


def require(caller: Principal, *roles: Role) -> None:
    """Admit ``caller`` to the page if its key has one of ``roles`` (:class:`PermissionDeniedError` otherwise)."""
    check_role(caller, roles, "open this page")


def shown_days(session: SessionDep, start: SupportedDay | None, end: SupportedDay | None) -> DateRange:
    """Return the park-local days a page shows: those asked for, else the default range, in order."""
    days = default_range(session, start, end)
    if days.last < days.first:
        return DateRange(days.last, days.first)
    return days
