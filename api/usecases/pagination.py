"""Which slice of a list to return (``limit`` items after ``offset``)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PageParams"]


@dataclass(frozen=True)
class PageParams:
    """Which slice of a list to return: ``limit`` items after skipping ``offset``."""

    limit: int = 100
    offset: int = 0
