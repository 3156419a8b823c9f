"""Shared pytest configuration: paths to the repository and its npm toolchain."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
