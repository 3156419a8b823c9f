"""Service health."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = [
    "HealthPublic",
]


class HealthPublic(BaseModel):
    """Liveness of the service and what it is connected to."""

    status: str = Field(description="'ok' when the database answers.")
    version: str
    chain_configured: bool = Field(description="Whether an RPC URL and contract address are set (not probed).")
