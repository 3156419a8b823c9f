"""The local chain of ``greenproof chain up``: Anvil as a managed background process that keeps its state.

Files, under ``greenproof-data/chain/`` (relative to the working directory):

- ``node.json``: pid, port and RPC URL of the running node (removed by ``chain down``);
- ``state.json``: the chain's state, Anvil's ``--state`` file: loaded at start, written on exit
  (``chain down`` stops the node with SIGTERM, which Anvil answers by writing it) and every
  :data:`STATE_INTERVAL_S` seconds, so ``chain down`` + ``chain up`` continue the same chain;
- ``accounts.json``: Anvil's ``--config-out`` (dev accounts and keys; the first is the issuer);
- ``anvil.log``: the node's output;
- ``clock.json``: the clock start of a chain started with one.

A new chain's clock starts at the wall clock, or at ``clock_start_s`` (Anvil ``--timestamp``:
the genesis block's time, from which block time runs at real speed). The contract judges expiry
and refuses batches of periods not yet ended by block time, so a story about a fixed past day
(the README's, ``demo --keep``) runs on a chain whose clock starts just after that day and holds
whatever today's date. A continued chain keeps its own clock: Anvil would date the next block
by the wall clock, so a chain with a clock start is set back to its last block's time on
``chain up`` (``evm_setTime``), the time it was down not counted.

The node listens on 127.0.0.1 only and runs in a session of its own, so it outlives the command
that started it. Every failure (binary missing, port taken, node not answering, stale pid file)
raises :class:`~greenproof.api.usecases.errors.ChainUnavailableError` with one sentence saying
what to do.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..usecases.data_folder import DATA_FOLDER
from ..usecases.errors import ChainUnavailableError, ClockStartError

__all__ = ["CHAIN_FOLDER", "DEFAULT_PORT", "LocalNode", "NodeState", "NodeStatus"]

#: Folder of the local chain's files.
CHAIN_FOLDER = DATA_FOLDER / "chain"
#: Port the local chain listens on unless told otherwise (Anvil's and most tools' default).
DEFAULT_PORT = 8545
#: Seconds between two writes of the state file while the node runs (bounds what a crash loses).
STATE_INTERVAL_S = 30
_START_TIMEOUT_S = 20.0
_STOP_TIMEOUT_S = 15.0
_POLL_S = 0.05


class NodeState(StrEnum):
    """What :meth:`LocalNode.status` found."""

    RUNNING = "running"  # the process lives and answers JSON-RPC
    SILENT = "silent"  # the process lives but does not answer
    STALE = "stale"  # a pid file names a process that is gone
    STOPPED = "stopped"  # no pid file


@dataclass(frozen=True)
class NodeStatus:
    """The local node as found: its state, pid, RPC URL and chain id (when it answers)."""

    state: NodeState
    pid: int | None = None
    rpc_url: str | None = None
    chain_id: int | None = None


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live Anvil process (on Linux its command line is checked, against pid reuse)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: not ours
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        try:
            return b"anvil" in cmdline.read_bytes()
        except OSError:
            return False
    return True


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass(frozen=True)
class LocalNode:
    """The local chain's files and process (module docstring); ``folder`` is ``greenproof-data/chain``."""

    folder: Path = CHAIN_FOLDER

    @property
    def pid_file(self) -> Path:
        """``node.json``: pid, port and RPC URL of the running node."""
        return self.folder / "node.json"

    @property
    def state_file(self) -> Path:
        """``state.json``: the chain's persisted state."""
        return self.folder / "state.json"

    @property
    def accounts_file(self) -> Path:
        """``accounts.json``: the dev accounts and their keys."""
        return self.folder / "accounts.json"

    @property
    def clock_file(self) -> Path:
        """``clock.json``: the clock start of a chain started with one."""
        return self.folder / "clock.json"

    @property
    def log_file(self) -> Path:
        """``anvil.log``: the node's output."""
        return self.folder / "anvil.log"

    def status(self) -> NodeStatus:
        """Return what runs: read the pid file, check the process and ask the node its chain id."""
        from ..usecases.chain_probe import node_chain_id  # urllib: imported when a command asks, not at start-up

        if not self.pid_file.exists():
            return NodeStatus(NodeState.STOPPED)
        try:
            recorded = json.loads(self.pid_file.read_text(encoding="utf-8"))
            pid, rpc_url = int(recorded["pid"]), str(recorded["rpc_url"])
        except (OSError, ValueError, KeyError, TypeError):
            return NodeStatus(NodeState.STALE)
        if not _alive(pid):
            return NodeStatus(NodeState.STALE, pid, rpc_url)
        try:
            return NodeStatus(NodeState.RUNNING, pid, rpc_url, node_chain_id(rpc_url))
        except ChainUnavailableError:
            return NodeStatus(NodeState.SILENT, pid, rpc_url)

    def issuer_key(self) -> str:
        """Return the private key of the first dev account (the contract's admin and issuer).

        Raises
        ------
        ChainUnavailableError
            If the accounts file is missing or malformed.
        """
        try:
            return str(json.loads(self.accounts_file.read_text(encoding="utf-8"))["private_keys"][0])
        except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            raise ChainUnavailableError(f"cannot read the issuer key from {self.accounts_file}: {exc}") from exc

    def start(self, anvil: Path, port: int = DEFAULT_PORT, clock_start_s: int | None = None) -> NodeStatus:
        """Start the node on ``port`` (continuing the saved state, if any) unless it already runs.

        A stale pid file is removed first. Returns the running node's status.

        Parameters
        ----------
        clock_start_s : int, optional
            Block time of a new chain's genesis block, UNIX s UTC (default: the wall clock).

        Raises
        ------
        ClockStartError
            If ``clock_start_s`` is given for a chain that already exists (running or saved).
        ChainUnavailableError
            If the node runs but does not answer, the port is taken by another process, or Anvil
            exits or stays silent (its last log line is quoted).
        """
        if clock_start_s is not None and (self.state_file.exists() or self.pid_file.exists()):
            raise ClockStartError(f"the local chain in {self.folder} already exists and keeps its own clock; "
                                  "--clock-start sets only a new chain's: run `greenproof chain down` and move "
                                  f"{self.folder} away to start a new chain")
        found = self.status()
        if found.state is NodeState.RUNNING:
            return found
        if found.state is NodeState.SILENT:
            raise ChainUnavailableError(f"the local chain (pid {found.pid}) runs but does not answer on "
                                        f"{found.rpc_url}; stop it with `greenproof chain down`, then start it again")
        self.pid_file.unlink(missing_ok=True)
        if _port_taken(port):
            raise ChainUnavailableError(f"port {port} on 127.0.0.1 is taken by another process; stop it, or choose "
                                        "another port with --port or GREENPROOF_CHAIN_PORT")
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [str(anvil), "--host", "127.0.0.1", "--port", str(port), "--state", str(self.state_file),
                   "--state-interval", str(STATE_INTERVAL_S), "--config-out", str(self.accounts_file)]
        if clock_start_s is not None:
            command += ["--timestamp", str(clock_start_s)]
        with self.log_file.open("ab") as log:
            try:
                process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                           start_new_session=True)
            except OSError as exc:
                raise ChainUnavailableError(f"cannot run anvil at {anvil}: {exc}") from exc
        rpc_url = f"http://127.0.0.1:{port}"
        chain_id = self._wait_until_answering(process, rpc_url)
        if clock_start_s is not None:
            self.clock_file.write_text(json.dumps({"clock_start_s": clock_start_s}), encoding="utf-8")
        elif self.clock_file.exists():
            self._resume_clock(rpc_url)
        self.pid_file.write_text(json.dumps({"pid": process.pid, "port": port, "rpc_url": rpc_url}), encoding="utf-8")
        return NodeStatus(NodeState.RUNNING, process.pid, rpc_url, chain_id)

    @staticmethod
    def _resume_clock(rpc_url: str) -> None:
        """Set the node's clock to its latest block's time (a continued chain's clock does not jump to today)."""
        from ..usecases.chain_probe import rpc_call

        latest = rpc_call(rpc_url, "eth_getBlockByNumber", ["latest", False])
        rpc_call(rpc_url, "evm_setTime", [int(latest["timestamp"], 16)])

    def _wait_until_answering(self, process: subprocess.Popen[bytes], rpc_url: str) -> int:
        from ..usecases.chain_probe import node_chain_id

        deadline = time.monotonic() + _START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise ChainUnavailableError(f"anvil exited with {process.returncode} before answering on {rpc_url}: "
                                            f"{self._last_log_line()}")
            try:
                return node_chain_id(rpc_url)
            except ChainUnavailableError:
                if time.monotonic() > deadline:
                    process.kill()
                    process.wait()
                    raise ChainUnavailableError(f"anvil did not answer on {rpc_url} within {_START_TIMEOUT_S:.0f} s; "
                                                f"see {self.log_file}") from None
                time.sleep(_POLL_S)

    def _last_log_line(self) -> str:
        lines = self.log_file.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return lines[-1] if lines else f"nothing in {self.log_file}"

    def stop(self) -> NodeStatus:
        """Stop the node (SIGTERM: Anvil writes its state and exits; SIGKILL after 15 s); remove the pid file.

        Returns the status found before stopping (``STOPPED`` or ``STALE``: nothing was running).
        """
        found = self.status()
        if found.pid is not None and found.state in (NodeState.RUNNING, NodeState.SILENT):
            os.kill(found.pid, signal.SIGTERM)
            deadline = time.monotonic() + _STOP_TIMEOUT_S
            while _alive(found.pid) and time.monotonic() < deadline:
                time.sleep(_POLL_S)
            if _alive(found.pid):
                os.killpg(found.pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return found
