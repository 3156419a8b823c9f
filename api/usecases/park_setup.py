"""Register the Binhai park's plants, firms and storage account in the ledger.

Certificate accounts are custodial (:mod:`greenproof.api.usecases.custody`): a firm's address is derived
from the issuer key and ``"firm:<code>"``, a plant operator's from ``"plant:<code>"``, the battery
operator's (who holds discharge certificates no firm's load took) from ``"storage:<code>"``.

The battery (Three Gorges grid-side storage, 200 MW / 400 MWh) is also a storage account
(:mod:`greenproof.ledger.storage_records`): round trip 88 % as the park model dispatches it
(``grids/_binhai_profiles.py``: √0.88 each way), FIFO, and an opening state of charge of 50 %
(200 MWh stored, 200 × √0.88 ≈ 187.6 MWh deliverable) of unknown origin.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenproof.grids.binhai_registry import FIRMS, PLANTS
from greenproof.ledger.models import Firm, Plant
from greenproof.ledger.registry import register_firm, register_plant
from greenproof.ledger.storage_models import StorageUnit
from greenproof.ledger.storage_records import register_storage

from .custody import custodial_address, custodial_key

__all__ = [
    "BESS_EFFICIENCY_PPM",
    "BESS_OPENING_WH",
    "PARK_LATITUDE_DEG",
    "PARK_LONGITUDE_DEG",
    "ParkRegistration",
    "firm_account_key",
    "register_park",
]

#: Approximate park coordinates (DESIGN.md: about 34.3°N 120.3°E).
PARK_LATITUDE_DEG = 34.3
PARK_LONGITUDE_DEG = 120.3

#: The park battery's round-trip efficiency, ppm (the park model's 0.88).
BESS_EFFICIENCY_PPM = 880_000
#: Its deliverable energy when tracking starts: 50 % of 400 MWh stored × √0.88 discharge efficiency, Wh.
BESS_OPENING_WH = 187_616_630


def firm_account_key(issuer_key: str, firm_code: str) -> str:
    """Return the private key of a firm's custodial certificate account."""
    return custodial_key(issuer_key, f"firm:{firm_code}")


@dataclass(frozen=True)
class ParkRegistration:
    """What :func:`register_park` added (codes already registered are skipped)."""

    plants_added: tuple[str, ...]
    firms_added: tuple[str, ...]
    storage_added: tuple[str, ...] = ()


def register_park(session: Session, issuer_key: str) -> ParkRegistration:
    """Register every plant of :data:`PLANTS` and firm of :data:`FIRMS` (the park's) not yet in the ledger (flushed).

    Parameters
    ----------
    session : Session
        Open session; the caller commits.
    issuer_key : str
        The issuer's private key, from which the custodial account addresses are derived.
    """
    known_plants = set(session.scalars(select(Plant.code)))
    known_firms = set(session.scalars(select(Firm.code)))
    plants = [p for p in PLANTS if p.code not in known_plants]
    firms = [f for f in FIRMS if f.code not in known_firms]
    for plant in plants:
        register_plant(session, code=plant.code, name_en=plant.name_en, name_zh=plant.name_zh,
                       technology=plant.technology, capacity_mw=plant.capacity_mw, renewable=plant.renewable,
                       operator_address=custodial_address(issuer_key, f"plant:{plant.code}"),
                       device_id=plant.device_id, latitude_deg=PARK_LATITUDE_DEG, longitude_deg=PARK_LONGITUDE_DEG)
    for firm in firms:
        register_firm(session, code=firm.code, name_en=firm.name_en, name_zh=firm.name_zh,
                      address=custodial_address(issuer_key, f"firm:{firm.code}"), device_ids=firm.device_ids)
    storage = [p for p in PLANTS if p.technology == "storage"
               and session.scalar(select(StorageUnit.id).where(StorageUnit.code == p.code)) is None]
    for unit in storage:
        register_storage(session, code=unit.code, name_en=unit.name_en, efficiency_ppm=BESS_EFFICIENCY_PPM,
                         operator_address=custodial_address(issuer_key, f"storage:{unit.code}"),
                         device_id=unit.device_id, allocation_rule="fifo", opening_wh=BESS_OPENING_WH)
    return ParkRegistration(tuple(p.code for p in plants), tuple(f.code for f in firms),
                            tuple(u.code for u in storage))
