"""Errors raised by :mod:`greenproof.grids`.

::

    GreenproofError            (greenproof.attribution.errors)
    └── GridError              a network cannot be solved or converted into a Snapshot

Messages name the offending element (``"load:3"``, bus id, interval timestamp, case name).
"""

from __future__ import annotations

from greenproof.attribution.errors import GreenproofError

__all__ = ["GridError"]


class GridError(GreenproofError):
    """A network cannot be solved or converted: non-converged, unbalanced results, unknown technology, bad name."""
