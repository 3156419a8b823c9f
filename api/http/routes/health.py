"""Service health (no authentication)."""

from __future__ import annotations

from importlib.metadata import version

from fastapi import APIRouter
from sqlalchemy import text

from ..deps import ChainDep, SessionDep
from ..schemas import HealthPublic

__all__ = ["router"]

router = APIRouter(tags=["health"])
_VERSION = version("greenproof")  # read once: package metadata comes from disk


@router.get("/health", summary="Service health")
def health(session: SessionDep, chain: ChainDep) -> HealthPublic:
    """Answer ``ok`` when the database responds; says whether a chain is configured (without probing it)."""
    session.execute(text("SELECT 1"))
    return HealthPublic(status="ok", version=_VERSION, chain_configured=chain.configured)
