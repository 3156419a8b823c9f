"""The park battery's certificates: what it stored, what it re-issued with its origin, and one retirement.

Shared by the demo and the auditor statement: reads the ledger's storage records
(:mod:`greenproof.ledger.storage_models`) and, for the demo, mints a firm's storage discharge
certificates and retires one of them on-chain.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from greenproof.contracts.client import ChainClient
from greenproof.contracts.records import RetirementClaim
from greenproof.ledger.canonical import canonical_json, keccak_hex
from greenproof.ledger.chain_port import from_hex32
from greenproof.ledger.models import Firm, IssuanceBatch, Plant
from greenproof.ledger.storage_chain import claim_discharges, retire_discharges
from greenproof.ledger.storage_models import DischargeLeafRow, StorageChargeRow, StorageDischargeRow, StorageUnit

from .custody import ensure_gas
from .park_setup import firm_account_key
from .periods import utc_from_s
from .schemas import StorageRecordPublic

__all__ = ["StorageDay", "firm_storage_records", "retire_one_discharge", "storage_day"]


@dataclass(frozen=True)
class StorageDay:
    """The battery over a period, Wh.

    Attributes
    ----------
    charged_renewable_wh : int
        Renewable energy charged: certificates cancelled into storage charge records.
    charged_other_wh : int
        Energy charged without certificate (coal, grid, the opening state of charge).
    discharged_wh : int
        Energy discharged (metered).
    certified_wh : int
        Storage discharge certificates issued (original plant and interval), after round-trip losses.
    retired_wh : int
        Of which retired on-chain.
    retired_by : str or None
        The firm that retired, in the demo.
    """

    charged_renewable_wh: int
    charged_other_wh: int
    discharged_wh: int
    certified_wh: int
    retired_wh: int
    retired_by: str | None = None


def storage_day(session: Session, start_s: int, end_s: int) -> StorageDay:
    """Sum the storage records of batches in ``[start_s, end_s)`` (UNIX s)."""
    in_period = select(IssuanceBatch.id).where(IssuanceBatch.period_start_s >= start_s,
                                               IssuanceBatch.period_end_s <= end_s)
    renewable, other = session.execute(
        select(func.coalesce(func.sum(StorageChargeRow.charged_wh).filter(StorageChargeRow.plant_id.is_not(None)), 0),
               func.coalesce(func.sum(StorageChargeRow.charged_wh).filter(StorageChargeRow.plant_id.is_(None)), 0))
        .where(StorageChargeRow.batch_pk.in_(in_period))).one()
    discharged = session.scalar(select(func.coalesce(func.sum(StorageDischargeRow.discharged_wh), 0))
                                .where(StorageDischargeRow.batch_pk.in_(in_period)))
    certified, retired = session.execute(
        select(func.coalesce(func.sum(DischargeLeafRow.amount_wh), 0),
               func.coalesce(func.sum(DischargeLeafRow.retired_wh), 0))
        .where(DischargeLeafRow.batch_pk.in_(in_period))).one()
    return StorageDay(int(renewable), int(other), int(discharged or 0), int(certified), int(retired))


def retire_one_discharge(factory: sessionmaker[Session], client: ChainClient, issuer_key: str, batch_id: str,
                         purpose: str) -> StorageDay:
    """Mint the firm holding the batch's largest discharge certificate its discharges, and retire that one.

    The claim reference is derived from the batch and the leaf, so a rerun finds it used instead of
    retiring twice. Returns the batch's storage figures after the retirement (``retired_by`` the firm).
    """
    with factory() as session:
        batch = session.scalar(select(IssuanceBatch).where(IssuanceBatch.batch_id == batch_id))
        row = None if batch is None else session.scalars(
            select(DischargeLeafRow).where(DischargeLeafRow.batch_pk == batch.id, DischargeLeafRow.firm_id.is_not(None))
            .order_by(DischargeLeafRow.amount_wh.desc(), DischargeLeafRow.id).limit(1)).first()
        if batch is None or row is None:
            return storage_day(session, 0, 0) if batch is None else storage_day(session, batch.period_start_s,
                                                                                  batch.period_end_s)
        firm = session.get_one(Firm, row.firm_id)
        start_s, end_s = batch.period_start_s, batch.period_end_s
        ref = keccak_hex(canonical_json({"batch": batch_id, "discharge_leaf": row.leaf_hash}))
        amount, origin, origin_s = row.amount_wh, row.origin_start_s, row.origin_s
    claim_discharges(factory, client, batch_id, holder=row.holder_address)
    claim = RetirementClaim(from_hex32(ref), firm.name_en, purpose, min(origin, start_s), max(origin + origin_s, end_s))
    if not client.claim_ref_used(row.holder_address, from_hex32(ref)):
        ensure_gas(client, row.holder_address, issuer_key)
        retire_discharges(factory, client, firm_code=firm.code, amount_wh=amount, claim=claim,
                          holder_key=firm_account_key(issuer_key, firm.code))
    with factory() as session:
        day = storage_day(session, start_s, end_s)
    return StorageDay(day.charged_renewable_wh, day.charged_other_wh, day.discharged_wh, day.certified_wh,
                      day.retired_wh, firm.code)


def firm_storage_records(session: Session, firm_id: int, start_s: int, end_s: int) -> list[StorageRecordPublic]:
    """Return a firm's storage discharge certificates of batches overlapping ``[start_s, end_s)``, oldest first."""
    rows = session.execute(
        select(StorageUnit.code, Plant.code, Plant.technology, DischargeLeafRow.origin_start_s,
               DischargeLeafRow.origin_s,
               IssuanceBatch.period_start_s, DischargeLeafRow.amount_wh, DischargeLeafRow.retired_wh)
        .join(StorageUnit, StorageUnit.id == DischargeLeafRow.storage_id)
        .join(Plant, Plant.id == DischargeLeafRow.plant_id)
        .join(IssuanceBatch, IssuanceBatch.id == DischargeLeafRow.batch_pk)
        .where(DischargeLeafRow.firm_id == firm_id, IssuanceBatch.period_start_s < end_s,
               IssuanceBatch.period_end_s > start_s)
        .order_by(DischargeLeafRow.origin_start_s, Plant.code, DischargeLeafRow.id)).all()
    return [StorageRecordPublic(storage_code=unit, plant_code=plant, technology=technology,
                                origin_start=utc_from_s(origin), origin_s=origin_s,
                                discharged_in=utc_from_s(batch_start), amount_wh=amount, retired_wh=retired)
            for unit, plant, technology, origin, origin_s, batch_start, amount, retired in rows]
