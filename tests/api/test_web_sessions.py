"""Dashboard sessions live on the server, expire and end on sign-out; every response carries the security headers.

The database is read here with ``sqlite3`` and the cookie with ``http.cookies``, not through the app.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import pytest
from api_harness import FIRM, Keys, make_keys
from fastapi.testclient import TestClient

from greenproof.api import ApiSettings, KeyStore, create_app

SAME_ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Keys, ApiSettings]]:
    workdir = tmp_path_factory.mktemp("sessions")
    settings = ApiSettings(database_url=f"sqlite:///{workdir / 'ledger.sqlite'}", key_file=workdir / "keys.json")
    keys = make_keys(settings.key_file)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client, keys, settings


def _sign_in(client: TestClient, key: str) -> SimpleCookie:
    response = client.post("/ui/session", data={"api_key": key}, headers=SAME_ORIGIN, follow_redirects=False)
    assert response.status_code == 303
    cookie = SimpleCookie()
    cookie.load(response.headers["set-cookie"])
    return cookie


def _rows(settings: ApiSettings) -> list[tuple[str, str, str]]:
    with sqlite3.connect(settings.database_url.removeprefix("sqlite:///")) as db:
        return db.execute("SELECT token_sha256, key_id, expires_at FROM web_sessions").fetchall()


def _is_signed_in(client: TestClient, token: str) -> bool:
    client.cookies.clear()
    client.cookies.set("gp_session", token)
    response = client.get(f"/ui/firms/{FIRM}", follow_redirects=False)
    assert response.status_code in (303, 404), response.text  # 404: signed in, firm not registered here
    return response.status_code == 404


def test_the_cookie_is_a_random_token_never_the_key(site: tuple[TestClient, Keys, ApiSettings]) -> None:
    client, keys, settings = site
    morsel = _sign_in(client, keys.firm)["gp_session"]
    secret = keys.firm.split("_", 2)[2]
    assert secret not in morsel.value and keys.firm.split("_")[1] not in morsel.value
    assert len(morsel.value) >= 43  # 256 random bits, URL-safe base64
    assert morsel["httponly"] and morsel["samesite"].lower() == "strict" and morsel["path"] == "/"
    assert int(morsel["max-age"]) == 8 * 3600
    ((token_sha256, key_id, _),) = _rows(settings)
    assert token_sha256 == hashlib.sha256(morsel.value.encode()).hexdigest()  # only the hash is stored
    assert key_id == keys.firm.split("_")[1]
    with sqlite3.connect(settings.database_url.removeprefix("sqlite:///")) as db:
        dump = "\n".join(db.iterdump())
    assert secret not in dump and morsel.value not in dump


def test_sign_out_revokes_the_session_on_the_server(site: tuple[TestClient, Keys, ApiSettings]) -> None:
    client, keys, settings = site
    token = _sign_in(client, keys.firm)["gp_session"].value
    assert _is_signed_in(client, token)
    response = client.post("/ui/logout", headers=SAME_ORIGIN, follow_redirects=False)
    assert response.status_code == 303 and 'gp_session=""' in response.headers["set-cookie"]
    assert _rows(settings) == []
    assert not _is_signed_in(client, token)  # a copy of the cookie is worthless after sign-out


def test_a_session_expires(site: tuple[TestClient, Keys, ApiSettings]) -> None:
    client, keys, settings = site
    token = _sign_in(client, keys.firm)["gp_session"].value
    ((_, _, expires_at),) = _rows(settings)
    expires = datetime.fromisoformat(expires_at).replace(tzinfo=UTC)
    assert timedelta(hours=7, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=8)
    with sqlite3.connect(settings.database_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE web_sessions SET expires_at = ?",
                   ((datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S.%f"),))
    assert not _is_signed_in(client, token)
    _sign_in(client, keys.auditor)  # signing in again clears expired sessions
    assert len(_rows(settings)) == 1


def test_revoking_the_key_ends_its_sessions(site: tuple[TestClient, Keys, ApiSettings]) -> None:
    client, keys, settings = site
    token = _sign_in(client, keys.firm)["gp_session"].value
    KeyStore(settings.key_file).revoke(keys.firm.split("_")[1])
    assert not _is_signed_in(client, token)


def test_an_old_cookie_holding_a_raw_key_signs_nobody_in(site: tuple[TestClient, Keys, ApiSettings]) -> None:
    client, keys, _ = site
    assert not _is_signed_in(client, keys.firm)


def _assert_security_headers(response: object, *, no_store: bool) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    csp = {part.split()[0]: part.split()[1:] for part in headers["content-security-policy"].split("; ")}
    assert csp["frame-ancestors"] == ["'none'"] and csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and "'unsafe-inline'" not in csp["style-src"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert (headers.get("cache-control") == "no-store") is no_store


def test_every_response_carries_the_security_headers(site: tuple[TestClient, Keys, ApiSettings]) -> None:
    client, keys, _ = site
    for path in ("/ui/login", "/ui/verify", "/health", "/openapi.json", "/no/such/path", "/ui/no/such/page"):
        _assert_security_headers(client.get(path), no_store=True)
    _sign_in(client, keys.auditor)
    for path in ("/ui/auditor", "/ui/auditor?start=0001-01-01", f"/firms/{FIRM}/balance"):
        _assert_security_headers(client.get(path, headers=keys.of("auditor")), no_store=True)
    _assert_security_headers(client.get("/static/app.css"), no_store=False)


def test_pages_hold_no_inline_script_or_style(site: tuple[TestClient, Keys, ApiSettings]) -> None:
    client, keys, _ = site
    _sign_in(client, keys.auditor)
    for path in ("/ui/login", "/ui/verify", "/ui/auditor"):
        text = client.get(path).text
        assert " style=" not in text
        assert all('type="application/json"' in tag or "src=" in tag for tag in re.findall(r"<script[^>]*>", text))
