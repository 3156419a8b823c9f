"""Preparing the fast engine compiles nothing with numba (issue 19: ≈5 s of JIT on every command).

Measured in a fresh interpreter, where numba has compiled nothing yet: the events numba emits for
each compilation are recorded while the park's first interval is solved (the one-off ``runpp``,
the admittance matrices and the engine), and there must be none.
"""

from __future__ import annotations

import subprocess
import sys

PROBE = """
from datetime import UTC, datetime
from numba.core import event
from greenproof.api.usecases.park_simulation import simulate_period
with event.install_recorder("numba:compile") as recorder:
    next(simulate_period(datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 6, 1, 1, tzinfo=UTC)))
print(len(recorder.buffer))
"""


def test_the_park_solver_is_prepared_without_numba_compiling() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=300)
    assert out.stdout.split()[-1] == "0", out.stdout + out.stderr
