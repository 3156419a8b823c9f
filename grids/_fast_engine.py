"""Fast repeated AC power flows of one topology: pandapower's model, lightsim2grid's Newton solver.

pandapower's ``runpp`` spends ~10 ms per call rebuilding its internal case (``ppc``) from the
tables; a year of 15-minute intervals would take minutes. This engine builds the internal case
once with pandapower itself (``_pd2ppc``, ``makeYbus``, ``makeSbus``: the very same admittance
matrix and injections ``runpp`` uses), then per interval

1. updates the bus injections linearly from the profile columns (loads, static generators,
   storage, generator set-points are constant-power injections in pandapower's model),
2. solves Newton-Raphson with lightsim2grid's KLU solver (``NRSing_KLU``) warm-started from the
   previous interval, or pandapower's own ``newtonpf`` when there are several slack buses,
3. computes branch flows ``S_f = V_f conj(Y_f V)``, ``S_t = V_t conj(Y_t V)`` and the slack
   injections from the solved voltages, vectorised over a chunk of intervals.

Elements whose power depends on the solution in ways this engine does not reproduce
(voltage-dependent loads, extended wards, distributed slack, Q-limit enforcement, controllers)
raise :class:`GridError` naming them; use ``engine="pandapower"`` for such networks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from lightsim2grid.algorithm import NRSing_KLU
from numpy.typing import NDArray
from pandapower.auxiliary import pandapowerNet
from pandapower.pd2ppc import _pd2ppc
from pandapower.pf.ppci_variables import _get_pf_variables_from_ppci
from pandapower.pypower.idx_brch import BR_STATUS, F_BUS, T_BUS
from pandapower.pypower.idx_gen import GEN_BUS, PG
from pandapower.pypower.makeSbus import makeSbus
from pandapower.pypower.makeYbus import makeYbus
from pandapower.pypower.newtonpf import newtonpf
from scipy import sparse

from ._layout import Layout
from .errors import GridError
from .pandapower_adapter import _result_branch_flows, _result_injections

__all__ = ["FastEngine", "ProfileColumn", "parse_profile_columns"]

#: Device tables a profile column may address, with their sign: +1 if a positive value injects.
PROFILE_TABLES = {"load": -1.0, "sgen": 1.0, "storage": -1.0, "gen": 1.0}
_TRAFO3W_SIDE_OFFSET = {"hv": 0, "mv": 1, "lv": 2}
#: Newton-Raphson mismatch tolerance of the fast engine (per unit of the network's sn_mva).
TOLERANCE_PU = 1e-10


class ProfileColumn:
    """One parsed profile column: ``"<table>:<index>"`` (p_mw) or ``"<table>:<index>:q_mvar"``."""

    __slots__ = ("column", "index", "name", "table")

    def __init__(self, name: str, table: str, index: int, column: str) -> None:
        self.name, self.table, self.index, self.column = name, table, index, column


def parse_profile_columns(net: pandapowerNet, columns: Sequence[object]) -> list[ProfileColumn]:
    """Parse and check profile column names against ``net``.

    Raises
    ------
    GridError
        A column names an unsupported table, a missing element or an unknown quantity.
    """
    parsed = []
    for name in columns:
        parts = str(name).split(":")
        quantity = parts[2] if len(parts) == 3 else "p_mw"
        if len(parts) not in (2, 3) or parts[0] not in PROFILE_TABLES or quantity not in ("p_mw", "q_mvar") \
                or not parts[1].lstrip("-").isdigit():
            raise GridError(f"profile column {name!r} is not '<table>:<index>' or '<table>:<index>:q_mvar' with "
                            f"table one of {sorted(PROFILE_TABLES)}")
        if quantity == "q_mvar" and parts[0] == "gen":
            raise GridError(f"profile column {name!r}: gen reactive power is set by its voltage, not a profile")
        index = int(parts[1])
        if index not in net[parts[0]].index:
            raise GridError(f"profile column {name!r}: {parts[0]} {index} does not exist in the network")
        parsed.append(ProfileColumn(str(name), parts[0], index, quantity))
    return parsed


def _check_supported(net: pandapowerNet) -> None:
    options = net._options
    problems = []
    if len(net.get("xward", [])) and net.xward["in_service"].any():
        problems.append("extended wards (xward)")
    load = net.load[net.load["in_service"].astype(bool)]
    dependent = [c for c in ("const_z_p_percent", "const_i_p_percent", "const_z_q_percent", "const_i_q_percent",
                             "const_z_percent", "const_i_percent") if c in load and (load[c].fillna(0) != 0).any()]
    if dependent:
        problems.append(f"voltage-dependent loads ({', '.join(dependent)})")
    if options.get("distributed_slack"):
        problems.append("distributed slack")
    if options.get("enforce_q_lims"):
        problems.append("Q-limit enforcement")
    if "controller" in net and len(net.controller):
        problems.append("controllers")
    for table in ("svc", "tcsc", "ssc", "vsc"):
        if len(net.get(table, [])):
            problems.append(table)
    if problems:
        raise GridError(f"engine='lightsim2grid' does not model {'; '.join(problems)} of {net.name!r}; "
                        "use engine='pandapower'")


class FastEngine:
    """Solve many intervals of one solved network; see the module docstring.

    Parameters
    ----------
    net : pandapowerNet
        Solved (converged ``runpp``) at the base interval; not modified afterwards.
    layout : Layout
        Rows of the snapshots, built from the same solved ``net``.
    columns : list of ProfileColumn
        The profile columns that change between intervals.
    base_values : (n_col,) float64
        Their values in the base interval (already applied to ``net``).
    """

    def __init__(self, net: pandapowerNet, layout: Layout, columns: list[ProfileColumn],
                 base_values: NDArray[np.float64]) -> None:
        _check_supported(net)
        self.layout = layout
        self._x0 = np.asarray(base_values, dtype=np.float64)
        self._inj0 = _result_injections(net, layout)
        self._p_from0, self._p_to0 = _result_branch_flows(net, layout)
        v_base = np.asarray(net._ppc["internal"]["V"]).copy()
        ppc, ppci = _pd2ppc(net)
        base_mva, bus, gen, branch, *_rest = _get_pf_variables_from_ppci(ppci, True)
        ref, pv, pq, ref_gens = _rest[4], _rest[5], _rest[6], _rest[10]
        self._base_mva = float(base_mva)
        self._ref = np.asarray(ref, dtype=np.int32)
        self._pv = np.asarray(pv, dtype=np.int32)
        self._pq = np.asarray(pq, dtype=np.int32)
        self._ppci, self._options = ppci, dict(net._options)
        # tighter than runpp's default 1e-8 so that differences to runpp are runpp's own residual
        self._tol = min(float(net._options["tolerance_mva"]), TOLERANCE_PU)
        self._max_iter = int(net._options["max_iteration"]) if net._options["max_iteration"] != "auto" else 10
        self._ybus, self._yf, self._yt = (sparse.csr_matrix(m) for m in makeYbus(base_mva, bus, branch))
        self._ybus_csc = sparse.csc_matrix(self._ybus)
        self._ybus_csc.sort_indices()
        self._yf_from = branch[:, F_BUS].real.astype(np.int64)
        self._yt_to = branch[:, T_BUS].real.astype(np.int64)
        self._slack_weights = np.zeros(len(bus))
        self._slack_weights[self._ref] = 1.0 / max(len(self._ref), 1)
        gen_noref = gen.copy()
        gen_noref[np.asarray(ref_gens, dtype=np.int64), PG] = 0.0
        self._sbus0 = makeSbus(base_mva, bus, gen_noref)
        self._v = v_base
        self._solver = NRSing_KLU() if len(self._ref) == 1 else None
        lookup = net._pd2ppc_lookups["bus"]

        # linear update of bus injections and device results from profile columns
        n_col, n_dev = len(columns), len(layout.device_id)
        s_rows, s_cols, s_vals = [], [], []
        d_rows, d_cols, d_vals = [], [], []
        row_of = {device: k for k, device in enumerate(layout.device_id)}
        ref_buses = set(self._ref.tolist())
        for c, col in enumerate(columns):
            element = net[col.table].loc[col.index]
            device = f"{col.table}:{col.index}"
            if not bool(element["in_service"]) or device not in row_of:
                continue
            scale = float(element.get("scaling", 1.0)) * PROFILE_TABLES[col.table]
            b = int(lookup[int(element["bus"])])
            if col.table == "gen" and b in ref_buses:
                continue  # a slack machine's output comes from the solution
            s_rows.append(b)
            s_cols.append(c)
            s_vals.append(scale / base_mva * (1j if col.column == "q_mvar" else 1.0))
            if col.column == "p_mw":
                d_rows.append(row_of[device])
                d_cols.append(c)
                d_vals.append(scale)
        self._s_update = sparse.csr_matrix((np.asarray(s_vals, dtype=complex), (s_rows, s_cols)),
                                           shape=(len(self._sbus0), n_col))
        self._d_update = sparse.csr_matrix((d_vals, (d_rows, d_cols)), shape=(n_dev, n_col))

        # device rows computed from the solution: slack machines, shunts, wards
        self._slack_rows, self._slack_bus = [], []
        gen_bus = gen[:, GEN_BUS].real.astype(np.int64)
        for table in ("ext_grid", "gen"):
            for k in layout.rows_of(table):
                element = net[table].loc[int(layout.device_index[k])]
                b = int(lookup[int(element["bus"])])
                if b in ref_buses:
                    self._slack_rows.append(int(k))
                    self._slack_bus.append(b)
        if len(set(self._slack_bus)) != len(self._slack_bus):
            raise GridError(f"engine='lightsim2grid': several slack machines share a bus in {net.name!r}; "
                            "use engine='pandapower'")
        others_at_slack = np.isin(gen_bus, self._slack_bus) & ~np.isin(np.arange(len(gen)), ref_gens)
        if others_at_slack.any():
            raise GridError(f"engine='lightsim2grid': a generator shares a slack bus in {net.name!r}; "
                            "use engine='pandapower'")
        self._vm_rows = np.concatenate([layout.rows_of("shunt"), layout.rows_of("ward")])
        self._vm_bus = np.array([int(lookup[int(net[str(layout.device_table[k])].at[int(layout.device_index[k]),
                                                                                   "bus"])]) for k in self._vm_rows],
                                dtype=np.int64)
        vm0 = np.abs(v_base[self._vm_bus])
        ward = net.get("ward")
        self._vm_const = np.zeros(len(self._vm_rows))
        self._vm_coeff = np.zeros(len(self._vm_rows))
        for j, k in enumerate(self._vm_rows):
            if layout.device_table[k] == "ward":
                self._vm_const[j] = -float(ward.at[int(layout.device_index[k]), "ps_mw"])
                self._vm_coeff[j] = -float(ward.at[int(layout.device_index[k]), "pz_mw"])
            else:  # shunt: p = p_mw * step * vm^2 (load convention)
                self._vm_coeff[j] = self._inj0[k] / vm0[j] ** 2

        # branch rows: position in the internal (in-service) branch table
        in_service = ppc["branch"][:, BR_STATUS].real > 0
        ppci_row = np.cumsum(in_service) - 1
        ranges = net._pd2ppc_lookups["branch"]
        self._br_rows, self._br_ppci = [], []
        for k, (table, index, side) in enumerate(zip(layout.branch_table, layout.branch_index, layout.branch_side,
                                                     strict=True)):
            if table == "dcline":
                continue  # fixed set-points: flows stay at their base values
            first, _ = ranges[str(table)]
            if table == "trafo3w":
                offset = _TRAFO3W_SIDE_OFFSET[str(side)] * len(net.trafo3w) + net.trafo3w.index.get_loc(int(index))
            elif table == "switch":
                offset = int(np.flatnonzero(net.switch.index[net._impedance_bb_switches] == index)[0])
            else:
                offset = net[str(table)].index.get_loc(int(index))
            self._br_rows.append(k)
            self._br_ppci.append(int(ppci_row[first + offset]))

    def _newton(self, sbus: NDArray[np.complex128], start: str) -> NDArray[np.complex128]:
        if self._solver is not None:
            self._solver.solve(self._ybus_csc, self._v, sbus, self._ref, self._slack_weights, self._pv, self._pq,
                               self._max_iter, self._tol)
            converged = self._solver.converged()
            v = np.asarray(self._solver.get_V())
        else:
            v, converged, *_ = newtonpf(self._ybus_csc, sbus, self._v, self._ref, self._pv, self._pq, self._ppci,
                                        self._options)
        if not converged:
            raise GridError(f"power flow did not converge for the interval starting {start}")
        self._v = v
        return v

    def solve_chunk(self, values: NDArray[np.float64], starts: Sequence[pd.Timestamp]
                    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Solve consecutive intervals.

        Parameters
        ----------
        values : (n_t, n_col) float64
            Profile values per interval, same column order as at construction.
        starts : sequence of pandas.Timestamp
            Interval starts (for error messages).

        Returns
        -------
        injected : (n_t, n_dev) float64
            Injected power per layout device row, MW (negative: drawing).
        p_from, p_to : (n_t, n_br) float64
            Branch flows entering at the from/to end, MW.
        """
        delta = values - self._x0
        sbus = self._sbus0[None, :] + (self._s_update @ delta.T).T
        volts = np.empty((len(values), len(self._sbus0)), dtype=np.complex128)
        for t in range(len(values)):
            volts[t] = self._newton(np.ascontiguousarray(sbus[t]), starts[t].isoformat())
        injected = self._inj0[None, :] + (self._d_update @ delta.T).T
        calc = volts * np.conj((self._ybus @ volts.T).T)
        if self._slack_rows:
            sign = self.layout.device_sign[self._slack_rows]
            slack_p = (calc[:, self._slack_bus] - sbus[:, self._slack_bus]).real * self._base_mva
            # ext_grid / gen results are generation convention: injected = p_mw * (+1)
            injected[:, self._slack_rows] = slack_p * sign
        if len(self._vm_rows):
            vm2 = np.abs(volts[:, self._vm_bus]) ** 2
            injected[:, self._vm_rows] = self._vm_const + self._vm_coeff * vm2
        p_from = np.repeat(self._p_from0[None, :], len(values), axis=0)
        p_to = np.repeat(self._p_to0[None, :], len(values), axis=0)
        if self._br_rows:
            rows = np.asarray(self._br_ppci)
            s_from = volts[:, self._yf_from[rows]] * np.conj((self._yf[rows] @ volts.T).T)
            s_to = volts[:, self._yt_to[rows]] * np.conj((self._yt[rows] @ volts.T).T)
            p_from[:, self._br_rows] = s_from.real * self._base_mva
            p_to[:, self._br_rows] = s_to.real * self._base_mva
        return injected, p_from, p_to
