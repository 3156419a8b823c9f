"""The ``greenproof`` command line (typer + rich); each command calls a use case that holds its logic.

Exit codes: 0 success; 1 a verification, audit or reconciliation found a mismatch (and nothing
else); 2 bad input (a file, option, setting or data the domain rejects, wrong chain settings
included); 3 a service (chain, node, scheduler) is unavailable. Errors are one line on stderr.
"""

from .exit_codes import EXIT_BAD_INPUT, EXIT_MISMATCH, EXIT_UNAVAILABLE
from .typer_app import app, main

__all__ = ["EXIT_BAD_INPUT", "EXIT_MISMATCH", "EXIT_UNAVAILABLE", "app", "main"]
