"""The dashboard's pages, one module per page; :data:`ROUTERS` is what the dashboard includes, in order."""

from fastapi import APIRouter

from . import auditor, exporter, firm, park, sign_in, verify

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    sign_in.router, park.router, firm.router, auditor.router, exporter.router, verify.router,
)
