"""CLI start-up benchmark: ``greenproof --help`` and ``greenproof keys create`` against the eager CLI.

Each figure is the wall time of a whole process (``subprocess``, ``time.perf_counter``), the median
of several runs after a warm-up. The baseline, timed in the same run and alternated run by run so
that the machine's load weighs on both alike, is the eager CLI: the same command after importing
what every command needed at start-up before the CLI imported per command (the HTTP app and the
dashboard, the demo, the trace export, the ledger's verification and reconciliation, uvicorn).
Targets (issue 15): ``--help`` < 0.5 s, ``keys create`` < 1 s.

    .venv/bin/python scripts/bench/cli_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: What the CLI imported at start-up before it imported per command (its command modules' top-level imports).
EAGER_IMPORTS = (
    "greenproof.api.app",
    "greenproof.api.cli.demo",
    "greenproof.api.cli.trace_export.export",
    "greenproof.api.usecases.park_runs",
    "greenproof.api.usecases.provenance",
    "greenproof.api.usecases.provenance_verify",
    "greenproof.ledger.reconcile",
    "greenproof.ledger.verify",
    "uvicorn",
)
TARGETS_S = {"greenproof --help": 0.5, "greenproof keys create": 1.0}


def command(argv: list[str], eager: bool) -> list[str]:
    """Return the process that runs ``greenproof argv`` (after the eager imports if ``eager``)."""
    preload = "".join(f"import {module}; " for module in EAGER_IMPORTS) if eager else ""
    code = f"import sys; {preload}from greenproof.api.cli import main; sys.argv = ['greenproof', *sys.argv[1:]]; main()"
    return [sys.executable, "-c", code, *argv]


def wall_s(process: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(process, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="counted runs of each process (after one warm-up)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="greenproof-bench-") as tmp:
        cwd = Path(tmp)
        cases = {"greenproof --help": ["--help"],
                 "greenproof keys create": ["keys", "create", "--role", "auditor", "--key-file", "keys.json"]}
        print(f"{'command':<24} {'lazy median':>12} {'eager median':>13} {'ratio':>8}  target")
        for name, argv in cases.items():
            lazy, eager = command(argv, eager=False), command(argv, eager=True)
            wall_s(lazy, cwd), wall_s(eager, cwd)  # warm-up: file caches, .pyc
            pairs = [(wall_s(lazy, cwd), wall_s(eager, cwd)) for _ in range(args.runs)]
            lazy_s = statistics.median(p[0] for p in pairs)
            eager_s = statistics.median(p[1] for p in pairs)
            ratio = statistics.median(e / lz for lz, e in pairs)
            verdict = "met" if lazy_s < TARGETS_S[name] else "MISSED"
            print(f"{name:<24} {lazy_s:>10.2f} s {eager_s:>11.2f} s {ratio:>7.1f}x  < {TARGETS_S[name]} s {verdict}")


if __name__ == "__main__":
    main()
