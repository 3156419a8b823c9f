"""Time periods given as ``start``/``end`` query parameters (UTC, end exclusive)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Query

from .errors import InvalidPeriodError
from .schemas import MAX_PERIOD_DAYS, UtcTime

__all__ = ["OptionalPeriod", "OptionalPeriodDep", "Period", "PeriodDep", "utc_from_s"]


def utc_from_s(seconds: int) -> datetime:
    """Return UNIX seconds as a timezone-aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class Period:
    """A half-open period ``[start, end)`` of timezone-aware UTC instants."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidPeriodError(f"period end {self.end.isoformat()} is not after its start "
                                     f"{self.start.isoformat()}")
        if self.end - self.start > timedelta(days=MAX_PERIOD_DAYS):
            raise InvalidPeriodError(f"period {self.start.isoformat()} .. {self.end.isoformat()} is longer than "
                                     f"{MAX_PERIOD_DAYS} days")

    @property
    def start_s(self) -> int:
        """Start, UNIX seconds."""
        return int(self.start.timestamp())

    @property
    def end_s(self) -> int:
        """End (exclusive), UNIX seconds."""
        return int(self.end.timestamp())


@dataclass(frozen=True)
class OptionalPeriod:
    """Optional bounds ``[start, end)``; a missing bound does not filter."""

    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise InvalidPeriodError(f"period end {self.end.isoformat()} is not after its start "
                                     f"{self.start.isoformat()}")

    @property
    def start_s(self) -> int | None:
        """Start, UNIX seconds, or None."""
        return None if self.start is None else int(self.start.timestamp())

    @property
    def end_s(self) -> int | None:
        """End (exclusive), UNIX seconds, or None."""
        return None if self.end is None else int(self.end.timestamp())


def _period(
    start: Annotated[UtcTime, Query(description="Period start, ISO 8601 with offset (UTC instant).")],
    end: Annotated[UtcTime, Query(description=f"Period end (exclusive); at most {MAX_PERIOD_DAYS} days after start.")],
) -> Period:
    return Period(start, end)


def _optional_period(
    start: Annotated[UtcTime | None, Query(description="Only intervals starting at or after this instant.")] = None,
    end: Annotated[UtcTime | None, Query(description="Only intervals starting before this instant.")] = None,
) -> OptionalPeriod:
    return OptionalPeriod(start, end)


PeriodDep = Annotated[Period, Depends(_period)]
OptionalPeriodDep = Annotated[OptionalPeriod, Depends(_optional_period)]
