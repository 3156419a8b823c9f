"""Compile ``GreenCertificate.sol`` with npm ``solc`` (solcjs) and write the committed artifact.

There is no native ``solc`` here: solcjs runs in node with ``--standard-json --base-path .
--include-path node_modules``; OpenZeppelin imports resolve through the remapping
``@openzeppelin/=node_modules/@openzeppelin/``. The settings below are fixed so that the output is
reproducible byte for byte (a test recompiles and compares with the committed file).

Run ``python -m greenproof.contracts.compiler`` from the repository to rewrite
``contracts/artifacts/GreenCertificate.json`` after changing a ``.sol`` file.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .errors import ChainError

__all__ = [
    "COMPILER_SETTINGS",
    "CONTRACT_NAME",
    "SOURCE_FILES",
    "artifact_text",
    "compile_artifact",
    "find_solcjs",
    "main",
    "source_hash",
    "write_artifact",
]

CONTRACT_NAME = "GreenCertificate"
#: Our Solidity sources, as solc source unit names relative to the repository root.
SOURCE_FILES = (
    "contracts/GreenCertificate.sol",
    "contracts/IGreenCertificate.sol",
    "contracts/CertificateCalendar.sol",
    "contracts/PositionalMultiproof.sol",
)
#: viaIR: the batch entry points are too deep for the legacy code generator's stack. One optimizer
#: run keeps the runtime code under EIP-170's 24,576 bytes (the hot proof folds are assembly anyway).
COMPILER_SETTINGS: dict[str, Any] = {
    "optimizer": {"enabled": True, "runs": 1},
    "evmVersion": "cancun",
    "viaIR": True,
    "remappings": ["@openzeppelin/=node_modules/@openzeppelin/"],
}
_OPENZEPPELIN_PACKAGE = Path("node_modules/@openzeppelin/contracts/package.json")
_COMPILE_TIMEOUT_S = 300


def _default_repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


def find_solcjs(repo_root: Path | None = None) -> Path:
    """Return the solcjs executable: ``$GREENPROOF_SOLCJS`` or ``<repo>/node_modules/.bin/solcjs``.

    Raises
    ------
    ChainError
        If neither exists.
    """
    configured = os.environ.get("GREENPROOF_SOLCJS")
    candidate = Path(configured) if configured else (repo_root or _default_repo_root()) / "node_modules/.bin/solcjs"
    if not candidate.is_file():
        raise ChainError(f"solcjs not found at {candidate} (run `npm ci` or set GREENPROOF_SOLCJS)")
    return candidate


def _run(command: list[str], repo_root: Path, stdin: str = "") -> str:
    # stdout goes to a file, not a pipe: solcjs calls process.exit(), which cuts piped output at 64 KiB.
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as stdout:
        try:
            done = subprocess.run(command, input=stdin, stdout=stdout, stderr=subprocess.PIPE, text=True,
                                  cwd=repo_root, timeout=_COMPILE_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ChainError(f"running {command[0]} failed: {exc}") from exc
        if done.returncode != 0:
            raise ChainError(f"{command[0]} exited with {done.returncode}: {done.stderr.strip()}")
        stdout.seek(0)
        return stdout.read()


def _parse_standard_json(stdout: str) -> dict[str, Any]:
    """Parse solcjs output, skipping the banner lines it prints before the JSON."""
    start = stdout.find("{")
    if start < 0:
        raise ChainError(f"solcjs printed no JSON: {stdout.strip()[:500]}")
    try:
        result: dict[str, Any] = json.loads(stdout[start:])
    except ValueError as exc:
        raise ChainError(f"solcjs printed invalid JSON: {exc}") from exc
    errors = [e["formattedMessage"] for e in result.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise ChainError("Solidity compilation failed:\n" + "\n".join(errors))
    return result


def source_hash(repo_root: Path | None = None) -> str:
    """Return the SHA-256 over our Solidity sources and the OpenZeppelin version they import."""
    repo_root = repo_root or _default_repo_root()
    digest = hashlib.sha256()
    for name in (*SOURCE_FILES, str(_OPENZEPPELIN_PACKAGE)):
        path = repo_root / name
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise ChainError(f"cannot read Solidity input {path}: {exc}") from exc
        if path.name == "package.json":
            content = json.loads(content)["version"].encode()
        digest.update(name.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


def compile_artifact(repo_root: Path | None = None) -> dict[str, Any]:
    """Compile ``GreenCertificate`` and return the artifact as a JSON-ready dict.

    Parameters
    ----------
    repo_root : Path, optional
        Repository root holding ``contracts/`` and ``node_modules/``; defaults to this checkout.

    Raises
    ------
    ChainError
        If solcjs is missing, fails, or reports a compilation error.
    """
    root = repo_root or _default_repo_root()
    solcjs = str(find_solcjs(root))
    main_source = SOURCE_FILES[0]
    standard_input = {
        "language": "Solidity",
        "sources": {main_source: {"urls": [main_source]}},
        "settings": {
            **COMPILER_SETTINGS,
            "outputSelection": {
                main_source: {CONTRACT_NAME: ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}
            },
        },
    }
    output = _parse_standard_json(
        _run([solcjs, "--standard-json", "--base-path", ".", "--include-path", "node_modules"], root,
             json.dumps(standard_input))
    )
    version = _run([solcjs, "--version"], root).strip()
    try:
        contract = output["contracts"][main_source][CONTRACT_NAME]
    except KeyError as exc:
        raise ChainError(f"solcjs output has no {CONTRACT_NAME} in {main_source}") from exc
    return {
        "contractName": CONTRACT_NAME,
        "abi": contract["abi"],
        "bytecode": contract["evm"]["bytecode"]["object"],
        "deployedBytecode": contract["evm"]["deployedBytecode"]["object"],
        "compiler": {"name": "solcjs", "version": version},
        "settings": COMPILER_SETTINGS,
        "sourceHash": source_hash(root),
    }


def artifact_text(artifact: dict[str, Any]) -> str:
    """Return the canonical text of an artifact (sorted keys, 2-space indent, final newline)."""
    return json.dumps(artifact, indent=2, sort_keys=True) + "\n"


def write_artifact(repo_root: Path | None = None) -> Path:
    """Compile and write ``contracts/artifacts/GreenCertificate.json``; return its path."""
    root = repo_root or _default_repo_root()
    path = root / "contracts" / "artifacts" / f"{CONTRACT_NAME}.json"
    path.write_text(artifact_text(compile_artifact(root)), encoding="utf-8")
    return path


def main() -> None:
    """Rewrite the committed artifact (``python -m greenproof.contracts.compiler``)."""
    print(f"wrote {write_artifact()}")


if __name__ == "__main__":
    main()
