"""``greenproof chain``: a local chain for the park, as a managed background process (``up``, ``status``, ``down``)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..exit_codes import EXIT_UNAVAILABLE, exit_codes, fail
from ..local_node import DEFAULT_PORT, LocalNode, NodeState
from ..options import DatabaseOption, settings, utc
from ..output import console

__all__ = ["app"]

app = typer.Typer(help="Run a local chain for the park: Anvil in the background, its state kept in "
                       "greenproof-data/chain/.", no_args_is_help=True)

PortOption = Annotated[int, typer.Option(help="Port of the local chain on 127.0.0.1.", min=1, max=65535,
                                         envvar="GREENPROOF_CHAIN_PORT")]


ClockStartOption = Annotated[str | None, typer.Option(
    help="A new chain's clock: block time of its first block, ISO 8601 with offset (e.g. 2025-06-21T17:00Z); "
         "from there block time runs at real speed. The chain refuses batches of periods not yet ended and "
         "judges expiry by block time, so a story about a past day starts the clock just after that day.",
    show_default="the wall clock")]


@app.command("up")
def chain_up(port: PortOption = DEFAULT_PORT, clock_start: ClockStartOption = None,
             database_url: DatabaseOption = None) -> None:
    """Start the local chain (or continue it), deploy the contract once, register the park; write the settings file.

    Anvil (from the project's node_modules, or GREENPROOF_ANVIL) runs in the background with its
    state in greenproof-data/chain/state.json, so `chain down` then `chain up` continue the same
    chain. The park's plants and firms are registered in the ledger and the plants on-chain.
    greenproof-data/settings.json then holds the chain's URL, id, contract address and issuer
    key: every command reads it (GREENPROOF_* variables and options take precedence).
    --clock-start applies only to a new chain (a continued chain keeps its own clock).
    """
    from greenproof.contracts.anvil import find_anvil

    from ...usecases.app_state import AppState
    from ...usecases.park_chain import prepare_park_chain
    from ...usecases.settings import write_settings_file

    node = LocalNode()
    clock_start_s = None if clock_start is None else int(utc(clock_start, "--clock-start").timestamp())
    with exit_codes():
        running = node.start(find_anvil(), port, clock_start_s)
        issuer_key = node.issuer_key()
        known = settings(database_url=database_url)
        same_chain = known.chain_rpc_url == running.rpc_url and known.chain_id == running.chain_id
        state = AppState.start(known)
        try:
            park = prepare_park_chain(state.session_factory, str(running.rpc_url), issuer_key,
                                      known.contract_address if same_chain else None)
        finally:
            state.close()
        written = write_settings_file({"chain_rpc_url": running.rpc_url, "chain_id": running.chain_id,
                                       "contract_address": park.client.address, "issuer_key": issuer_key,
                                       "database_url": database_url})
    console.print(f"chain {running.chain_id} up at {running.rpc_url} (pid {running.pid}); "
                  f"state kept in {node.state_file}")
    console.print(f"contract {park.client.address} "
                  f"{'deployed' if park.deployed else 'already deployed'}; plants registered on-chain: "
                  f"{', '.join(sorted(park.plants_registered)) or 'none new'}")
    added = park.ledger_plants_added + park.ledger_firms_added
    console.print(f"ledger {known.database_url}: "
                  f"{'registered ' + ', '.join(sorted(added)) if added else 'park already registered'}")
    console.print(f"settings written to {written}; stop the chain with `greenproof chain down`")


@app.command("status")
def chain_status() -> None:
    """Say whether the local chain runs and answers, and which contract the settings name; exit 3 if it does not."""
    node = LocalNode()
    found = node.status()
    if found.state is NodeState.STOPPED:
        fail(EXIT_UNAVAILABLE, "no local chain runs here (greenproof-data/chain/node.json is absent); start it "
                               "with `greenproof chain up`")
    if found.state is NodeState.STALE:
        fail(EXIT_UNAVAILABLE, f"the local chain is not running: {node.pid_file} names pid {found.pid}, which is "
                               "gone (stale pid file); start it with `greenproof chain up`")
    if found.state is NodeState.SILENT:
        fail(EXIT_UNAVAILABLE, f"the local chain (pid {found.pid}) does not answer on {found.rpc_url}; restart it "
                               "with `greenproof chain down` and `greenproof chain up`")
    with exit_codes():
        contract = settings().contract_address
    console.print(f"chain {found.chain_id} running at {found.rpc_url} (pid {found.pid}); contract "
                  f"{contract or 'not deployed'}; state in {node.state_file}")


@app.command("down")
def chain_down() -> None:
    """Stop the local chain; its state is written to greenproof-data/chain/state.json for the next `chain up`."""
    node = LocalNode()
    found = node.stop()
    if found.state is NodeState.STOPPED:
        console.print("no local chain was running")
    elif found.state is NodeState.STALE:
        console.print(f"no local chain was running; removed the stale pid file (pid {found.pid} was gone)")
    else:
        console.print(f"stopped the local chain (pid {found.pid}); state kept in {node.state_file}")
