"""Registration of the park model's plants and firms in the ledger."""

from __future__ import annotations

from pydantic import BaseModel

__all__ = [
    "ParkRegistrationPublic",
]


class ParkRegistrationPublic(BaseModel):
    """Plants and firms of the park model newly registered in the ledger (already registered ones are kept)."""

    plants_added: list[str]
    firms_added: list[str]
