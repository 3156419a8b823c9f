"""Periods given as ``start``/``end`` query parameters (UTC, end exclusive), read into use-case periods."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from ..usecases.periods import MAX_PERIOD_DAYS, OptionalPeriod, Period, UtcTime

__all__ = ["OptionalPeriodDep", "PeriodDep"]


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
