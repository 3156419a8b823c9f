"""The ``greenproof`` command line: help for every command, key management, exit codes, and the demo."""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from greenproof.api import KeyStore, Role
from greenproof.api.cli import EXIT_BAD_INPUT, EXIT_MISMATCH, EXIT_UNAVAILABLE, app
from greenproof.api.usecases.chain_probe import rpc_call
from greenproof.contracts.anvil import Anvil
from greenproof.contracts.client import ChainClient
from greenproof.ledger.batches import load_leaf_file
from greenproof.ledger.database import make_engine, make_session_factory
from greenproof.ledger.models import IssuanceBatch

runner = CliRunner()
COMMANDS = ["demo", "simulate", "attribute", "issue", "verify", "audit", "retire", "reconcile", "serve", "keys",
            "trace"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_root_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output


def test_keys_create_list_revoke(tmp_path: Path) -> None:
    key_file = tmp_path / "keys.json"
    created = runner.invoke(app, ["keys", "create", "--role", "exporter", "--firm", "GH2", "--key-file", str(key_file)])
    assert created.exit_code == 0, created.output
    key = next(line for line in created.output.splitlines() if line.startswith("gp_"))
    principal = KeyStore(key_file).authenticate(key)
    assert (principal.role, principal.firm_code) == (Role.EXPORTER, "GH2")
    listed = runner.invoke(app, ["keys", "list", "--key-file", str(key_file)])
    assert principal.key_id in listed.output
    assert key.split("_")[2] not in listed.output
    assert runner.invoke(app, ["keys", "revoke", principal.key_id, "--key-file", str(key_file)]).exit_code == 0
    assert KeyStore(key_file).records() == []


def test_firm_key_without_firm_is_bad_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["keys", "create", "--role", "firm", "--key-file", str(tmp_path / "k.json")])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "--firm" in result.output


def test_naive_period_is_bad_input() -> None:
    result = runner.invoke(app, ["simulate", "2025-06-20T16:00", "2025-06-21T16:00Z"])
    assert result.exit_code == 2  # click's usage error, the same code as every bad input
    assert "UTC offset" in result.output


def test_off_grid_period_is_bad_input() -> None:
    result = runner.invoke(app, ["simulate", "2025-06-20T16:05Z", "2025-06-21T16:00Z"])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "15-minute grid" in result.output


def test_malformed_record_is_bad_input(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_text(json.dumps({"format": "something else"}))
    result = runner.invoke(app, ["verify", str(record)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "record.json is not a provenance record" in " ".join(result.output.split())


def test_issue_without_chain_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GREENPROOF_CHAIN_RPC_URL", "GREENPROOF_CONTRACT_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    result = runner.invoke(app, ["issue", "--database-url", f"sqlite:///{tmp_path / 'l.sqlite'}"])
    assert result.exit_code == EXIT_UNAVAILABLE
    assert "GREENPROOF_CHAIN_RPC_URL" in result.output


@pytest.mark.integration
@pytest.mark.chain
def test_demo_runs_end_to_end_and_keeps_a_chain_the_other_commands_use(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GREENPROOF_SETTINGS_FILE")  # the demo writes greenproof-data/settings.json
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        monkeypatch.setenv("GREENPROOF_CHAIN_PORT", str(probe.getsockname()[1]))
    try:
        result = runner.invoke(app, ["demo", "--keep"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        assert "VERIFIED" in result.output
        assert "FAILED" not in result.output
        for firm in ("GH2", "STL", "NMT", "WEQ", "IDC", "CCL", "CRN", "LNG"):  # every firm's share is printed
            assert f"│ {firm} " in result.output
        text = " ".join(result.output.split())
        # What the numbers are and where everything went, Wh with thousands separators.
        assert "110,000,000 Wh (110.000 MWh) retired on-chain" in text
        assert "A leaf is one line of the day's certificates" in text
        assert "tCO2: tonnes of CO2" in text
        assert "settings greenproof-data/settings.json (every command reads them)" in text
        artifacts = tmp_path / "greenproof-data" / "demo"
        record = json.loads((artifacts / "provenance-record.json").read_text())
        assert record["retired_wh"] == 110_000_000  # the demo shipment's 110 MWh
        (leaf_file,) = artifacts.glob("leaf-file-0x*.json")
        assert json.loads(leaf_file.read_text())["root"] == record["lines"][0]["root"]
        # The kept chain and ledger serve the other commands with no configuration.
        assert runner.invoke(app, ["verify", str(artifacts / "provenance-record.json")]).exit_code == 0
        assert runner.invoke(app, ["reconcile"]).exit_code == 0
        # The kept chain's clock started the hour after the demo day (21 June 2025, park time), not today: the
        # day's certificates stay valid on it whatever the date (2025-06-21T17:00Z = 1750525200, date -u +%s).
        settings = json.loads((tmp_path / "greenproof-data" / "settings.json").read_text())
        block = rpc_call(settings["chain_rpc_url"], "eth_getBlockByNumber", ["latest", False])
        assert 1_750_525_200 <= int(block["timestamp"], 16) < 1_750_525_200 + 3600
        refused = runner.invoke(app, ["demo", "--keep"])
        assert refused.exit_code == EXIT_BAD_INPUT
        assert "greenproof-data/ is not empty" in refused.output
    finally:
        runner.invoke(app, ["chain", "down"])


@pytest.mark.integration
@pytest.mark.chain
def test_cli_pipeline_exit_codes_on_anvil(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, anvil: Anvil,
                                          fresh_chain: ChainClient) -> None:
    monkeypatch.setenv("GREENPROOF_CHAIN_RPC_URL", anvil.rpc_url)
    monkeypatch.setenv("GREENPROOF_CONTRACT_ADDRESS", fresh_chain.address)
    monkeypatch.setenv("GREENPROOF_ISSUER_KEY", anvil.private_keys[0])
    monkeypatch.setenv("GREENPROOF_DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    period = ["2025-06-21T02:00Z", "2025-06-21T04:00Z"]
    assert runner.invoke(app, ["attribute", *period, "--simulated-meters"]).exit_code == 0
    assert runner.invoke(app, ["issue"]).exit_code == 0
    # Tracing the issued period again finds its batch and says where it was anchored, as `issue` does.
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    with make_session_factory(engine)() as session:
        (batch_id,) = session.scalars(select(IssuanceBatch.batch_id)).all()
    engine.dispose()
    anchored = fresh_chain.batch(bytes.fromhex(batch_id[2:]))
    assert anchored is not None
    where = (f"batch {batch_id} (2025-06-21 02:00 – 2025-06-21 04:00 UTC), anchored in block "
             f"{anchored.block_number}")
    again = runner.invoke(app, ["attribute", *period, "--simulated-meters"], env={"COLUMNS": "300"})
    assert again.exit_code == 0, again.output
    assert f"already issued in {where}" in again.output
    assert "send it with" not in again.output
    nothing = runner.invoke(app, ["issue"], env={"COLUMNS": "300"})
    assert nothing.exit_code == 0
    assert f"no pending batch: nothing to send; the latest issued is {where}" in nothing.output
    record_file = tmp_path / "record.json"
    retired = runner.invoke(app, ["retire", "IDC", *period, "--shipment-id", "BL-9", "--product", "servers",
                                  "--quantity", "3", "--unit", "pcs", "--destination", "Singapore",
                                  "--embedded-mwh", "2.5", "--out", str(record_file)])
    assert retired.exit_code == 0, retired.output
    assert runner.invoke(app, ["verify", str(record_file)]).exit_code == 0
    # Wrong chain settings are bad input (2), never a mismatch (1): verify keeps 1 for a record that differs.
    wrong_chain = runner.invoke(app, ["verify", str(record_file)], env={"GREENPROOF_CHAIN_ID": "1"})
    assert wrong_chain.exit_code == EXIT_BAD_INPUT
    assert f"error: the node at {anvil.rpc_url} runs chain 31337, the settings name chain 1" in wrong_chain.output
    no_code = "0x" + "11" * 20
    no_contract = runner.invoke(app, ["verify", str(record_file)], env={"GREENPROOF_CONTRACT_ADDRESS": no_code})
    assert no_contract.exit_code == EXIT_BAD_INPUT
    assert f"error: no contract at {no_code} on chain 31337" in no_contract.output
    record = json.loads(record_file.read_text())
    record["claim"]["shipment"]["destination"] = "Jakarta"
    record_file.write_text(json.dumps(record))
    tampered = runner.invoke(app, ["verify", str(record_file)])
    assert tampered.exit_code == EXIT_MISMATCH
    assert "FAILED" in tampered.output
    assert runner.invoke(app, ["reconcile"]).exit_code == 0

    # An auditor checks the firm's certificates from the published leaf file and the chain alone.
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    with make_session_factory(engine)() as session:
        leaf_file = load_leaf_file(session, batch_id)
    engine.dispose()
    published = tmp_path / "leaf-file.json"
    published.write_bytes(leaf_file.to_bytes())
    monkeypatch.setenv("GREENPROOF_DATABASE_URL", f"sqlite:///{tmp_path / 'absent' / 'no.sqlite'}")
    audited = runner.invoke(app, ["audit", record["claim"]["holder"], str(published)])
    assert audited.exit_code == 0, audited.output
    holder_wh = sum(leaf.amount_wh for leaf in leaf_file.allocation_leaves
                    if leaf.holder.lower() == record["claim"]["holder"].lower())
    summary = " ".join(audited.output.split())  # rich wraps lines at the terminal width
    assert f"verified {holder_wh:,} Wh allocated" in summary
    assert f"{record['retired_wh']:,} Wh retired on-chain" in summary
    # A self-consistent forgery (1 Wh moved to the firm from another holder of the same token, root
    # rebuilt) passes every check of the file itself but not the root the contract stores.
    holder = record["claim"]["holder"].lower()
    mine = next(x for x in leaf_file.allocation_leaves if x.holder.lower() == holder and x.amount_wh > 0)
    theirs = next(x for x in leaf_file.allocation_leaves
                  if x.token_id == mine.token_id and x.holder.lower() != holder and x.amount_wh > 0)
    moved = {mine: replace(mine, amount_wh=mine.amount_wh + 1), theirs: replace(theirs, amount_wh=theirs.amount_wh - 1)}
    leaves = tuple(moved.get(x, x) for x in leaf_file.allocation_leaves)
    forgery = replace(leaf_file, allocation_leaves=leaves, root="")
    published.write_bytes(replace(forgery, root="0x" + forgery.tree.root.hex()).to_bytes())
    forged = runner.invoke(app, ["audit", record["claim"]["holder"], str(published)])
    assert forged.exit_code == EXIT_MISMATCH, forged.output
    assert "FAILED" in forged.output
