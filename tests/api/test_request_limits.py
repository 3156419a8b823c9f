"""No request, authenticated or not, can crash the server or make it read more than the documented caps.

The attacker's bodies are written here byte by byte (no encoder of the app is used); the nesting
depth the app measures is compared with the depth of the value ``json`` decodes, counted here.
"""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from api_harness import Keys, make_keys, served
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from greenproof.api.http.request_limits import (
    ANONYMOUS_BODY_BYTES,
    INTERPRETER_RECURSION_LIMIT,
    MAX_BODY_BYTES,
    MAX_JSON_DEPTH,
    UPLOAD_BODY_BYTES,
    json_depth,
)
from greenproof.api.usecases.provenance_verify import MAX_RECORD_BYTES

DEEP = b"[" * 120_000 + b"]" * 120_000  # the body: C stack overflow in `json` before the fix


def _nested(depth: int) -> bytes:
    """A JSON object whose ``readings`` member nests ``depth`` levels in all (the object itself is one)."""
    return b'{"readings": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


def _depth(value: Any) -> int:
    """Nesting depth of a decoded JSON value, counted iteratively (the reference for :func:`json_depth`)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, list | dict):
            deepest = max(deepest, level)
            stack += [(child, level + 1) for child in (item.values() if isinstance(item, dict) else item)]
    return deepest


_JSON_TEXT = st.text(alphabet=st.sampled_from('[]{}"\\ab\n\u202e'), max_size=12)
_JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | _JSON_TEXT,
                            lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_TEXT, inner, max_size=4),
                            max_leaves=40)


@given(_JSON_VALUES)
def test_json_depth_matches_the_decoded_value(value: Any) -> None:
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False, separators=(",", ":"))):
        assert json_depth(text.encode("utf-8")) == _depth(json.loads(text))


def test_brackets_inside_strings_and_escaped_quotes_do_not_count() -> None:
    assert json_depth(b'{"a": "[[[[\\"]]]]"}') == 1
    assert json_depth(b'["\\\\", [[1]]]') == 3  # the string ends after an escaped backslash
    assert json_depth(b'"[[[[') == 0  # an unterminated string hides the rest, as it does from a parser


def test_create_app_restores_the_interpreters_recursion_limit(client: TestClient) -> None:
    import py_ecc  # noqa: F401  (what raised it to 100,000 on import)

    assert sys.getrecursionlimit() == INTERPRETER_RECURSION_LIMIT


@pytest.mark.parametrize("path", ["/public/verify", "/park/attribution-runs", "/park/meter-readings",
                                  "/exporter/retirements", "/firms/GH2/claims"])
def test_deep_json_is_a_400_problem_on_every_json_route(client: TestClient, keys: Keys, path: str) -> None:
    for headers in ({}, keys.of("operator")):
        response = client.post(path, content=DEEP, headers={**headers, "content-type": "application/json"})
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert f"at most {MAX_JSON_DEPTH}" in response.json()["detail"]


def test_nesting_up_to_the_cap_reaches_validation(client: TestClient, keys: Keys) -> None:
    headers = {**keys.of("operator"), "content-type": "application/json"}
    at_cap = client.post("/park/meter-readings", content=_nested(MAX_JSON_DEPTH), headers=headers)
    assert at_cap.status_code == 422 and at_cap.json()["errors"][0]["loc"][:2] == ["body", "readings"]
    deeper = client.post("/park/meter-readings", content=_nested(MAX_JSON_DEPTH + 1), headers=headers)
    assert deeper.status_code == 400


def test_invalid_utf8_is_a_documented_400(client: TestClient) -> None:
    response = client.post("/public/verify", content=b'{"format": "\xff\xfe"}',
                           headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "not UTF-8" in response.json()["detail"]
    documented = client.get("/openapi.json").json()["paths"]["/public/verify"]["post"]["responses"]
    assert {"400", "413"} <= set(documented)


def test_every_operation_with_a_body_documents_400_and_413(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    with_body = [(path, method, op) for path, ops in paths.items() for method, op in ops.items() if "requestBody" in op]
    assert len(with_body) >= 6
    for path, method, operation in with_body:
        assert {"400", "413"} <= set(operation["responses"]), (method, path)


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


def test_bodies_over_the_cap_are_413_declared_or_chunked(client: TestClient) -> None:
    declared = client.post("/park/attribution-runs", content=b" " * (MAX_BODY_BYTES + 1))
    chunked = client.post("/park/attribution-runs", content=_chunks(MAX_BODY_BYTES + 1))  # no Content-Length
    for response in (declared, chunked):
        assert response.status_code == 413
        assert f"{MAX_BODY_BYTES}-byte cap" in response.json()["detail"]
    record = client.post("/public/verify", content=_chunks(MAX_RECORD_BYTES + 1),
                         headers={"content-type": "application/json"})
    assert record.status_code == 413


def test_only_a_valid_key_may_send_more_than_the_anonymous_cap(client: TestClient, keys: Keys) -> None:
    body = b'{"readings": []}' + b" " * ANONYMOUS_BODY_BYTES  # valid JSON just over the anonymous cap
    json_type = {"content-type": "application/json"}
    for headers in (json_type, {**json_type, "Authorization": "Bearer gp_000000000000_forged"}):
        response = client.post("/park/meter-readings", content=body, headers=headers)
        assert response.status_code == 413
        assert "without a valid API key" in response.json()["detail"]
    response = client.post("/park/meter-readings", content=body, headers={**json_type, **keys.of("operator")})
    assert response.status_code == 422  # read, parsed, and refused by the schema: an empty list of readings
    response = client.post("/park/meter-readings", content=b" " * (UPLOAD_BODY_BYTES + 1), headers=keys.of("operator"))
    assert response.status_code == 413


def _raw_request(base_url: str, head: bytes, timeout_s: float = 10) -> bytes:
    """Send ``head`` (request line and headers) on a raw socket, no body; return what the server answers."""
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout_s) as sock:
        sock.sendall(head)
        return sock.recv(65536)


@pytest.mark.slow
def test_a_served_process_survives_the_attacks_and_answers_health(tmp_path: Path) -> None:
    make_keys(tmp_path / "keys.json")
    with served(tmp_path) as base_url:
        for path in ("/public/verify", "/park/attribution-runs"):
            response = httpx.post(base_url + path, content=DEEP, headers={"content-type": "application/json"},
                                  timeout=30)
            assert response.status_code == 400, response.text
        # A declared 100 MB body is refused before a byte of it is sent.
        answer = _raw_request(base_url, b"POST /public/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                                        b"\r\nContent-Length: 100000000\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
        chunked = httpx.post(base_url + "/public/verify", content=_chunks(12 * 1024 * 1024), timeout=30,
                             headers={"content-type": "application/json"})
        assert chunked.status_code == 413
        health = httpx.get(base_url + "/health", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok"
