"""Exceptions raised by greenproof.

``GreenproofError`` is the root of every error greenproof raises on purpose. It lives in
``greenproof.attribution`` because attribution is the dependency-free core that every other part
imports; each part adds narrow subclasses next to its code::

    GreenproofError
    ├── SnapshotError          (attribution: a snapshot's arrays are malformed)
    ├── AttributionError       (attribution: tracing failed, e.g. a singular network)
    ├── GridError              (grids: a network cannot be solved or converted)
    ├── ChainError             (contracts: the EVM node or a contract call failed)
    │   └── ContractRevertError  (a call reverted with a decoded custom error)
    ├── LedgerError            (ledger: bad meter data, inconsistent records)
    └── ApiError               (api: request-level failures mapped to HTTP problems)

Messages name the offending input (row, device id, bus id, file) so a user can fix it.
Third-party exceptions are translated at the boundary with ``raise XError(msg) from exc``.
"""

from __future__ import annotations

__all__ = ["AttributionError", "GreenproofError", "SnapshotError"]


class GreenproofError(Exception):
    """Root of all errors raised by greenproof on purpose."""


class SnapshotError(GreenproofError, ValueError):
    """A snapshot is malformed: NaN/inf values, unknown bus ids, negative powers, duplicate ids."""


class AttributionError(GreenproofError):
    """Tracing a snapshot failed (for example, the flow equations are singular)."""
