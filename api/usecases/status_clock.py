"""The clock certificate statuses are judged by: the chain's block time, with the wall clock as a labelled fallback.

The contract refuses to move or retire expired certificates by its block time, and
:func:`greenproof.ledger.retirements.retire` picks certificates by the same clock; a status view
that used the server's wall clock could show as active what the chain already refuses (or, on a
chain dated in the past, the opposite). So a view reads the latest block's time when a chain is
configured and answers, and says so; otherwise it uses the wall clock and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from .chain_probe import rpc_call
from .errors import ChainUnavailableError
from .settings import ApiSettings

__all__ = ["STATUS_CLOCK_HEADER", "StatusClock", "status_clock"]

#: Response header naming the clock of the statuses in the body (``chain <ISO time>`` or ``wall-clock <ISO time>; …``).
STATUS_CLOCK_HEADER = "Greenproof-Status-Clock"
#: Seconds a status view waits for the chain's latest block before falling back to the wall clock.
_BLOCK_TIME_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class StatusClock:
    """The instant statuses are judged at, and where it comes from.

    Attributes
    ----------
    now : datetime
        UTC instant.
    source : str
        ``"chain"`` (latest block time) or ``"wall-clock"`` (the server's clock, a fallback).
    reason : str
        Why the wall clock was used (empty for ``"chain"``).
    """

    now: datetime
    source: str
    reason: str = ""

    def header(self) -> str:
        """Return the :data:`STATUS_CLOCK_HEADER` value."""
        stamp = self.now.isoformat()
        return f"chain {stamp}" if self.source == "chain" else f"wall-clock {stamp}; {self.reason}"


def status_clock(settings: ApiSettings) -> StatusClock:
    """Return the chain's latest block time if a chain is configured and answers, else the labelled wall clock."""
    if not settings.chain_rpc_url:
        return StatusClock(datetime.now(UTC), "wall-clock", "no chain configured")
    try:
        block = rpc_call(settings.chain_rpc_url, "eth_getBlockByNumber", ["latest", False],
                         timeout_s=_BLOCK_TIME_TIMEOUT_S)
        return StatusClock(datetime.fromtimestamp(int(block["timestamp"], 16), UTC), "chain")
    except ChainUnavailableError:
        return StatusClock(datetime.now(UTC), "wall-clock", "the chain did not answer")
    except (KeyError, TypeError, ValueError):
        return StatusClock(datetime.now(UTC), "wall-clock", "the chain's latest block has no time")
