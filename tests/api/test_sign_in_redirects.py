"""``next=`` and ``back=`` only ever send the browser to a path of this site.

The ``Location`` header is resolved here the way a browser's URL parser does (WHATWG URL
standard: leading and trailing C0 controls and spaces stripped, every TAB, CR and LF removed,
``\\`` read as ``/`` in http(s) URLs), not with the app's own code.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from api_harness import FIRM, Keys
from fastapi.testclient import TestClient

BASE = "http://testserver"
SAME_ORIGIN = {"Origin": BASE}

HOSTILE = [
    "//evil.example/phish", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\\/evil.example",
    "https://evil.example/", "http:evil.example", "javascript:alert(1)", "data:text/html,x",
    "/\t/evil.example/phish", "/\n/evil.example", "/\r/evil.example", " //evil.example", "\x01//evil.example",
    "/%09/evil.example/phish", "/%0a/evil.example", "/%0d%0aSet-Cookie:%20gp=1", "/%2F%2Fevil.example",
    "/%2f/evil.example", "/%5Cevil.example", "/%5C%5Cevil.example", "/%252F%252Fevil.example",
    "/%25252F%25252Fevil.example", "/%2509/evil.example", "/\u202e/elpmaxe.live", "/\u2028/evil.example",
    "/\x00/evil.example", "/ui/park\r\nSet-Cookie: gp=1", "evil.example", "",
]
KEPT = ["/ui/park", "/ui/firms/GH2?start=2025-06-02&end=2025-06-02", "/ui/verify/0x" + "ab" * 32]


def browser_target(location: str, base: str = BASE) -> str:
    """Resolve a ``Location`` header against ``base`` as a browser does (see the module docstring)."""
    cleaned = location.strip("".join(chr(c) for c in range(0x21)))
    cleaned = cleaned.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    return urljoin(base, cleaned)


def _same_site(location: str) -> bool:
    target = urlsplit(browser_target(location))
    return (target.scheme, target.netloc) == ("http", "testserver")


def test_the_resolver_sees_the_issues_redirect_as_foreign() -> None:
    # What the old code wrote raw: the browser drops the TAB and reads //evil.example.
    assert urlsplit(browser_target("/\t/evil.example/phish")).netloc == "evil.example"


@pytest.mark.parametrize("target", HOSTILE)
def test_sign_in_never_redirects_off_site(client: TestClient, keys: Keys, target: str) -> None:
    response = client.post("/ui/session", data={"api_key": keys.firm, "next": target}, headers=SAME_ORIGIN,
                           follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert _same_site(location), location
    assert browser_target(location) == f"{BASE}/ui/firms/{FIRM}"  # the role's landing page instead


@pytest.mark.parametrize("target", HOSTILE)
def test_language_toggle_and_sign_in_form_drop_hostile_targets(client: TestClient, target: str) -> None:
    response = client.post("/ui/language", data={"lang": "en", "next": target}, headers=SAME_ORIGIN,
                           follow_redirects=False)
    assert browser_target(response.headers["location"]) == f"{BASE}/"
    form = client.get("/ui/login", params={"next": target})
    assert form.status_code == 200
    assert 'name="next"' not in form.text.split('<main id="main"')[1]  # the sign-in form carries no target


@pytest.mark.parametrize("target", KEPT)
def test_paths_of_this_site_are_kept(client: TestClient, keys: Keys, target: str) -> None:
    response = client.post("/ui/session", data={"api_key": keys.firm, "next": target}, headers=SAME_ORIGIN,
                           follow_redirects=False)
    assert browser_target(response.headers["location"]) == BASE + target
