"""A firm-held key's retirement in two steps: the authorisations to sign, and the signatures that come back."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from .fields import Address, Code, UnixSeconds
from .provenance import ProvenanceClaim

__all__ = ["MAX_SIGNATURES", "FirmAccountPublic", "FirmAuthorisations", "SignedRetirement"]

#: Most authorisations one retirement needs (one per batch it draws on, one for minted balances).
MAX_SIGNATURES = 64

Signature = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{130}$",
                                 description="65-byte ECDSA signature r ‖ s ‖ v, 0x + 130 hex digits.")]


class FirmAccountPublic(BaseModel):
    """A firm's certificate account and who holds its key."""

    firm_code: Code
    address: Address
    key_custody: str = Field(description="'custodial': derived from the registry's issuer key (demo default; the "
                                         "park can sign for the firm); 'firm': a key only the firm holds.")


class FirmAuthorisations(BaseModel):
    """What a firm signs to retire certificates for a shipment, and what it sends back with its signatures.

    ``authorisations`` are EIP-712 documents exactly as ``eth_signTypedData_v4`` takes them (uint256
    values above 2^53 − 1 as decimal strings, bytes32 as 0x hex), in the order the signatures must
    follow. They are valid for an hour of block time after ``chain_time_s``.
    """

    claim: ProvenanceClaim
    chain_time_s: UnixSeconds = Field(description="The chain's block time the authorisations were prepared at; "
                                                  "their deadline is an hour later.")
    authorisations: list[dict[str, Any]] = Field(max_length=MAX_SIGNATURES)


class SignedRetirement(BaseModel):
    """A prepared retirement (claim and block time, as prepared) and the firm's signatures, in order."""

    model_config = ConfigDict(extra="forbid")

    claim: ProvenanceClaim
    chain_time_s: UnixSeconds
    signatures: list[Signature] = Field(min_length=1, max_length=MAX_SIGNATURES)
