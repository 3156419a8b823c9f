"""The commands of ``greenproof``, one module per group; :mod:`greenproof.api.cli.typer_app` registers them."""
