"""``greenproof chain up|status|down``: a local chain that survives down/up, and one-line refusals (exit 3).

Each test runs in its own folder (``greenproof-data/`` is relative to the working directory) on a
free port, and stops whatever node it started.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from greenproof.api.cli import EXIT_UNAVAILABLE, app
from greenproof.api.usecases.chain_probe import rpc_call

pytestmark = pytest.mark.chain
runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """Work in ``tmp_path`` with the default settings file, on a free port (yielded); the chain is stopped after."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GREENPROOF_SETTINGS_FILE")
    port = _free_port()
    monkeypatch.setenv("GREENPROOF_CHAIN_PORT", str(port))
    yield port
    runner.invoke(app, ["chain", "down"])


def _pid_file(folder: Path, pid: int, port: int) -> Path:
    """Write the local chain's pid file as ``chain up`` does, naming ``pid``; return its path."""
    node = folder / "greenproof-data" / "chain" / "node.json"
    node.parent.mkdir(parents=True)
    node.write_text(json.dumps({"pid": pid, "port": port, "rpc_url": f"http://127.0.0.1:{port}"}))
    return node


def _one_line(output: str) -> str:
    (line,) = [x for x in output.splitlines() if x.startswith("unavailable:")]
    assert "Traceback" not in output
    return line


def test_chain_down_then_up_continues_the_same_chain(here: int, tmp_path: Path) -> None:
    up = runner.invoke(app, ["chain", "up"])
    assert up.exit_code == 0, up.output
    assert f"chain 31337 up at http://127.0.0.1:{here}" in up.output
    settings = json.loads((tmp_path / "greenproof-data" / "settings.json").read_text())
    assert settings["chain_rpc_url"] == f"http://127.0.0.1:{here}" and settings["chain_id"] == 31337
    contract = settings["contract_address"]
    assert f"contract {contract} deployed" in up.output
    assert "plants registered on-chain: BESS, GX1, GX2, H1, H2, H3, PV147" in up.output
    assert oct((tmp_path / "greenproof-data" / "settings.json").stat().st_mode & 0o777) == "0o600"  # issuer key
    blocks = int(rpc_call(settings["chain_rpc_url"], "eth_blockNumber"), 16)
    status = runner.invoke(app, ["chain", "status"])
    assert status.exit_code == 0 and f"contract {contract}" in status.output

    down = runner.invoke(app, ["chain", "down"])
    assert down.exit_code == 0 and "stopped the local chain" in down.output
    stopped = runner.invoke(app, ["chain", "status"])
    assert stopped.exit_code == EXIT_UNAVAILABLE
    assert "no local chain runs here" in _one_line(stopped.output)

    again = runner.invoke(app, ["chain", "up"])
    assert again.exit_code == 0, again.output
    assert f"contract {contract} already deployed; plants registered on-chain: none new" in again.output
    assert int(rpc_call(settings["chain_rpc_url"], "eth_blockNumber"), 16) == blocks  # the same chain, continued


def test_stale_pid_file_is_reported_then_cleared(here: int, tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    node = _pid_file(tmp_path, gone.pid, here)
    status = runner.invoke(app, ["chain", "status"])
    assert status.exit_code == EXIT_UNAVAILABLE
    assert f"names pid {gone.pid}, which is gone (stale pid file)" in _one_line(status.output)
    down = runner.invoke(app, ["chain", "down"])
    assert down.exit_code == 0 and "removed the stale pid file" in down.output
    assert not node.exists()


def test_port_in_use_is_refused_in_one_line(here: int) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", here))
        squatter.listen()
        result = runner.invoke(app, ["chain", "up"])
    assert result.exit_code == EXIT_UNAVAILABLE
    assert _one_line(result.output) == (f"unavailable: port {here} on 127.0.0.1 is taken by another process; stop it, "
                                        "or choose another port with --port or GREENPROOF_CHAIN_PORT")


def test_node_that_does_not_answer_is_reported_and_stopped(here: int, tmp_path: Path) -> None:
    # A live process the pid file names (its command line says anvil) that answers nothing on the port.
    silent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "anvil-stand-in"])
    try:
        _pid_file(tmp_path, silent.pid, here)
        status = runner.invoke(app, ["chain", "status"])
        assert status.exit_code == EXIT_UNAVAILABLE
        assert f"(pid {silent.pid}) does not answer on http://127.0.0.1:{here}" in _one_line(status.output)
        up = runner.invoke(app, ["chain", "up"])
        assert up.exit_code == EXIT_UNAVAILABLE
        assert "runs but does not answer" in _one_line(up.output)
        down = runner.invoke(app, ["chain", "down"])
        assert down.exit_code == 0 and f"stopped the local chain (pid {silent.pid})" in down.output
        assert silent.wait(timeout=10) is not None
    finally:
        if silent.poll() is None:
            silent.kill()


def _block_time_s(rpc_url: str) -> int:
    block = rpc_call(rpc_url, "eth_getBlockByNumber", ["latest", False])
    return int(block["timestamp"], 16)  # type: ignore[index]


def test_clock_start_dates_a_new_chain_and_a_continued_chain_keeps_its_clock(here: int, tmp_path: Path) -> None:
    clock_start_s = 1_750_525_200  # 2025-06-21T17:00:00Z (date -u -d 2025-06-21T17:00Z +%s)
    up = runner.invoke(app, ["chain", "up", "--clock-start", "2025-06-21T17:00Z"])
    assert up.exit_code == 0, up.output
    rpc_url = f"http://127.0.0.1:{here}"
    dated = _block_time_s(rpc_url)
    assert clock_start_s <= dated < clock_start_s + 600  # deployed and registered within minutes of the start

    refused = runner.invoke(app, ["chain", "up", "--clock-start", "2030-01-01T00:00Z"])
    assert refused.exit_code == 2
    assert "already exists and keeps its own clock" in refused.output and "Traceback" not in refused.output

    assert runner.invoke(app, ["chain", "down"]).exit_code == 0
    again = runner.invoke(app, ["chain", "up"])
    assert again.exit_code == 0, again.output
    rpc_call(rpc_url, "evm_mine")
    assert dated <= _block_time_s(rpc_url) < clock_start_s + 600  # not today's date: the chain's own clock


def test_clock_start_must_be_an_instant_with_an_offset(here: int) -> None:
    result = runner.invoke(app, ["chain", "up", "--clock-start", "2025-06-21T17:00"])
    assert result.exit_code == 2 and "has no UTC offset" in result.output
    assert not Path("greenproof-data/chain/node.json").exists()
