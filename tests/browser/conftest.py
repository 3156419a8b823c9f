"""Fixtures of the browser tests: a seeded park on Anvil + SQLite, the real server, and Debian chromium.

One park day (2025-06-02, park time) is solved, traced and anchored on a contract of its own on
the session's Anvil node (so no other test sees its state), then one retirement is made through
the JSON API, the same path the exporter's form takes. uvicorn serves the app on a free loopback
port in a thread; Playwright drives Debian's ``chromium`` (never a downloaded browser).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from dashboard_site import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DAY_END,
    DAY_START,
    FIRM,
    FIRM_HELD,
    OTHER_FIRM,
    SEEDED_SHIPMENT,
    Site,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from greenproof.contracts.anvil import Anvil


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the browser tests, with the reason, when no chromium binary is installed."""
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"chromium not found at {CHROMIUM} (scripts/setup installs Debian chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def site(anvil: Anvil, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    import uvicorn
    from eth_account import Account

    from greenproof.api import ApiSettings, KeyStore, Role, create_app
    from greenproof.api.usecases.firm_accounts import register_firm_account
    from greenproof.api.usecases.park_runs import issue_pending, run_attribution
    from greenproof.contracts.client import ChainClient

    workdir = tmp_path_factory.mktemp("dashboard")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    issuer = anvil.private_keys[0]
    client = ChainClient.deploy(anvil.rpc_url, issuer)
    database_url = f"sqlite:///{workdir / 'ledger.sqlite'}"
    settings = ApiSettings(database_url=database_url, key_file=workdir / "keys.json", chain_rpc_url=anvil.rpc_url,
                           contract_address=client.address, issuer_key=issuer, public_base_url=base_url,
                           public_rate_limit="1000/minute", public_verify_rate_limit="1000/minute")  # one address
    app = create_app(settings)
    state = app.state.greenproof
    wallet = Account.create()  # the firm-held account's wallet: the server gets its address only
    register_firm_account(state.session_factory, issuer, FIRM_HELD, wallet.address)
    run_attribution(state.session_factory, issuer, DAY_START, DAY_END, simulated_meters=True)
    issue_pending(state.session_factory, state.chain.client())
    store = KeyStore(settings.key_file)
    keys = {"operator": store.create(Role.PARK_OPERATOR)[1], "firm": store.create(Role.FIRM, firm_code=FIRM)[1],
            "other_firm": store.create(Role.FIRM, firm_code=OTHER_FIRM)[1], "auditor": store.create(Role.AUDITOR)[1],
            "exporter": store.create(Role.EXPORTER, firm_code=FIRM)[1],
            "held_exporter": store.create(Role.EXPORTER, firm_code=FIRM_HELD)[1]}
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="dashboard-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the dashboard server did not start on {base_url}")
        time.sleep(0.05)
    try:
        seeded = Site(base_url, keys, client, database_url, {})
        response = seeded.api("POST", "/exporter/retirements", keys["exporter"], json={
            "shipment": {"shipment_id": SEEDED_SHIPMENT, "product": "green methanol", "quantity": 20.0,
                         "quantity_unit": "t", "destination": "Rotterdam", "embedded_electricity_mwh": 1.5},
            "consumption_start": DAY_START.isoformat(), "consumption_end": DAY_END.isoformat()})
        assert response.status_code == 201, response.text
        yield Site(base_url, keys, client, database_url, response.json(), wallet.key.to_0x_hex())
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Any]:
    """Return a factory of pages in fresh browser contexts (own cookies), closed after the test."""
    contexts = []

    def make(width: int = 1280, height: int = 900, locale: str = "en-US") -> Page:
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors  # type: ignore[attr-defined]
        return page

    yield make
    for context in contexts:
        context.close()
