"""The exporter page of a firm that holds its own key: sign with a browser wallet, or paste signatures.

The wallet is an EIP-1193 ``window.ethereum`` injected into the page whose ``eth_signTypedData_v4``
hands the JSON string the page passes to ``eth_account`` (as a wallet extension signs it); the
key never reaches the server. The record page then shows one transaction per batch drawn on.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from dashboard_site import FIRM_HELD, Site, screenshot, sign_in
from eth_account import Account

pytestmark = [pytest.mark.browser, pytest.mark.chain]

_WALLET = """
window.ethereum = {
  request: async ({method, params}) => {
    if (method === "eth_requestAccounts") { return [window.greenproofWalletAddress]; }
    if (method === "eth_signTypedData_v4") { return await window.greenproofWalletSign(params[0], params[1]); }
    throw new Error("unsupported " + method);
  },
};
"""


def _fill_form(page: Any, shipment_id: str) -> None:
    form = page.locator("#retire-form")
    for name, value in {"shipment_id": shipment_id, "product": "servers", "quantity": "2", "quantity_unit": "pcs",
                        "destination": "Singapore", "embedded_mwh": "0.25",
                        "start": "2025-06-02", "end": "2025-06-02"}.items():  # the seeded park day
        form.locator(f"input[name={name}]").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#sign-form")


def _held_sign_in(page: Any, site: Site) -> None:
    sign_in(page, site, "held_exporter")
    page.goto(site.base_url + "/ui/exporter")
    wallet = Account.from_key(site.wallet_key)
    assert page.inner_text("#account").startswith("Certificate account:")
    assert wallet.address in page.inner_text("#account") and "firm-held key" in page.inner_text("#custody")
    assert page.inner_text("#status-clock").startswith("Statuses as of the chain's block time")


def test_a_firm_held_account_signs_in_the_browser_wallet(site: Site, new_page: Any) -> None:
    wallet = Account.from_key(site.wallet_key)
    page = new_page()
    signed: list[dict[str, Any]] = []

    def wallet_sign(address: str, document: str) -> str:
        assert address == wallet.address
        signed.append(json.loads(document))
        return wallet.sign_typed_data(full_message=json.loads(document)).signature.to_0x_hex()

    page.expose_function("greenproofWalletSign", wallet_sign)
    page.add_init_script(f"window.greenproofWalletAddress = {json.dumps(wallet.address)};" + _WALLET)
    _held_sign_in(page, site)
    _fill_form(page, f"BL-{FIRM_HELD}-WALLET")
    assert page.is_hidden("#wallet-missing")
    page.click("#wallet-sign")
    page.wait_for_function("document.getElementById('signature-0').value.startsWith('0x')")
    assert [d["primaryType"] for d in signed] == ["RetireLeaves"]
    screenshot(page, "exporter-sign-with-wallet")
    page.click("#sign-form button[type=submit]")
    page.wait_for_selector("#record-retired")
    assert page.inner_text("#record-retired").startswith("0.250 MWh")
    assert page.inner_text("#record-transactions").startswith("1 ")  # one batch: one transaction
    assert page.js_errors == []


def test_a_firm_held_account_pastes_signatures_without_a_wallet(site: Site, new_page: Any) -> None:
    wallet = Account.from_key(site.wallet_key)
    page = new_page()
    _held_sign_in(page, site)
    _fill_form(page, f"BL-{FIRM_HELD}-PASTE")
    assert page.is_visible("#wallet-missing") and page.is_hidden("#wallet-sign")
    documents = json.loads(page.text_content("#typed-data") or "[]")
    for index, document in enumerate(documents):  # signed elsewhere, pasted in
        page.fill(f"#signature-{index}", wallet.sign_typed_data(full_message=document).signature.to_0x_hex())
    page.click("#sign-form button[type=submit]")
    page.wait_for_selector("#record-retired")
    assert page.inner_text("#record-retired").startswith("0.250 MWh")
    assert page.js_errors == []


def test_a_signature_not_the_firms_is_refused_by_the_chain_on_the_page(site: Site, new_page: Any) -> None:
    page = new_page()
    _held_sign_in(page, site)
    _fill_form(page, f"BL-{FIRM_HELD}-FORGED")
    stranger = Account.create()  # anyone but the firm, the park included
    for index, document in enumerate(json.loads(page.text_content("#typed-data") or "[]")):
        page.fill(f"#signature-{index}", stranger.sign_typed_data(full_message=document).signature.to_0x_hex())
    page.click("#sign-form button[type=submit]")
    page.wait_for_selector("#sign-error")
    wallet = Account.from_key(site.wallet_key)
    assert f"GreenCertificateInvalidSignature('{wallet.address}')" in page.inner_text("#sign-error")


def test_a_firm_claims_the_whole_day_from_its_page(site: Site, new_page: Any) -> None:
    page = new_page()
    sign_in(page, site, "other_firm")
    page.goto(site.base_url + "/ui/firms/STL?start=2025-06-02&end=2025-06-02")
    assert page.locator("form[action$='/claims'] button").count() > 0  # single-leaf claims offered
    page.locator("#claim-day-form button").click()
    page.wait_for_selector("#day-claimed")
    assert page.locator("form[action$='/claims'] button").count() == 0  # every leaf of the day is claimed
    holder = page.inner_text("main code").strip()
    claims = [e for e in site.client.events() if e.name == "LeavesClaimed" and e.args["holder"] == holder]
    assert len(claims) == 1  # one batch: one transaction for the whole day
    assert page.js_errors == []
