"""Issue 15's points without a chain: each refusal has its exit code and one line that names the input at fault.

Exit codes: 1 only for a mismatch (``verify``, ``audit``, ``reconcile``), 2 bad input (including
wrong chain settings), 3 a service that cannot be reached. Errors go to stderr as one line.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from api_harness import ISSUER_KEY, register_the_park
from typer.testing import CliRunner

from greenproof.api import KeyStore
from greenproof.api.cli import EXIT_BAD_INPUT, EXIT_UNAVAILABLE, app

runner = CliRunner()
CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
DAY = ["2025-06-20T16:00Z", "2025-06-21T16:00Z"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def error_line(output: str) -> str:
    """Return the one error line of a failed command (and check there is exactly one, and no traceback)."""
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.startswith(("error:", "unavailable:"))]
    assert len(lines) == 1, output
    return lines[0]


@pytest.fixture
def ledger(tmp_path: Path) -> str:
    """A migrated SQLite ledger with the Binhai park registered; its URL."""
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    register_the_park(url)
    return url


# -- point 6: chain settings ------------------------------------------------------------------------


def test_malformed_contract_address_is_bad_input_in_one_line(ledger: str) -> None:
    env = {"GREENPROOF_CHAIN_RPC_URL": f"http://127.0.0.1:{_free_port()}", "GREENPROOF_CONTRACT_ADDRESS": "0xdeadbeef",
           "GREENPROOF_ISSUER_KEY": ISSUER_KEY}
    result = runner.invoke(app, ["issue", "--database-url", ledger], env=env)
    assert result.exit_code == EXIT_BAD_INPUT
    assert error_line(result.output) == ("error: contract address '0xdeadbeef' is not an EVM address "
                                         "(0x and 40 hex digits)")
    assert "0xdeadbeef" in result.stderr  # errors go to stderr: stdout stays for results


def test_dead_rpc_url_is_unavailable_in_one_line(ledger: str) -> None:
    port = _free_port()  # nothing listens there
    env = {"GREENPROOF_CHAIN_RPC_URL": f"http://127.0.0.1:{port}", "GREENPROOF_CONTRACT_ADDRESS": CONTRACT,
           "GREENPROOF_ISSUER_KEY": ISSUER_KEY}
    result = runner.invoke(app, ["reconcile", "--database-url", ledger], env=env)
    assert result.exit_code == EXIT_UNAVAILABLE
    line = error_line(result.output)
    assert line.startswith(f"unavailable: cannot reach the EVM node at http://127.0.0.1:{port}: ")
    assert "refused" in line.lower() and "HTTPConnectionPool" not in line and "retries" not in line


def test_rpc_url_without_scheme_is_bad_input(ledger: str) -> None:
    env = {"GREENPROOF_CHAIN_RPC_URL": "localhost:8545", "GREENPROOF_CONTRACT_ADDRESS": CONTRACT,
           "GREENPROOF_ISSUER_KEY": ISSUER_KEY}
    result = runner.invoke(app, ["issue", "--database-url", ledger], env=env)
    assert result.exit_code == EXIT_BAD_INPUT
    assert "'localhost:8545' is not an http(s) URL" in error_line(result.output)


def test_malformed_issuer_key_is_bad_input_and_not_quoted(ledger: str) -> None:
    result = runner.invoke(app, ["attribute", *DAY, "--database-url", ledger], env={"GREENPROOF_ISSUER_KEY": "0x1234"})
    assert result.exit_code == EXIT_BAD_INPUT
    assert error_line(result.output) == "error: issuer key is not a private key (64 hex digits, optionally after 0x)"


def test_malformed_settings_file_is_bad_input_naming_it(tmp_path: Path, ledger: str) -> None:
    settings = tmp_path / "settings.json"
    settings.write_text('{"chain_rpc_url": "http://127.0.0.1:8545",')  # truncated
    result = runner.invoke(app, ["issue", "--database-url", ledger], env={"GREENPROOF_SETTINGS_FILE": str(settings)})
    assert result.exit_code == EXIT_BAD_INPUT
    assert f"settings file {settings} is not readable JSON" in error_line(result.output)


# -- point 8: retire refuses a reversed or empty period ----------------------------------------------


@pytest.mark.parametrize(("start", "end"), [("2025-06-21T16:00Z", "2025-06-20T16:00Z"),
                                            ("2025-06-21T16:00Z", "2025-06-21T16:00Z")])
def test_retire_refuses_a_reversed_or_empty_period_naming_both_ends(start: str, end: str, ledger: str) -> None:
    result = runner.invoke(app, ["retire", "GH2", start, end, "--shipment-id", "BL-1", "--product", "ammonia",
                                 "--quantity", "1", "--unit", "t", "--destination", "Hamburg", "--embedded-mwh", "1",
                                 "--database-url", ledger])
    assert result.exit_code == EXIT_BAD_INPUT
    line = error_line(result.output)
    assert f"period end {end.replace('Z', ':00+00:00')} is not after its start {start.replace('Z', ':00+00:00')}" \
        in line
    assert "holds" not in line


def test_retire_refuses_zero_embedded_electricity(ledger: str) -> None:
    result = runner.invoke(app, ["retire", "GH2", *DAY, "--shipment-id", "BL-1", "--product", "ammonia",
                                 "--quantity", "1", "--unit", "t", "--destination", "Hamburg", "--embedded-mwh", "0",
                                 "--database-url", ledger])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "embedded_electricity_mwh: Input should be greater than 0" in " ".join(result.output.split())


# -- point 9: firm codes -----------------------------------------------------------------------------


def test_key_for_an_unknown_firm_is_refused_naming_the_known_firms(tmp_path: Path) -> None:
    key_file = tmp_path / "keys.json"
    result = runner.invoke(app, ["keys", "create", "--role", "firm", "--firm", "NOPE", "--key-file", str(key_file)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert error_line(result.output) == ("error: firm 'NOPE' is unknown; the park's firms are GH2, STL, NMT, WEQ, IDC, "
                                         "CCL, CRN, LNG")
    assert not key_file.exists()


def test_firm_codes_are_read_in_any_case_and_stored_upper_case(tmp_path: Path) -> None:
    key_file = tmp_path / "keys.json"
    result = runner.invoke(app, ["keys", "create", "--role", "exporter", "--firm", "gh2", "--key-file", str(key_file)])
    assert result.exit_code == 0, result.output
    assert "(exporter, firm GH2)" in result.output
    (record,) = KeyStore(key_file).records()
    assert record.firm_code == "GH2"


def test_key_role_messages_use_the_right_article(tmp_path: Path) -> None:
    result = runner.invoke(app, ["keys", "create", "--role", "auditor", "--firm", "GH2",
                                 "--key-file", str(tmp_path / "k.json")])
    assert result.exit_code == EXIT_BAD_INPUT
    assert error_line(result.output) == "error: an auditor key cannot be bound to firm 'GH2'"


# -- point 12: messages ------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"garbage{", b'{"format": "greenproof-provenance/1", "claim_ref": "0x'],
                         ids=["garbage", "truncated"])
def test_garbage_or_truncated_record_is_one_line_naming_the_file(content: bytes, tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_bytes(content)
    result = runner.invoke(app, ["verify", str(record)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert error_line(result.output).startswith(f"error: {record} is not a provenance record: Invalid JSON: ")


def test_record_with_a_wrong_field_names_the_field(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_text(json.dumps({"format": "greenproof-provenance/1", "claim_ref": "0x12"}))
    result = runner.invoke(app, ["verify", str(record)])
    assert result.exit_code == EXIT_BAD_INPUT
    line = error_line(result.output)
    assert "claim_ref:" in line and "claim: Field required" in line


@pytest.mark.parametrize("content", [b"\x00\x01garbage", b'{"format": "greenproof-leaf-file/1", "batch_id'],
                         ids=["garbage", "truncated"])
def test_garbage_or_truncated_leaf_file_is_one_line_naming_the_file(content: bytes, tmp_path: Path) -> None:
    leaf_file = tmp_path / "leaf-file.json"
    leaf_file.write_bytes(content)
    result = runner.invoke(app, ["audit", CONTRACT, str(leaf_file)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert error_line(result.output).startswith(f"error: {leaf_file}: not a leaf file: not JSON, truncated or garbled")


def test_malformed_holder_address_is_bad_input_not_a_mismatch(tmp_path: Path) -> None:
    leaf_file = tmp_path / "leaf-file.json"
    leaf_file.write_text("{}")
    result = runner.invoke(app, ["audit", "0xHOLDER", str(leaf_file)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "'0xHOLDER' is not an EVM address" in " ".join(result.output.split())


def test_missing_meter_readings_hint_at_loading_them_or_simulating(ledger: str) -> None:
    result = runner.invoke(app, ["attribute", *DAY, "--database-url", ledger],
                           env={"GREENPROOF_ISSUER_KEY": ISSUER_KEY})
    assert result.exit_code == EXIT_BAD_INPUT
    line = error_line(result.output)
    assert "no meter reading for plant 'H1' in 96 of the 96 intervals" in line
    assert "`greenproof meters load FILE`" in line and "--simulated-meters" in line


def test_holiday_calendar_error_speaks_of_the_year(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "2040-01-01T00:00Z", "2040-01-01T00:15Z"])
    assert result.exit_code == EXIT_BAD_INPUT
    line = error_line(result.output)
    assert line.startswith("error: the park model has no profiles for 2040: firm loads follow China's public "
                           "holidays, which are published for 2004–")
    assert "chinesecalendar" not in line and "NotImplementedError" not in line


def test_leaves_export_without_issued_batches_says_what_to_run(ledger: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["leaves", "export", "gh2", "--out-dir", str(tmp_path / "leaves"),
                                 "--database-url", ledger])
    assert result.exit_code == EXIT_BAD_INPUT
    assert error_line(result.output) == ("error: no issued batch holds certificates of GH2 in that period: run "
                                         "`greenproof attribute` and `greenproof issue` first")
