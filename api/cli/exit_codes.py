"""Exit codes of the ``greenproof`` command and the translation of domain errors into them.

Nothing heavy is imported here: the CLI's start-up stays fast (``greenproof --help``), and the
chain's error classes are looked up only once something has loaded them (see :func:`exit_code_of`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer

from greenproof.attribution.errors import GreenproofError

from ..usecases.errors import ChainMisconfiguredError, ChainUnavailableError, SchedulerUnavailableError
from .output import err_console, one_line

__all__ = ["EXIT_BAD_INPUT", "EXIT_MISMATCH", "EXIT_UNAVAILABLE", "exit_code_of", "exit_codes", "fail"]

EXIT_MISMATCH = 1
EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 3


def exit_code_of(error: GreenproofError) -> int:
    """Return the exit code of a domain error: 3 for an unreachable service or database, 2 for what the input caused.

    A misconfigured chain (malformed contract address, no contract there, another chain id) is bad
    input. Chain and ledger errors can only have been raised once :mod:`greenproof.contracts.errors`
    or :mod:`greenproof.ledger.errors` is loaded, so they are read from :data:`sys.modules` rather
    than imported (importing them would load web3 and SQLAlchemy).
    """
    if isinstance(error, ChainMisconfiguredError):
        return EXIT_BAD_INPUT
    if isinstance(error, ChainUnavailableError | SchedulerUnavailableError):
        return EXIT_UNAVAILABLE
    chain_errors = sys.modules.get("greenproof.contracts.errors")
    if chain_errors is not None and isinstance(error, chain_errors.ChainError):
        return EXIT_UNAVAILABLE
    ledger_errors = sys.modules.get("greenproof.ledger.errors")
    if ledger_errors is not None and isinstance(error, ledger_errors.DatabaseUnavailableError):
        return EXIT_UNAVAILABLE
    return EXIT_BAD_INPUT


def fail(code: int, message: str) -> NoReturn:
    """Print ``message`` as one line on stderr (``unavailable:`` for code 3, else ``error:``) and exit with ``code``."""
    label = "unavailable" if code == EXIT_UNAVAILABLE else "error"
    err_console.print(f"[bold red]{label}:[/bold red] {one_line(message)}", soft_wrap=True, highlight=False)
    raise typer.Exit(code)


@contextmanager
def exit_codes() -> Iterator[None]:
    """Turn domain errors into one line on stderr and the documented exit code.

    A database driver error saying the database is unusable (server unreachable, read-only or
    full SQLite file) is the "unavailable" exit 3 too; SQLAlchemy is looked up in
    :data:`sys.modules`, as any such error can only come once it is loaded.
    """
    try:
        yield
    except GreenproofError as exc:
        fail(exit_code_of(exc), str(exc))
    except Exception as exc:
        database = sys.modules.get("greenproof.ledger.database")
        unavailable = database.database_unavailable(exc) if database is not None else None
        if unavailable is None:
            raise
        fail(EXIT_UNAVAILABLE, str(unavailable))
