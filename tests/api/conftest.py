"""Fixtures of the API tests: an app on a fresh SQLite file (migrated by its own startup) and one key per role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_harness import Keys, make_keys, register_the_park
from fastapi.testclient import TestClient

from greenproof.api import ApiSettings, create_app


@pytest.fixture
def settings(tmp_path: Path) -> ApiSettings:
    """Settings of an app without a chain: endpoints that need one answer 503."""
    return ApiSettings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite'}", key_file=tmp_path / "keys.json",
                       public_base_url="https://verify.example.org")


@pytest.fixture
def keys(settings: ApiSettings) -> Keys:
    return make_keys(settings.key_file)


@pytest.fixture
def client(settings: ApiSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def registered(client: TestClient, settings: ApiSettings) -> ApiSettings:
    """The settings of the app's database, with the Binhai park registered in it."""
    register_the_park(settings.database_url)
    return settings
