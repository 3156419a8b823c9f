"""``greenproof serve --workers N``: N uvicorn worker processes serve the app; rate limits count per worker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in found.read_text().split()] if found.exists() else []


def test_serve_runs_the_requested_workers_with_their_own_rate_limits(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {**os.environ, "GREENPROOF_KEY_FILE": str(tmp_path / "keys.json"),
           "GREENPROOF_PUBLIC_RATE_LIMIT": "1/minute"}
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen([str(Path(sys.executable).parent / "greenproof"), "serve", "--port", str(port),
                                "--workers", "2", "--database-url", f"sqlite:///{tmp_path / 'ledger.sqlite'}"],
                               cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300  # each worker imports the whole app; slow on a loaded machine
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(base_url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.3)
        while len(_workers(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert len(_workers(process.pid)) == 2
        assert (tmp_path / "ledger.sqlite").exists()  # the --database-url reached the workers (and the migration)
        # 1 request a minute per client, counted by each worker apart: over fresh connections (which the
        # kernel spreads over the workers as it likes) the client gets at most one answer per worker.
        answers = [httpx.get(base_url + "/public/records/0x" + "ab" * 32, headers={"Connection": "close"},
                             timeout=60).status_code for _ in range(20)]
        assert 1 <= sum(code != 429 for code in answers) <= 2, answers
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _workers(pid: int) -> list[int]:
    """The uvicorn worker processes under ``pid`` (spawned by multiprocessing; its resource tracker aside)."""
    found = []
    for child in _children(pid):
        try:
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
        except OSError:
            pass
    return found
