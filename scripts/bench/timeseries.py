"""Benchmark: a year of the Binhai park, fast path vs a plain pandapower.runpp loop.

Baseline: ``solve_series(..., engine="pandapower")`` — set the interval's values, ``pandapower.runpp``
(defaults; pandapower itself already uses lightsim2grid's Newton solver when it can), convert the
result tables with ``from_pandapower``. It runs on a random sample of intervals (default 200) and
is extrapolated linearly to the year; the fast path runs the whole year. Both produce Snapshots.

    .venv/bin/python scripts/bench/timeseries.py [--sample 200] [--year 2025]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from greenproof.grids import solve_series
from greenproof.grids.binhai import build_park, profiles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=200, help="intervals solved by the runpp baseline")
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)

    t0 = time.perf_counter()
    year = profiles(args.year, seed=1)
    t_profiles = time.perf_counter() - t0
    net = build_park()

    t0 = time.perf_counter()
    count = 0
    for _ in solve_series(net, year, progress=False):
        count += 1
    t_fast = time.perf_counter() - t0

    periods = np.sort(np.random.default_rng(0).choice(len(year), size=args.sample, replace=False))
    t0 = time.perf_counter()
    for _ in solve_series(net, year, periods=periods, engine="pandapower", progress=False):
        pass
    t_plain_sample = time.perf_counter() - t0
    t_plain_year = t_plain_sample / args.sample * len(year)

    print(f"profiles for {len(year)} intervals generated in {t_profiles:.2f} s")
    print(f"fast path (pandapower model + lightsim2grid NR, vectorised flows): {count} intervals "
          f"-> Snapshots in {t_fast:.1f} s = {count / t_fast:,.0f} intervals/s")
    print(f"baseline runpp + from_pandapower: {args.sample} sampled intervals in {t_plain_sample:.1f} s = "
          f"{args.sample / t_plain_sample:,.1f} intervals/s; extrapolated year {t_plain_year:,.0f} s")
    print(f"speed-up fast / runpp loop: {t_plain_year / t_fast:,.0f}x (year target < 60 s: "
          f"{'met' if t_fast < 60 else 'missed'})")


if __name__ == "__main__":
    main()
