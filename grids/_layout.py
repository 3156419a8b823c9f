"""The rows of a pandapower network as a Snapshot sees them: buses, devices and branches.

A :class:`Layout` is the static part of a conversion (which device is which row, on which bus,
with which technology); :func:`to_snapshot` fills it with one interval's numbers. The adapter
(:mod:`.pandapower_adapter`) builds one per call; the fast time series (:mod:`.timeseries`)
builds one per network and reuses it for every interval.

Bus ids:

- A bus joined to others by closed bus-bus switches without impedance is represented by the
  smallest pandapower bus id of its fused group; the switches disappear.
- Each three-winding transformer ``k`` gets an explicit star bus with id ``-(k + 1)``.
  pandapower bus indices are never negative, so star ids cannot collide with real buses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pandapower.auxiliary import pandapowerNet
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from greenproof.attribution import TECHNOLOGY_KEYS, Branches, Injections, Snapshot, Withdrawals

from .errors import GridError
from .technology_map import technology_of_type

__all__ = ["Layout", "build_layout", "fused_bus_representatives", "star_bus_id", "to_snapshot"]

#: Device tables whose result ``p_mw`` is positive when the device injects (generation convention).
GENERATION_CONVENTION = ("ext_grid", "gen", "sgen", "asymmetric_sgen")
#: Device tables whose result ``p_mw`` is positive when the device draws (load convention).
LOAD_CONVENTION = ("load", "storage", "shunt", "motor", "asymmetric_load", "ward", "xward")
#: Technology of the injecting side / kind of the withdrawing side for tables that have a fixed one.
_FIXED_TECHNOLOGY = {"ext_grid": "grid_import", "storage": "storage"}
_WITHDRAWAL_KIND = {"ext_grid": "export", "storage": "storage_charge"}

#: |p| below this (MW) counts as zero and keeps a device on its table's nominal side.
ZERO_TOL_MW = 1e-9


def star_bus_id(trafo3w_index: int) -> int:
    """Snapshot bus id of the star point of three-winding transformer ``trafo3w_index`` (negative)."""
    return -(int(trafo3w_index) + 1)


def _table(net: pandapowerNet, name: str) -> pd.DataFrame:
    table = net.get(name)
    return table if isinstance(table, pd.DataFrame) else pd.DataFrame()


def fused_bus_representatives(net: pandapowerNet) -> pd.Series:
    """Map every bus to the representative of its group of buses fused by closed bus-bus switches.

    Parameters
    ----------
    net : pandapowerNet

    Returns
    -------
    pandas.Series
        Indexed by pandapower bus id, value: smallest bus id of the fused group (itself if none).
    """
    buses = _table(net, "bus").index.to_numpy(dtype=np.int64)
    switch = _table(net, "switch")
    position = pd.Series(np.arange(len(buses)), index=buses)
    if len(switch):
        z_ohm = switch["z_ohm"].fillna(0.0) if "z_ohm" in switch else pd.Series(0.0, index=switch.index)
        fused = switch[(switch["et"] == "b") & switch["closed"].astype(bool) & (z_ohm <= 0)]
    else:
        fused = switch
    if not len(fused):
        return pd.Series(buses, index=buses)
    rows = position.loc[fused["bus"].to_numpy()].to_numpy()
    cols = position.loc[fused["element"].to_numpy()].to_numpy()
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(buses), len(buses)))
    _, label = connected_components(graph, directed=False)
    smallest = pd.Series(buses).groupby(label).transform("min").to_numpy()
    return pd.Series(smallest, index=buses)


@dataclass(frozen=True, eq=False)
class Layout:
    """Static rows of one network topology (see module docstring for bus ids).

    Attributes
    ----------
    bus_ids : (n_bus,) int64
        Snapshot bus ids: fused-group representatives of live buses, then star buses.
    device_id, device_table : (n_dev,) str
        ``"{table}:{index}"`` and the pandapower table name.
    device_index : (n_dev,) int64
        Row index in the pandapower table.
    device_bus : (n_dev,) int64
        Snapshot bus id of the device.
    device_sign : (n_dev,) float64
        ``+1`` for generation-convention tables, ``-1`` for load-convention tables: multiplying a
        result ``p_mw`` by it gives the injected power (positive = injecting).
    nominal_injector : (n_dev,) bool
        Side a device with zero power is recorded on (True: injections).
    technology : (n_dev,) str
        Technology key used when the device injects; ``""`` when unknown (an error if it injects).
    withdrawal_kind : (n_dev,) str
        Withdrawal kind used when the device draws (``"load"``, ``"export"``, ``"storage_charge"``).
    branch_id : (n_br,) str
        ``"line:7"``, ``"trafo:0"``, ``"trafo3w:2:hv"``, ``"impedance:0"``, ``"dcline:0"``, ``"switch:4"``.
    branch_table : (n_br,) str
        pandapower table of the branch.
    branch_index : (n_br,) int64
        Row index in that table.
    branch_side : (n_br,) str
        ``"hv"``, ``"mv"``, ``"lv"`` for trafo3w windings, ``""`` otherwise.
    from_bus, to_bus : (n_br,) int64
        Snapshot bus ids of the branch ends (trafo3w windings: hv bus → star, star → mv/lv bus).
    """

    bus_ids: NDArray[np.int64]
    device_id: NDArray[np.str_]
    device_table: NDArray[np.str_]
    device_index: NDArray[np.int64]
    device_bus: NDArray[np.int64]
    device_sign: NDArray[np.float64]
    nominal_injector: NDArray[np.bool_]
    technology: NDArray[np.str_]
    withdrawal_kind: NDArray[np.str_]
    branch_id: NDArray[np.str_]
    branch_table: NDArray[np.str_]
    branch_index: NDArray[np.int64]
    branch_side: NDArray[np.str_]
    from_bus: NDArray[np.int64]
    to_bus: NDArray[np.int64]

    def rows_of(self, table: str) -> NDArray[np.int64]:
        """Positions of the device rows of pandapower table ``table``, in layout order."""
        return np.flatnonzero(self.device_table == table)


def _check_technology(where: str, technology: str) -> str:
    if technology not in TECHNOLOGY_KEYS:
        raise GridError(f"{where}: technology {technology!r} is not one of {list(TECHNOLOGY_KEYS)}")
    return technology


def _device_technology(table: str, index: int, row: pd.Series, technology_of: Mapping[str, str],
                       default_technology: str | None) -> str:
    device_id = f"{table}:{index}"
    if device_id in technology_of:
        return _check_technology(f"technology_of[{device_id!r}]", technology_of[device_id])
    if table in _FIXED_TECHNOLOGY:
        return _FIXED_TECHNOLOGY[table]
    for column in ("type", "profile"):
        found = technology_of_type(row.get(column))
        if found is not None:
            return found
    if default_technology is not None:
        return default_technology
    if table in GENERATION_CONVENTION:
        raise GridError(f"{device_id} ({row.get('name')!r}): type {row.get('type')!r} maps to no technology; "
                        "add it to technology_of or pass default_technology explicitly")
    return ""


def build_layout(net: pandapowerNet, live_buses: NDArray[np.int64], *, technology_of: Mapping[str, str] | None = None,
                 default_technology: str | None = None) -> Layout:
    """Rows of ``net`` for a Snapshot, given the buses the power flow reached.

    Parameters
    ----------
    net : pandapowerNet
        The network (results are not read here).
    live_buses : (n,) int64
        pandapower bus ids that are in service and energised (finite ``res_bus.vm_pu``).
    technology_of : mapping, optional
        Device id → technology key, overriding the ``type`` column.
    default_technology : str, optional
        Technology of injecting devices whose type is unknown; without it such a device raises.

    Raises
    ------
    GridError
        An in-service device sits on a bus the power flow did not reach (islanded), or a generator's
        technology is unknown.
    """
    technology_of = dict(technology_of or {})
    if default_technology is not None:
        _check_technology("default_technology", default_technology)
    represent = fused_bus_representatives(net)
    bus_table = _table(net, "bus")
    live = np.asarray(live_buses, dtype=np.int64)
    live_set = set(live.tolist())

    dev: dict[str, list[object]] = {k: [] for k in ("id", "table", "index", "bus", "sign", "nominal", "tech", "kind")}
    for table in GENERATION_CONVENTION + LOAD_CONVENTION:
        df = _table(net, table)
        if not len(df):
            continue
        for index, row in df[df["in_service"].astype(bool)].iterrows():
            bus = int(row["bus"])
            if bus not in live_set:
                if bool(bus_table.at[bus, "in_service"]):
                    raise GridError(f"{table}:{index} ({row.get('name')!r}) is on bus {bus} "
                                    f"({bus_table.at[bus, 'name']!r}), which is islanded: no slack reaches it")
                continue
            generation = table in GENERATION_CONVENTION
            dev["id"].append(f"{table}:{index}")
            dev["table"].append(table)
            dev["index"].append(int(index))
            dev["bus"].append(int(represent.at[bus]))
            dev["sign"].append(1.0 if generation else -1.0)
            dev["nominal"].append(generation)
            dev["tech"].append(_device_technology(table, int(index), row, technology_of, default_technology))
            dev["kind"].append(_WITHDRAWAL_KIND.get(table, "load"))

    br: dict[str, list[object]] = {k: [] for k in ("id", "table", "index", "side", "from", "to")}

    def add_branch(branch_id: str, table: str, index: int, side: str, from_bus: int, to_bus: int) -> None:
        br["id"].append(branch_id)
        br["table"].append(table)
        br["index"].append(index)
        br["side"].append(side)
        br["from"].append(from_bus)
        br["to"].append(to_bus)

    for table, ends in (("line", ("from_bus", "to_bus")), ("trafo", ("hv_bus", "lv_bus")),
                        ("impedance", ("from_bus", "to_bus")), ("dcline", ("from_bus", "to_bus"))):
        df = _table(net, table)
        if not len(df):
            continue
        for index, row in df[df["in_service"].astype(bool)].iterrows():
            a, b = int(row[ends[0]]), int(row[ends[1]])
            if a in live_set and b in live_set:
                add_branch(f"{table}:{index}", table, int(index), "", int(represent.at[a]), int(represent.at[b]))
    stars: list[int] = []
    t3 = _table(net, "trafo3w")
    if len(t3):
        for index, row in t3[t3["in_service"].astype(bool)].iterrows():
            if int(row["hv_bus"]) not in live_set:
                continue
            star = star_bus_id(int(index))
            stars.append(star)
            add_branch(f"trafo3w:{index}:hv", "trafo3w", int(index), "hv", int(represent.at[int(row["hv_bus"])]), star)
            for side in ("mv", "lv"):
                add_branch(f"trafo3w:{index}:{side}", "trafo3w", int(index), side, star,
                           int(represent.at[int(row[f"{side}_bus"])]))
    switch = _table(net, "switch")
    if len(switch) and "z_ohm" in switch:
        impedant = switch[(switch["et"] == "b") & switch["closed"].astype(bool) & (switch["z_ohm"].fillna(0.0) > 0)]
        for index, row in impedant.iterrows():
            a, b = int(row["bus"]), int(row["element"])
            if a in live_set and b in live_set:
                add_branch(f"switch:{index}", "switch", int(index), "", int(represent.at[a]), int(represent.at[b]))

    bus_ids = np.concatenate([np.unique(represent.loc[live].to_numpy(dtype=np.int64)),
                              np.asarray(stars, dtype=np.int64)])
    return Layout(
        bus_ids=bus_ids,
        device_id=np.asarray(dev["id"], dtype=np.str_),
        device_table=np.asarray(dev["table"], dtype=np.str_),
        device_index=np.asarray(dev["index"], dtype=np.int64),
        device_bus=np.asarray(dev["bus"], dtype=np.int64),
        device_sign=np.asarray(dev["sign"], dtype=np.float64),
        nominal_injector=np.asarray(dev["nominal"], dtype=np.bool_),
        technology=np.asarray(dev["tech"], dtype=np.str_),
        withdrawal_kind=np.asarray(dev["kind"], dtype=np.str_),
        branch_id=np.asarray(br["id"], dtype=np.str_),
        branch_table=np.asarray(br["table"], dtype=np.str_),
        branch_index=np.asarray(br["index"], dtype=np.int64),
        branch_side=np.asarray(br["side"], dtype=np.str_),
        from_bus=np.asarray(br["from"], dtype=np.int64),
        to_bus=np.asarray(br["to"], dtype=np.int64),
    )


def to_snapshot(layout: Layout, injected_mw: NDArray[np.float64], p_from_mw: NDArray[np.float64],
                p_to_mw: NDArray[np.float64], *, duration_h: float, start: datetime | None) -> Snapshot:
    """Fill ``layout`` with one interval's numbers.

    Parameters
    ----------
    layout : Layout
    injected_mw : (n_dev,) float64
        Power each device injects, MW (negative: it draws), i.e. result ``p_mw`` × ``device_sign``.
    p_from_mw, p_to_mw : (n_br,) float64
        Active power entering each branch at its from/to end, MW.
    duration_h : float
        Interval length, hours.
    start : datetime or None
        Interval start (UTC).

    Raises
    ------
    GridError
        A device of unknown technology injects (e.g. a negative load without a mapping).
    """
    near_zero = np.abs(injected_mw) <= ZERO_TOL_MW
    injecting = np.where(near_zero, layout.nominal_injector, injected_mw > 0)
    unknown = injecting & (layout.technology == "")
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise GridError(f"{layout.device_id[row]} injects {injected_mw[row]:.6g} MW but its technology is unknown; "
                        "add it to technology_of or pass default_technology explicitly")
    magnitude = np.where(near_zero, 0.0, np.abs(injected_mw))
    drawing = ~injecting
    return Snapshot(
        bus_ids=layout.bus_ids,
        injections=Injections(device_id=layout.device_id[injecting], bus=layout.device_bus[injecting],
                              technology=layout.technology[injecting], p_mw=magnitude[injecting]),
        withdrawals=Withdrawals(device_id=layout.device_id[drawing], bus=layout.device_bus[drawing],
                                p_mw=magnitude[drawing], kind=layout.withdrawal_kind[drawing]),
        branches=Branches(branch_id=layout.branch_id, from_bus=layout.from_bus, to_bus=layout.to_bus,
                          p_from_mw=p_from_mw, p_to_mw=p_to_mw),
        duration_h=duration_h,
        start=start,
    )
