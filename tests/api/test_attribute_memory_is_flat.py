"""`greenproof attribute` over 40 days peaks at the memory of 10 days (issue 19: a year took 2.8 GB).

Each run is a fresh interpreter running the CLI command as an operator would (SQLite ledger,
``--simulated-meters``), measured by its own peak resident set size (``ru_maxrss``). The period is
read, traced and written one park day at a time, so four times the period may not cost more than
1.2 times the memory.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

#: Runs the CLI in this interpreter and prints its peak RSS (KiB on Linux) as the last line.
DRIVER = """
import resource, sys
from greenproof.api.cli import main
sys.argv = ["greenproof", "attribute", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    if exc.code:
        raise
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
ISSUER_KEY = "0x" + "42" * 32
START = "2025-03-01T16:00Z"


def _peak_rss_kib(tmp_path: Path, end: str) -> int:
    env = {**os.environ, "GREENPROOF_ISSUER_KEY": ISSUER_KEY, "COLUMNS": "200",
           "GREENPROOF_DATABASE_URL": f"sqlite:///{tmp_path / f'ledger-{end[:10]}.sqlite'}"}
    out = subprocess.run([sys.executable, "-c", DRIVER, START, end, "--simulated-meters"], env=env,
                         capture_output=True, text=True, timeout=900, check=False)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    return int(out.stdout.split()[-1])


@pytest.mark.integration
@pytest.mark.slow  # two CLI runs, 50 park days: ≈310 s on the 2 cores at load 9, more than a minute when quiet
def test_forty_days_peak_at_most_one_point_two_times_ten_days(tmp_path: Path) -> None:
    ten_days = _peak_rss_kib(tmp_path, "2025-03-11T16:00Z")
    forty_days = _peak_rss_kib(tmp_path, "2025-04-10T16:00Z")
    assert forty_days <= 1.2 * ten_days, f"peak RSS {forty_days / 1024:.0f} MB vs {ten_days / 1024:.0f} MB"
