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
from typing import Any

import httpx

from greenproof.api import KeyStore, Role
from greenproof.api.usecases.park_setup import register_park
from greenproof.ledger.database import make_engine, make_session_factory, upgrade

FIRM = "GH2"
OTHER_FIRM = "STL"
HEX64 = "0x" + "ab" * 32
ADDRESS = "0x" + "cd" * 20
SHIPMENT = {"shipment_id": "BL-1", "product": "green methanol", "quantity": 20, "quantity_unit": "t",
            "destination": "Rotterdam", "embedded_electricity_mwh": 1.5}
#: Issuer key of the tests without a chain (the custodial addresses derive from it).
ISSUER_KEY = "0x" + "42" * 32


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


def schema_valid_record(**changes: Any) -> dict[str, Any]:
    """A provenance record that satisfies the published schema (its hashes need not verify), as a dict.

    ``changes`` set fields by dotted path, list indexes as numbers: ``{"lines.0.block_number": 8}``.
    """
    leaf = {"plant_code": "H2", "plant_index": 2, "position": 5, "interval_start_s": 1_748_793_600,
            "interval_s": 900, "holder": ADDRESS, "amount_wh": 1000, "token_id": "12345", "leaf_hash": HEX64}
    cap = {"plant_code": "H2", "interval_start_s": 1_748_793_600, "interval_s": 900, "cap_wh": 5000,
           "token_id": "12345", "leaf_hash": HEX64}
    line = {"line": 0, "claim_ref": HEX64, "batch_id": HEX64, "root": HEX64, "discharge_root": HEX64, "leaf": leaf,
            "proof": [HEX64], "cap": cap, "amount_wh": 1000, "tx_hash": HEX64, "block_number": 7}
    claim = {"firm_code": FIRM, "holder": ADDRESS, "beneficiary": "Buyer BV", "purpose": "export",
             "consumption_start_s": 1_748_793_600, "consumption_end_s": 1_748_880_000,
             "shipment": dict(SHIPMENT), "chain_id": 31337, "contract": ADDRESS, "nonce": "0" * 32}
    record = {"format": "greenproof-provenance/1", "claim_ref": HEX64, "claim": claim, "retired_wh": 1000,
              "lines": [line], "verify_url": "https://verify.example.org/public/verify/" + HEX64}
    for path, value in changes.items():
        *parents, last = path.split(".")
        target: Any = record
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[last] = value
    return record


@contextmanager
def served(workdir: Path, env: dict[str, str] | None = None, timeout_s: float = 180.0) -> Iterator[str]:
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


def register_the_park(database_url: str) -> None:
    """Migrate the ledger at ``database_url`` and register the Binhai park's plants and firms in it."""
    engine = make_engine(database_url)
    upgrade(engine)
    with make_session_factory(engine)() as session:
        register_park(session, ISSUER_KEY)
        session.commit()
    engine.dispose()
