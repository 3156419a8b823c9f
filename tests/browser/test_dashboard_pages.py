"""The dashboard in a real browser (Debian chromium via Playwright) against the real server, Anvil and SQLite.

Numbers on the pages are checked against values the test derives on its own: energy sums read
straight from the database with SQL, Kirchhoff's current law at transit buses of the grid model,
displayed proofs folded by the contract itself for the leaf's fields read from the database.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from typing import Any

import pytest
from dashboard_site import FIRM, OTHER_FIRM, SEEDED_SHIPMENT, Site, screenshot, sign_in

from greenproof.contracts.records import LeafRef
from greenproof.ledger.leaf_file import LeafFile

pytestmark = [pytest.mark.browser, pytest.mark.chain]


def _db_share(site: Site, firm: str | None = None) -> float:
    """Renewable share from the stored per-interval results: Σ renewable Wh / Σ consumption Wh."""
    path = site.database_url.removeprefix("sqlite:///")
    where, args = ("WHERE firm_code = ?", (firm,)) if firm else ("", ())
    with sqlite3.connect(path) as db:
        renewable, consumed = db.execute(
            f"SELECT SUM(renewable_wh), SUM(consumption_wh) FROM firm_interval_results {where}", args).fetchone()
    return renewable / consumed


def _percent(text: str) -> float:
    return float(re.search(r"([0-9.]+)\s*%", text).group(1))  # type: ignore[union-attr]


def test_sign_in_lands_on_the_page_of_the_role(site: Site, new_page: Any) -> None:
    for role, landing in (("operator", "/ui/park"), ("auditor", "/ui/auditor"), ("exporter", "/ui/exporter"),
                          ("firm", f"/ui/firms/{FIRM}")):
        page = new_page()
        sign_in(page, site, role)
        assert page.url.endswith(landing), (role, page.url)
    page = new_page()
    page.goto(site.base_url + "/ui/login")
    page.fill("#api_key", "gp_000000000000_not-a-key")
    page.click("#main button[type=submit]")
    assert page.locator(".alert.error").is_visible()
    page.goto(site.base_url + "/ui/park")
    assert "/ui/login" in page.url  # no session: back to the sign-in page


def test_park_overview_shows_flows_sankey_and_firms(site: Site, new_page: Any) -> None:
    page = new_page()
    sign_in(page, site, "operator")
    page.goto(site.base_url + "/ui/park?start=2025-06-02&end=2025-06-02&at=2025-06-02T12:00&scope=day")
    page.wait_for_selector("#share-chart[data-rendered] canvas")
    page.wait_for_selector("#sankey-chart[data-rendered] canvas")
    assert page.js_errors == []
    # Park share against the stored results, summed here with SQL (rounded to 0.1 % on the page).
    assert _percent(page.inner_text("#kpi-share")) == pytest.approx(100 * _db_share(site), abs=0.051)
    firms = page.inner_text("#firm-table")
    for name in ("Binhai Green Hydrogen Co.", "CNOOC Binhai LNG terminal", "Yancheng Port Steel Products Co."):
        assert name in firms
    branches = page.eval_on_selector_all("#grid-diagram g.branch", """els => els.map(e => ({
        from: +e.dataset.from, to: +e.dataset.to, mw: +e.dataset.mw, loss: +e.dataset.loss,
        arrow: e.querySelector('polyline').hasAttribute('marker-mid')}))""")
    assert len(branches) == 29  # 15 lines + 8 trafos + 2 three-winding trafos × 3 windings
    assert any(b["arrow"] and b["mw"] > 100 for b in branches)
    # Kirchhoff at buses without devices (from the grid model, not the page): what arrives = what leaves.
    from greenproof.grids import binhai

    net = binhai.build_park()
    with_devices = {int(b) for table in ("sgen", "gen", "load", "storage", "shunt", "ext_grid") for b in net[table].bus}
    balance: defaultdict[int, float] = defaultdict(float)
    for b in branches:
        balance[b["from"]] -= b["mw"]
        balance[b["to"]] += b["mw"] - b["loss"]
    transit = [bus for bus in balance if bus not in with_devices and bus not in (22, 23)]
    assert len(transit) >= 5
    for bus in transit:
        assert balance[bus] == pytest.approx(0.0, abs=0.01), bus
    sankey = json.loads(page.inner_text("#chart-data"))["sankey"]
    assert {link["target"].split()[0] for link in sankey["links"]} >= {"GH2", "LNG", "IDC"}
    screenshot(page, "park-overview")


def test_firm_page_shows_share_matching_and_claims_with_proof(site: Site, new_page: Any) -> None:
    page = new_page()
    sign_in(page, site, "firm")
    page.goto(site.base_url + f"/ui/firms/{FIRM}?start=2025-06-02&end=2025-06-02")
    page.wait_for_selector("#share-chart[data-rendered] canvas")
    page.wait_for_selector("#matching-chart[data-rendered] canvas")
    assert "Binhai Green Hydrogen Co." in page.inner_text("h1")
    assert _percent(page.inner_text("#kpi-share")) == pytest.approx(100 * _db_share(site, FIRM), abs=0.051)
    assert _percent(page.inner_text("#kpi-matching")) > 0
    screenshot(page, "firm")
    claimed_before = float(page.inner_text("#kpi-claimed").split()[-2].replace(",", ""))
    claim = page.locator("form[action$='/claims']").first
    leaf_hash = claim.locator("input[name=leaf_hash]").get_attribute("value")
    claim.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".alert.ok").is_visible()
    # The chain, read directly, now holds the claimed leaf in the firm's account.
    with sqlite3.connect(site.database_url.removeprefix("sqlite:///")) as db:
        holder, token_id, amount_wh = db.execute(
            "SELECT holder_address, token_id, amount_wh FROM allocation_leaves WHERE leaf_hash = ?",
            (leaf_hash,)).fetchone()
    assert site.client.balance_of(holder, int(token_id)) == amount_wh
    claimed_after = float(page.inner_text("#kpi-claimed").split()[-2].replace(",", ""))
    assert claimed_after - claimed_before == pytest.approx(amount_wh / 1e6, abs=1e-3)


def test_a_firm_cannot_open_another_firms_page(site: Site, new_page: Any) -> None:
    page = new_page()
    sign_in(page, site, "firm")
    response = page.goto(site.base_url + f"/ui/firms/{OTHER_FIRM}")
    assert response is not None and response.status == 403
    assert f"may not open the pages of firm {OTHER_FIRM}" in page.inner_text("#error")
    assert "Yancheng Port Steel" not in page.content()


def test_auditor_finds_a_certificate_and_verifies_it_on_chain(site: Site, new_page: Any) -> None:
    page = new_page()
    sign_in(page, site, "auditor")
    page.select_option("#certificate-search select[name=firm]", FIRM)
    page.fill("#certificate-search input[name=plant]", "H2")
    page.click("#certificate-search button")
    assert int(re.search(r"\d+", page.inner_text("#result-count")).group()) > 0  # type: ignore[union-attr]
    page.click("text=Evidence >> nth=0")
    assert "Evidence bundle" in page.inner_text("h1")
    page.click("#verify-button")
    assert "Verified" in page.inner_text("#verdict")
    steps = page.locator("#proof-path code").all_inner_texts()
    leaf_hash, proof, chain_root = steps[0], steps[1:-2], steps[-1]
    assert len(proof) >= 3
    # the displayed proof, folded by the contract itself for the leaf's fields, reaches the stored commitment
    batch_id = page.inner_text("#batch-id")
    path = site.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        holder, amount_wh = db.execute("SELECT holder_address, amount_wh FROM allocation_leaves WHERE leaf_hash = ?",
                                       (leaf_hash,)).fetchone()
    published = site.api("GET", f"/auditor/batches/{batch_id}/leaf-file", site.keys["auditor"])
    file = LeafFile.from_bytes(published.content)
    leaf = next(x for x in file.allocation_leaves if "0x" + x.hash.hex() == leaf_hash)
    assert (leaf.holder, leaf.amount_wh) == (holder, amount_wh)
    assert site.client.verify_leaf(file.header, holder, LeafRef(file.position(leaf), amount_wh),
                                   [bytes.fromhex(p[2:]) for p in proof])
    anchored = site.client.batch(bytes.fromhex(batch_id[2:]))  # read from the chain itself
    assert "0x" + anchored.root.hex() == chain_root
    assert re.fullmatch(r"0x[0-9a-f]{64}", page.inner_text("#anchor-tx"))
    screenshot(page, "auditor-verify")


def test_auditor_statement_lists_the_retirement_and_downloads_a_pdf(site: Site, new_page: Any) -> None:
    page = new_page()
    sign_in(page, site, "auditor")
    page.select_option("#statement-form select[name=firm]", FIRM)
    page.click("#statement-form button")
    assert SEEDED_SHIPMENT in page.inner_text("main")
    assert page.inner_text("#statement-total").startswith(f"{site.record['retired_wh'] / 1e6:,.3f}")
    with page.expect_download() as download:
        page.click("text=Download PDF")
    assert download.value.path().read_bytes().startswith(b"%PDF-")


def test_exporter_retires_against_a_shipment_and_the_record_verifies(site: Site, new_page: Any) -> None:
    page = new_page()
    sign_in(page, site, "exporter")
    assert SEEDED_SHIPMENT in page.inner_text("#record-table")
    form = page.locator("#retire-form")
    for name, value in (("shipment_id", "BL-UI-0002"), ("product", "green ammonia"), ("quantity", "5"),
                        ("destination", "Hamburg"), ("embedded_mwh", "0.75"), ("start", "2025-06-02"),
                        ("end", "2025-06-02")):
        form.locator(f"input[name={name}]").fill(value)
    form.locator("button").click()
    page.wait_for_url(re.compile(r"/ui/exporter/records/0x[0-9a-f]{64}$"), timeout=120_000)
    assert page.inner_text("#record-retired").startswith("0.750 MWh")
    assert page.locator("img.qr").evaluate("img => img.naturalWidth") > 0
    screenshot(page, "exporter-record")
    with page.expect_download() as download:
        page.click("a[href$='/pdf']")
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    claim_ref = page.inner_text("#claim-ref")
    public = new_page()  # the buyer: no account
    public.goto(site.base_url + f"/ui/verify/{claim_ref}")
    assert "Verified" in public.inner_text("#verdict")
    assert all("pass" in row for row in public.locator("#checks li").all_inner_texts())
    screenshot(public, "public-verify")


def test_public_verify_rejects_a_tampered_record(site: Site, new_page: Any) -> None:
    tampered = json.loads(json.dumps(site.record))
    tampered["claim"]["shipment"]["embedded_electricity_mwh"] = 150.0  # claim 100× what was retired
    page = new_page()
    page.goto(site.base_url + "/ui/verify")
    page.fill("#record_json", json.dumps(site.record))
    page.click("#verify-form button")
    assert "Verified" in page.inner_text("#verdict")
    page.fill("#record_json", json.dumps(tampered))
    page.click("#verify-form button")
    assert "Rejected" in page.inner_text("#verdict")
    failed = [row for row in page.locator("#checks li.bad").all_inner_texts()]
    assert any(row.startswith("Claim content") and "altered" in row for row in failed)
    screenshot(page, "public-verify-rejected")


def test_pages_fit_a_phone_screen_and_speak_chinese(site: Site, new_page: Any) -> None:
    page = new_page(width=390, height=844, locale="zh-CN")
    sign_in(page, site, "operator")
    page.goto(site.base_url + "/ui/park?start=2025-06-02&end=2025-06-02&scope=interval")
    page.wait_for_selector("#share-chart[data-rendered] canvas")
    assert page.inner_text("h1") == "园区总览"
    # Wide content (tables, the grid diagram) scrolls inside its own box; the page itself does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "park-phone-zh")
    page.click("button[name=lang][value=en]")
    assert page.inner_text("h1") == "Park overview"


def test_keyboard_reaches_the_sign_in_form(site: Site, new_page: Any) -> None:
    page = new_page()
    page.goto(site.base_url + "/ui/login")
    order = []
    for _ in range(15):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.className || "
                                   "document.activeElement.tagName"))
        if order[-1] == "api_key":
            break
    assert order[0] == "skip" and order[-1] == "api_key", order  # skip link first, then header, then the form
    page.keyboard.type(site.keys["auditor"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/ui/auditor$"))
    assert page.locator("label:has-text('Token id') input").count() == 1  # inputs carry labels


def test_the_grid_interval_is_the_one_asked_for(site: Site, new_page: Any) -> None:
    """The diagram's interval is the requested park-time quarter-hour (UTC+8 → UTC)."""
    page = new_page()
    sign_in(page, site, "operator")
    page.goto(site.base_url + "/ui/park?start=2025-06-02&end=2025-06-02&at=2025-06-02T03:07&scope=interval")
    assert "2025-06-02 03:00" in (page.text_content("#grid-title") or "")
    assert "2025-06-02 03:00" in page.inner_text("h2:has-text('Power flows')")


PHONE = {"width": 390, "height": 844}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_public_verify_page_fits_a_phone_and_explains_each_check_in_chinese(site: Site, new_page: Any) -> None:
    page = new_page(locale="zh-CN", **PHONE)
    page.goto(site.base_url + f"/public/verify/{site.record['claim_ref']}")  # the QR code's URL, as a phone opens it
    assert "/ui/verify/" in page.url
    assert page.inner_text("#verdict").startswith("✔")
    _no_sideways_scroll(page)
    checks = page.locator("#checks li")
    assert checks.count() == 6
    for i in range(checks.count()):
        name = checks.nth(i).locator(".check-name")
        box = name.bounding_box()
        line_height = float(name.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
        assert box is not None and box["height"] < 1.6 * line_height, name.inner_text()  # one line, not 1 char/line
        detail = checks.nth(i).locator(".check-detail")
        assert CJK.search(detail.inner_text()), detail.inner_text()
        assert detail.evaluate("e => e.scrollWidth <= e.clientWidth")  # nothing clipped
    assert "the claim content" not in page.inner_text("#checks")
    screenshot(page, "public-verify-phone-zh")


def test_record_page_fits_a_phone(site: Site, new_page: Any) -> None:
    page = new_page(**PHONE)
    sign_in(page, site, "exporter")
    page.goto(site.base_url + f"/ui/exporter/records/{site.record['claim_ref']}")
    assert site.record["verify_url"] in page.inner_text("main")
    _no_sideways_scroll(page)
    screenshot(page, "record-phone")


def test_a_refused_retirement_keeps_the_form_and_explains_in_chinese(site: Site, new_page: Any) -> None:
    page = new_page(locale="zh-CN", **PHONE)
    sign_in(page, site, "exporter")
    form = page.locator("#retire-form")
    typed = {"shipment_id": "BL-TOO-MUCH", "product": "绿色甲醇", "quantity": "5000", "destination": "鹿特丹",
             "embedded_mwh": "10000", "start": "2025-06-02", "end": "2025-06-02"}
    for name, value in typed.items():
        form.locator(f"input[name={name}]").fill(value)
    form.locator("button").click()
    page.wait_for_selector("#retire-error")
    message = page.inner_text("#retire-error")
    # 10,000 MWh asked; the period is the park day 2025-06-02 00:00 .. 2025-06-03 00:00 (UTC+8).
    assert "10,000.000 MWh" in message and "2025-06-02 00:00" in message and "2025-06-03 00:00" in message
    assert CJK.search(message) and "Wh " not in message.replace("MWh ", "")
    for name, value in typed.items():
        assert page.locator(f"#retire-form input[name={name}]").input_value() == value
    assert page.inner_text(".who").startswith("出口商")  # still under the signed-in header
    _no_sideways_scroll(page)


def test_grid_diagram_speaks_the_page_language_and_hides_star_points(site: Site, new_page: Any) -> None:
    page = new_page(locale="zh-CN")
    sign_in(page, site, "operator")
    page.goto(site.base_url + "/ui/park?start=2025-06-02&end=2025-06-02&at=2025-06-02T12:00&scope=interval")
    labels = page.locator("#grid-diagram text").all_text_contents()
    assert "-1" not in labels and "-2" not in labels
    assert any(label.startswith("电网 ") for label in labels)
    assert not any(label.startswith("grid ") for label in labels)


def test_pages_obey_the_content_security_policy(site: Site, new_page: Any) -> None:
    page = new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in(page, site, "operator")
    page.goto(site.base_url + "/ui/park?start=2025-06-02&end=2025-06-02")
    page.wait_for_selector("#share-chart[data-rendered] canvas")
    page.goto(site.base_url + f"/ui/verify/{site.record['claim_ref']}")
    assert violations == [] and page.js_errors == []


def test_api_docs_render_without_any_other_site(site: Site, new_page: Any) -> None:
    page = new_page()
    foreign: list[str] = []

    def only_this_server(route: Any) -> None:
        if route.request.url.startswith(site.base_url):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.goto(site.base_url + "/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() >= 25
    assert foreign == []
