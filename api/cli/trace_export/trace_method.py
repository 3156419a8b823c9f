"""How ``greenproof trace`` charges losses (apart from the export job, so the CLI's options import nothing heavy)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["TraceMethod"]


class TraceMethod(StrEnum):
    """How losses are charged (see docs/attribution.md): to withdrawals, to injections, or split."""

    UPSTREAM = "upstream"
    DOWNSTREAM = "downstream"
    AVERAGE = "average"
