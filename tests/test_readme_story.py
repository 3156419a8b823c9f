"""The README's command-line story, run as written: README and CLI cannot drift apart.

The script block under "### Command line" is read from README.md itself and run by bash, top to
bottom, in an empty folder, with the test's virtual environment first on the PATH (what the
README's one activation line, ``source .venv/bin/activate``, does). ``set -e`` and ``pipefail``
make any command's failure fail the script; the outputs are then checked against numbers that
come from the README's own arguments (4 renewable plants × 96 intervals; 7.25 MWh = 7,250,000 Wh).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def story_script() -> str:
    """Return the first ``bash`` block after the README's "### Command line" heading."""
    section = README[README.index("### Command line"):]
    match = re.search(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    assert match is not None, "no bash block under ### Command line"
    return match.group(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_readme_runs_the_cli_one_way() -> None:
    # One activation line, shown once; then plain `greenproof` everywhere (no .venv/bin/ prefixes).
    assert README.count("source .venv/bin/activate") == 1
    assert ".venv/bin/greenproof" not in README
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.DOTALL)
    invocations = [line for block in blocks for line in block.splitlines() if "greenproof " in line.split("#")[0]]
    assert len(invocations) > 12
    assert all(re.search(r"(^|\$\(|&& )greenproof ", line.split("#")[0].strip()) for line in invocations), invocations


def test_the_story_covers_the_whole_pipeline() -> None:
    commands = "\n".join(line.split("#")[0] for line in story_script().splitlines())  # comments aside
    steps = re.findall(r"greenproof (chain up|keys|simulate|meters load|attribute|issue|retire|verify|leaves export|"
                       r"audit|reconcile|chain down)", commands)
    assert steps == ["chain up", "keys", "simulate", "meters load", "attribute", "issue", "retire", "verify",
                     "leaves export", "audit", "reconcile", "chain down"]


@pytest.fixture
def story_folder(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """An empty folder and the environment of an activated shell there; any chain left running is stopped."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("GREENPROOF_")}
    bin_dir = str(Path(sys.executable).parent)
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(Path(bin_dir).parent),
               GREENPROOF_CHAIN_PORT=str(_free_port()), COLUMNS="200")
    yield tmp_path, env
    if (tmp_path / "greenproof-data" / "chain" / "node.json").exists():
        subprocess.run(["greenproof", "chain", "down"], cwd=tmp_path, env=env, capture_output=True, check=False)


@pytest.mark.integration
@pytest.mark.chain
def test_the_readme_story_runs_as_written(story_folder: tuple[Path, dict[str, str]]) -> None:
    folder, env = story_folder
    script = story_script()
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Traceback" not in output and "error:" not in output

    port = env["GREENPROOF_CHAIN_PORT"]
    assert f"chain 31337 up at http://127.0.0.1:{port}" in output
    assert re.search(r"key id [0-9a-f]{12} \(exporter, firm GH2\)", output)
    intervals = 96  # the README's period is one day of 15-minute intervals
    renewable_plants = 4  # H1, H2, H3, PV147
    readings = intervals * renewable_plants
    assert f"wrote {readings} readings to meters.csv" in output
    assert len((folder / "meters.csv").read_text().splitlines()) == readings + 1  # and a header
    assert f"loaded meters.csv: {readings} readings stored, 0 already stored" in output
    batch = re.search(r"certificates in batch (0x[0-9a-f]{64}) \(2025-06-20 16:00 – 2025-06-21 16:00 UTC\), pending",
                      output)
    assert batch is not None, output
    assert re.search(rf"issued batch {batch.group(1)} \(.*\), anchored in block \d+", output)

    embedded_mwh = float(re.search(r"--embedded-mwh (\S+)", script).group(1))  # type: ignore[union-attr]
    retired_wh = round(embedded_mwh * 1_000_000)
    assert f"retired {retired_wh:,} Wh ({embedded_mwh:,.3f} MWh) of GH2" in output
    record = json.loads((folder / "record.json").read_text())
    assert record["retired_wh"] == retired_wh
    assert "FAILED" not in output and f"{retired_wh:,} Wh retired cover the" in output  # verify: every check ok

    # The audited holder is the record's account, and the exported leaf file is the batch the record cites.
    holder = record["claim"]["holder"]
    assert f"Certificates of {holder}" in output
    (leaf_file,) = (folder / "leaves").glob("leaf-file-0x*.json")
    assert leaf_file.name == f"leaf-file-{batch.group(1)}.json"
    assert json.loads(leaf_file.read_text())["root"] == record["lines"][0]["root"]
    assert f"{retired_wh:,} Wh retired on-chain" in output
    assert "ledger and chain agree" in output
    assert "stopped the local chain" in output
    assert not (folder / "greenproof-data" / "chain" / "node.json").exists()
