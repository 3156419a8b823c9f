"""Issuance batches: from meter readings and traced shares to leaves, a Merkle root and DB rows.

A batch covers a period (a day, or any run of whole intervals) for every registered renewable
plant. For each plant-interval, the metered Wh is the cap; it is split over the holders with
:func:`~greenproof.ledger.allocation_leaves.split_cap`. The leaves and caps form the batch's
positional Merkle-sum tree (:class:`greenproof.contracts.merkle.BatchTree`): a plant's on-chain
index is its ledger id, and the tree builder refuses leaves above their caps.

Determinism: the input hash is the keccak256 of the canonical JSON of the period, the meter
readings, the traced shares and the snapshot digests; the batch id is the keccak256 of the
canonical JSON of the input hash and the period. Equal inputs give an equal batch id, and building
a batch whose id exists returns the stored batch instead of a second one.

Each plant-interval is issued once, as on-chain (a bitmap per plant): a batch may not overlap the
period of an earlier batch that was not ``failed`` and shares a plant; batches may otherwise come
in any order, and a gap can be filled later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from greenproof.contracts.leaves import AllocationLeaf, DischargeLeaf, PlantIntervalCap
from greenproof.contracts.merkle import BatchLayout, depth_for

from .allocation_leaves import split_cap
from .bulk_rows import insert_rows
from .canonical import canonical_json, keccak_hex
from .errors import AllocationError, BatchError, UnknownRecordError
from .leaf_file import LeafFile, hex32
from .models import (
    AllocationLeafRow,
    BatchPlant,
    BatchState,
    CapLeafRow,
    Firm,
    IssuanceBatch,
    MeterReadingRow,
    Plant,
    utc_now,
)
from .storage_models import DischargeLeafRow
from .storage_records import StorageFlow, plan_storage, storage_addresses, storage_input, write_storage_records

__all__ = [
    "ISSUANCE_MODES",
    "IntervalShares",
    "batch_by_id",
    "batch_layout",
    "batch_plants",
    "build_batch",
    "find_batch",
    "load_leaf_file",
]

ISSUANCE_MODES = ("anchor", "direct")


@dataclass(frozen=True)
class IntervalShares:
    """Traced shares of one interval, the attribution input of a batch.

    Attributes
    ----------
    interval_start_s : int
        Interval start, UNIX seconds UTC.
    shares : mapping
        ``{plant_code: {firm_code: share}}``: the share (0..1) of the plant's output delivered to
        the firm's load devices (see :func:`greenproof.ledger.holder_shares.holder_shares`). What a
        plant's shares leave below 1 goes to the plant's own account; a plant missing here sends
        its whole output there. Non-renewable plants are ignored.
    snapshot_digest : str, optional
        :func:`~greenproof.ledger.canonical.snapshot_digest` of the solved snapshot traced, bound
        into the input hash.
    storage : mapping, optional
        ``{storage unit code: StorageFlow}``: metered charge and discharge of registered storage
        units and who the discharge reached (:mod:`greenproof.ledger.storage_records`). A plant's
        share into a unit's charging is named in ``shares`` under the unit's code.
    """

    interval_start_s: int
    shares: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    snapshot_digest: str | None = None
    storage: Mapping[str, StorageFlow] = field(default_factory=dict)


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def _interval_starts(period_start_s: int, period_end_s: int, interval_s: int) -> range:
    if period_start_s % interval_s or period_end_s % interval_s:
        raise BatchError(f"period [{_iso(period_start_s)}, {_iso(period_end_s)}) is not made of whole "
                         f"{interval_s} s intervals")
    if period_end_s <= period_start_s:
        raise BatchError(f"period [{_iso(period_start_s)}, {_iso(period_end_s)}) is empty")
    return range(period_start_s, period_end_s, interval_s)


def _shares_by_start(intervals: Iterable[IntervalShares], starts: range) -> dict[int, IntervalShares]:
    by_start: dict[int, IntervalShares] = {}
    for item in intervals:
        if item.interval_start_s not in starts:
            raise BatchError(f"shares given for {_iso(item.interval_start_s)}, outside the batch period or off "
                             f"its interval grid")
        if item.interval_start_s in by_start:
            raise BatchError(f"shares given twice for {_iso(item.interval_start_s)}")
        by_start[item.interval_start_s] = item
    missing = [start for start in starts if start not in by_start]
    if missing:
        raise BatchError(f"no traced shares for interval {_iso(missing[0])} ({len(missing)} intervals missing)")
    return by_start


def _readings(session: Session, plants: list[Plant], starts: range) -> dict[tuple[int, int], int]:
    rows = session.execute(
        select(MeterReadingRow.plant_id, MeterReadingRow.interval_start_s, MeterReadingRow.energy_wh)
        .where(MeterReadingRow.plant_id.in_([plant.id for plant in plants]),
               MeterReadingRow.interval_start_s >= starts.start, MeterReadingRow.interval_start_s < starts.stop)
    )
    readings = {(plant_id, start): wh for plant_id, start, wh in rows}
    for plant in plants:
        for start in starts:
            if (plant.id, start) not in readings:
                raise BatchError(f"no meter reading for plant {plant.code!r} at {_iso(start)}")
    return readings


def _input_hash(plants: list[Plant], starts: range, readings: Mapping[tuple[int, int], int],
                shares: Mapping[int, IntervalShares], renewable: set[str], storage: object = None) -> str:
    data = {
        "kind": "greenproof-batch-input/1",
        "period_start_s": starts.start,
        "period_end_s": starts.stop,
        "interval_s": starts.step,
        "meter_wh": {plant.code: [readings[(plant.id, start)] for start in starts] for plant in plants},
        "intervals": [
            {"start_s": start, "snapshot": shares[start].snapshot_digest,
             "shares": {code: dict(by_firm) for code, by_firm in shares[start].shares.items() if code in renewable}}
            for start in starts
        ],
    }
    if storage is not None:  # only batches with storage flows: earlier batch ids stay as they were
        data["storage"] = storage
    return keccak_hex(canonical_json(data))


def _check_overlap(session: Session, plants: list[Plant], period_start_s: int, period_end_s: int) -> None:
    clash = session.execute(
        select(IssuanceBatch.batch_id, IssuanceBatch.period_start_s, IssuanceBatch.period_end_s, Plant.code)
        .join(BatchPlant, BatchPlant.batch_pk == IssuanceBatch.id).join(Plant, Plant.id == BatchPlant.plant_id)
        .where(IssuanceBatch.state != BatchState.FAILED, BatchPlant.plant_id.in_([plant.id for plant in plants]),
               IssuanceBatch.period_start_s < period_end_s, IssuanceBatch.period_end_s > period_start_s)
        .order_by(IssuanceBatch.period_start_s, Plant.id)
    ).first()
    if clash is not None:
        batch_id, start, end, code = clash
        raise BatchError(f"period [{_iso(period_start_s)}, {_iso(period_end_s)}) overlaps batch {batch_id} "
                         f"[{_iso(start)}, {_iso(end)}) of plant {code!r}: a plant-interval is issued once")


def build_batch(
    session: Session,
    *,
    period_start_s: int,
    period_end_s: int,
    intervals: Iterable[IntervalShares],
    interval_s: int = 900,
    mode: str = "anchor",
) -> IssuanceBatch:
    """Compute a batch and add it, ``pending``, with all its leaves (flushed; the caller commits).

    Parameters
    ----------
    session : Session
        Open session; commit it to write the batch (one transaction: the outbox entry).
    period_start_s, period_end_s : int
        Period in UNIX seconds UTC, end exclusive, on the ``interval_s`` grid.
    intervals : iterable of IntervalShares
        Traced shares of every interval of the period, exactly once each.
    interval_s : int
        Interval length, seconds.
    mode : {"anchor", "direct"}
        How the batch goes on-chain: one Merkle root (holders claim with proofs) or a direct mint
        of every allocation leaf (small batches).

    Returns
    -------
    IssuanceBatch
        The new batch, or the stored batch with the same id (same inputs).

    Raises
    ------
    BatchError
        If the period is empty or off the grid, shares or readings are missing, no renewable plant
        generated, or the period overlaps an earlier batch.
    AllocationError, UnknownRecordError
        If shares name an unknown plant or firm, or do not split (negative, summing above 1).
    """
    if mode not in ISSUANCE_MODES:
        raise BatchError(f"issuance mode {mode!r} is not one of {ISSUANCE_MODES}")
    starts = _interval_starts(period_start_s, period_end_s, interval_s)
    shares = _shares_by_start(intervals, starts)
    all_plants = {plant.code: plant for plant in session.scalars(select(Plant).order_by(Plant.id))}
    plants = [plant for plant in all_plants.values() if plant.renewable]
    if not plants:
        raise BatchError("no renewable plant is registered")
    firm_address = dict(session.execute(select(Firm.code, Firm.address)).all())
    readings = _readings(session, plants, starts)
    flows = {start: item.storage for start, item in shares.items() if item.storage}
    input_hash = _input_hash(plants, starts, readings, shares, {plant.code for plant in plants},
                             storage_input(session, flows))
    batch_id = keccak_hex(canonical_json({"input_hash": input_hash, "period_start_s": period_start_s,
                                          "period_end_s": period_end_s, "interval_s": interval_s}))
    existing = find_batch(session, batch_id)
    if existing is not None:
        return existing
    _check_overlap(session, plants, period_start_s, period_end_s)
    caps, leaves = _leaves(plants, all_plants, {**firm_address, **storage_addresses(session)}, starts, readings,
                           shares)
    storage = plan_storage(session, starts=starts, flows=flows, leaves=leaves, firm_address=firm_address,
                           plant_codes={plant.id: plant.code for plant in all_plants.values()})
    if not (caps or storage.charges or storage.discharges):  # storage records alone still move the state
        raise BatchError(f"no renewable generation in [{_iso(period_start_s)}, {_iso(period_end_s)}): "
                         "nothing to issue")
    file = LeafFile(batch_id=batch_id, input_hash=input_hash, root="", period_start_s=period_start_s,
                    period_end_s=period_end_s, interval_s=interval_s,
                    plants=tuple((plant.code, plant.id) for plant in plants), caps=tuple(caps),
                    allocation_leaves=tuple(leaves), discharge_leaves=tuple(storage.leaves))
    now = utc_now()
    batch = IssuanceBatch(batch_id=batch_id, period_start_s=period_start_s, period_end_s=period_end_s,
                          interval_s=interval_s, input_hash=input_hash, root=hex32(file.tree.root), mode=mode,
                          state=BatchState.PENDING, created_at=now, updated_at=now)
    session.add(batch)
    session.flush()
    session.execute(insert(BatchPlant), [{"batch_pk": batch.id, "plant_id": plant.id} for plant in plants])
    _insert_leaves(session, batch.id, firm_address, file)
    write_storage_records(session, batch.id, storage)
    return batch


def _leaves(plants: list[Plant], all_plants: Mapping[str, Plant], firm_address: Mapping[str, str], starts: range,
            readings: Mapping[tuple[int, int], int],
            shares: Mapping[int, IntervalShares]) -> tuple[list[PlantIntervalCap], list[AllocationLeaf]]:
    caps: list[PlantIntervalCap] = []
    leaves: list[AllocationLeaf] = []
    for start in starts:
        interval_shares = shares[start].shares
        unknown = sorted(set(interval_shares) - set(all_plants))
        if unknown:
            raise UnknownRecordError(f"shares at {_iso(start)} name plant {unknown[0]!r}, which is not registered")
        for plant in plants:
            cap_wh = readings[(plant.id, start)]
            if cap_wh == 0:
                continue
            what = f"plant {plant.code!r} at {_iso(start)}"
            by_address: dict[str, float] = {}
            for firm_code, share in interval_shares.get(plant.code, {}).items():
                address = firm_address.get(firm_code)
                if address is None:
                    raise UnknownRecordError(f"{what}: shares name firm {firm_code!r}, which is not registered "
                                         "(nor a storage unit)")
                by_address[address] = by_address.get(address, 0.0) + float(share)
            split = split_cap(cap_wh, by_address, plant.operator_address, what=what)
            caps.append(PlantIntervalCap(plant.code, plant.id, start, starts.step, cap_wh))
            leaves.extend(AllocationLeaf(plant.code, plant.id, start, starts.step, holder, wh)
                          for holder, wh in sorted(split.items()))
    return caps, leaves


def _insert_leaves(session: Session, batch_pk: int, firm_address: Mapping[str, str], file: LeafFile) -> None:
    firm_ids = dict(session.execute(select(Firm.address, Firm.id)).all())
    if len(firm_ids) != len(firm_address):
        raise AllocationError("two firms share one certificate address")
    token_ids = {(cap.plant_index, cap.interval_start_s): str(cap.token_id) for cap in file.caps}
    insert_rows(session, CapLeafRow.__table__, [  # none in a batch of storage discharges only
        {"batch_pk": batch_pk, "plant_id": cap.plant_index, "interval_start_s": cap.interval_start_s,
         "interval_s": cap.interval_s, "cap_wh": cap.cap_wh,
         "token_id": token_ids[(cap.plant_index, cap.interval_start_s)],
         "leaf_hash": hex32(file.tree.plant_interval_hash(cap))}
        for cap in file.caps
    ])
    insert_rows(session, AllocationLeafRow.__table__, [
        {"batch_pk": batch_pk, "plant_id": leaf.plant_index, "interval_start_s": leaf.interval_start_s,
         "interval_s": leaf.interval_s, "holder_address": leaf.holder, "firm_id": firm_ids.get(leaf.holder),
         "amount_wh": leaf.amount_wh, "token_id": token_ids[(leaf.plant_index, leaf.interval_start_s)],
         "leaf_hash": hex32(leaf.hash)}
        for leaf in file.allocation_leaves
    ])
    session.flush()


def find_batch(session: Session, batch_id: str) -> IssuanceBatch | None:
    """Return the batch ``batch_id`` (``0x`` hex), or None if it is not stored."""
    return session.scalar(select(IssuanceBatch).where(IssuanceBatch.batch_id == batch_id.lower()))


def batch_by_id(session: Session, batch_id: str) -> IssuanceBatch:
    """Return the batch ``batch_id`` (``0x`` hex).

    Raises
    ------
    UnknownRecordError
        If the batch is not stored.
    """
    batch = find_batch(session, batch_id)
    if batch is None:
        raise UnknownRecordError(f"batch {batch_id} is not in the ledger")
    return batch


def batch_plants(session: Session, batch: IssuanceBatch) -> list[tuple[str, int]]:
    """Return ``(code, on-chain index)`` of the plants a batch issues, by index (its on-chain ``plants``)."""
    return [(code, plant_id) for code, plant_id in session.execute(
        select(Plant.code, Plant.id).join(BatchPlant, BatchPlant.plant_id == Plant.id)
        .where(BatchPlant.batch_pk == batch.id).order_by(Plant.id))]


def batch_layout(session: Session, batch: IssuanceBatch) -> BatchLayout:
    """Return the on-chain shape of a stored batch (plants, period, subtree depth) without rebuilding its tree.

    ``slot_bits`` is the depth that holds the most leaves any of its plant-intervals has, as
    :class:`~greenproof.contracts.merkle.BatchTree` lays it out.
    """
    per_plant_interval = (select(func.count().label("n")).where(AllocationLeafRow.batch_pk == batch.id)
                          .group_by(AllocationLeafRow.plant_id, AllocationLeafRow.interval_start_s).subquery())
    most = session.scalar(select(func.max(per_plant_interval.c.n))) or 1
    discharges = session.scalar(select(func.count()).where(DischargeLeafRow.batch_pk == batch.id)) or 0
    return BatchLayout(batch.period_start_s, batch.interval_s,
                       (batch.period_end_s - batch.period_start_s) // batch.interval_s,
                       tuple(index for _, index in batch_plants(session, batch)), depth_for(most),
                       depth_for(discharges))


def load_leaf_file(session: Session, batch_id: str) -> LeafFile:
    """Return the leaf file of a stored batch, rebuilt from its DB rows and checked against its root.

    ``LeafFile.to_bytes()`` of the result is the file to publish; ``LeafFile.proof(leaf)`` serves
    proofs.

    Raises
    ------
    UnknownRecordError
        If the batch is not stored.
    LeafFileError
        If the stored leaves do not rebuild the stored root.
    """
    batch = batch_by_id(session, batch_id)
    codes = dict(session.execute(select(Plant.id, Plant.code)).all())
    caps = session.execute(select(CapLeafRow.plant_id, CapLeafRow.interval_start_s, CapLeafRow.interval_s,
                                  CapLeafRow.cap_wh).where(CapLeafRow.batch_pk == batch.id)).all()
    leaves = session.execute(select(AllocationLeafRow.plant_id, AllocationLeafRow.interval_start_s,
                                    AllocationLeafRow.interval_s, AllocationLeafRow.holder_address,
                                    AllocationLeafRow.amount_wh).where(AllocationLeafRow.batch_pk == batch.id)
                             ).all()
    discharges = session.execute(select(DischargeLeafRow.storage_id, DischargeLeafRow.plant_id,
                                        DischargeLeafRow.origin_start_s, DischargeLeafRow.origin_s,
                                        DischargeLeafRow.holder_address, DischargeLeafRow.amount_wh)
                                 .where(DischargeLeafRow.batch_pk == batch.id)).all()
    file = LeafFile(
        batch_id=batch.batch_id, input_hash=batch.input_hash, root=batch.root, period_start_s=batch.period_start_s,
        period_end_s=batch.period_end_s, interval_s=batch.interval_s, plants=tuple(batch_plants(session, batch)),
        caps=tuple(PlantIntervalCap(codes[p], p, s, i, wh) for p, s, i, wh in caps),
        allocation_leaves=tuple(AllocationLeaf(codes[p], p, s, i, h, wh) for p, s, i, h, wh in leaves),
        discharge_leaves=tuple(DischargeLeaf(u, codes[p], p, s, i, h, wh) for u, p, s, i, h, wh in discharges),
    )
    file.check()
    return file
