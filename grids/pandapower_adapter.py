"""Convert a solved pandapower network into a :class:`~greenproof.attribution.Snapshot`.

Reads pandapower's public result tables (``res_bus``, ``res_line``, ``res_trafo``,
``res_trafo3w``, ``res_impedance``, ``res_dcline``, ``res_switch``, ``res_<device>``). A
three-winding transformer is three windings meeting at a star bus; pandapower publishes their
outer ends, and the star ends follow from them with the transformer's loss on its sending
windings (:mod:`._star_flows`).

DC power flow (``rundcpp``): DC assumes 1 p.u. at every bus, but pandapower evaluates
``res_shunt`` and the impedance part of ``res_ward``/``res_xward`` at the voltage magnitudes left
in its case (generator set-points, e.g. up to 1.155 p.u. on ``case145``): those results are
rescaled to 1 p.u. (``p / vm²``), which is the power the DC solution carried. ``rundcpp`` does not
model asymmetric loads and static generators (``net._options["mode"] != "pf"``) although
``res_asymmetric_*`` report them: they count 0 MW, as in the solved flow.

Sign conventions (pandapower, see :mod:`greenproof.attribution.snapshot` for the Snapshot side):
result ``p_mw`` is positive when injecting for ``ext_grid``, ``gen``, ``sgen``,
``asymmetric_sgen`` and positive when drawing for ``load``, ``storage``, ``shunt``, ``motor``,
``asymmetric_load``, ``ward``, ``xward``. A device with the other sign becomes a row of the other
table: ext grid importing → injection ``grid_import``, exporting → withdrawal ``export``; storage
discharging → injection ``storage``, charging → withdrawal ``storage_charge``; a negative load →
injection whose technology comes from ``technology_of``/its type (else an error).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import numpy as np
import pandapower as pp
from numpy.typing import NDArray
from pandapower.auxiliary import pandapowerNet

from greenproof.attribution import Snapshot

from ._layout import Layout, build_layout, to_snapshot
from .errors import GridError

__all__ = ["from_pandapower", "live_buses", "solve_power_flow"]

_BRANCH_RESULT_COLUMNS = {
    "line": ("p_from_mw", "p_to_mw"),
    "impedance": ("p_from_mw", "p_to_mw"),
    "dcline": ("p_from_mw", "p_to_mw"),
    "switch": ("p_from_mw", "p_to_mw"),
    "trafo": ("p_hv_mw", "p_lv_mw"),
}
#: Tables whose result ``p_mw`` scales with vm² (all of it for shunts, ``pz_mw`` for wards).
_IMPEDANCE_TABLES = ("shunt", "ward", "xward")
#: Tables ``rundcpp`` leaves out of the power flow.
_ASYMMETRIC_TABLES = ("asymmetric_load", "asymmetric_sgen")


def _net_name(net: pandapowerNet) -> str:
    return repr(net.get("name") or "unnamed network")


def check_slack_in_service(net: pandapowerNet) -> None:
    """Raise :class:`GridError` naming the out-of-service slack elements when no slack is in service."""
    ext_grid, gen = net.ext_grid, net.gen
    slack_gen = gen[gen["slack"].astype(bool)] if "slack" in gen else gen.iloc[:0]
    if ext_grid["in_service"].astype(bool).any() or slack_gen["in_service"].astype(bool).any():
        return
    idle = [f"ext_grid:{i}" for i in ext_grid.index] + [f"gen:{i}" for i in slack_gen.index]
    raise GridError(f"{_net_name(net)} has no slack in service"
                    + (f": {', '.join(idle)} out of service" if idle else ": it has no ext_grid or slack gen"))


def solve_power_flow(net: pandapowerNet, *, dc: bool = False, **options: object) -> None:
    """Run ``pandapower.runpp`` (or ``rundcpp`` when ``dc``), translating failures to :class:`GridError`.

    Parameters
    ----------
    net : pandapowerNet
        Solved in place.
    dc : bool
        Run a DC power flow (lossless) instead of AC Newton-Raphson.
    **options
        Passed to ``runpp``/``rundcpp``.

    Raises
    ------
    GridError
        No slack in service, or the power flow did not converge.
    """
    check_slack_in_service(net)
    try:
        (pp.rundcpp if dc else pp.runpp)(net, **options)
    except pp.LoadflowNotConverged as exc:
        raise GridError(f"power flow of {_net_name(net)} did not converge") from exc


def live_buses(net: pandapowerNet) -> NDArray[np.int64]:
    """In-service buses the last power flow reached (finite ``res_bus.vm_pu``), pandapower ids."""
    res = net.res_bus.reindex(net.bus.index)
    mask = net.bus["in_service"].astype(bool).to_numpy() & np.isfinite(res["vm_pu"].to_numpy(dtype=np.float64))
    return net.bus.index.to_numpy(dtype=np.int64)[mask]


def _at_one_pu(net: pandapowerNet, table: str, index: NDArray[np.int64],
               p_mw: NDArray[np.float64]) -> NDArray[np.float64]:
    """Rescale result ``p_mw`` of impedance devices from pandapower's bus voltages to the 1 p.u. of a DC flow."""
    element = net[table].loc[index]
    vm = net.res_bus["vm_pu"].reindex(element["bus"].to_numpy()).to_numpy(dtype=np.float64)
    constant = element["ps_mw"].to_numpy(dtype=np.float64) if table != "shunt" else np.zeros(len(index))
    return constant + (p_mw - constant) / vm**2


def _result_injections(net: pandapowerNet, layout: Layout) -> NDArray[np.float64]:
    """Power each layout device injects, MW (negative: it draws), from its result table (see module docstring)."""
    injected = np.zeros(len(layout.device_id))
    dc = not net._options["ac"]
    for table in np.unique(layout.device_table):
        table = str(table)
        rows = layout.rows_of(table)
        index = layout.device_index[rows]
        if table in _ASYMMETRIC_TABLES and net._options["mode"] != "pf":
            continue  # not part of the solved flow
        p_mw = net[f"res_{table}"]["p_mw"].reindex(index).to_numpy(dtype=np.float64)
        if dc and table in _IMPEDANCE_TABLES:
            p_mw = _at_one_pu(net, table, index, p_mw)
        injected[rows] = p_mw * layout.device_sign[rows]
    return injected


def _result_branch_flows(net: pandapowerNet, layout: Layout) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Power entering each layout branch at its from/to end, MW (star ends of trafo3w windings left at 0)."""
    p_from = np.zeros(len(layout.branch_id))
    p_to = np.zeros(len(layout.branch_id))
    for table, (from_col, to_col) in _BRANCH_RESULT_COLUMNS.items():
        rows = np.flatnonzero(layout.branch_table == table)
        if len(rows):
            res = net[f"res_{table}"].reindex(layout.branch_index[rows])
            p_from[rows] = res[from_col].to_numpy(dtype=np.float64)
            p_to[rows] = res[to_col].to_numpy(dtype=np.float64)
    for side in ("hv", "mv", "lv"):
        rows = np.flatnonzero((layout.branch_table == "trafo3w") & (layout.branch_side == side))
        if len(rows):
            outer = net.res_trafo3w[f"p_{side}_mw"].reindex(layout.branch_index[rows]).to_numpy(dtype=np.float64)
            (p_from if side == "hv" else p_to)[rows] = outer
    return p_from, p_to


def from_pandapower(net: pandapowerNet, *, duration_h: float = 0.25, start: datetime | None = None,
                    technology_of: Mapping[str, str] | None = None,
                    default_technology: str | None = None) -> Snapshot:
    """Snapshot of ``net`` after a converged ``runpp`` or ``rundcpp``.

    Parameters
    ----------
    net : pandapowerNet
        A network whose last power flow converged.
    duration_h : float
        Interval length in hours (MW × duration_h = MWh).
    start : datetime, optional
        Interval start, timezone-aware UTC.
    technology_of : mapping, optional
        Device id (``"sgen:3"``) → technology key, overriding the element's ``type`` column.
    default_technology : str, optional
        Technology for injecting devices whose type is not in
        :data:`~greenproof.grids.technology_map.TYPE_TO_TECHNOLOGY`; without it they raise.

    Returns
    -------
    Snapshot
        Device ids ``"{table}:{index}"``; branch ids ``"line:7"``, ``"trafo:0"``,
        ``"trafo3w:2:hv"`` (hv bus → star), ``"trafo3w:2:mv"``/``":lv"`` (star → mv/lv bus),
        ``"impedance:0"``, ``"dcline:0"``, ``"switch:4"`` (closed bus-bus switch with impedance).
        Star bus of trafo3w ``k``: ``-(k + 1)``; buses fused by closed switches: smallest id.
        In-service devices on de-energised buses are listed in ``unsupplied_device_id`` (0 MW).

    Raises
    ------
    GridError
        The power flow did not converge, no slack is in service, a result is not finite, an
        injecting device's technology is unknown, or a bus does not balance (naming the device
        tables there).
    """
    check_slack_in_service(net)
    if not bool(net.get("converged", False)):
        raise GridError(f"power flow of {_net_name(net)} has not converged; run pandapower.runpp first")
    layout = build_layout(net, live_buses(net), technology_of=technology_of, default_technology=default_technology)
    injected = _result_injections(net, layout)
    p_from, p_to = _result_branch_flows(net, layout)
    for name, values, ids in (("p_mw", injected, layout.device_id), ("p_from_mw", p_from, layout.branch_id),
                              ("p_to_mw", p_to, layout.branch_id)):
        bad = ~np.isfinite(values)
        if bad.any():
            raise GridError(f"{ids[np.flatnonzero(bad)[0]]}: result {name} is not finite after the power flow")
    where = _net_name(net) + (f" at {start.isoformat()}" if start is not None else "")
    return to_snapshot(layout, injected, p_from, p_to, duration_h=duration_h, start=start, where=where)
