"""What the browser tests share: where chromium and screenshots are, the seeded day, the site, sign-in."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from playwright.sync_api import Page

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("GREENPROOF_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
#: The seeded day: 2025-06-02 00:00 to 2025-06-03 00:00 park time (UTC+8).
DAY_START = datetime(2025, 6, 1, 16, tzinfo=UTC)
DAY_END = DAY_START + timedelta(days=1)
FIRM, OTHER_FIRM = "GH2", "STL"
#: The firm whose account is firm-held (set before the seeded day is traced): its key is ``Site.wallet_key``.
FIRM_HELD = "IDC"
SEEDED_SHIPMENT = "BL-SEED-0001"


@dataclass(frozen=True)
class Site:
    """The running server and what was seeded into it."""

    base_url: str
    keys: dict[str, str]
    client: Any  # ChainClient of the park's contract (issuer)
    database_url: str
    record: dict[str, Any]
    wallet_key: str = ""  # the firm-held account's key, known to the tests only (the firm's wallet)

    def api(self, method: str, path: str, key: str, **kwargs: Any) -> httpx.Response:
        """Call the JSON API as ``key``."""
        return httpx.request(method, self.base_url + path, headers={"Authorization": f"Bearer {key}"},
                             timeout=120, **kwargs)


def sign_in(page: Page, site: Site, role: str) -> None:
    """Sign in through the login form, as a user does."""
    page.goto(site.base_url + "/ui/login")
    page.fill("#api_key", site.keys[role])
    page.press("#api_key", "Enter")
    page.wait_for_load_state("networkidle")


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
