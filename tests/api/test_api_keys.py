"""API keys are stored hashed with a salt of their own, authenticate only with the exact secret, and bind roles."""

from __future__ import annotations

import hashlib
import hmac
import json
import stat
from pathlib import Path

import pytest

from greenproof.api.usecases.api_keys import KeyStore, Principal, Role
from greenproof.api.usecases.errors import ApiKeyError, AuthenticationError


def test_created_key_authenticates_as_its_role_and_firm(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    record, key = store.create(Role.FIRM, firm_code="H2PLANT", label="hydrogen")
    assert store.authenticate(key) == Principal(key_id=record.key_id, role=Role.FIRM, firm_code="H2PLANT")


def test_key_file_holds_a_salted_hmac_never_the_secret(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    store = KeyStore(path)
    _, key_a = store.create(Role.AUDITOR)
    _, key_b = store.create(Role.AUDITOR)
    text = path.read_text()
    rows = json.loads(text)["keys"]
    for key, row in zip((key_a, key_b), rows, strict=True):
        secret = key.split("_", 2)[2]
        assert secret not in text
        # Independent recomputation of the documented scheme: HMAC-SHA256(salt, secret).
        expected = hmac.new(bytes.fromhex(row["salt_hex"]), secret.encode(), hashlib.sha256).hexdigest()
        assert row["digest_hex"] == expected
    assert rows[0]["salt_hex"] != rows[1]["salt_hex"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("mangle", [
    lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"),   # one character of the secret changed
    lambda k: k.split("_", 2)[0] + "_" + "0" * 12 + "_" + k.split("_", 2)[2],  # unknown key id
    lambda k: "Bearer " + k,
    lambda k: "",
    lambda k: "gp_short_x",
])
def test_wrong_or_malformed_key_is_rejected(tmp_path: Path, mangle: object) -> None:
    store = KeyStore(tmp_path / "keys.json")
    _, key = store.create(Role.PARK_OPERATOR)
    with pytest.raises(AuthenticationError):
        store.authenticate(mangle(key))  # type: ignore[operator]


def test_revoked_key_no_longer_authenticates(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    record, key = store.create(Role.EXPORTER, firm_code="STEEL")
    _, other = store.create(Role.AUDITOR)
    store.revoke(record.key_id)
    with pytest.raises(AuthenticationError, match=record.key_id):
        store.authenticate(key)
    assert store.authenticate(other).role is Role.AUDITOR
    with pytest.raises(ApiKeyError, match=record.key_id):
        store.revoke(record.key_id)


@pytest.mark.parametrize(("role", "firm"), [
    ("firm", None), ("exporter", None), ("auditor", "H2PLANT"), ("park-operator", "H2PLANT"), ("admin", None),
])
def test_role_and_firm_binding_are_checked(tmp_path: Path, role: str, firm: str | None) -> None:
    store = KeyStore(tmp_path / "keys.json")
    with pytest.raises(ApiKeyError, match=role):
        store.create(role, firm_code=firm)
    assert not (tmp_path / "keys.json").exists()


def test_malformed_key_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text("{not json")
    with pytest.raises(ApiKeyError, match=r"keys\.json"):
        KeyStore(path).authenticate("gp_0123456789ab_secret")
