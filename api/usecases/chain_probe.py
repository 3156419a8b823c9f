"""A first look at the configured chain over plain JSON-RPC (no web3): node, chain id, contract.

It runs before a chain client is built, so that every way the chain settings can be wrong ends
in one sentence naming the setting: a malformed URL, address or key, or a node of another chain
id, or no contract at the address (:class:`ChainMisconfiguredError`, the user's input), against
a node that does not answer (:class:`ChainUnavailableError`, the service).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from .errors import ChainMisconfiguredError, ChainUnavailableError

__all__ = ["check_address", "check_private_key", "is_evm_address", "node_chain_id", "probe_chain", "rpc_call"]

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_PRIVATE_KEY = re.compile(r"(0x)?[0-9a-fA-F]{64}")
#: Seconds a probe waits for the node.
_PROBE_TIMEOUT_S = 5.0


def is_evm_address(text: str) -> bool:
    """Whether ``text`` is an EVM address: ``0x`` and 40 hex digits (any case; the checksum is not checked)."""
    return _ADDRESS.fullmatch(text) is not None


def check_address(address: str, setting: str = "contract address") -> str:
    """Return ``address`` if it is an EVM address (``0x`` and 40 hex digits).

    Raises
    ------
    ChainMisconfiguredError
        Naming the setting and the value.
    """
    if not is_evm_address(address):
        raise ChainMisconfiguredError(f"{setting} {address!r} is not an EVM address (0x and 40 hex digits)")
    return address


def check_private_key(key: str, setting: str = "issuer key") -> str:
    """Return ``key`` if it is a 32-byte hex private key (the value itself is never quoted).

    Raises
    ------
    ChainMisconfiguredError
        Naming the setting.
    """
    if not _PRIVATE_KEY.fullmatch(key):
        raise ChainMisconfiguredError(f"{setting} is not a private key (64 hex digits, optionally after 0x)")
    return key


def rpc_call(rpc_url: str, method: str, params: list[Any] | None = None,
             timeout_s: float = _PROBE_TIMEOUT_S) -> Any:
    """Return the ``result`` of one JSON-RPC call.

    Raises
    ------
    ChainMisconfiguredError
        If ``rpc_url`` is not an http(s) URL.
    ChainUnavailableError
        If the node cannot be reached or does not answer JSON-RPC (the reason in a few words).
    """
    if urlsplit(rpc_url).scheme not in ("http", "https") or not urlsplit(rpc_url).netloc:
        raise ChainMisconfiguredError(f"chain RPC URL {rpc_url!r} is not an http(s) URL "
                                      "(e.g. http://127.0.0.1:8545)")
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(rpc_url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            answer = json.loads(response.read())
    except urllib.error.URLError as exc:
        reason = getattr(exc.reason, "strerror", None) or str(exc.reason)
        raise ChainUnavailableError(f"cannot reach the EVM node at {rpc_url}: {reason}") from exc
    except (OSError, ValueError) as exc:  # timeouts, resets, an answer that is not JSON
        raise ChainUnavailableError(f"the EVM node at {rpc_url} does not answer {method}: {exc}") from exc
    if not isinstance(answer, dict) or "result" not in answer:
        raise ChainUnavailableError(f"the EVM node at {rpc_url} answered {method} without a result: "
                                    f"{str(answer)[:200]}")
    return answer["result"]


def node_chain_id(rpc_url: str) -> int:
    """Return the chain id the node at ``rpc_url`` reports (``eth_chainId``)."""
    return int(str(rpc_call(rpc_url, "eth_chainId")), 16)


def probe_chain(rpc_url: str, contract_address: str, chain_id: int | None = None) -> int:
    """Check that the node answers, runs chain ``chain_id`` (if given) and holds code at ``contract_address``.

    Returns
    -------
    int
        The node's chain id.

    Raises
    ------
    ChainMisconfiguredError
        If the URL or address is malformed, the chain id differs, or no contract is at the address.
    ChainUnavailableError
        If the node cannot be reached.
    """
    check_address(contract_address)
    actual = node_chain_id(rpc_url)
    if chain_id is not None and actual != chain_id:
        raise ChainMisconfiguredError(f"the node at {rpc_url} runs chain {actual}, the settings name chain {chain_id}")
    if rpc_call(rpc_url, "eth_getCode", [contract_address, "latest"]) in ("0x", "0x0", None):
        raise ChainMisconfiguredError(f"no contract at {contract_address} on chain {actual} at {rpc_url}: the "
                                      "address is wrong, or the chain was reset (`greenproof chain up` deploys one)")
    return actual
