"""The solved snapshot: the boundary between ``grids`` (power flow) and ``attribution`` (tracing).

A :class:`Snapshot` holds one solved interval as plain numpy arrays, with no power-flow library
objects in it.

Sign conventions (stated once, referred to elsewhere):

- Injections and withdrawals are magnitudes, ``p_mw >= 0``. A device that injects (generator,
  external-grid import, storage discharging) is an injection row; a device that draws (load,
  external-grid export, storage charging) is a withdrawal row. Devices are never merged: two
  plants at one bus stay two rows.
- Branch flows follow pandapower: ``p_from_mw`` is the active power entering the branch at its
  from-bus, ``p_to_mw`` the power entering it at its to-bus. For a lossy branch carrying power
  from ``from_bus`` to ``to_bus``: ``p_from_mw > 0``, ``p_to_mw < 0`` and
  ``p_from_mw + p_to_mw`` (the loss) ``>= 0``.
- Energy balance: ``sum(injections) == sum(withdrawals) + sum(branch losses)`` up to the
  power-flow tolerance.
- De-energised devices (in service, but on a bus the power flow did not reach: an outaged
  section) carry 0 MW; they are no injection or withdrawal row but are listed by id in
  ``Snapshot.unsupplied_device_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from .errors import SnapshotError
from .technologies import TECHNOLOGY_KEYS

__all__ = ["Branches", "Injections", "Snapshot", "Withdrawals"]

#: Kinds of withdrawal rows.
WITHDRAWAL_KINDS = frozenset({"load", "export", "storage_charge"})
#: Devices named in an energy-imbalance message.
_DEVICES_NAMED = 8


def _as_1d(name: str, values: object, dtype: DTypeLike) -> NDArray[Any]:
    array = np.asarray(values, dtype=dtype)
    if array.ndim != 1:
        raise SnapshotError(f"{name} must be one-dimensional, got shape {array.shape}")
    return array


def _check_finite(table: str, column: str, ids: NDArray[np.str_], values: NDArray[np.float64]) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise SnapshotError(
            f"{table} row {row} ({str(ids[row])!r}): {column} is {float(values[row])}, not a finite number")


def _check_unique(table: str, ids: NDArray[Any]) -> None:
    if len(set(ids.tolist())) == len(ids):  # hashing: much faster than sorting strings
        return
    unique, counts = np.unique(ids, return_counts=True)
    if (counts > 1).any():
        duplicate = unique[counts > 1][0]
        rows = np.flatnonzero(ids == duplicate).tolist()
        raise SnapshotError(f"{table} rows {rows}: id {str(duplicate)!r} appears {len(rows)} times")


def _check_buses(table: str, column: str, ids: NDArray[np.str_], buses: NDArray[np.int64],
                 known: NDArray[np.int64]) -> None:
    unknown = ~np.isin(buses, known)
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise SnapshotError(
            f"{table} row {row} ({str(ids[row])!r}): {column} {int(buses[row])} is no bus of this snapshot")


@dataclass(frozen=True, eq=False)
class Injections:
    """Power injected into the network, one row per device.

    Attributes
    ----------
    device_id : (n_inj,) str
        Unique device name, e.g. ``"sgen:H2 offshore wind"``.
    bus : (n_inj,) int64
        Bus id the device injects at.
    technology : (n_inj,) str
        Technology key of :mod:`greenproof.attribution.technologies` (``"wind_offshore"``,
        ``"solar_pv"``, ``"coal"``, ``"grid_import"``, ``"storage"`` ...).
    p_mw : (n_inj,) float64
        Injected active power in MW, ``>= 0``.
    """

    device_id: NDArray[np.str_]
    bus: NDArray[np.int64]
    technology: NDArray[np.str_]
    p_mw: NDArray[np.float64]

    def __post_init__(self) -> None:
        object.__setattr__(self, "device_id", _as_1d("injections.device_id", self.device_id, np.str_))
        object.__setattr__(self, "bus", _as_1d("injections.bus", self.bus, np.int64))
        object.__setattr__(self, "technology", _as_1d("injections.technology", self.technology, np.str_))
        object.__setattr__(self, "p_mw", _as_1d("injections.p_mw", self.p_mw, np.float64))
        n = len(self.device_id)
        for column in ("bus", "technology", "p_mw"):
            if len(getattr(self, column)) != n:
                raise SnapshotError(f"injections.{column} has {len(getattr(self, column))} rows, device_id has {n}")
        unknown = ~np.isin(self.technology, TECHNOLOGY_KEYS)
        if unknown.any():
            row = int(np.flatnonzero(unknown)[0])
            raise SnapshotError(
                f"injections row {row} ({str(self.device_id[row])!r}): technology "
                f"{str(self.technology[row])!r} is not one of {list(TECHNOLOGY_KEYS)}"
            )

    def __len__(self) -> int:
        return len(self.device_id)


@dataclass(frozen=True, eq=False)
class Withdrawals:
    """Power drawn from the network, one row per device.

    Attributes
    ----------
    device_id : (n_wd,) str
        Unique device name, e.g. ``"load:Port cranes"``.
    bus : (n_wd,) int64
        Bus id the device draws from.
    p_mw : (n_wd,) float64
        Withdrawn active power in MW, ``>= 0``.
    kind : (n_wd,) str
        ``"load"`` (a consumer), ``"export"`` (external grid taking power) or
        ``"storage_charge"`` (a storage unit charging).
    """

    device_id: NDArray[np.str_]
    bus: NDArray[np.int64]
    p_mw: NDArray[np.float64]
    kind: NDArray[np.str_] = field(default_factory=lambda: np.array([], dtype=np.str_))

    def __post_init__(self) -> None:
        object.__setattr__(self, "device_id", _as_1d("withdrawals.device_id", self.device_id, np.str_))
        object.__setattr__(self, "bus", _as_1d("withdrawals.bus", self.bus, np.int64))
        object.__setattr__(self, "p_mw", _as_1d("withdrawals.p_mw", self.p_mw, np.float64))
        n = len(self.device_id)
        kind = np.asarray(self.kind, dtype=np.str_)
        if kind.size == 0 and n > 0:
            kind = np.full(n, "load", dtype="<U14")
        object.__setattr__(self, "kind", _as_1d("withdrawals.kind", kind, np.str_))
        for column in ("bus", "p_mw", "kind"):
            if len(getattr(self, column)) != n:
                raise SnapshotError(f"withdrawals.{column} has {len(getattr(self, column))} rows, device_id has {n}")
        unknown = ~np.isin(self.kind, list(WITHDRAWAL_KINDS))
        if unknown.any():
            row = int(np.flatnonzero(unknown)[0])
            raise SnapshotError(
                f"withdrawals row {row} ({str(self.device_id[row])!r}): kind {str(self.kind[row])!r} is not one of "
                f"{sorted(WITHDRAWAL_KINDS)}"
            )

    def __len__(self) -> int:
        return len(self.device_id)


@dataclass(frozen=True, eq=False)
class Branches:
    """Solved branch flows, one row per branch (pandapower sign convention, see module docstring).

    Attributes
    ----------
    branch_id : (n_br,) str
        Unique branch name, e.g. ``"line:3"``, ``"trafo3w:0:hv"``.
    from_bus, to_bus : (n_br,) int64
        Terminal bus ids.
    p_from_mw, p_to_mw : (n_br,) float64
        Active power entering the branch at the from-end / to-end, MW.
    """

    branch_id: NDArray[np.str_]
    from_bus: NDArray[np.int64]
    to_bus: NDArray[np.int64]
    p_from_mw: NDArray[np.float64]
    p_to_mw: NDArray[np.float64]

    def __post_init__(self) -> None:
        object.__setattr__(self, "branch_id", _as_1d("branches.branch_id", self.branch_id, np.str_))
        for column in ("from_bus", "to_bus"):
            object.__setattr__(self, column, _as_1d(f"branches.{column}", getattr(self, column), np.int64))
        for column in ("p_from_mw", "p_to_mw"):
            object.__setattr__(self, column, _as_1d(f"branches.{column}", getattr(self, column), np.float64))
        n = len(self.branch_id)
        for column in ("from_bus", "to_bus", "p_from_mw", "p_to_mw"):
            if len(getattr(self, column)) != n:
                raise SnapshotError(f"branches.{column} has {len(getattr(self, column))} rows, branch_id has {n}")

    def __len__(self) -> int:
        return len(self.branch_id)

    @property
    def loss_mw(self) -> NDArray[np.float64]:
        """Active power loss of each branch in MW (``p_from_mw + p_to_mw``)."""
        return self.p_from_mw + self.p_to_mw


@dataclass(frozen=True, eq=False)
class Snapshot:
    """One solved interval of a network, validated on construction.

    Attributes
    ----------
    bus_ids : (n_bus,) int64
        Unique bus ids.
    injections, withdrawals, branches
        Device and branch tables (see their classes for units and signs).
    duration_h : float
        Length of the interval in hours (0.25 for 15 minutes); MW × duration_h = MWh.
    start : datetime or None
        Interval start, timezone-aware UTC, when known.
    balance_tol_mw : float
        Largest tolerated energy imbalance in MW; larger raises :class:`SnapshotError`.
    unsupplied_device_id : (n_off,) str
        Devices that are in service but de-energised (0 MW, no rows); empty by default.

    Raises
    ------
    SnapshotError
        On NaN/inf, unknown bus ids, negative injections or withdrawals, duplicate ids, an
        unsupplied device that is also a row, a non-positive duration or an imbalance above
        ``balance_tol_mw`` (naming the bus of largest mismatch and the devices there).
    """

    bus_ids: NDArray[np.int64]
    injections: Injections
    withdrawals: Withdrawals
    branches: Branches
    duration_h: float = 0.25
    start: datetime | None = None
    balance_tol_mw: float = 1e-3
    unsupplied_device_id: NDArray[np.str_] = field(default_factory=lambda: np.array([], dtype=np.str_))

    def __post_init__(self) -> None:
        object.__setattr__(self, "bus_ids", _as_1d("bus_ids", self.bus_ids, np.int64))
        object.__setattr__(self, "unsupplied_device_id",
                           _as_1d("unsupplied_device_id", self.unsupplied_device_id, np.str_))
        if not np.isfinite(self.duration_h) or self.duration_h <= 0:
            raise SnapshotError(f"duration_h must be a positive number of hours, got {self.duration_h}")
        if self.start is not None and self.start.utcoffset() is None:
            raise SnapshotError(f"start {self.start.isoformat()} has no time zone; give it in UTC")
        _check_unique("bus_ids", self.bus_ids)
        inj, wd, br = self.injections, self.withdrawals, self.branches
        _check_unique("injections", inj.device_id)
        _check_unique("withdrawals", wd.device_id)
        _check_unique("unsupplied_device_id", self.unsupplied_device_id)
        listed = np.isin(self.unsupplied_device_id, np.concatenate([inj.device_id, wd.device_id]))
        if listed.any():
            device = str(self.unsupplied_device_id[listed][0])
            raise SnapshotError(f"unsupplied device {device!r} is also an injection or withdrawal row")
        _check_unique("branches", br.branch_id)
        _check_finite("injections", "p_mw", inj.device_id, inj.p_mw)
        _check_finite("withdrawals", "p_mw", wd.device_id, wd.p_mw)
        _check_finite("branches", "p_from_mw", br.branch_id, br.p_from_mw)
        _check_finite("branches", "p_to_mw", br.branch_id, br.p_to_mw)
        for table, ids, values in (("injections", inj.device_id, inj.p_mw), ("withdrawals", wd.device_id, wd.p_mw)):
            negative = values < 0
            if negative.any():
                row = int(np.flatnonzero(negative)[0])
                raise SnapshotError(f"{table} row {row} ({str(ids[row])!r}): p_mw is {float(values[row])} < 0; "
                                    "record the device on the other side (injection vs withdrawal)")
        _check_buses("injections", "bus", inj.device_id, inj.bus, self.bus_ids)
        _check_buses("withdrawals", "bus", wd.device_id, wd.bus, self.bus_ids)
        _check_buses("branches", "from_bus", br.branch_id, br.from_bus, self.bus_ids)
        _check_buses("branches", "to_bus", br.branch_id, br.to_bus, self.bus_ids)
        imbalance = self.imbalance_mw
        if abs(imbalance) > self.balance_tol_mw:
            raise SnapshotError(
                f"energy imbalance of {imbalance:.6g} MW (injections {inj.p_mw.sum():.6g} MW, withdrawals "
                f"{wd.p_mw.sum():.6g} MW, branch losses {br.loss_mw.sum():.6g} MW) exceeds "
                f"balance_tol_mw={self.balance_tol_mw}; {self._worst_bus()}"
            )

    def _worst_bus(self) -> str:
        """Describe the bus with the largest mismatch (devices minus power entering branches) and its devices."""
        order = np.argsort(self.bus_ids, kind="stable")

        def position(buses: NDArray[np.int64]) -> NDArray[np.intp]:
            return order[np.searchsorted(self.bus_ids, buses, sorter=order)].astype(np.intp)

        inj, wd, br = self.injections, self.withdrawals, self.branches
        n = len(self.bus_ids)
        mismatch = (np.bincount(position(inj.bus), inj.p_mw, n) - np.bincount(position(wd.bus), wd.p_mw, n)
                    - np.bincount(position(br.from_bus), br.p_from_mw, n)
                    - np.bincount(position(br.to_bus), br.p_to_mw, n))
        worst = int(np.argmax(np.abs(mismatch)))
        bus = self.bus_ids[worst]
        devices = np.concatenate([inj.device_id[inj.bus == bus], wd.device_id[wd.bus == bus]]).tolist()
        return (f"largest mismatch {mismatch[worst]:+.6g} MW at bus {int(bus)}, whose devices are "
                f"{devices[:_DEVICES_NAMED]}{' ...' if len(devices) > _DEVICES_NAMED else ''}")

    @property
    def imbalance_mw(self) -> float:
        """Injections minus withdrawals minus branch losses, MW (0 for a perfectly solved flow)."""
        return float(self.injections.p_mw.sum() - self.withdrawals.p_mw.sum() - self.branches.loss_mw.sum())
