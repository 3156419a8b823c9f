"""The committed artifact matches the Solidity sources and is what solcjs produces from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from greenproof.contracts import load_artifact
from greenproof.contracts.compiler import artifact_text, compile_artifact, source_hash

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMITTED = REPO_ROOT / "contracts" / "artifacts" / "GreenCertificate.json"


def test_committed_artifact_was_built_from_the_current_sources():
    # fails when a .sol file changed without `python -m greenproof.contracts.compiler`
    assert load_artifact().source_hash == source_hash(REPO_ROOT)


def test_artifact_declares_every_custom_error_of_the_interface():
    declared = {line.split("error ")[1].split("(")[0]
                for line in (REPO_ROOT / "contracts" / "IGreenCertificate.sol").read_text().splitlines()
                if line.strip().startswith("error ")}
    in_abi = {entry["name"] for entry in load_artifact().abi if entry["type"] == "error"}
    assert declared and all(name.startswith("GreenCertificate") for name in declared)
    assert declared <= in_abi


def test_runtime_code_fits_the_eip170_contract_size_limit():
    assert len(bytes.fromhex(load_artifact().deployed_bytecode)) <= 24_576


@pytest.mark.slow
def test_recompiling_reproduces_the_committed_artifact_byte_for_byte():
    assert artifact_text(compile_artifact(REPO_ROOT)) == COMMITTED.read_text(encoding="utf-8")
