"""Time periods of the park's operations: UTC instants, half-open ``[start, end)`` periods, UNIX seconds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, WithJsonSchema

from .errors import InvalidPeriodError

__all__ = [
    "DAY_PATTERN",
    "FIRST_YEAR",
    "INSTANT_PATTERN",
    "LAST_YEAR",
    "MAX_PERIOD_DAYS",
    "OptionalPeriod",
    "Period",
    "SupportedDay",
    "SupportedLocalTime",
    "UtcTime",
    "supported_day",
    "supported_instant",
    "utc_from_s",
]

#: Longest period a single request may cover.
MAX_PERIOD_DAYS = 400
#: The supported years, both included: every date and time the API, the dashboard and the meter
#: uploads accept is written (in its own offset, or as a park day) in one of them.
FIRST_YEAR, LAST_YEAR = 2000, 2099
_YEAR = "20[0-9]{2}"  # FIRST_YEAR .. LAST_YEAR
_DATE = f"{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_CLOCK = "([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?"
#: A calendar day of the supported years, ISO 8601 (``2025-06-21``).
DAY_PATTERN = f"^{_DATE}$"
#: An instant of the supported years: ISO 8601 date and time with ``Z`` or a ``±HH:MM`` offset.
INSTANT_PATTERN = f"^{_DATE}T{_CLOCK}(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
_INSTANT = re.compile(INSTANT_PATTERN)
_RANGE = f"{FIRST_YEAR}-01-01 .. {LAST_YEAR}-12-31"


def supported_day(day: date) -> date:
    """Return ``day`` if its year is one of the supported years.

    Raises
    ------
    ValueError
        Naming the day and the supported range.
    """
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{day.isoformat()} is outside the supported range {_RANGE}")
    return day


def supported_instant(moment: datetime) -> datetime:
    """Return a timezone-aware ``moment`` written in a supported year, as UTC.

    Raises
    ------
    ValueError
        If ``moment`` is naive or written in another year (checked before any conversion, so
        years 1 and 9999 fail here instead of overflowing).
    """
    if moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no UTC offset")
    supported_day(moment.date())
    return moment.astimezone(UTC)


def _iso_instant(value: object) -> object:
    """Refuse anything but a datetime or text of the ISO 8601 shape of :data:`INSTANT_PATTERN` (no UNIX seconds)."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _INSTANT.fullmatch(value):
        raise ValueError(f"{value!r} is not an ISO 8601 date and time with Z or a ±HH:MM offset in {_RANGE}")
    return value


def _supported_local_time(moment: datetime) -> datetime:
    supported_day(moment.date())
    return moment if moment.tzinfo is None else moment.astimezone(UTC)


#: A timezone-aware instant written in a supported year, normalised to UTC. Text must match
#: :data:`INSTANT_PATTERN` (documented as the JSON schema's ``pattern``).
UtcTime = Annotated[AwareDatetime, BeforeValidator(_iso_instant), AfterValidator(supported_instant),
                    WithJsonSchema({"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN})]
#: A calendar day of a supported year.
SupportedDay = Annotated[date, AfterValidator(supported_day),
                         WithJsonSchema({"type": "string", "format": "date", "pattern": DAY_PATTERN})]
#: A date and time of a supported year, naive (a local time, e.g. park time) or with an offset (then as UTC).
SupportedLocalTime = Annotated[datetime, AfterValidator(_supported_local_time)]


def utc_from_s(seconds: int) -> datetime:
    """Return UNIX seconds as a timezone-aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class Period:
    """A half-open period ``[start, end)`` of timezone-aware UTC instants; ``start == end`` is the empty period."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidPeriodError(f"period end {self.end.isoformat()} is before its start "
                                     f"{self.start.isoformat()}")
        if self.end - self.start > timedelta(days=MAX_PERIOD_DAYS):
            raise InvalidPeriodError(f"period {self.start.isoformat()} .. {self.end.isoformat()} is longer than "
                                     f"{MAX_PERIOD_DAYS} days")

    @classmethod
    def nonempty(cls, start: datetime, end: datetime) -> Period:
        """Return ``[start, end)`` if it holds at least one instant.

        Raises
        ------
        InvalidPeriodError
            Naming both ends if ``end`` is not after ``start``, or if the period is too long.
        """
        if end <= start:
            raise InvalidPeriodError(f"period end {end.isoformat()} is not after its start {start.isoformat()}")
        return cls(start, end)

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
        if self.start is not None and self.end is not None and self.end < self.start:
            raise InvalidPeriodError(f"period end {self.end.isoformat()} is before its start "
                                     f"{self.start.isoformat()}")

    @property
    def start_s(self) -> int | None:
        """Start, UNIX seconds, or None."""
        return None if self.start is None else int(self.start.timestamp())

    @property
    def end_s(self) -> int | None:
        """End (exclusive), UNIX seconds, or None."""
        return None if self.end is None else int(self.end.timestamp())
