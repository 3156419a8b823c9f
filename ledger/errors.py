"""Errors raised by the ledger.

Every error derives from :class:`LedgerError`, itself a
:class:`~greenproof.attribution.errors.GreenproofError`::

    LedgerError
    ├── DatabaseUnavailableError  the database cannot be reached or written (server down, read-only or full disk)
    ├── MeterDataError          a meter reading is invalid; nothing of its batch was written
    ├── UnknownRecordError      a plant, firm, batch or leaf code/id is not in the ledger
    ├── AllocationError         shares or caps cannot be split into leaves (shares > 1, negative)
    ├── BatchError              a batch cannot be built (missing readings, interval already issued)
    ├── ChainIdentityError      the chain or contract is not the one the ledger was first used with
    ├── IssuanceError           the chain refused a batch or the DB and chain disagree on it
    ├── LeafFileError           a published leaf file is malformed or does not rebuild its root
    └── RetirementError         a claim or retirement is not allowed
        ├── ClaimRefReusedError         the claim reference was used before
        └── InsufficientCertificatesError  more Wh asked than the holder has

Messages name the offending input (row, plant code, batch id, claim reference, amount).
"""

from __future__ import annotations

from greenproof.attribution.errors import GreenproofError

__all__ = [
    "AllocationError",
    "BatchError",
    "ChainIdentityError",
    "ClaimRefReusedError",
    "DatabaseUnavailableError",
    "InsufficientCertificatesError",
    "IssuanceError",
    "LeafFileError",
    "LedgerError",
    "MeterDataError",
    "RetirementError",
    "UnknownRecordError",
]


class LedgerError(GreenproofError):
    """Root of the ledger's errors: bad meter data, inconsistent records, refused operations."""


class DatabaseUnavailableError(LedgerError):
    """The ledger database cannot be reached or written: server down, read-only file, full disk, lock timeout.

    Nothing half-done is left behind: every step commits on its own, so a rerun once the database
    is back continues where the run stopped.
    """


class MeterDataError(LedgerError, ValueError):
    """A meter reading is invalid (negative, NaN, above capacity, off the interval grid, conflicting)."""


class UnknownRecordError(LedgerError, LookupError):
    """A plant, firm, batch or leaf named by the caller is not in the ledger."""


class AllocationError(LedgerError, ValueError):
    """Holder shares cannot be split into whole-Wh leaves (negative or summing above 1)."""


class BatchError(LedgerError):
    """An issuance batch cannot be built (missing readings, an interval already issued)."""


class ChainIdentityError(LedgerError):
    """The node's genesis block or the contract's code differs from what the ledger recorded at first use."""


class IssuanceError(LedgerError):
    """The chain refused a batch, or the chain and the database disagree about it."""


class LeafFileError(LedgerError, ValueError):
    """A published leaf file is malformed or its leaves do not rebuild its root."""


class RetirementError(LedgerError):
    """A claim or retirement is not allowed."""


class ClaimRefReusedError(RetirementError):
    """A claim reference was already used by an earlier retirement."""


class InsufficientCertificatesError(RetirementError):
    """A holder asked to retire more Wh than it holds for the period."""
