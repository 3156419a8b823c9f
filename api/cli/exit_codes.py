"""Exit codes of the ``greenproof`` command and the translation of domain errors into them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from greenproof.attribution.errors import GreenproofError
from greenproof.contracts.errors import ChainError

from ..usecases.errors import ChainUnavailableError
from .output import console

__all__ = ["EXIT_BAD_INPUT", "EXIT_MISMATCH", "EXIT_UNAVAILABLE", "exit_codes"]

EXIT_MISMATCH = 1
EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 3


@contextmanager
def exit_codes() -> Iterator[None]:
    """Turn domain errors into a red message and the documented exit code."""
    try:
        yield
    except (ChainUnavailableError, ChainError) as exc:
        console.print(f"[bold red]unavailable:[/bold red] {exc}")
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    except GreenproofError as exc:
        console.print(f"[bold red]error:[/bold red] {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from exc
