"""The chain a ledger belongs to: recorded at first use, checked before every run that writes to it.

A ledger's rows point into one contract on one chain. If the node is reset (its state lost) and the
contract deployed again, it lands at the same address and nothing else tells the two apart: a run
would carry on against a chain that has never seen the ledger's batches. The genesis block's hash
names the chain (a reset node starts another one), and the hash of the contract's runtime code
names the contract (another version at the address changes it). Both are recorded with the chain
id and address the first time a run writes to the chain, and compared on every later run.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .chain_port import CertificateChain
from .database import locked_scope
from .errors import ChainIdentityError
from .models import ChainBindingRow

__all__ = ["CHAIN_BINDING_LOCK", "check_chain_binding"]

#: Lock name under which the first run records the binding.
CHAIN_BINDING_LOCK = "chain-binding"


def check_chain_binding(factory: sessionmaker[Session], chain: CertificateChain) -> None:
    """Record the chain's identity at first use; refuse a chain or contract other than the recorded one.

    Raises
    ------
    ChainIdentityError
        If the genesis block hash, the contract address, the chain id or the contract's code hash
        differs from the recorded one (the message says which, and what to do).
    """
    seen = (chain.chain_id, chain.address, chain.genesis_hash(), chain.code_hash())
    with locked_scope(factory, CHAIN_BINDING_LOCK) as session:
        row = session.scalars(select(ChainBindingRow).order_by(ChainBindingRow.id)).first()
        if row is None:
            session.add(ChainBindingRow(chain_id=seen[0], contract_address=seen[1], genesis_hash=seen[2],
                                        code_hash=seen[3]))
            return
        recorded = (row.chain_id, row.contract_address, row.genesis_hash, row.code_hash)
        names = ("chain id", "contract address", "genesis block hash", "contract code hash")
        differ = [f"{name} {now} (recorded {then})" for name, now, then in zip(names, seen, recorded, strict=True)
                  if now != then]
        if differ:
            raise ChainIdentityError(
                f"this ledger belongs to another chain than the node's: {'; '.join(differ)}, recorded "
                f"{row.recorded_at:%Y-%m-%d %H:%M} UTC. The node was reset or replaced: restore its state "
                "(`greenproof chain up` continues greenproof-data/chain/state.json) or point the settings at the "
                "recorded chain; to start over on this chain, use a new ledger database")
