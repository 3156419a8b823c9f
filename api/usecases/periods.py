"""Time periods of the park's operations: UTC instants, half-open ``[start, end)`` periods, UNIX seconds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

from .errors import InvalidPeriodError

__all__ = ["MAX_PERIOD_DAYS", "OptionalPeriod", "Period", "UtcTime", "utc_from_s"]

#: Longest period a single request may cover.
MAX_PERIOD_DAYS = 400
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _in_supported_range(moment: datetime) -> datetime:
    if not _EARLIEST <= moment < _LATEST:
        raise ValueError(f"{moment.isoformat()} is outside the supported range 2000-01-01 .. 2100-01-01 (UTC)")
    return moment.astimezone(UTC)


#: A timezone-aware instant between 2000 and 2100, normalised to UTC.
UtcTime = Annotated[AwareDatetime, AfterValidator(_in_supported_range)]


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
