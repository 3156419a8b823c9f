"""Anvil start/stop and the errors a missing binary or an unreachable node produce."""

from __future__ import annotations

import socket
import stat
import urllib.request

import pytest

from greenproof.contracts import Anvil, ChainClient, ChainError, find_anvil


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_missing_anvil_binary_is_a_chain_error_naming_it(monkeypatch, tmp_path):
    missing = tmp_path / "no-anvil"
    monkeypatch.setenv("GREENPROOF_ANVIL", str(missing))
    with pytest.raises(ChainError, match=str(missing)):
        find_anvil()


def test_anvil_that_dies_at_start_reports_its_stderr(tmp_path):
    fake = tmp_path / "anvil"
    fake.write_text("#!/bin/sh\necho 'error: address already in use' >&2\nexit 3\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    with pytest.raises(ChainError, match=r"exited with 3.*address already in use"), Anvil(binary=fake):
        pass


def test_unreachable_node_is_a_chain_error_naming_the_url():
    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(ChainError, match=url):
        ChainClient.connect(url, "0x" + "11" * 20, "0x" + "22" * 32)


@pytest.mark.chain
def test_anvil_serves_dev_accounts_and_stops_even_after_an_exception():
    with pytest.raises(RuntimeError, match="boom"), Anvil(accounts=2) as node:
        assert node.chain_id == 31337  # Anvil's default chain id
        assert len(node.private_keys) == len(node.addresses) == 2
        process = node._process
        url = node.rpc_url
        raise RuntimeError("boom")
    assert process.poll() is not None
    with pytest.raises(OSError):
        urllib.request.urlopen(url, timeout=1)


@pytest.mark.chain
def test_connect_checks_for_contract_code_and_decodes_unknown_reverts(chain, anvil):
    with pytest.raises(ChainError, match="no contract"):
        ChainClient.connect(anvil.rpc_url, anvil.addresses[9], anvil.private_keys[0])
    same = ChainClient.connect(anvil.rpc_url, chain.address, anvil.private_keys[0])
    assert same.has_issuer_role(anvil.addresses[0])
    unknown = chain.decode_revert(bytes.fromhex("deadbeef"))
    assert unknown.name == "<unknown>"
