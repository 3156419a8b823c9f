"""Start and stop a local Anvil EVM node (npm ``@foundry-rs/anvil``) for tests, the demo and benchmarks.

The node listens on a free loopback port, mines a block per transaction, and funds its dev
accounts from Anvil's default mnemonic; their private keys are read back from ``--config-out``.
State lives in memory only: every :class:`Anvil` starts from genesis.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Self

from eth_utils import to_checksum_address

from .errors import ChainError

__all__ = ["Anvil", "find_anvil"]

_REPO_ROOT = Path(__file__).resolve().parents[1]
# The native binary first: the node wrapper in .bin/ adds a process layer and ~50 ms of start-up.
_REPO_CANDIDATES = ("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil", "node_modules/.bin/anvil")
_POLL_INTERVAL_S = 0.02
_STOP_TIMEOUT_S = 5.0
_START_ATTEMPTS = 3


def find_anvil(repo_root: Path | None = None) -> Path:
    """Return the Anvil executable.

    Looks at ``$GREENPROOF_ANVIL``, then the repository's ``node_modules`` (native platform binary,
    then the ``.bin/anvil`` wrapper), then ``PATH``.

    Raises
    ------
    ChainError
        If none is found.
    """
    configured = os.environ.get("GREENPROOF_ANVIL")
    if configured:
        if not Path(configured).is_file():
            raise ChainError(f"GREENPROOF_ANVIL={configured} is not a file")
        return Path(configured)
    root = repo_root or _REPO_ROOT
    for relative in _REPO_CANDIDATES:
        if (root / relative).is_file():
            return root / relative
    on_path = shutil.which("anvil")
    if on_path:
        return Path(on_path)
    raise ChainError(f"anvil not found under {root}/node_modules nor on PATH (run `npm ci` or set GREENPROOF_ANVIL)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _rpc(url: str, method: str, timeout_s: float = 2.0) -> object:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": []}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        return json.loads(response.read())["result"]


class Anvil:
    """A running Anvil node, as a context manager.

    Parameters
    ----------
    accounts : int
        Number of funded dev accounts (10 000 ETH each).
    gas_limit : int, optional
        Block gas limit; Anvil's default (30 M) when omitted.
    genesis_timestamp_s : int, optional
        Block time of the genesis block, UNIX s; later blocks follow the wall clock from there.
        Set it to run a chain at a fixed date (certificates expire and batches must have ended
        by block time); Anvil uses the current time when omitted.
    binary : Path, optional
        Executable to run; :func:`find_anvil` when omitted.
    startup_timeout_s : float
        How long to wait for the node to answer JSON-RPC.
    extra_args : sequence of str
        Further command-line options passed to Anvil as they are.

    Examples
    --------
    >>> with Anvil() as node:  # doctest: +SKIP
    ...     client = ChainClient.deploy(node.rpc_url, node.private_keys[0])
    """

    def __init__(
        self,
        *,
        accounts: int = 10,
        gas_limit: int | None = None,
        genesis_timestamp_s: int | None = None,
        binary: Path | None = None,
        startup_timeout_s: float = 15.0,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self._accounts = accounts
        self._gas_limit = gas_limit
        self._genesis_timestamp_s = genesis_timestamp_s
        self._binary = binary
        self._startup_timeout_s = startup_timeout_s
        self._extra_args = extra_args
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self.rpc_url = ""
        self.chain_id = 0
        self.private_keys: list[str] = []
        self.addresses: list[str] = []

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start the node and wait until it answers ``eth_chainId``.

        Raises
        ------
        ChainError
            If the binary is missing, exits early, or does not answer in time (its stderr is quoted).
        """
        if self._process is not None:
            raise ChainError(f"Anvil at {self.rpc_url} is already running")
        binary = self._binary or find_anvil()
        for attempt in range(_START_ATTEMPTS):  # another process may take the probed port before Anvil binds it
            self._workdir = tempfile.TemporaryDirectory(prefix="greenproof-anvil-")
            try:
                self._start_once(binary, Path(self._workdir.name))
            except ChainError:
                self.stop()
                if attempt == _START_ATTEMPTS - 1:
                    raise
            else:
                return

    def _start_once(self, binary: Path, workdir: Path) -> None:
        port = _free_port()
        config_out = workdir / "anvil.json"
        command = [str(binary), "--host", "127.0.0.1", "--port", str(port), "--silent",
                   "--accounts", str(self._accounts), "--config-out", str(config_out)]
        if self._gas_limit is not None:
            command += ["--gas-limit", str(self._gas_limit)]
        if self._genesis_timestamp_s is not None:
            command += ["--timestamp", str(self._genesis_timestamp_s)]
        command += list(self._extra_args)
        stderr_path = workdir / "stderr.log"
        with stderr_path.open("wb") as stderr:
            try:
                self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                                 stderr=stderr, start_new_session=True)
            except OSError as exc:
                raise ChainError(f"cannot run anvil at {binary}: {exc}") from exc
        self.rpc_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + self._startup_timeout_s
        while True:
            if self._process.poll() is not None:
                raise ChainError(f"anvil ({binary}) exited with {self._process.returncode} before answering "
                                 f"on {self.rpc_url}: {stderr_path.read_text(errors='replace').strip()}")
            try:
                self.chain_id = int(str(_rpc(self.rpc_url, "eth_chainId")), 16)
                break
            except (OSError, urllib.error.URLError, ValueError, KeyError):
                if time.monotonic() > deadline:
                    raise ChainError(f"anvil ({binary}) did not answer on {self.rpc_url} within "
                                     f"{self._startup_timeout_s} s: {stderr_path.read_text(errors='replace')}"
                                     ) from None
                time.sleep(_POLL_INTERVAL_S)
        config = json.loads(config_out.read_text())
        self.private_keys = list(config["private_keys"])
        self.addresses = [to_checksum_address(a) for a in config["available_accounts"]]

    def stop(self) -> None:
        """Stop the node (terminate, then kill after 5 s) and delete its working directory."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: the .bin wrapper's child goes too
                process.wait()
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None
