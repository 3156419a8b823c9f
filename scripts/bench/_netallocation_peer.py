"""Peer side of scripts/bench/attribution.py: netallocation 0.0.8 on PyPSA 0.32.2, in its own venv.

Usage (run by attribution.py with .venv-bench-netallocation/bin/python):
    _netallocation_peer.py SNAPSHOT.npz RESULT.npz

Reads the snapshot arrays written by attribution.py, builds a PyPSA network carrying exactly those
flows (generators, loads and lines with ``p0``/``p1`` set, no power flow run), times
``netallocation.flow.average_participation`` and writes the bus x bus allocation and timings.
"""

import sys
import time

import numpy as np
import pandas as pd
import pypsa

pypsa.plot.projected_area_factor = lambda *a, **k: 1.0  # shim: netallocation imports it, PyPSA >= 0.30 dropped it

from netallocation import flow  # noqa: E402


def build_network(data):
    n = pypsa.Network()
    n.set_snapshots(pd.Index([0], name="snapshot"))
    buses = [str(b) for b in data["bus_ids"]]
    n.add("Bus", buses)
    # netallocation groups one-ports by (bus, carrier) and fails on duplicates: one carrier per device.
    gen_carriers = [f"{tech}|{device}" for tech, device in zip(data["technology"], data["injection_id"], strict=True)]
    load_carriers = [f"load|{device}" for device in data["withdrawal_id"]]
    n.add("Carrier", gen_carriers + load_carriers)
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
    return n


def main(src, dst):
    data = np.load(src, allow_pickle=False)
    t0 = time.perf_counter()
    n = build_network(data)
    t1 = time.perf_counter()
    # aggregated=False: direct coupling, each bus's production and demand traced as such (Bialek/Kirschen),
    # the semantics greenproof implements; aggregated=True would trace net bus injections only.
    res = flow.average_participation(n, 0, downstream=False, sparse=True, dims=["source", "sink"],
                                     aggregated=False)
    a = res["peer_to_peer"].transpose("source", "sink")
    coo = a.data
    t2 = time.perf_counter()
    source = np.asarray(a.get_index("source")).astype(np.int64)
    sink = np.asarray(a.get_index("sink")).astype(np.int64)
    rows, cols = coo.coords
    np.savez(dst, source=source[rows], sink=sink[cols], mw=np.asarray(coo.data, dtype=np.float64),
             build_s=t1 - t0, trace_s=t2 - t1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
