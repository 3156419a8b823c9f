"""The ``greenproof`` command line (typer + rich)."""

from __future__ import annotations

from importlib.metadata import version

import typer
from rich.console import Console

app = typer.Typer(
    name="greenproof",
    help="Green-power traceability: power-flow attribution anchored as certificates on an EVM chain.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()


def _print_version(value: bool) -> None:
    if value:
        console.print(f"greenproof {version('greenproof')}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Green-power traceability: power-flow attribution anchored as certificates on an EVM chain."""


@app.command()
def demo() -> None:
    """Run the end-to-end demo on embedded defaults (no configuration needed)."""
    console.print("[bold]greenproof demo[/bold]: the pipeline is being built; nothing to run yet.")


def main() -> None:
    """Entry point of the ``greenproof`` console script."""
    app()
