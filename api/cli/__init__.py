"""The ``greenproof`` command line (typer + rich); each command calls a use case that holds its logic.

Exit codes: 0 success; 1 a verification or reconciliation found a mismatch; 2 bad input (file,
option or data the domain rejects); 3 a service (chain, database) is unavailable.
"""

from .exit_codes import EXIT_BAD_INPUT, EXIT_MISMATCH, EXIT_UNAVAILABLE
from .typer_app import app, main

__all__ = ["EXIT_BAD_INPUT", "EXIT_MISMATCH", "EXIT_UNAVAILABLE", "app", "main"]
