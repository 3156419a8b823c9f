"""Shared pytest configuration: paths to the repository and its npm toolchain, chain fixtures.

Property-based tests (hypothesis, schemathesis) explore new random examples on every local run;
under CI (``CI`` set) they are derandomized, so a landing is never decided by the luck of a draw:
a counterexample found locally is fixed and pinned as a regular test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# pytest-xdist workers inherit COLUMNS=80, and a rich console fixes its width when it is created
# with COLUMNS set: the CLI's tests choose their width per invocation (CliRunner env) instead.
os.environ.pop("COLUMNS", None)

if TYPE_CHECKING:
    from greenproof.contracts.anvil import Anvil
    from greenproof.contracts.client import ChainClient

REPO_ROOT = Path(__file__).resolve().parents[1]

#: Genesis time of the session's Anvil, 2025-07-01T00:00:00Z. The contract checks expiry and batch
#: periods against block time, so tests run at this fixed date, not today's: test data of 2025 is
#: issuable and valid (it expires from 2027), whatever the date the suite runs.
CHAIN_GENESIS_S = 1_751_328_000


@pytest.fixture(scope="session")
def anvil() -> Iterator[Anvil]:
    """One Anvil node for the whole test session (20 funded dev accounts) at :data:`CHAIN_GENESIS_S`."""
    from greenproof.contracts.anvil import Anvil

    with Anvil(accounts=20, genesis_timestamp_s=CHAIN_GENESIS_S) as node:
        yield node


@pytest.fixture(scope="session")
def chain(anvil: Anvil) -> ChainClient:
    """A ``GreenCertificate`` deployed once per session; admin and issuer = ``anvil.private_keys[0]``.

    Tests that change chain state should use ``fresh_chain`` so that they do not see each other's state.
    """
    from greenproof.contracts.client import ChainClient

    return ChainClient.deploy(anvil.rpc_url, anvil.private_keys[0])


@pytest.fixture
def fresh_chain(chain: ChainClient) -> Iterator[ChainClient]:
    """The session's contract, reverted with ``evm_snapshot``/``evm_revert`` (state and block time) after the test."""
    with chain.snapshot():
        yield chain


@pytest.fixture(autouse=True)
def _no_settings_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point ``GREENPROOF_SETTINGS_FILE`` at a file of the test's own folder, absent until a command writes it.

    A developer's ``greenproof chain up`` writes ``greenproof-data/settings.json`` in the working
    directory; without this, tests building settings there would pick up that local chain.
    Tests of the settings file set the variable (or remove it) themselves.
    """
    monkeypatch.setenv("GREENPROOF_SETTINGS_FILE", str(tmp_path / "settings.json"))
