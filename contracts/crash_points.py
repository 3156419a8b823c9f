"""Deterministic crash points for fault-injection tests: the process SIGKILLs itself at a named step.

Set ``GREENPROOF_CRASH_AT=<step>`` (first time the step is reached) or ``<step>#<n>`` (the n-th
time) and the process kills itself with ``SIGKILL`` — no cleanup, no ``finally``, no commit —
exactly when it reaches that step. Unset (always, outside tests), :func:`crash_point` only reads
one environment variable.

Steps (in the order a run reaches them):

- ``greenproof issue``: ``pending_written``, ``transaction_sent`` (after every raw transaction the
  node accepted, before its receipt), ``transaction_mined``, ``sent_recorded``, ``confirmed``,
  ``claimed`` (direct mode);
- ``greenproof retire``: ``intent_stored``, ``transaction_sent``, ``receipt_received`` (receipts
  in, the DB not yet told), ``lines_confirmed`` (the DB confirms, the record not yet written).
"""

from __future__ import annotations

import os
import signal

__all__ = ["CRASH_AT_VARIABLE", "crash_point"]

#: Environment variable naming the step to die at.
CRASH_AT_VARIABLE = "GREENPROOF_CRASH_AT"

_reached: dict[str, int] = {}


def crash_point(step: str) -> None:
    """Kill this process with SIGKILL if ``GREENPROOF_CRASH_AT`` names ``step`` (and this is its n-th time)."""
    target = os.environ.get(CRASH_AT_VARIABLE)
    if not target:
        return
    name, _, nth = target.partition("#")
    if name != step:
        return
    _reached[step] = _reached.get(step, 0) + 1
    if _reached[step] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
