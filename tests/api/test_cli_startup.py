"""``greenproof --help`` and ``keys create`` start without the heavy libraries.

Not a timed test (timings live in ``scripts/bench/cli_startup.py``): each case runs the CLI in a
fresh interpreter and reads back which of the heavy libraries ended up in ``sys.modules``. Any of
them imported at start-up costs seconds (pandapower and web3 about 1.5 s each on 2 cores).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cli_commands import COMMAND_PATHS

#: Libraries a command imports only when it runs (power flow, Dask, the chain, the HTTP API, the ledger).
HEAVY = ("pandapower", "dask", "distributed", "web3", "eth_account", "fastapi", "starlette", "uvicorn", "sqlalchemy",
         "alembic", "numpy", "scipy", "pandas", "pvlib")

_PROBE = """
import json, sys
argv, report = sys.argv[1:-1], sys.argv[-1]
sys.argv = ["greenproof", *argv]
from greenproof.api.cli import main
try:
    main()
except SystemExit:
    pass
with open(report, "w") as out:
    json.dump(sorted(name for name in {heavy!r} if name in sys.modules), out)
"""


def _heavy_modules_loaded(argv: list[str], cwd: Path) -> list[str]:
    report = cwd / "loaded.json"
    subprocess.run([sys.executable, "-c", _PROBE.format(heavy=HEAVY), *argv, str(report)], cwd=cwd, check=True,
                   capture_output=True)
    loaded: list[str] = json.loads(report.read_text())
    return loaded


def test_the_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    # The same probe, when the command does import a heavy library, reports it: the check can fail.
    probe = _PROBE.replace("from greenproof.api.cli import main",
                           "import sqlalchemy\nfrom greenproof.api.cli import main")
    report = tmp_path / "loaded.json"
    subprocess.run([sys.executable, "-c", probe.format(heavy=HEAVY), "--help", str(report)], cwd=tmp_path, check=True,
                   capture_output=True)
    assert json.loads(report.read_text()) == ["sqlalchemy"]


def test_root_help_imports_no_heavy_library(tmp_path: Path) -> None:
    # The root help builds every command's parameters, so it imports every command module.
    assert len(COMMAND_PATHS) > 20
    assert _heavy_modules_loaded(["--help"], tmp_path) == []


def test_keys_create_imports_no_heavy_library(tmp_path: Path) -> None:
    assert _heavy_modules_loaded(["keys", "create", "--role", "auditor", "--key-file", "keys.json"], tmp_path) == []
    assert (tmp_path / "keys.json").is_file()  # the command did run


def test_a_command_help_imports_no_heavy_library(tmp_path: Path) -> None:
    assert _heavy_modules_loaded(["retire", "--help"], tmp_path) == []


def test_the_light_data_folder_names_the_ledgers_default_database() -> None:
    """The CLI names the default database without importing the ledger's settings: both must say the same."""
    from greenproof.api.usecases.data_folder import DEFAULT_DATABASE_URL as named_by_cli
    from greenproof.ledger.settings import DEFAULT_DATABASE_URL as used_by_ledger

    assert named_by_cli == used_by_ledger == "sqlite:///greenproof-data/ledger.sqlite"
