"""HTTP API, web dashboard and the ``greenproof`` command line."""

__all__: list[str] = []
