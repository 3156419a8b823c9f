"""Lazy access to the certificate contract: nothing connects until an endpoint needs the chain.

Before a client is built, :func:`~greenproof.api.usecases.chain_probe.probe_chain` checks the
settings against the node, so a wrong setting is reported as such (:class:`ChainMisconfiguredError`)
and an unreachable node in one sentence (:class:`ChainUnavailableError`).
"""

from __future__ import annotations

from collections.abc import Callable

from web3.exceptions import Web3Exception

from greenproof.contracts.client import ChainClient
from greenproof.contracts.errors import ChainError

from .chain_probe import check_address, check_private_key, probe_chain
from .errors import ChainUnavailableError
from .settings import ApiSettings

__all__ = ["ChainGateway", "chain_head", "chain_id_of"]


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
