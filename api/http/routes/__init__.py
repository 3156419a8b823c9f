"""HTTP routers, one module per resource; :data:`ROUTERS` is what the app includes, in order."""

from fastapi import APIRouter

from . import auditor, exporter, firms, health, park, public

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    health.router, park.router, firms.router, auditor.router, exporter.router, public.router,
)
