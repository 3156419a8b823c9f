"""``limit``/``offset`` pagination for list endpoints: the query parameters and the page returned."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from ..usecases.pagination import PageParams

__all__ = ["MAX_LIMIT", "MAX_OFFSET", "Page", "PageParamsDep"]

#: Largest page a client may ask for.
MAX_LIMIT = 500
#: Largest offset accepted (bounds the query; lists this long are read by period instead).
MAX_OFFSET = 10_000_000


T = TypeVar("T")


def _page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageParamsDep = Annotated[PageParams, Depends(_page_params)]


class Page(BaseModel, Generic[T]):
    """One page of a list and the size of the whole list."""

    items: list[T]
    total: int = Field(ge=0, description="Number of items in the whole list.")
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)

    @classmethod
    def of(cls, items: list[T], total: int, page: PageParams) -> Page[T]:
        """Build a page from its items, the list's total size and the requested slice."""
        return cls(items=items, total=total, limit=page.limit, offset=page.offset)
