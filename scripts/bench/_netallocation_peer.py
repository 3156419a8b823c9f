"""Peer side of scripts/bench/attribution.py: netallocation 0.0.8 on PyPSA 0.32.2, in its own venv.

Usage (run by attribution.py with .venv-bench-netallocation/bin/python):
    _netallocation_peer.py SNAPSHOT.npz RESULT.npz REPEAT

Reads the snapshot arrays written by attribution.py and builds a PyPSA network carrying exactly those
flows (generators, loads and lines with ``p0``/``p1`` set, no power flow run). Times
``netallocation.flow.average_participation``:

- the first call in this process (cold: it includes netallocation's one-off start-up, seconds even on
  a 3-bus network), reported on its own;
- then ``REPEAT`` warm calls, each on a freshly built network (netallocation caches per-bus
  production and demand on the network object; a fresh one keeps that work inside the timing).

Carriers are the minimum netallocation accepts: it groups one-ports by (bus, carrier) and refuses
two of one component at one bus with the same carrier, and one carrier in two components, so the
k-th generator at a bus gets carrier ``gen<k>`` and the k-th load ``load<k>``.
Writes the bus x bus allocation of the last warm call, the timings and the carrier count.
"""

import sys
import time

import numpy as np
import pandas as pd
import pypsa

pypsa.plot.projected_area_factor = lambda *a, **k: 1.0  # shim: netallocation imports it, PyPSA >= 0.30 dropped it

from netallocation import flow  # noqa: E402


def rank_at_bus(buses):
    """0 for the first device at its bus, 1 for the second ... (order of appearance)."""
    return pd.Series(np.asarray(buses)).groupby(np.asarray(buses)).cumcount().to_numpy()


def build_network(data):
    n = pypsa.Network()
    n.set_snapshots(pd.Index([0], name="snapshot"))
    buses = [str(b) for b in data["bus_ids"]]
    n.add("Bus", buses)
    gen_carriers = [f"gen{k}" for k in rank_at_bus(data["injection_bus"])]
    load_carriers = [f"load{k}" for k in rank_at_bus(data["withdrawal_bus"])]
    n.add("Carrier", sorted(set(gen_carriers)) + sorted(set(load_carriers)))
    n.add("Generator", data["injection_id"].tolist(), bus=[str(b) for b in data["injection_bus"]],
          carrier=gen_carriers)
    n.add("Load", data["withdrawal_id"].tolist(), bus=[str(b) for b in data["withdrawal_bus"]],
          carrier=load_carriers)
    n.add("Line", data["branch_id"].tolist(), bus0=[str(b) for b in data["from_bus"]],
          bus1=[str(b) for b in data["to_bus"]], x=0.1, r=0.0, s_nom=1e6)
    n.generators_t.p = pd.DataFrame([data["injection_mw"]], index=n.snapshots, columns=n.generators.index)
    n.loads_t.p = pd.DataFrame([data["withdrawal_mw"]], index=n.snapshots, columns=n.loads.index)
    n.lines_t.p0 = pd.DataFrame([data["p_from_mw"]], index=n.snapshots, columns=n.lines.index)
    n.lines_t.p1 = pd.DataFrame([data["p_to_mw"]], index=n.snapshots, columns=n.lines.index)
    return n, len(set(gen_carriers)) + len(set(load_carriers))


def timed_trace(data):
    """Build a fresh network (not timed), then time one average_participation call on it."""
    n, carriers = build_network(data)
    t0 = time.perf_counter()
    # aggregated=False: direct coupling, each bus's production and demand traced as such (Bialek/Kirschen),
    # the semantics greenproof implements; aggregated=True would trace net bus injections only.
    res = flow.average_participation(n, 0, downstream=False, sparse=True, dims=["source", "sink"],
                                     aggregated=False)
    allocation = res["peer_to_peer"].transpose("source", "sink")
    return time.perf_counter() - t0, allocation, carriers


def main(src, dst, repeat):
    data = np.load(src, allow_pickle=False)
    t0 = time.perf_counter()
    build_network(data)
    build_s = time.perf_counter() - t0
    cold_s, _, _ = timed_trace(data)
    warm = [timed_trace(data) for _ in range(repeat)]
    warm_s = min(w[0] for w in warm)
    _, allocation, carriers = warm[-1]
    source = np.asarray(allocation.get_index("source")).astype(np.int64)
    sink = np.asarray(allocation.get_index("sink")).astype(np.int64)
    rows, cols = allocation.data.coords
    np.savez(dst, source=source[rows], sink=sink[cols], mw=np.asarray(allocation.data.data, dtype=np.float64),
             build_s=build_s, cold_s=cold_s, warm_s=warm_s, carriers=carriers)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
