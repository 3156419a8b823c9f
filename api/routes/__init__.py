"""HTTP routers, one module per resource; :data:`ROUTERS` is what the app includes, in order."""

from fastapi import APIRouter

from . import auditor, firms, health, park

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (health.router, park.router, firms.router, auditor.router)
