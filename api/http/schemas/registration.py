"""Registration of the park model's plants and firms in the ledger."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ...usecases.schemas.fields import Address

__all__ = [
    "FirmAccountUpdate",
    "ParkRegistrationPublic",
]


class FirmAccountUpdate(BaseModel):
    """A firm's certificate account: an address of the firm's own wallet, or ``null`` for its custodial account."""

    model_config = ConfigDict(extra="forbid")

    address: Address | None = Field(description="Address whose key only the firm holds; null gives the firm back "
                                                "its custodial account (key derived by the registry, demo default).")


class ParkRegistrationPublic(BaseModel):
    """Plants and firms of the park model newly registered in the ledger (already registered ones are kept)."""

    plants_added: list[str]
    firms_added: list[str]
