"""Every command of ``greenproof`` by its path (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import typer

from greenproof.api.cli import app


def command_paths(command: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Return the path of every command and command group under ``command`` (a click group), depth first."""
    paths = []
    for name, sub in getattr(command, "commands", {}).items():
        paths += [(*prefix, name), *command_paths(sub, (*prefix, name))]
    return paths


ROOT = typer.main.get_command(app)
COMMAND_PATHS = command_paths(ROOT)


def command_at(path: tuple[str, ...]) -> object:
    """Return the click command at ``path``."""
    command: object = ROOT
    for name in path:
        command = getattr(command, "commands")[name]  # noqa: B009 - click groups only
    return command
