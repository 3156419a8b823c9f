"""Every dashboard failure is an HTML page under the signed-in header; the JSON API keeps its problem documents.

The routes are the issue's list of requests that answered 500 with raw JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from api_harness import FIRM, Keys, make_keys
from fastapi.testclient import TestClient

from greenproof.api import ApiSettings, create_app
from greenproof.api.usecases.park_setup import register_park
from greenproof.ledger.database import session_scope

SAME_ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Keys]]:
    workdir = tmp_path_factory.mktemp("pages")
    settings = ApiSettings(database_url=f"sqlite:///{workdir / 'ledger.sqlite'}", key_file=workdir / "keys.json",
                           public_verify_rate_limit="1000/minute")  # many sign-ins from one test client
    keys = make_keys(settings.key_file)
    app = create_app(settings)
    with session_scope(app.state.greenproof.session_factory) as session:
        register_park(session, "0x" + "11" * 32)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, keys


def _signed_in(site: tuple[TestClient, Keys], role: str, language: str = "en") -> TestClient:
    client, keys = site
    client.cookies.clear()
    client.headers["Accept-Language"] = language
    response = client.post("/ui/session", data={"api_key": getattr(keys, role)}, headers=SAME_ORIGIN,
                           follow_redirects=False)
    assert response.status_code == 303
    return client


def _assert_page(response: object, status: int, role_label: str | None) -> str:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    text: str = response.text  # type: ignore[attr-defined]
    assert '<section class="card narrow" id="error">' in text
    if role_label is not None:  # the signed-in header: the role and the sign-out button
        assert f'<span class="who">{role_label}' in text and 'action="/ui/logout"' in text
    return text


@pytest.mark.parametrize(("role", "label", "path"), [
    ("firm", "Firm", f"/ui/firms/{FIRM}?start=0001-01-01"),
    ("firm", "Firm", f"/ui/firms/{FIRM}?end=9999-12-31"),
    ("operator", "Park operator", "/ui/park?at=9999-12-31T23:00"),
    ("auditor", "Auditor", "/ui/auditor?start=0001-01-01"),
    ("auditor", "Auditor", f"/ui/auditor/statement?firm={FIRM}&end=9999-12-31"),
    ("auditor", "Auditor", f"/ui/firms/{FIRM}%00?start=2025-06-01"),
])
def test_out_of_range_dates_and_bad_codes_are_422_pages(site: tuple[TestClient, Keys], role: str, label: str,
                                                        path: str) -> None:
    text = _assert_page(_signed_in(site, role).get(path), 422, label)
    assert "2000-01-01 .. 2099-12-31" in text or "pattern" in text


def test_out_of_range_retirement_keeps_the_form_and_says_why(site: tuple[TestClient, Keys]) -> None:
    form = {"shipment_id": "BL-UI-9", "product": "green ammonia", "quantity": "5", "quantity_unit": "t",
            "destination": "Hamburg", "embedded_mwh": "0.75", "start": "0001-01-01", "end": "2025-06-02"}
    response = _signed_in(site, "exporter", "zh").post("/ui/exporter/retirements", data=form, headers=SAME_ORIGIN)
    assert response.status_code == 422 and response.headers["content-type"].startswith("text/html")
    assert re.search(r'id="retire-error">用电期起：超出 2000–2099 年范围<', response.text)
    for name, value in form.items():  # what was typed is still in the form
        assert re.search(rf'name="{name}"[^>]*value="{re.escape(value)}"', response.text), name


def test_unknown_ui_path_and_wrong_method_are_html_pages(site: tuple[TestClient, Keys]) -> None:
    client = _signed_in(site, "auditor")
    _assert_page(client.get("/ui/no/such/page"), 404, "Auditor")
    _assert_page(client.delete("/ui/auditor"), 405, "Auditor")
    api = client.get("/no/such/path")  # outside /ui: still a problem document
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


def test_a_bug_in_a_page_is_a_logged_500_page_without_details(site: tuple[TestClient, Keys],
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    from greenproof.api.web.pages import firm

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(firm, "hourly_matching", broken)
    text = _assert_page(_signed_in(site, "firm").get(f"/ui/firms/{FIRM}"), 500, "Firm")
    assert "secret internals" not in text
    assert any("secret internals" in str(record.exc_info) for record in caplog.records)


def test_an_empty_firm_page_shows_a_dash_for_hourly_matching(site: tuple[TestClient, Keys]) -> None:
    response = _signed_in(site, "firm").get(f"/ui/firms/{FIRM}?start=2025-06-02&end=2025-06-02")
    assert response.status_code == 200
    kpi = re.search(r'id="kpi-matching"><span class="kpi-label">[^<]*</span><span class="kpi-value">([^<]*)<',
                    response.text)
    assert kpi is not None and kpi.group(1) == "–"
