"""Shared helpers of the API tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from greenproof.api import KeyStore, Role

FIRM = "GH2"
OTHER_FIRM = "STL"


@dataclass(frozen=True)
class Keys:
    """Clear API keys, one per role; ``firm`` and ``exporter`` are bound to :data:`FIRM`."""

    operator: str
    firm: str
    other_firm: str
    auditor: str
    exporter: str

    def of(self, role: str | None) -> dict[str, str]:
        """Return the Authorization header of the key of ``role`` (no header for None)."""
        return {} if role is None else {"Authorization": f"Bearer {getattr(self, role)}"}


def make_keys(key_file: Path) -> Keys:
    store = KeyStore(key_file)
    return Keys(
        operator=store.create(Role.PARK_OPERATOR)[1],
        firm=store.create(Role.FIRM, firm_code=FIRM)[1],
        other_firm=store.create(Role.FIRM, firm_code=OTHER_FIRM)[1],
        auditor=store.create(Role.AUDITOR)[1],
        exporter=store.create(Role.EXPORTER, firm_code=FIRM)[1],
    )


@contextmanager
def served(workdir: Path, env: dict[str, str] | None = None, timeout_s: float = 90.0) -> Iterator[str]:
    """Run ``greenproof serve`` as a subprocess on a free loopback port; yield its base URL, stop it after.

    The database and key file live in ``workdir``; ``env`` adds ``GREENPROOF_*`` settings.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    base_url = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "GREENPROOF_DATABASE_URL": f"sqlite:///{workdir / 'ledger.sqlite'}",
                   "GREENPROOF_KEY_FILE": str(workdir / "keys.json"), **(env or {})}
    log = (workdir / "serve.log").open("wb")
    process = subprocess.Popen([str(Path(sys.executable).parent / "greenproof"), "serve", "--port", str(port)],
                               env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"greenproof serve exited with {process.returncode}: "
                                   f"{(workdir / 'serve.log').read_text()[-2000:]}")
            try:
                if httpx.get(base_url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"greenproof serve did not answer /health on {base_url} in {timeout_s} s")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
