"""The ``greenproof`` typer application: the root options and every command, registered in help order."""

from __future__ import annotations

from importlib.metadata import version
from typing import Annotated

import typer

from .commands import audit, demo, keys, park, provenance, serve, trace
from .output import console

__all__ = ["app", "main"]

app = typer.Typer(
    name="greenproof",
    help="Green-power traceability: power-flow attribution anchored as certificates on an EVM chain.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(keys.app, name="keys")
for command in (serve.serve, demo.demo, park.simulate, park.attribute, trace.trace, park.issue, provenance.retire,
                provenance.verify, audit.audit, audit.reconcile):
    app.command()(command)


def _print_version(value: bool) -> None:
    if value:
        console.print(f"greenproof {version('greenproof')}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Green-power traceability: power-flow attribution anchored as certificates on an EVM chain."""


def main() -> None:
    """Entry point of the ``greenproof`` console script."""
    app()
