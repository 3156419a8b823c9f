"""The park grid as a drawing: bus positions, branch arrows by flow direction, widths by MW, bus colours by intensity.

Layout (deterministic, any topology): buses are placed in rows by their hop distance from the
root bus (the grid connection), so the drawing reads from the East China grid outwards; within a
row, buses are ordered by the mean position of their neighbours in the row above (one barycentre
sweep, the first step of Sugiyama's layered drawing) and spread evenly. Coordinates are SVG user
units in a ``width × height`` box.

Flow conventions: a branch is drawn from its sending end to its receiving end (the sign of the
solved flow, as the tracer orients it); ``p_mw`` is the sending-end flow (MW, ≥ 0) and
``loss_mw`` = sending − receiving (MW). Stroke width grows linearly with ``p_mw`` from
:data:`MIN_STROKE` to :data:`MAX_STROKE` at the largest flow of the interval.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from greenproof.attribution import Snapshot

__all__ = [
    "MAX_STROKE",
    "MIN_STROKE",
    "BranchView",
    "BusView",
    "DeviceView",
    "GridDiagram",
    "grid_diagram",
    "intensity_colour",
    "layered_positions",
]

MIN_STROKE = 1.5
MAX_STROKE = 12.0
#: Flows below this (MW) are drawn thin and without an arrow: no meaningful direction.
IDLE_MW = 0.05
_WIDTH = 1000.0
_ROW_HEIGHT = 118.0
_MARGIN = 48.0
#: Colour stops of the intensity scale, tCO2/MWh → RGB: zero-carbon, East China grid average, coal benchmark.
_COLOUR_STOPS = ((0.0, (26, 152, 80)), (0.5617, (244, 165, 60)), (0.877, (165, 15, 21)))


@dataclass(frozen=True)
class DeviceView:
    """A device at a bus as drawn: its label, its power (MW, ≥ 0) and whether it injects or draws.

    ``grid`` marks the connection to the external grid (importing or exporting), which the page
    labels in its own language; ``name`` is then empty.
    """

    name: str
    p_mw: float
    injecting: bool
    grid: bool = False

    def __str__(self) -> str:
        return f"{self.name} {'+' if self.injecting else '−'}{self.p_mw:,.1f} MW"


@dataclass(frozen=True)
class BusView:
    """A bus as drawn.

    Attributes
    ----------
    bus_id : int
        Snapshot bus id (negative: star point of a three-winding transformer, see :attr:`star`).
    name : str
        Long name (tooltip and table); a star point carries its transformer's name.
    vn_kv : float or None
        Nominal voltage, kV (``None`` for star points).
    x, y : float
        Centre, SVG user units.
    t_co2_per_mwh : float or None
        Nodal carbon intensity, tCO2/MWh (``None`` where nothing flows).
    colour : str
        Fill colour from :func:`intensity_colour`.
    devices : tuple of DeviceView
        The named devices at the bus and the grid connection, e.g. ``H2 +312.4 MW`` (injecting ``+``,
        drawing ``−``).
    """

    bus_id: int
    name: str
    vn_kv: float | None
    x: float
    y: float
    t_co2_per_mwh: float | None
    colour: str
    devices: tuple[DeviceView, ...]

    @property
    def star(self) -> bool:
        """Whether the bus is the star point of a three-winding transformer (no bus of the grid model)."""
        return self.bus_id < 0


@dataclass(frozen=True)
class BranchView:
    """A branch as drawn, oriented from its sending to its receiving end (see the module docstring)."""

    branch_id: str
    from_bus: int
    to_bus: int
    p_mw: float
    loss_mw: float
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: float
    idle: bool

    @property
    def label_x(self) -> float:
        """Abscissa of the MW label (the branch's midpoint)."""
        return (self.x1 + self.x2) / 2

    @property
    def label_y(self) -> float:
        """Ordinate of the MW label."""
        return (self.y1 + self.y2) / 2


@dataclass(frozen=True)
class GridDiagram:
    """One interval of the park grid, ready to draw."""

    buses: tuple[BusView, ...]
    branches: tuple[BranchView, ...]
    width: float
    height: float
    max_flow_mw: float


def intensity_colour(t_co2_per_mwh: float | None) -> str:
    """Return the hex colour of a carbon intensity on a green → amber → red scale (grey when ``None``)."""
    if t_co2_per_mwh is None or not np.isfinite(t_co2_per_mwh):
        return "#9e9e9e"
    value = min(max(t_co2_per_mwh, 0.0), _COLOUR_STOPS[-1][0])
    (low, low_rgb), (high, high_rgb) = next(pair for pair in pairwise(_COLOUR_STOPS) if value <= pair[1][0])
    f = (value - low) / (high - low)
    return "#{:02x}{:02x}{:02x}".format(*(round(a + f * (b - a)) for a, b in zip(low_rgb, high_rgb, strict=True)))


def layered_positions(bus_ids: Sequence[int], edges: Sequence[tuple[int, int]], root: int, *,
                      width: float = _WIDTH, row_height: float = _ROW_HEIGHT, margin: float = _MARGIN
                      ) -> dict[int, tuple[float, float]]:
    """Place buses in rows by hop distance from ``root`` (see the module docstring).

    Parameters
    ----------
    bus_ids : sequence of int
    edges : sequence of (int, int)
        Undirected bus pairs (branches).
    root : int
        Bus of row 0; buses it cannot reach go in a last row.

    Returns
    -------
    dict
        Bus id → (x, y) in SVG user units.
    """
    neighbours: defaultdict[int, set[int]] = defaultdict(set)
    for a, b in edges:
        if a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    depth = {root: 0}
    queue = deque([root])
    while queue:
        bus = queue.popleft()
        for other in sorted(neighbours[bus]):
            if other not in depth:
                depth[other] = depth[bus] + 1
                queue.append(other)
    last = max(depth.values(), default=0) + 1
    rows: defaultdict[int, list[int]] = defaultdict(list)
    for bus in bus_ids:
        rows[depth.get(bus, last)].append(bus)
    positions: dict[int, tuple[float, float]] = {}
    for row in sorted(rows):
        members = rows[row]

        def barycentre(bus: int, row: int = row) -> tuple[float, int]:
            above = [positions[n][0] for n in neighbours[bus] if n in positions and depth.get(n, last) < row]
            return (sum(above) / len(above) if above else width / 2, bus)

        members.sort(key=barycentre)
        step = (width - 2 * margin) / max(len(members), 1)
        for i, bus in enumerate(members):
            positions[bus] = (margin + step * (i + 0.5), margin + row * row_height)
    return positions


def _root_bus(snapshot: Snapshot) -> int:
    grid = np.flatnonzero(snapshot.injections.technology == "grid_import")
    if grid.size:
        return int(snapshot.injections.bus[grid[0]])
    export = np.flatnonzero(snapshot.withdrawals.kind == "export")
    if export.size:
        return int(snapshot.withdrawals.bus[export[0]])
    return int(snapshot.bus_ids[0])


def _device_labels(snapshot: Snapshot, device_names: Mapping[str, str]) -> dict[int, list[DeviceView]]:
    labels: defaultdict[int, list[DeviceView]] = defaultdict(list)
    grid_rows = ((snapshot.injections, True, snapshot.injections.technology == "grid_import"),
                 (snapshot.withdrawals, False, snapshot.withdrawals.kind == "export"))
    for rows, injecting, grid in grid_rows:
        for device, bus, p_mw, is_grid in zip(rows.device_id.tolist(), rows.bus.tolist(), rows.p_mw.tolist(),
                                              grid.tolist(), strict=True):
            name = device_names.get(device)
            if name is not None or is_grid:
                labels[int(bus)].append(DeviceView(name="" if is_grid else str(name), p_mw=p_mw,
                                                   injecting=injecting, grid=is_grid))
    return labels


def grid_diagram(snapshot: Snapshot, *, bus_names: Mapping[int, tuple[str, float | None]],
                 intensity: Mapping[int, float | None], device_names: Mapping[str, str]) -> GridDiagram:
    """Lay out one solved interval.

    Parameters
    ----------
    snapshot : Snapshot
        The solved interval.
    bus_names : mapping
        Bus id → (name, nominal kV or ``None``); buses missing here are named by their id.
    intensity : mapping
        Bus id → nodal carbon intensity, tCO2/MWh, or ``None``.
    device_names : mapping
        Device id → short label (plant or firm code); devices missing here are not labelled, except
        the grid connection (labelled by the page).
    """
    branches = snapshot.branches
    p_from, p_to = branches.p_from_mw, branches.p_to_mw
    forward = p_from >= p_to  # sending end: where more power enters the branch
    sending = np.where(forward, p_from, p_to)
    receiving = np.where(forward, -p_to, -p_from)
    bus_ids = [int(b) for b in snapshot.bus_ids]
    edges = list(zip(branches.from_bus.tolist(), branches.to_bus.tolist(), strict=True))
    positions = layered_positions(bus_ids, edges, _root_bus(snapshot))
    max_flow = float(np.max(np.maximum(sending, 0.0), initial=0.0))
    views = []
    for k, branch_id in enumerate(branches.branch_id.tolist()):
        a, b = int(branches.from_bus[k]), int(branches.to_bus[k])
        start, end = (a, b) if forward[k] else (b, a)
        flow = max(float(sending[k]), 0.0)
        stroke = MIN_STROKE + (MAX_STROKE - MIN_STROKE) * (flow / max_flow if max_flow > 0 else 0.0)
        (x1, y1), (x2, y2) = positions[start], positions[end]
        views.append(BranchView(branch_id=branch_id, from_bus=start, to_bus=end, p_mw=flow,
                                loss_mw=float(sending[k] - receiving[k]), x1=x1, y1=y1, x2=x2, y2=y2,
                                stroke=round(stroke, 2), idle=flow < IDLE_MW))
    labels = _device_labels(snapshot, device_names)
    buses = []
    for bus in bus_ids:
        name, vn_kv = bus_names.get(bus, (f"bus {bus}", None))
        value = intensity.get(bus)
        buses.append(BusView(bus_id=bus, name=name, vn_kv=vn_kv, x=positions[bus][0], y=positions[bus][1],
                             t_co2_per_mwh=value, colour=intensity_colour(value), devices=tuple(labels[bus])))
    height = max(y for _, y in positions.values()) + 2 * _MARGIN if positions else 2 * _MARGIN
    return GridDiagram(buses=tuple(buses), branches=tuple(views), width=_WIDTH, height=height, max_flow_mw=max_flow)
