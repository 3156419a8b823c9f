"""Benchmark: solve + attribution at national scale, sequentially and on a dask LocalCluster.

For one large grid (default PEGASE 9241 buses; or SimBench ``1-HV-mixed--0-no_sw`` with its real
2016 profiles) and N intervals of 15 minutes, measured in ONE run:

(a) sequential: ``solve_series`` (lightsim2grid fast path) + ``mix_many(by="renewable")`` per
    interval, reduced per chunk to the renewable MWh withdrawn at every bus;
(b) the same reduction through ``map_intervals`` on ``LocalCluster(n_workers=2,
    threads_per_worker=1)``; the per-chunk results of (a) and (b) must agree to 1e-9 relative.

Printed: intervals/s of each, the ratio dask / sequential wall time (baseline: the sequential run),
year (35,040 intervals) wall time extrapolated from the steady-state rate plus the fixed set-up,
peak RSS of the driver during a short run vs a run ``--long-factor`` times longer (sampled every
20 ms), and the time of the full injection x withdrawal ``trace`` of one snapshot.

PEGASE has no time series. Its profile is synthetic, seeded and documented here:
- loads (p and q): base value x a daily shape (night 0.78, morning and evening peaks ~0.97 of the
  base) x a seasonal factor 1 + 0.04 cos(2 pi (day - 15) / 365) x per-load noise N(1, 0.02);
- static generators (434 sgen rows, no technology in the case data) are labelled, with a seeded
  draw, half ``solar_pv`` and half ``wind_onshore`` -- synthetic labels so that the renewable
  reduction has something to trace; their base p_mw is taken as capacity and scaled by a clear-sky
  half-sine (06-18 UTC) x a seeded AR(1) cloudiness, or by a seeded AR(1) wind capacity factor;
- conventional ``gen`` rows (technology ``other``: their fuels are not in the data) follow the net
  load: ``g(t) = ((G0 + S0) f(t) - S(t)) / G0`` so that the slack bus only covers the change of
  losses and the case keeps converging;
- the case has 14 lines with negative resistance and 61 transformers with negative short-circuit
  resistance (network-reduction equivalents); on AC flows they deliver more power than they receive.
  Attribution traces each such gain as a fictitious injection carrying the sending bus's mix
  (docs/attribution.md, "Branch gains"). By default this benchmark sets those resistances to 0 so
  its figures stay comparable with the earlier runs in docs/scaling.md; with
  ``--keep-negative-resistance`` it traces them as they are.

Usage:
    .venv/bin/python scripts/bench/scale.py [--case case9241pegase | --case 1-HV-mixed--0-no_sw]
        [--intervals 384] [--chunk 96] [--long-factor 4] [--seed 7]
"""

from __future__ import annotations

import argparse
import functools
import itertools
import resource
import threading
import time
import warnings

import numpy as np
import pandas as pd
import psutil
from dask.distributed import Client, LocalCluster

from greenproof.attribution import mix_many, trace
from greenproof.grids import load_case, map_intervals, simbench_profiles, solve_series

YEAR = 35_040
PEGASE = "case9241pegase"
START = pd.Timestamp("2025-01-01 00:00", tz="UTC")


# ---------------------------------------------------------------- networks and profiles

def pegase_net(name: str, keep_negative_resistance: bool):
    """The PEGASE case with (by default) its negative series resistances set to 0."""
    net = load_case(name)
    if not keep_negative_resistance:
        net.line.loc[net.line["r_ohm_per_km"] < 0, "r_ohm_per_km"] = 0.0
        net.trafo.loc[net.trafo["vkr_percent"] < 0, "vkr_percent"] = 0.0
    return net


def pegase_technologies(net, seed: int) -> dict[str, str]:
    """Seeded synthetic labels: sgens half solar, half wind; gens ``other``."""
    rng = np.random.default_rng(seed)
    solar = rng.random(len(net.sgen)) < 0.5
    labels = {f"sgen:{i}": "solar_pv" if s else "wind_onshore" for i, s in zip(net.sgen.index, solar, strict=True)}
    labels.update({f"gen:{i}": "other" for i in net.gen.index})
    return labels


def _ar1(rng, n: int, columns: int, rho: float) -> np.ndarray:
    """Stationary AR(1) standard-normal series, shape (n, columns)."""
    out = np.empty((n, columns))
    out[0] = rng.standard_normal(columns)
    noise = rng.standard_normal((n, columns)) * np.sqrt(1 - rho**2)
    for t in range(1, n):
        out[t] = rho * out[t - 1] + noise[t]
    return out


def pegase_profiles(net, technologies: dict[str, str], n: int, seed: int) -> pd.DataFrame:
    """Synthetic seeded profile of ``n`` 15-min intervals from START (shapes in the module docstring)."""
    rng = np.random.default_rng(seed)
    index = pd.date_range(START, periods=n, freq="15min")
    hour = (index.hour + index.minute / 60).to_numpy()
    day = index.dayofyear.to_numpy()
    daily = 0.78 + 0.16 * np.exp(-((hour - 10.5) / 3.0) ** 2) + 0.19 * np.exp(-((hour - 18.5) / 2.5) ** 2)
    f = np.minimum(daily * (1 + 0.04 * np.cos(2 * np.pi * (day - 15) / 365)), 1.0)
    load_factor = f[:, None] * rng.normal(1.0, 0.02, (n, len(net.load)))
    p_load = net.load["p_mw"].to_numpy() * load_factor
    q_load = net.load["q_mvar"].to_numpy() * load_factor

    solar = np.array([technologies[f"sgen:{i}"] == "solar_pv" for i in net.sgen.index])
    clear_sky = np.clip(np.sin(np.pi * (hour - 6) / 12), 0, None)[:, None]
    cloud = 0.65 + 0.35 * np.tanh(_ar1(rng, n, len(net.sgen), 0.98))
    wind = 1 / (1 + np.exp(-(_ar1(rng, n, len(net.sgen), 0.995) - 0.8)))
    capacity = net.sgen["p_mw"].to_numpy()
    p_sgen = capacity * np.where(solar, clear_sky * cloud, wind)

    g0, s0 = net.gen["p_mw"].sum(), capacity.sum()
    g = ((g0 + s0) * f - p_sgen.sum(axis=1)) / g0
    p_gen = net.gen["p_mw"].to_numpy() * g[:, None]

    frames = [pd.DataFrame(p_load, index=index, columns=[f"load:{i}" for i in net.load.index]),
              pd.DataFrame(q_load, index=index, columns=[f"load:{i}:q_mvar" for i in net.load.index]),
              pd.DataFrame(p_sgen, index=index, columns=[f"sgen:{i}" for i in net.sgen.index]),
              pd.DataFrame(p_gen, index=index, columns=[f"gen:{i}" for i in net.gen.index])]
    return pd.concat(frames, axis=1)


def build_case(name: str, n: int, seed: int, keep_negative_resistance: bool):
    """Return (net_factory, profiles, technology_of) for the case."""
    if name.startswith("case"):
        factory = functools.partial(pegase_net, name, keep_negative_resistance)
        net = factory()
        technologies = pegase_technologies(net, seed)
        return factory, pegase_profiles(net, technologies, n, seed), technologies
    factory = functools.partial(load_case, name)
    year = simbench_profiles(factory())
    if n > len(year):
        raise SystemExit(f"{name} has {len(year)} profile rows, asked for {n}")
    return factory, year.iloc[:n], None


# ---------------------------------------------------------------- the per-chunk reduction

def renewable_mwh_by_bus(snapshots) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Renewable and total MWh withdrawn at each bus over the snapshots (upstream shares).

    Returns (bus_ids, renewable_mwh, withdrawn_mwh, interval count); small whatever the chunk length.
    """
    bus_ids = renewable = withdrawn = None
    count = 0
    for snapshot, shares in _with_mix(snapshots):
        if bus_ids is None:
            bus_ids = snapshot.bus_ids
            renewable, withdrawn = np.zeros(len(bus_ids)), np.zeros(len(bus_ids))
            order = np.argsort(bus_ids)
        wd = snapshot.withdrawals
        pos = order[np.searchsorted(bus_ids, wd.bus, sorter=order)]
        energy = wd.p_mw * snapshot.duration_h
        renewable += np.bincount(pos, weights=np.nan_to_num(shares.withdrawal_share[:, 0]) * energy,
                                 minlength=len(bus_ids))
        withdrawn += np.bincount(pos, weights=energy, minlength=len(bus_ids))
        count += 1
    return bus_ids, renewable, withdrawn, count


def _with_mix(snapshots):
    """Pair each snapshot with its renewable BusMix, streaming (one snapshot in memory at a time)."""
    held = []

    def remember(stream):
        for snapshot in stream:
            held.append(snapshot)
            yield snapshot

    for shares in mix_many(remember(snapshots), by="renewable"):
        yield held.pop(), shares


# ---------------------------------------------------------------- measurement helpers

class PeakRss:
    """Sample this process's RSS every 20 ms in a thread; ``peak_mb`` after the block."""

    def __enter__(self):
        self._process, self._stop = psutil.Process(), threading.Event()
        self.peak_mb = self._process.memory_info().rss / 2**20
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak_mb = max(self.peak_mb, self._process.memory_info().rss / 2**20)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self._process.memory_info().rss / 2**20)


def sequential(factory, profiles, technologies, chunk):
    """Run (a): one solve_series over all intervals, reduced per chunk; return (results, wall time s)."""
    t0 = time.perf_counter()
    stream = solve_series(factory(), profiles, progress=False, technology_of=technologies)
    results = []
    while True:
        result = renewable_mwh_by_bus(itertools.islice(stream, chunk))
        if result[3] == 0:
            return results, time.perf_counter() - t0
        results.append(result)


def compare(reference, other) -> float:
    """Largest relative difference of the per-bus renewable MWh over all chunks."""
    worst = 0.0
    for (ids_a, ren_a, wd_a, n_a), (ids_b, ren_b, wd_b, n_b) in zip(reference, other, strict=True):
        if n_a != n_b or not np.array_equal(ids_a, ids_b):
            return float("inf")
        scale = max(float(np.abs(ren_a).max()), 1e-12)
        worst = max(worst, float(np.abs(ren_a - ren_b).max()) / scale,
                    float(np.abs(wd_a - wd_b).max()) / max(float(np.abs(wd_a).max()), 1e-12))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default=PEGASE, help="pandapower case name or SimBench code")
    parser.add_argument("--intervals", type=int, default=384, help="intervals of the runs (a) and (b)")
    parser.add_argument("--chunk", type=int, default=96, help="intervals per dask task")
    parser.add_argument("--long-factor", type=int, default=4,
                        help="the memory check's long sequential run has this many times --intervals")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep-negative-resistance", action="store_true",
                        help="PEGASE: keep the negative resistances (gains traced as fictitious injections)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)
    n_long = args.intervals * args.long_factor

    t0 = time.perf_counter()
    factory, profiles_long, technologies = build_case(args.case, n_long, args.seed, args.keep_negative_resistance)
    profiles = profiles_long.iloc[:args.intervals]
    print(f"{args.case}: profile of {n_long} intervals x {profiles.shape[1]} columns built in "
          f"{time.perf_counter() - t0:.1f} s ({profiles_long.memory_usage().sum() / 2**20:.0f} MB; "
          f"a year would be {profiles.memory_usage().sum() / len(profiles) * YEAR / 2**30:.2f} GB)")

    # warm-up (numba compilation of pandapower's kernels happens once per process) and the trace snapshot
    snapshot = next(solve_series(factory(), profiles.iloc[:1], progress=False, technology_of=technologies))

    # (a) sequential, short run (also the memory reference)
    n = args.intervals
    with PeakRss() as rss_short:
        seq, seq_s = sequential(factory, profiles, technologies, args.chunk)
    print(f"\n(a) sequential solve_series + mix_many: {n} intervals in {seq_s:.1f} s = {n / seq_s:.1f} intervals/s "
          f"(incl. network set-up); {len(seq[0][0])} buses, {len(snapshot.branches)} branches")

    # (b) dask LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster) as client:
        client.run(lambda: None)  # workers up before timing
        t0 = time.perf_counter()
        dist = map_intervals(client, factory, profiles, renewable_mwh_by_bus, chunk=args.chunk,
                             technology_of=technologies)
        dask_s = time.perf_counter() - t0
    worst = compare(seq, dist)
    print(f"(b) map_intervals on LocalCluster(2 workers x 1 thread), {len(dist)} chunks of {args.chunk}: {n} intervals "
          f"in {dask_s:.1f} s = {n / dask_s:.1f} intervals/s")
    print(f"    per-chunk results equal to (a): max relative difference {worst:.2e} "
          f"({'OK' if worst <= 1e-9 else 'ABOVE 1e-9'})")
    print(f"    ratio dask / sequential wall time: {dask_s / seq_s:.2f}")

    # (c) long sequential run: memory and the steady rate
    with PeakRss() as rss_long:
        _, long_s = sequential(factory, profiles_long, technologies, args.chunk)
    rate = (n_long - n) / (long_s - seq_s)
    setup_s = max(seq_s - n / rate, 0.0)
    print(f"(c) sequential, {n_long} intervals in {long_s:.1f} s: steady {rate:.1f} intervals/s "
          f"({1e3 / rate:.1f} ms per interval), set-up {setup_s:.1f} s")
    print(f"    driver peak RSS {rss_short.peak_mb:.0f} MB over {n} intervals, "
          f"{rss_long.peak_mb:.0f} MB over {n_long}: "
          f"ratio {rss_long.peak_mb / rss_short.peak_mb:.2f} (both include the {n_long}-interval profile table, "
          f"{profiles_long.memory_usage().sum() / 2**20:.0f} MB)")

    print(f"\nextrapolated year ({YEAR} intervals): sequential {(setup_s + YEAR / rate) / 60:.0f} min; "
          f"dask 2 workers {dask_s * YEAR / n / 60:.0f} min at chunk {args.chunk} "
          f"(from (b): {dask_s * 2 / len(dist):.1f} s per chunk and worker incl. its set-up)")

    # full trace of one snapshot
    t0 = time.perf_counter()
    allocation = trace(snapshot)
    trace_s = time.perf_counter() - t0
    print(f"\ntrace (full {len(snapshot.injections)} x {len(snapshot.withdrawals)} allocation, "
          f"{allocation.mw.nnz} nonzeros): {trace_s:.2f} s per snapshot; a year {trace_s * YEAR / 3600:.1f} h "
          f"on one core; driver ru_maxrss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:.0f} MB")


if __name__ == "__main__":
    main()
