"""The ``greenproof`` typer application: the root options and every command, registered in help order.

Command modules import only typer, rich and light enums at the top; each command imports what it
runs (pandapower, web3, SQLAlchemy, FastAPI) when it runs, so ``greenproof --help`` and
``greenproof keys create`` start without them (``tests/api/test_cli_startup.py`` pins it).
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Annotated

import typer

from .commands import audit, chain, demo, firms, keys, leaves, meters, park, provenance, serve, trace
from .output import console

__all__ = ["app", "main"]

app = typer.Typer(
    name="greenproof",
    help="Green-power traceability: power-flow attribution anchored as certificates on an EVM chain.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",  # docstring paragraphs reflow to the terminal's width
)
# Help panels in the order of the README's story; within a panel, commands come before command groups.
_START, _PARK, _CERTIFICATES, _MORE = "Get started", "Park operator", "Exporters and auditors", "More"
app.command(rich_help_panel=_START)(demo.demo)
app.add_typer(chain.app, name="chain", rich_help_panel=_START)
app.add_typer(keys.app, name="keys", rich_help_panel=_START)
for command in (park.simulate, park.attribute, park.issue):
    app.command(rich_help_panel=_PARK)(command)
app.add_typer(meters.app, name="meters", rich_help_panel=_PARK)
app.add_typer(firms.app, name="firms", rich_help_panel=_PARK)
for command in (provenance.retire, provenance.verify, audit.audit, audit.reconcile):
    app.command(rich_help_panel=_CERTIFICATES)(command)
app.add_typer(leaves.app, name="leaves", rich_help_panel=_CERTIFICATES)
for command in (trace.trace, serve.serve):
    app.command(rich_help_panel=_MORE)(command)


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
