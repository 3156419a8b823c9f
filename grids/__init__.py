"""Grid models and power flow: networks in, solved :class:`~greenproof.attribution.Snapshot` out."""

__all__: list[str] = []
