"""``greenproof`` as a subprocess with a firm-held key: set the account, prepare, sign elsewhere, submit.

The firm's key is made here; the park's commands get it only through ``--signer-key-file`` (the
firm running the CLI itself) or not at all (``--prepare-only`` then ``--signature``: the
signatures are made here with ``eth_account`` from the written documents, as a wallet would).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from eth_account import Account

from greenproof.contracts.anvil import Anvil
from greenproof.contracts.client import ChainClient

pytestmark = [pytest.mark.chain, pytest.mark.integration]

PERIOD = ["2025-06-21T02:00Z", "2025-06-21T06:00Z"]


def _shipment(shipment_id: str) -> list[str]:
    return ["--shipment-id", shipment_id, "--product", "green ammonia", "--quantity", "2", "--unit", "t",
            "--destination", "Hamburg", "--embedded-mwh", "0.5"]


def test_cli_retires_a_firm_held_account_only_with_the_firms_signature(
        tmp_path: Path, anvil: Anvil, fresh_chain: ChainClient) -> None:
    env = {**os.environ, "GREENPROOF_CHAIN_RPC_URL": anvil.rpc_url, "GREENPROOF_CONTRACT_ADDRESS": fresh_chain.address,
           "GREENPROOF_ISSUER_KEY": anvil.private_keys[0],
           "GREENPROOF_DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.sqlite'}", "COLUMNS": "250"}

    def greenproof(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(Path(sys.executable).parent / "greenproof"), *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300, check=False)

    wallet = Account.create()
    moved = greenproof("firms", "set-account", "gh2", wallet.address)
    assert moved.returncode == 0, moved.stderr
    assert f"firm GH2: certificate account {wallet.address} (firm-held key" in moved.stdout
    assert greenproof("attribute", *PERIOD, "--simulated-meters").returncode == 0
    assert greenproof("issue").returncode == 0

    custodial = greenproof("retire", "GH2", *PERIOD, *_shipment("BL-K0"))
    assert custodial.returncode == 2 and "only its signature retires its certificates" in custodial.stderr

    prepared = greenproof("retire", "GH2", *PERIOD, *_shipment("BL-K1"), "--prepare-only",
                          "--authorisations", "auth.json")
    assert prepared.returncode == 0, prepared.stderr
    (document,) = json.loads((tmp_path / "auth.json").read_text())["authorisations"]
    assert document["primaryType"] == "RetireLeaves" and document["message"]["holder"] == wallet.address
    signature = wallet.sign_typed_data(full_message=document).signature.to_0x_hex()
    other = greenproof("retire", "GH2", *PERIOD, *_shipment("BL-OTHER"), "--signature", signature,
                       "--authorisations", "auth.json")
    assert other.returncode == 2 and "prepares another retirement" in other.stderr
    submitted = greenproof("retire", "GH2", *PERIOD, *_shipment("BL-K1"), "--signature", signature,
                           "--authorisations", "auth.json", "--out", "k1.json")
    assert submitted.returncode == 0, submitted.stderr
    assert json.loads((tmp_path / "k1.json").read_text())["claim"]["holder"] == wallet.address

    (tmp_path / "firm.key").write_text(wallet.key.to_0x_hex())
    signed_here = greenproof("retire", "GH2", *PERIOD, *_shipment("BL-K2"), "--signer-key-file", "firm.key",
                             "--out", "k2.json")
    assert signed_here.returncode == 0, signed_here.stderr
    assert greenproof("verify", "k2.json").returncode == 0
    retired = [e for e in fresh_chain.events() if e.name == "Retired" and e.args["holder"] == wallet.address]
    # BL-K1 took part of a leaf, whose rest the chain minted to the firm: BL-K2 retires it with one more
    # authorisation (Retire, of a minted balance) beside the batch's (RetireLeaves), both signed from the file.
    assert sum(sum(e.args["amountsWh"]) for e in retired) == 1_000_000
    assert fresh_chain.web3.eth.get_balance(wallet.address) == 0  # the park relayed both and paid the gas
