"""Fixtures of the API tests: an app on a fresh SQLite file (migrated by its own startup) and one key per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from greenproof.api import ApiSettings, KeyStore, Role, create_app


@dataclass(frozen=True)
class Keys:
    """Clear API keys, one per role; firm-bound keys belong to ``firm`` (exporter: same firm)."""

    operator: str
    firm: str
    other_firm: str
    auditor: str
    exporter: str

    def header(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def settings(tmp_path: Path) -> ApiSettings:
    return ApiSettings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite'}", key_file=tmp_path / "keys.json",
                       public_base_url="https://verify.example.org")


def make_keys(key_file: Path, firm: str, other_firm: str) -> Keys:
    store = KeyStore(key_file)
    return Keys(
        operator=store.create(Role.PARK_OPERATOR)[1],
        firm=store.create(Role.FIRM, firm_code=firm)[1],
        other_firm=store.create(Role.FIRM, firm_code=other_firm)[1],
        auditor=store.create(Role.AUDITOR)[1],
        exporter=store.create(Role.EXPORTER, firm_code=firm)[1],
    )


@pytest.fixture
def client(settings: ApiSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client
