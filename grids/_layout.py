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

Devices: in-service devices on buses the power flow reached are rows; in-service devices on
buses it did not reach (a de-energised island, an out-of-service bus) are listed as unsupplied
(0 MW) and are not rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import DTypeLike, NDArray
from pandapower.auxiliary import pandapowerNet
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from greenproof.attribution import TECHNOLOGY_KEYS, Branches, Injections, Snapshot, Withdrawals

from ._bus_balance import check_bus_balance
from ._star_flows import star_side_flows
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
    unsupplied_id : (n_off,) str
        In-service devices on buses the power flow did not reach (0 MW; not device rows).
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
    unsupplied_id: NDArray[np.str_]

    @cached_property
    def bus_position(self) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
        """Positions in :attr:`bus_ids` of the device buses, branch from-buses and branch to-buses."""
        order = np.argsort(self.bus_ids, kind="stable")

        def positions(buses: NDArray[np.int64]) -> NDArray[np.intp]:
            return order[np.searchsorted(self.bus_ids, buses, sorter=order)].astype(np.intp)

        return positions(self.device_bus), positions(self.from_bus), positions(self.to_bus)

    def rows_of(self, table: str) -> NDArray[np.int64]:
        """Positions of the device rows of pandapower table ``table``, in layout order."""
        return np.flatnonzero(self.device_table == table)


def _check_technology(where: str, technology: str) -> str:
    if technology not in TECHNOLOGY_KEYS:
        raise GridError(f"{where}: technology {technology!r} is not one of {list(TECHNOLOGY_KEYS)}")
    return technology


def _in_service(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["in_service"].to_numpy(dtype=np.bool_)] if len(df) else df


def _ids(table: str, index: NDArray[np.int64], suffix: str = "") -> NDArray[np.str_]:
    return np.asarray([f"{table}:{i}{suffix}" for i in index.tolist()], dtype=np.str_)


def _mapped_technology(df: pd.DataFrame, rows: NDArray[np.bool_], width: int) -> NDArray[np.str_]:
    """Technology key of the selected rows from their ``type``, else ``profile`` column; ``""`` when neither maps.

    Each distinct value is mapped once (:func:`~.technology_map.technology_of_type`), then spread
    over the rows by its code.
    """
    found = np.full(int(rows.sum()), "", dtype=f"<U{width}")
    for column in ("type", "profile"):
        if column in df:
            codes, distinct = pd.factorize(df[column].to_numpy()[rows])
            keys = np.array([technology_of_type(value) or "" for value in distinct] + [""], dtype=f"<U{width}")
            found = np.where(found == "", keys[codes], found)  # code -1 (missing) picks the trailing ""
    return found


def _technologies(table: str, df: pd.DataFrame, rows: NDArray[np.bool_], ids: NDArray[np.str_],
                  technology_of: Mapping[str, str], default_technology: str | None) -> NDArray[np.str_]:
    """Technology key of the selected device rows, in the order of precedence of :func:`build_layout`."""
    width = max(len(key) for key in TECHNOLOGY_KEYS)
    if table in _FIXED_TECHNOLOGY:
        technology = np.full(len(ids), _FIXED_TECHNOLOGY[table], dtype=f"<U{width}")
    else:
        technology = _mapped_technology(df, rows, width)
        if default_technology is not None:
            technology[technology == ""] = default_technology
    if technology_of:
        override = pd.Series(ids).map(technology_of)
        given = override.notna().to_numpy()
        technology[given] = override[given].to_numpy(dtype=np.str_)
    unknown = technology == ""
    if table in GENERATION_CONVENTION and unknown.any():
        row = df[rows].iloc[int(np.flatnonzero(unknown)[0])]
        raise GridError(f"{ids[unknown][0]} ({row.get('name')!r}): type {row.get('type')!r} maps to no technology; "
                        "add it to technology_of or pass default_technology explicitly")
    return technology


def _representative(represent: pd.Series, buses: NDArray[np.int64]) -> NDArray[np.int64]:
    return represent.to_numpy(dtype=np.int64)[represent.index.get_indexer(buses)]


@dataclass(frozen=True)
class _Rows:
    """One batch of layout rows of a single pandapower table.

    Devices use ``bus`` (Snapshot bus id) and ``technology``; branches use ``bus`` as their
    from-bus, ``to_bus`` and ``side`` (trafo3w winding).
    """

    id: NDArray[np.str_]
    table: str
    index: NDArray[np.int64]
    side: str = ""
    bus: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    to_bus: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    technology: NDArray[np.str_] = field(default_factory=lambda: np.zeros(0, np.str_))


def _branch(table: str, index: NDArray[np.int64], from_bus: NDArray[np.int64], to_bus: NDArray[np.int64],
            side: str = "") -> _Rows:
    return _Rows(_ids(table, index, f":{side}" if side else ""), table, index, side, from_bus, to_bus)


def _branch_rows(net: pandapowerNet, live: NDArray[np.int64], represent: pd.Series
                 ) -> tuple[list[_Rows], NDArray[np.int64]]:
    """Rows of energised branches (both ends live) and the star bus ids of energised trafo3w."""
    rows = []
    for table, (a_col, b_col) in (("line", ("from_bus", "to_bus")), ("trafo", ("hv_bus", "lv_bus")),
                                  ("impedance", ("from_bus", "to_bus")), ("dcline", ("from_bus", "to_bus"))):
        df = _in_service(_table(net, table))
        if len(df):
            a, b = df[a_col].to_numpy(dtype=np.int64), df[b_col].to_numpy(dtype=np.int64)
            keep = np.isin(a, live) & np.isin(b, live)
            rows.append(_branch(table, df.index.to_numpy(dtype=np.int64)[keep], _representative(represent, a[keep]),
                                _representative(represent, b[keep])))
    t3 = _in_service(_table(net, "trafo3w"))
    stars = np.zeros(0, dtype=np.int64)
    if len(t3):
        t3 = t3[np.isin(t3["hv_bus"].to_numpy(dtype=np.int64), live)]
        index = t3.index.to_numpy(dtype=np.int64)
        stars = -(index + 1)  # star_bus_id, vectorised
        rows.append(_branch("trafo3w", index, _representative(represent, t3["hv_bus"].to_numpy(dtype=np.int64)),
                            stars, "hv"))
        for side in ("mv", "lv"):
            outer = t3[f"{side}_bus"].to_numpy(dtype=np.int64)
            keep = np.isin(outer, live)
            rows.append(_branch("trafo3w", index[keep], stars[keep], _representative(represent, outer[keep]), side))
    switch = _table(net, "switch")
    if len(switch) and "z_ohm" in switch:
        impedant = switch[(switch["et"] == "b") & switch["closed"].astype(bool) & (switch["z_ohm"].fillna(0.0) > 0)]
        a, b = impedant["bus"].to_numpy(dtype=np.int64), impedant["element"].to_numpy(dtype=np.int64)
        keep = np.isin(a, live) & np.isin(b, live)
        rows.append(_branch("switch", impedant.index.to_numpy(dtype=np.int64)[keep],
                            _representative(represent, a[keep]), _representative(represent, b[keep])))
    return rows, stars


def _device_rows(net: pandapowerNet, live: NDArray[np.int64], represent: pd.Series, technology_of: Mapping[str, str],
                 default_technology: str | None) -> tuple[list[_Rows], NDArray[np.str_]]:
    """Rows of in-service devices on live buses, and the ids of in-service devices on other buses."""
    rows, unsupplied = [], []
    for table in GENERATION_CONVENTION + LOAD_CONVENTION:
        df = _table(net, table)
        if not len(df):
            continue
        buses = df["bus"].to_numpy(dtype=np.int64)
        index = df.index.to_numpy(dtype=np.int64)
        in_service = df["in_service"].to_numpy(dtype=np.bool_)
        energised = in_service & np.isin(buses, live)
        unsupplied.append(_ids(table, index[in_service & ~energised]))
        ids = _ids(table, index[energised])
        rows.append(_Rows(ids, table, index[energised], bus=_representative(represent, buses[energised]),
                          technology=_technologies(table, df, energised, ids, technology_of, default_technology)))
    return rows, np.concatenate(unsupplied) if unsupplied else np.zeros(0, dtype=np.str_)


def _join(arrays: list[NDArray[Any]], dtype: DTypeLike) -> NDArray[Any]:
    return np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype=dtype)


def _per_row(rows: list[_Rows], values: list[object], dtype: DTypeLike) -> NDArray[Any]:
    return _join([np.full(len(batch.id), value) for batch, value in zip(rows, values, strict=True)], dtype)


def build_layout(net: pandapowerNet, live_buses: NDArray[np.int64], *, technology_of: Mapping[str, str] | None = None,
                 default_technology: str | None = None) -> Layout:
    """Rows of ``net`` for a Snapshot, given the buses the power flow reached.

    Column operations on the element tables, no loop over rows. A device's technology comes from
    ``technology_of`` (by device id), else its ``type`` column, else its SimBench ``profile``
    column (each distinct value mapped once by :func:`~.technology_map.technology_of_type`), else
    ``default_technology``.

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
        A technology key is not one of attribution's, or an energised generator's type maps to no
        technology and no default is given.
    """
    technology_of = dict(technology_of or {})
    for device, technology in technology_of.items():
        _check_technology(f"technology_of[{device!r}]", technology)
    if default_technology is not None:
        _check_technology("default_technology", default_technology)
    represent = fused_bus_representatives(net)
    live = np.asarray(live_buses, dtype=np.int64)
    devices, unsupplied = _device_rows(net, live, represent, technology_of, default_technology)
    branches, stars = _branch_rows(net, live, represent)
    generation = [batch.table in GENERATION_CONVENTION for batch in devices]
    return Layout(
        bus_ids=np.concatenate([np.unique(_representative(represent, live)), stars]),
        device_id=_join([batch.id for batch in devices], np.str_),
        device_table=_per_row(devices, [batch.table for batch in devices], np.str_),
        device_index=_join([batch.index for batch in devices], np.int64),
        device_bus=_join([batch.bus for batch in devices], np.int64),
        device_sign=_per_row(devices, [1.0 if g else -1.0 for g in generation], np.float64),
        nominal_injector=_per_row(devices, generation, np.bool_),
        technology=_join([batch.technology for batch in devices], np.str_),
        withdrawal_kind=_per_row(devices, [_WITHDRAWAL_KIND.get(batch.table, "load") for batch in devices], np.str_),
        branch_id=_join([batch.id for batch in branches], np.str_),
        branch_table=_per_row(branches, [batch.table for batch in branches], np.str_),
        branch_index=_join([batch.index for batch in branches], np.int64),
        branch_side=_per_row(branches, [batch.side for batch in branches], np.str_),
        from_bus=_join([batch.bus for batch in branches], np.int64),
        to_bus=_join([batch.to_bus for batch in branches], np.int64),
        unsupplied_id=unsupplied,
    )


def to_snapshot(layout: Layout, injected_mw: NDArray[np.float64], p_from_mw: NDArray[np.float64],
                p_to_mw: NDArray[np.float64], *, duration_h: float, start: datetime | None,
                where: str | None = None) -> Snapshot:
    """Fill ``layout`` with one interval's numbers.

    The star ends of three-winding transformer windings are set from their outer ends
    (:mod:`._star_flows`: the transformer's loss is carried by its sending windings), then every
    bus must balance (:mod:`._bus_balance`).

    Parameters
    ----------
    layout : Layout
    injected_mw : (n_dev,) float64
        Power each device injects, MW (negative: it draws), i.e. result ``p_mw`` × ``device_sign``.
    p_from_mw, p_to_mw : (n_br,) float64
        Active power entering each branch at its from/to end, MW (star ends of windings are not read).
    duration_h : float
        Interval length, hours.
    start : datetime or None
        Interval start (UTC).
    where : str, optional
        Names the network or interval in error messages (default: the interval start).

    Raises
    ------
    GridError
        A device of unknown technology injects (e.g. a negative load without a mapping), or a bus
        does not balance (the message names the device tables there).
    """
    near_zero = np.abs(injected_mw) <= ZERO_TOL_MW
    injecting = np.where(near_zero, layout.nominal_injector, injected_mw > 0)
    unknown = injecting & (layout.technology == "")
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise GridError(f"{layout.device_id[row]} injects {injected_mw[row]:.6g} MW but its technology is unknown; "
                        "add it to technology_of or pass default_technology explicitly")
    p_from_mw, p_to_mw = star_side_flows(layout.branch_table, layout.branch_index, layout.branch_side, p_from_mw,
                                         p_to_mw)
    device_pos, from_pos, to_pos = layout.bus_position
    check_bus_balance(layout.bus_ids, device_pos, layout.device_id, injected_mw, from_pos, to_pos, p_from_mw, p_to_mw,
                      where=where or (f"interval starting {start.isoformat()}" if start is not None else "snapshot"))
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
        unsupplied_device_id=layout.unsupplied_id,
    )
