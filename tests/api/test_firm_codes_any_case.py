"""Firm codes are read in any case and stored upper case, alike in the HTTP API, the CLI and the API keys."""

from __future__ import annotations

from pathlib import Path

from api_harness import FIRM, OTHER_FIRM, Keys
from fastapi.testclient import TestClient

from greenproof.api import KeyStore, Role


def test_firm_path_in_lower_case_is_the_same_firm(client: TestClient, keys: Keys) -> None:
    own = client.get(f"/firms/{FIRM.lower()}/certificates", headers=keys.of("firm"))
    other = client.get(f"/firms/{FIRM.lower()}/certificates", headers=keys.of("other_firm"))
    assert own.status_code != 403, own.text  # GH2's own key reads gh2
    assert other.status_code == 403
    assert f"firm {OTHER_FIRM} may not read firm {FIRM}" in other.json()["detail"]


def test_key_store_binds_keys_to_upper_case_codes(tmp_path: Path) -> None:
    record, key = KeyStore(tmp_path / "keys.json").create(Role.EXPORTER, firm_code=" gh2 ")
    assert record.firm_code == "GH2"
    assert KeyStore(tmp_path / "keys.json").authenticate(key).firm_code == "GH2"
