"""Solidity green-certificate contracts, their committed build artifacts, and the Python chain client."""

__all__: list[str] = []
