"""Prepare a chain for the park: deploy the certificate contract (once) and register the park on it.

Used by ``greenproof chain up`` and ``greenproof demo --keep`` on their local chain; the same steps
serve any node the issuer key can deploy to.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from greenproof.contracts.client import ChainClient
from greenproof.ledger.database import session_scope
from greenproof.ledger.issuance import register_plants_on_chain

from .chain_probe import rpc_call
from .park_setup import register_park

__all__ = ["ParkChain", "prepare_park_chain"]


@dataclass(frozen=True)
class ParkChain:
    """A chain ready for the park.

    Attributes
    ----------
    client : ChainClient
        Client of the contract, sending as the issuer.
    deployed : bool
        Whether this call deployed the contract (False: it was already there).
    plants_registered : tuple of str
        Plants registered on-chain by this call.
    ledger_plants_added, ledger_firms_added : tuple of str
        Plants and firms added to the ledger by this call.
    """

    client: ChainClient
    deployed: bool
    plants_registered: tuple[str, ...]
    ledger_plants_added: tuple[str, ...]
    ledger_firms_added: tuple[str, ...]


def prepare_park_chain(factory: sessionmaker[Session], rpc_url: str, issuer_key: str,
                       contract_address: str | None = None) -> ParkChain:
    """Deploy the contract unless ``contract_address`` holds one, then register the park in the ledger and on-chain.

    Idempotent: run again on the same chain and ledger, it deploys and registers nothing.

    Parameters
    ----------
    factory : sessionmaker
        Sessions of the (migrated) ledger.
    rpc_url : str
        JSON-RPC URL of the node.
    issuer_key : str
        Private key (hex) that deploys the contract (becoming its admin and issuer) and registers plants.
    contract_address : str, optional
        A contract deployed earlier (e.g. read from the settings file); deployed anew when the
        node holds no code there (a chain started afresh).

    Raises
    ------
    ChainError
        If the node refuses the deployment or a registration.
    """
    existing = contract_address and rpc_call(rpc_url, "eth_getCode", [contract_address, "latest"]) not in ("0x", None)
    client = (ChainClient.connect(rpc_url, contract_address, issuer_key) if existing and contract_address
              else ChainClient.deploy(rpc_url, issuer_key))
    with session_scope(factory) as session:
        added = register_park(session, issuer_key)
        registered = register_plants_on_chain(session, client)
    return ParkChain(client=client, deployed=not existing, plants_registered=tuple(registered),
                     ledger_plants_added=added.plants_added, ledger_firms_added=added.firms_added)
