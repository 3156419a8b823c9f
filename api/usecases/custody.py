"""Custodial certificate accounts: the demo default, whose keys the registry derives and can sign with.

Every firm (and plant operator) is registered with a custodial EVM account whose key is derived
from the issuer key and the account code, ``keccak256("greenproof-custody/1" ‖ issuer key ‖ code)``:
nothing but the issuer key needs safekeeping and each firm's certificates sit at an address of
its own that anyone can check on-chain — but **the park can move and retire them**, since it can
derive the key. That is the demo's default, shown as such wherever an account is shown
(``firms.key_custody = "custodial"``).

Contract v2 lets a firm hold its own key instead: the park registers an address of the firm's
wallet (:mod:`greenproof.api.usecases.firm_accounts`, ``key_custody = "firm"``), certificates are
allocated to it, and only the firm's EIP-712 signature retires them; the park relays the signed
authorisation and pays the gas (:mod:`greenproof.api.usecases.firm_signed_retirement`). For a
custodial account the firm's derived key sends its own retirement transactions, after the issuer
tops its gas balance up (:func:`ensure_gas`).
"""

from __future__ import annotations

from eth_account import Account
from eth_utils import keccak
from web3.exceptions import Web3Exception

from greenproof.contracts.client import ChainClient
from greenproof.contracts.errors import ChainError

from .errors import ChainUnavailableError

__all__ = ["GAS_TOP_UP_WEI", "custodial_address", "custodial_key", "ensure_gas"]

_DOMAIN = b"greenproof-custody/1"
#: Balance kept on a custodial account for gas (0.1 ether; a retirement costs well under 1e6 gas).
GAS_TOP_UP_WEI = 10**17


def custodial_key(issuer_key: str, account_code: str) -> str:
    """Return the ``0x`` hex private key of the custodial account ``account_code`` (a firm or plant code).

    Raises
    ------
    ChainUnavailableError
        If the issuer key is not hex (``GREENPROOF_ISSUER_KEY`` misconfigured).
    """
    if not account_code:
        raise ValueError("account code must be a non-empty string")
    try:
        secret = bytes.fromhex(issuer_key.removeprefix("0x"))
    except ValueError as exc:
        raise ChainUnavailableError("the issuer key (GREENPROOF_ISSUER_KEY) is not a hex private key") from exc
    return "0x" + keccak(_DOMAIN + secret + account_code.encode("utf-8")).hex()


def custodial_address(issuer_key: str, account_code: str) -> str:
    """Return the checksummed address of the custodial account ``account_code``."""
    return str(Account.from_key(custodial_key(issuer_key, account_code)).address)


def ensure_gas(client: ChainClient, address: str, issuer_key: str, minimum_wei: int = GAS_TOP_UP_WEI // 2) -> None:
    """Send ``GAS_TOP_UP_WEI`` from the issuer to ``address`` if its balance is below ``minimum_wei``.

    Raises
    ------
    ChainError
        If the balance cannot be read or the transfer fails (names the address).
    """
    web3 = client.web3
    try:
        if web3.eth.get_balance(address) >= minimum_wei:  # type: ignore[arg-type]
            return
        sender = Account.from_key(issuer_key)
        tx = {"to": address, "value": GAS_TOP_UP_WEI, "gas": 21_000, "gasPrice": web3.eth.gas_price,
              "nonce": web3.eth.get_transaction_count(sender.address, "pending"), "chainId": web3.eth.chain_id}
        signed = sender.sign_transaction(tx)
        receipt = web3.eth.wait_for_transaction_receipt(web3.eth.send_raw_transaction(signed.raw_transaction))
    except (Web3Exception, ValueError, OSError) as exc:
        raise ChainError(f"topping up gas of {address} from the issuer failed: {exc}") from exc
    if receipt["status"] != 1:
        raise ChainError(f"gas top-up of {address} reverted in tx 0x{bytes(receipt['transactionHash']).hex()}")
