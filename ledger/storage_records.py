"""Storage accounts in issuance batches: charge records cancel certificates, discharges re-issue them once.

How a batch treats a registered storage unit (docs/ledger.md, "Storage"):

1. **Charging** — a plant's traced share of its output into the unit's charging device is named in
   :class:`~greenproof.ledger.batches.IntervalShares` under the unit's *code*, like a firm. That
   part of the plant-interval's metered Wh becomes an allocation leaf held by the unit's storage
   account (:func:`greenproof.contracts.leaves.storage_account`): the certificates of the energy
   charged are cancelled into a Storage Charge Record (SCR), anchored with the batch and counted
   against the plant-interval's cap. Energy charged from sources without certificates
   (``StorageFlow.charged_wh`` minus the renewable SCRs) is an SCR without plant.
2. **State of charge** — each SCR holds ``floor(charged × efficiency_ppm / 10^6)`` deliverable Wh
   (the contract's rule); what it still holds is that minus the Storage Allocation Records (SARs)
   of batches that did not fail. The ledger's rows are the state: a restart (or the next day's
   batch) resumes from them. Storage flows must therefore be issued in time order per unit.
3. **Discharging** — a unit's metered discharge (``StorageFlow.discharged_wh``, deliverable Wh)
   draws on its SCRs by the unit's rule (:mod:`.storage_allocation`: FIFO or pro-rata) into a
   Storage Discharge Record (SDR) and its SARs. The Wh drawn from a renewable SCR are split over
   the holders by the unit's traced discharge shares (the rest to the unit operator) into Storage
   Discharge certificate leaves carrying the origin plant and production interval — the batch's
   discharge tree. Energy drawn from SCRs without plant, and discharge beyond what the SCRs hold,
   is nobody's certificate.

Within one interval a unit first discharges (from what it held before), then charges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from greenproof.contracts.leaves import AllocationLeaf, DischargeLeaf, storage_account

from .allocation_leaves import split_cap
from .errors import AllocationError, BatchError, LedgerError, UnknownRecordError
from .leaf_file import hex32
from .models import AllocationLeafRow, BatchState, Firm, IssuanceBatch, Plant
from .registry import checksum_address
from .storage_allocation import ALLOCATION_RULES, ChargeLot, after_draw, draw, stored_after_losses
from .storage_models import (
    DischargeLeafRow,
    StorageAllocationRow,
    StorageChargeRow,
    StorageDischargeRow,
    StorageUnit,
)

__all__ = [
    "StorageFlow",
    "StoragePlan",
    "discharge_source_mix",
    "held_lots",
    "plan_storage",
    "register_storage",
    "storage_addresses",
    "storage_by_code",
    "storage_input",
    "write_storage_records",
]


@dataclass(frozen=True)
class StorageFlow:
    """A storage unit's metered flows in one interval, and who its discharge reached.

    Attributes
    ----------
    charged_wh : int
        Energy taken in at the unit's terminals, whole Wh ``>= 0`` (from every source).
    discharged_wh : int
        Energy delivered at the unit's terminals, whole Wh ``>= 0``.
    discharge_shares : mapping of str to float
        ``{firm_code: share}``: share (0..1) of the discharge delivered to each firm's loads (traced
        like a plant's shares); the rest goes to the unit operator's account.
    """

    charged_wh: int = 0
    discharged_wh: int = 0
    discharge_shares: Mapping[str, float] = field(default_factory=dict)


def register_storage(session: Session, *, code: str, name_en: str, efficiency_ppm: int, operator_address: str,
                     device_id: str | None = None, allocation_rule: str = "fifo",
                     opening_wh: int = 0) -> StorageUnit:
    """Add a storage unit (flushed; its id is its on-chain storage index).

    Parameters
    ----------
    efficiency_ppm : int
        Round-trip efficiency, parts per million, in ``(0, 10^6]`` (85 % → ``850_000``).
    operator_address : str
        Account receiving discharge certificates no firm's load took.
    device_id : str, optional
        Snapshot device id of its charge and discharge rows.
    allocation_rule : {"fifo", "pro_rata"}
        Which stored energy a discharge takes (:mod:`greenproof.ledger.storage_allocation`).
    opening_wh : int
        Deliverable Wh the unit holds when tracking starts, of unknown origin: the first charge
        record of its first batch with flows (one interval before it), drawn first by FIFO.

    Raises
    ------
    LedgerError
        Code taken (by a unit or a firm), efficiency or rule out of range, or a bad address.
    """
    if allocation_rule not in ALLOCATION_RULES:
        raise LedgerError(f"storage {code!r}: allocation rule {allocation_rule!r} is not one of {ALLOCATION_RULES}")
    if isinstance(efficiency_ppm, bool) or not isinstance(efficiency_ppm, int) or not 0 < efficiency_ppm <= 10**6:
        raise LedgerError(f"storage {code!r}: round-trip efficiency {efficiency_ppm!r} ppm must be an integer in "
                          "(0, 1000000]")
    if session.scalar(select(StorageUnit.id).where(StorageUnit.code == code)) is not None:
        raise LedgerError(f"storage unit {code!r} is already registered")
    if session.scalar(select(Firm.id).where(Firm.code == code)) is not None:
        raise LedgerError(f"storage unit code {code!r} is a firm's code: shares name both by code")
    if isinstance(opening_wh, bool) or not isinstance(opening_wh, int) or opening_wh < 0:
        raise LedgerError(f"storage {code!r}: opening energy {opening_wh!r} Wh must be a whole number >= 0")
    unit = StorageUnit(code=code, name_en=name_en, device_id=device_id, efficiency_ppm=efficiency_ppm,
                       allocation_rule=allocation_rule, opening_wh=opening_wh,
                       operator_address=checksum_address(operator_address, f"storage {code!r} operator address"))
    session.add(unit)
    session.flush()
    return unit


def storage_by_code(session: Session, code: str) -> StorageUnit:
    """Return the storage unit ``code``.

    Raises
    ------
    UnknownRecordError
        If it is not registered.
    """
    unit = session.scalar(select(StorageUnit).where(StorageUnit.code == code))
    if unit is None:
        raise UnknownRecordError(f"storage unit {code!r} is not registered")
    return unit


def storage_addresses(session: Session) -> dict[str, str]:
    """Return ``{unit code: storage account}``: shares naming a unit's code go to its account."""
    return {code: storage_account(unit_id) for unit_id, code in session.execute(select(StorageUnit.id,
                                                                                       StorageUnit.code))}


def held_lots(session: Session, storage_id: int, *, before_s: int | None = None) -> list[ChargeLot]:
    """Return what a unit still holds, per charge record: its state of charge provenance (Wh > 0 only).

    Parameters
    ----------
    storage_id : int
        The unit.
    before_s : int, optional
        Only charge records of intervals starting before this instant (UNIX s).
    """
    used = (select(StorageAllocationRow.charge_id, func.sum(StorageAllocationRow.amount_wh).label("wh"))
            .join(StorageDischargeRow, StorageDischargeRow.id == StorageAllocationRow.discharge_id)
            .join(IssuanceBatch, IssuanceBatch.id == StorageDischargeRow.batch_pk)
            .where(IssuanceBatch.state != BatchState.FAILED, StorageDischargeRow.storage_id == storage_id)
            .group_by(StorageAllocationRow.charge_id).subquery())
    held = StorageChargeRow.stored_wh - func.coalesce(used.c.wh, 0)
    query = (select(StorageChargeRow.id, StorageChargeRow.interval_start_s, StorageChargeRow.plant_id, held)
             .join(IssuanceBatch, IssuanceBatch.id == StorageChargeRow.batch_pk)
             .outerjoin(used, used.c.charge_id == StorageChargeRow.id)
             .where(IssuanceBatch.state != BatchState.FAILED, StorageChargeRow.storage_id == storage_id, held > 0))
    if before_s is not None:
        query = query.where(StorageChargeRow.interval_start_s < before_s)
    return sorted((ChargeLot(start, plant or 0, int(wh), record_id)
                   for record_id, start, plant, wh in session.execute(query)), key=lambda lot: lot.key)


@dataclass
class StoragePlan:
    """The storage records of one batch before they are written (see :func:`plan_storage`).

    Attributes
    ----------
    charges : list of (unit id, plant index or 0, interval start, charged Wh, stored Wh, leaf or None)
    discharges : list of (unit id, interval start, discharged Wh, untracked Wh, [(ChargeLot, Wh)])
    leaves : list of DischargeLeaf
        Merged per (unit, plant, origin interval, holder).
    interval_s : int
        The batch's interval length, seconds.
    """

    interval_s: int = 900
    charges: list[tuple[int, int, int, int, int, AllocationLeaf | None]] = field(default_factory=list)
    discharges: list[tuple[int, int, int, int, list[tuple[ChargeLot, int]]]] = field(default_factory=list)
    leaves: list[DischargeLeaf] = field(default_factory=list)


def _check_order(session: Session, unit: StorageUnit, period_start_s: int) -> None:
    last_end = session.scalar(
        select(func.max(IssuanceBatch.period_end_s))
        .join(StorageChargeRow, StorageChargeRow.batch_pk == IssuanceBatch.id)
        .where(IssuanceBatch.state != BatchState.FAILED, StorageChargeRow.storage_id == unit.id))
    last_discharge = session.scalar(
        select(func.max(IssuanceBatch.period_end_s))
        .join(StorageDischargeRow, StorageDischargeRow.batch_pk == IssuanceBatch.id)
        .where(IssuanceBatch.state != BatchState.FAILED, StorageDischargeRow.storage_id == unit.id))
    through = max(last_end or 0, last_discharge or 0)
    if through > period_start_s:
        raise BatchError(f"storage unit {unit.code!r}: its state of charge is recorded through {through} (UNIX s), "
                         f"after this batch's start {period_start_s}: batches with storage flows are issued in time "
                         "order per unit")


def plan_storage(session: Session, *, starts: range, flows: Mapping[int, Mapping[str, StorageFlow]],
                 leaves: Iterable[AllocationLeaf], firm_address: Mapping[str, str],
                 plant_codes: Mapping[int, str]) -> StoragePlan:
    """Compute a batch's SCRs, SDRs, SARs and discharge leaves from the unit's state before it.

    Parameters
    ----------
    starts : range
        The batch's interval starts (UNIX s).
    flows : mapping
        ``{interval start: {unit code: StorageFlow}}`` (missing = no metered flow).
    leaves : iterable of AllocationLeaf
        The batch's allocation leaves; those held by a storage account are its renewable charges.
    firm_address : mapping
        Firm code → certificate address.
    plant_codes : mapping
        Plant index → code.

    Raises
    ------
    UnknownRecordError
        A flow names an unregistered unit, or its shares an unknown firm.
    BatchError
        A unit's state of charge is recorded past the batch's start.
    AllocationError
        Negative flows or shares that do not split.
    """
    units = {unit.code: unit for unit in session.scalars(select(StorageUnit).order_by(StorageUnit.id))}
    by_account = {storage_account(unit.id): unit for unit in units.values()}
    charged_leaves: defaultdict[tuple[int, int], list[AllocationLeaf]] = defaultdict(list)
    for leaf in leaves:
        unit = by_account.get(leaf.holder)
        if unit is not None:
            charged_leaves[(unit.id, leaf.interval_start_s)].append(leaf)
    for start, by_unit in flows.items():
        unknown = sorted(set(by_unit) - set(units))
        if unknown:
            raise UnknownRecordError(f"storage flows at {start} name unit {unknown[0]!r}, which is not registered")
    active = [unit for unit in units.values()
              if any(unit.id == unit_id for unit_id, _ in charged_leaves)
              or any(unit.code in by_unit for by_unit in flows.values())]
    plan = StoragePlan(interval_s=starts.step)
    merged: dict[tuple[int, int, int, str], int] = defaultdict(int)
    for unit in active:
        _check_order(session, unit, starts.start)
        lots = held_lots(session, unit.id)
        if unit.opening_wh and session.scalar(select(StorageChargeRow.id)
                                              .where(StorageChargeRow.storage_id == unit.id).limit(1)) is None:
            opening = starts.start - starts.step  # sorts before every charge of the batch
            plan.charges.append((unit.id, 0, opening, unit.opening_wh, unit.opening_wh, None))
            lots = [ChargeLot(opening, 0, unit.opening_wh)]
        for start in starts:
            flow = flows.get(start, {}).get(unit.code, StorageFlow())
            if flow.charged_wh < 0 or flow.discharged_wh < 0:
                raise AllocationError(f"storage {unit.code!r} at {start}: flows must be >= 0 Wh, got {flow}")
            if flow.discharged_wh > 0:
                taken = draw(lots, flow.discharged_wh, unit.allocation_rule)
                lots = after_draw(lots, taken)
                untracked = flow.discharged_wh - sum(wh for lot, wh in taken if lot.plant_index)
                plan.discharges.append((unit.id, start, flow.discharged_wh, untracked, taken))
                shares = _discharge_shares(unit, flow, firm_address, start)
                for lot, wh in taken:
                    if lot.plant_index == 0:
                        continue
                    what = f"storage {unit.code!r} discharge at {start} of plant #{lot.plant_index}"
                    for holder, part in split_cap(wh, shares, unit.operator_address, what=what).items():
                        merged[(unit.id, lot.plant_index, lot.origin_start_s, holder)] += part
            renewable = sorted(charged_leaves.get((unit.id, start), []), key=lambda x: x.plant_index)
            new: list[ChargeLot] = []
            for leaf in renewable:
                stored = stored_after_losses(leaf.amount_wh, unit.efficiency_ppm)
                plan.charges.append((unit.id, leaf.plant_index, start, leaf.amount_wh, stored, leaf))
                new.append(ChargeLot(start, leaf.plant_index, stored))
            grey = flow.charged_wh - sum(leaf.amount_wh for leaf in renewable)
            if grey > 0:
                stored = stored_after_losses(grey, unit.efficiency_ppm)
                plan.charges.append((unit.id, 0, start, grey, stored, None))
                new.append(ChargeLot(start, 0, stored))
            lots = sorted([*lots, *(lot for lot in new if lot.held_wh > 0)], key=lambda lot: lot.key)
    plan.leaves = [DischargeLeaf(unit_id, plant_codes[plant], plant, origin, starts.step, holder, wh)
                   for (unit_id, plant, origin, holder), wh in sorted(merged.items()) if wh > 0]
    return plan


def storage_input(session: Session, flows: Mapping[int, Mapping[str, StorageFlow]]) -> dict[str, object] | None:
    """Return the storage part of a batch's input hash (units' efficiency and rule, every flow), None without flows."""
    if not any(flows.values()):
        return None
    units = {code: [ppm, rule, opening] for code, ppm, rule, opening in session.execute(
        select(StorageUnit.code, StorageUnit.efficiency_ppm, StorageUnit.allocation_rule, StorageUnit.opening_wh))}
    return {"units": units,
            "flows": {str(start): {code: [flow.charged_wh, flow.discharged_wh, dict(flow.discharge_shares)]
                                   for code, flow in sorted(by_unit.items())}
                      for start, by_unit in sorted(flows.items()) if by_unit}}


def _discharge_shares(unit: StorageUnit, flow: StorageFlow, firm_address: Mapping[str, str],
                      start: int) -> dict[str, float]:
    shares: dict[str, float] = {}
    for firm_code, share in flow.discharge_shares.items():
        address = firm_address.get(firm_code)
        if address is None:
            raise UnknownRecordError(f"storage {unit.code!r} at {start}: discharge shares name firm {firm_code!r}, "
                                     "which is not registered")
        shares[address] = shares.get(address, 0.0) + float(share)
    return shares


def write_storage_records(session: Session, batch_pk: int, plan: StoragePlan) -> None:
    """Insert a batch's planned storage records and discharge leaves (flushed; the caller commits)."""
    if not (plan.charges or plan.discharges or plan.leaves):
        return
    leaf_ids = dict(session.execute(select(AllocationLeafRow.leaf_hash, AllocationLeafRow.id)
                                    .where(AllocationLeafRow.batch_pk == batch_pk)).all())
    charge_ids: dict[tuple[int, int, int], int] = {}
    for unit_id, plant, start, charged, stored, leaf in plan.charges:
        row = StorageChargeRow(batch_pk=batch_pk, storage_id=unit_id, plant_id=plant or None, interval_start_s=start,
                               interval_s=plan.interval_s, charged_wh=charged, stored_wh=stored,
                               leaf_id=leaf_ids[hex32(leaf.hash)] if leaf is not None else None)
        session.add(row)
        session.flush()
        charge_ids[(unit_id, start, plant)] = row.id
    for unit_id, start, discharged, untracked, taken in plan.discharges:
        sdr = StorageDischargeRow(batch_pk=batch_pk, storage_id=unit_id, interval_start_s=start,
                                  interval_s=plan.interval_s, discharged_wh=discharged,
                                  untracked_wh=untracked)
        session.add(sdr)
        session.flush()
        if taken:
            session.execute(insert(StorageAllocationRow), [
                {"discharge_id": sdr.id, "amount_wh": wh,
                 "charge_id": lot.record_id or charge_ids[(unit_id, lot.origin_start_s, lot.plant_index)]}
                for lot, wh in taken])
    firm_ids = dict(session.execute(select(Firm.address, Firm.id)).all())
    if plan.leaves:
        session.execute(insert(DischargeLeafRow), [
            {"batch_pk": batch_pk, "storage_id": leaf.storage_index, "plant_id": leaf.plant_index,
             "origin_start_s": leaf.origin_start_s, "origin_s": leaf.origin_interval_s,
             "holder_address": leaf.holder, "firm_id": firm_ids.get(leaf.holder), "amount_wh": leaf.amount_wh,
             "token_id": str(leaf.token_id), "leaf_hash": hex32(leaf.hash), "retired_wh": 0}
            for leaf in plan.leaves])
    session.flush()



def discharge_source_mix(session: Session, interval_start_s: int) -> dict[str, dict[str, float]]:
    """Return the tracked technology mix of each storage unit discharging in an interval, from its SARs.

    The mix is what the ledger allocated to the unit's discharge record of that interval (batches
    that did not fail): each origin plant's technology key for the Wh drawn from it, ``storage``
    (unknown origin, charged the documented proxy factor) for Wh drawn from charge records without
    plant or beyond them. Pass it as ``source_mix`` to :func:`greenproof.attribution.carbon_intensity`.

    Returns
    -------
    dict
        ``{unit device id: {technology key: share}}`` (shares sum to 1); units without a device id
        or not discharging then are omitted.
    """
    records = session.execute(
        select(StorageDischargeRow.id, StorageUnit.device_id, StorageDischargeRow.discharged_wh)
        .join(StorageUnit, StorageUnit.id == StorageDischargeRow.storage_id)
        .join(IssuanceBatch, IssuanceBatch.id == StorageDischargeRow.batch_pk)
        .where(StorageDischargeRow.interval_start_s == interval_start_s, IssuanceBatch.state != BatchState.FAILED,
               StorageUnit.device_id.is_not(None))).all()
    mixes: dict[str, dict[str, float]] = {}
    for record_id, device, discharged in records:
        wh: defaultdict[str, int] = defaultdict(int)
        for technology, amount in session.execute(
                select(Plant.technology, StorageAllocationRow.amount_wh)
                .join(StorageChargeRow, StorageChargeRow.id == StorageAllocationRow.charge_id)
                .outerjoin(Plant, Plant.id == StorageChargeRow.plant_id)
                .where(StorageAllocationRow.discharge_id == record_id)):
            wh[technology or "storage"] += int(amount)
        wh["storage"] += int(discharged) - sum(wh.values())
        mixes[str(device)] = {key: value / discharged for key, value in sorted(wh.items()) if value > 0}
    return mixes
