"""Lazy access to the certificate contract: nothing connects until an endpoint needs the chain.

:func:`chain_reads` keeps, per connected client, the reads that repeat across requests: the chain
id, and every batch registered at least :data:`FINALITY_BLOCKS` below the head (the contract
registers a batch once and never changes it, so a final registration can be served from memory).

Before a client is built, :func:`~greenproof.api.usecases.chain_probe.probe_chain` checks the
settings against the node, so a wrong setting is reported as such (:class:`ChainMisconfiguredError`)
and an unreachable node in one sentence (:class:`ChainUnavailableError`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from weakref import WeakKeyDictionary

from web3.exceptions import Web3Exception

from greenproof.contracts.client import AnchoredBatch, ChainClient
from greenproof.contracts.errors import ChainError

from .chain_probe import check_address, check_private_key, probe_chain
from .errors import ChainUnavailableError
from .settings import ApiSettings

__all__ = ["FINALITY_BLOCKS", "ChainGateway", "ChainReads", "chain_head", "chain_id_of", "chain_reads"]

#: Blocks a batch registration must lie below the head before its answer is kept (safe against reorganisations).
FINALITY_BLOCKS = 12
#: Registered batches kept per client (least recently used dropped).
_CACHED_BATCHES = 4096


def _read(client: ChainClient, what: str, action: Callable[[], int]) -> int:
    try:
        return int(action())
    except (Web3Exception, OSError, ValueError) as exc:
        raise ChainError(f"cannot read {what} from {client.rpc_url}: {exc}") from exc


def chain_id_of(client: ChainClient) -> int:
    """Return the chain id of the node ``client`` talks to.

    Raises
    ------
    ChainError
        If the node cannot be reached (names its URL).
    """
    return _read(client, "the chain id", lambda: client.web3.eth.chain_id)


def chain_head(client: ChainClient) -> int:
    """Return the number of the newest block.

    Raises
    ------
    ChainError
        If the node cannot be reached (names its URL).
    """
    return _read(client, "the newest block number", lambda: client.web3.eth.block_number)


class ChainReads:
    """Reads of one client's chain, the repeating ones cached (see the module docstring); thread-safe.

    Parameters
    ----------
    client : ChainClient
        The connected client.
    """

    def __init__(self, client: ChainClient) -> None:
        self.client = client
        self._chain_id: int | None = None
        self._batches: OrderedDict[bytes, AnchoredBatch] = OrderedDict()
        self._lock = threading.Lock()

    def chain_id(self) -> int:
        """Return the chain id (read once)."""
        if self._chain_id is None:
            self._chain_id = chain_id_of(self.client)
        return self._chain_id

    def head(self) -> int:
        """Return the number of the newest block (never cached)."""
        return chain_head(self.client)

    def batch(self, batch_id: bytes, head: int) -> AnchoredBatch | None:
        """Return the registered batch ``batch_id`` or ``None``; kept once its block is final below ``head``."""
        with self._lock:
            if batch_id in self._batches:
                self._batches.move_to_end(batch_id)
                return self._batches[batch_id]
        found = self.client.batch(batch_id)
        if found is not None and head - found.block_number >= FINALITY_BLOCKS:
            with self._lock:
                self._batches[batch_id] = found
                while len(self._batches) > _CACHED_BATCHES:
                    self._batches.popitem(last=False)
        return found


_READS: WeakKeyDictionary[ChainClient, ChainReads] = WeakKeyDictionary()
_READS_LOCK = threading.Lock()


def chain_reads(client: ChainClient) -> ChainReads:
    """Return the cached reads of ``client`` (one per client object: an app's gateway keeps one client)."""
    with _READS_LOCK:
        reads = _READS.get(client)
        if reads is None:
            reads = _READS[client] = ChainReads(client)
        return reads


class ChainGateway:
    """Connects to the configured chain on first use and keeps the client.

    Parameters
    ----------
    settings : ApiSettings
        ``chain_rpc_url``, ``contract_address`` and ``issuer_key`` are read from it.
    """

    def __init__(self, settings: ApiSettings) -> None:
        self._settings = settings
        self._client: ChainClient | None = None

    @property
    def configured(self) -> bool:
        """Whether an RPC URL and a contract address are set."""
        return bool(self._settings.chain_rpc_url and self._settings.contract_address)

    def client(self) -> ChainClient:
        """Return the client signing as the issuer (connected on the first call).

        Raises
        ------
        ChainUnavailableError
            If no chain or issuer key is configured, or the node cannot be reached.
        """
        if self._client is None:
            self._endpoint()
            self._client = self.client_for(self.issuer_key())
        return self._client

    def client_for(self, sender_key: str) -> ChainClient:
        """Return a new client that signs with ``sender_key`` (hex private key).

        Raises
        ------
        ChainMisconfiguredError
            If the URL, address or key is malformed, the node runs another chain id than the
            settings name, or holds no contract at the address.
        ChainUnavailableError
            If no chain is configured or the node cannot be reached.
        """
        rpc_url, address = self._endpoint()
        probe_chain(rpc_url, address, self._settings.chain_id)
        try:
            return ChainClient.connect(rpc_url, address, check_private_key(sender_key, "sender key"))
        except ChainError as exc:
            raise ChainUnavailableError(f"cannot use the chain at {rpc_url}: {exc}") from exc

    def issuer_key(self) -> str:
        """Return the issuer's private key (hex).

        Raises
        ------
        ChainUnavailableError
            If no issuer key is set.
        ChainMisconfiguredError
            If it is not a 32-byte hex key.
        """
        if self._settings.issuer_key is None:
            raise ChainUnavailableError("no issuer key configured: set GREENPROOF_ISSUER_KEY, or start a local "
                                        "chain with `greenproof chain up`")
        return check_private_key(self._settings.issuer_key.get_secret_value())

    def _endpoint(self) -> tuple[str, str]:
        rpc_url, address = self._settings.chain_rpc_url, self._settings.contract_address
        if not rpc_url or not address:
            raise ChainUnavailableError(
                "no chain configured: set GREENPROOF_CHAIN_RPC_URL and GREENPROOF_CONTRACT_ADDRESS, or start a "
                "local chain with `greenproof chain up`")
        return rpc_url, check_address(address)
