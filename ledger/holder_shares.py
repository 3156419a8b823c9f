"""From one interval's traced :class:`~greenproof.attribution.allocation.Allocation` to holder shares.

A plant's share for a firm is the power of the plant's injection row that reaches the firm's
withdrawal rows, divided by the plant's output: ``sum_m mw[k, m] / injection_mw[k]`` over the
firm's devices ``m``. What reaches export, storage charging or loads of no registered firm, and
what is lost on the way (downstream/average tracing), is no firm's: it stays with the plant's own
account when the shares are split (:func:`~greenproof.ledger.allocation_leaves.split_cap`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy import sparse
from sqlalchemy import select
from sqlalchemy.orm import Session

from greenproof.attribution.allocation import Allocation

from .errors import AllocationError
from .models import Firm, FirmLoadDevice, Plant
from .storage_models import StorageUnit
from .storage_records import StorageFlow

__all__ = ["holder_shares", "ledger_devices", "storage_devices", "storage_flows"]


def holder_shares(allocation: Allocation, plant_devices: Mapping[str, str],
                  firm_devices: Mapping[str, str]) -> dict[str, dict[str, float]]:
    """Return ``{plant_code: {firm_code: share}}`` for one interval.

    Parameters
    ----------
    allocation : Allocation
        Traced interval: ``mw`` (n_inj, n_wd) in MW, rows labelled by ``injection_id``, columns by
        ``withdrawal_id``.
    plant_devices : mapping of str to str
        Injection device id → plant code, for the plants to report.
    firm_devices : mapping of str to str
        Withdrawal device id → firm code; other withdrawals belong to no firm.

    Returns
    -------
    dict
        Shares in [0, 1] of each plant's output per firm, firms with a zero share omitted; a plant
        with zero output (or absent from the snapshot) maps to ``{}``.

    Raises
    ------
    AllocationError
        If a plant's firm shares sum above 1 (an allocation delivering more than the plant's output).
    """
    rows = {str(device): k for k, device in enumerate(allocation.injection_id)}
    firms = sorted(set(firm_devices.values()))
    firm_of_column = np.array([firm_devices.get(str(device), "") for device in allocation.withdrawal_id])
    # (n_wd, n_firm) indicator: which firm owns each withdrawal column
    owner = (firm_of_column[:, None] == np.array(firms, dtype=firm_of_column.dtype)[None, :]).astype(np.float64)
    matrix = allocation.matrix_mw
    mw = np.asarray(matrix.toarray() if sparse.issparse(matrix) else matrix, dtype=np.float64)
    shares: dict[str, dict[str, float]] = {}
    for device, plant_code in plant_devices.items():
        k = rows.get(device)
        output_mw = float(allocation.injection_mw[k]) if k is not None else 0.0
        if k is None or output_mw <= 0:
            shares[plant_code] = {}
            continue
        by_firm = (np.maximum(mw[k], 0.0) @ owner) / output_mw
        total = float(by_firm.sum())
        if total > 1 + 1e-9:
            raise AllocationError(f"plant {plant_code!r} (device {device!r}): firms receive {total:.12g} of its "
                                  "output, more than all of it")
        shares[plant_code] = {firm: float(share) for firm, share in zip(firms, by_firm.tolist(), strict=True)
                              if share > 0}
    return shares


def ledger_devices(session: Session) -> tuple[dict[str, str], dict[str, str]]:
    """Return the ledger's ``(plant_devices, firm_devices)`` maps for :func:`holder_shares`.

    Renewable plants with a ``device_id`` only; every firm load device.
    """
    plants = dict(session.execute(select(Plant.device_id, Plant.code)
                                  .where(Plant.renewable.is_(True), Plant.device_id.is_not(None))).all())
    firms = dict(session.execute(select(FirmLoadDevice.device_id, Firm.code).join(Firm)).all())
    return {str(k): v for k, v in plants.items()}, firms


def storage_devices(session: Session) -> dict[str, str]:
    """Return ``{device id: storage unit code}`` of the registered storage units with a device id."""
    return {str(device): code for device, code in session.execute(
        select(StorageUnit.device_id, StorageUnit.code).where(StorageUnit.device_id.is_not(None)))}


def storage_flows(allocation: Allocation, units: Mapping[str, str],
                  firm_devices: Mapping[str, str]) -> dict[str, StorageFlow]:
    """Return each storage unit's metered flows of one traced interval, and who its discharge reached.

    Parameters
    ----------
    allocation : Allocation
        Traced interval; a unit charges through the withdrawal row and discharges through the
        injection row carrying its device id.
    units : mapping of str to str
        Device id → storage unit code (:func:`storage_devices`).
    firm_devices : mapping of str to str
        Withdrawal device id → firm code.

    Returns
    -------
    dict of str to StorageFlow
        Units that charged or discharged: Wh in and out (MW × h × 10^6, rounded down) and the
        discharge's shares per firm (:func:`holder_shares` of the unit's injection row).
    """
    to_wh = allocation.duration_h * 1_000_000
    flows: dict[str, StorageFlow] = {}
    for device, code in units.items():
        charged = float(allocation.withdrawal_mw[allocation.withdrawal_id == device].sum())
        discharged = float(allocation.injection_mw[allocation.injection_id == device].sum())
        if charged <= 0 and discharged <= 0:
            continue
        shares = holder_shares(allocation, {device: code}, firm_devices)[code] if discharged > 0 else {}
        flows[code] = StorageFlow(charged_wh=int(max(charged, 0.0) * to_wh),
                                  discharged_wh=int(max(discharged, 0.0) * to_wh), discharge_shares=shares)
    return flows
