"""Plants and firms of the ledger: registration and look-ups by code."""

from __future__ import annotations

from collections.abc import Iterable

from eth_utils import is_address, to_checksum_address
from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import LedgerError, UnknownRecordError
from .models import AllocationLeafRow, Firm, FirmLoadDevice, Plant

__all__ = [
    "KEY_CUSTODIES",
    "checksum_address",
    "firm_by_code",
    "plant_by_code",
    "register_firm",
    "register_plant",
    "set_firm_account",
    "wh_capacity",
]

#: Who may hold a firm's certificate key (:attr:`~greenproof.ledger.models.Firm.key_custody`).
KEY_CUSTODIES = ("custodial", "firm")


def checksum_address(address: str, what: str) -> str:
    """Return ``address`` in EIP-55 checksum form.

    Raises
    ------
    LedgerError
        If ``address`` is not a 20-byte hex address; ``what`` names it in the message.
    """
    if not isinstance(address, str) or not is_address(address):
        raise LedgerError(f"{what}: {address!r} is not an EVM address (0x followed by 40 hex digits)")
    return str(to_checksum_address(address))


def wh_capacity(capacity_mw: float, interval_s: int) -> int:
    """Return the most Wh a plant of ``capacity_mw`` can generate in ``interval_s`` seconds.

    Uses the contract's integer rule ``capacityW * intervalSeconds / 3600`` (rounded down), with
    ``capacityW = round(capacity_mw * 1e6)``, so the ledger never accepts a cap the chain refuses.
    """
    return round(capacity_mw * 1_000_000) * interval_s // 3600


def register_plant(
    session: Session,
    *,
    code: str,
    name_en: str,
    technology: str,
    capacity_mw: float,
    renewable: bool,
    operator_address: str,
    name_zh: str = "",
    device_id: str | None = None,
    location_code: str = "CN-JS-YC-BH",
    latitude_deg: float | None = None,
    longitude_deg: float | None = None,
) -> Plant:
    """Add a plant (flushed, not committed).

    Parameters
    ----------
    code : str
        Registry code, also the on-chain plant code (``plant_key = keccak256(code)``).
    capacity_mw : float
        Installed capacity in MW, > 0; bounds every meter reading (capacity × interval).
    operator_address : str
        EVM address of the plant's own certificate account: it receives what no firm takes
        (export, storage charging, non-firm loads, losses) and the rounding remainder.
    device_id : str, optional
        The plant's injection ``device_id`` in snapshots, used to read attribution results.
    location_code : str
        Short location code registered on-chain (≤ 32 UTF-8 bytes; default ``CN-JS-YC-BH``:
        China, Jiangsu, Yancheng, Binhai).

    Raises
    ------
    LedgerError
        If the capacity is not positive, the address is malformed or the code is taken.
    """
    if not capacity_mw > 0:
        raise LedgerError(f"plant {code!r}: capacity_mw must be > 0, got {capacity_mw}")
    if session.scalar(select(Plant.id).where(Plant.code == code)) is not None:
        raise LedgerError(f"plant {code!r} is already registered")
    plant = Plant(code=code, name_en=name_en, name_zh=name_zh, technology=technology, capacity_mw=capacity_mw,
                  renewable=renewable, device_id=device_id, location_code=location_code,
                  latitude_deg=latitude_deg, longitude_deg=longitude_deg,
                  operator_address=checksum_address(operator_address, f"plant {code!r} operator_address"))
    session.add(plant)
    session.flush()
    return plant


def register_firm(
    session: Session,
    *,
    code: str,
    name_en: str,
    address: str,
    name_zh: str = "",
    device_ids: Iterable[str] = (),
) -> Firm:
    """Add a firm with its certificate account ``address`` and its load devices (flushed, not committed).

    Raises
    ------
    LedgerError
        If the address is malformed, or the code, address or a device id is taken.
    """
    checksummed = checksum_address(address, f"firm {code!r} address")
    if session.scalar(select(Firm.id).where(Firm.code == code)) is not None:
        raise LedgerError(f"firm {code!r} is already registered")
    if session.scalar(select(Firm.code).where(Firm.address == checksummed)) is not None:
        raise LedgerError(f"firm {code!r}: address {checksummed} already belongs to another firm")
    devices = list(device_ids)
    taken = session.scalars(select(FirmLoadDevice.device_id).where(FirmLoadDevice.device_id.in_(devices))).first()
    if taken is not None:
        raise LedgerError(f"firm {code!r}: load device {taken!r} already belongs to another firm")
    firm = Firm(code=code, name_en=name_en, name_zh=name_zh, address=checksummed,
                devices=[FirmLoadDevice(device_id=device) for device in devices])
    session.add(firm)
    session.flush()
    return firm


def set_firm_account(session: Session, code: str, address: str, *, key_custody: str) -> Firm:
    """Move firm ``code``'s certificate account to ``address``, whose key ``key_custody`` holds (flushed).

    Certificates are allocated to the firm's account when a batch is built, so the account can
    change only before the firm's first certificates: leaves already allocated stay at the account
    they name, on-chain and in the published leaf files.

    Raises
    ------
    UnknownRecordError
        If the firm is not registered.
    LedgerError
        If ``key_custody`` is not one of :data:`KEY_CUSTODIES`, the address is malformed or another
        firm's, or certificates were already allocated to the firm's current account.
    """
    if key_custody not in KEY_CUSTODIES:
        raise LedgerError(f"firm {code!r}: key custody {key_custody!r} is not one of {', '.join(KEY_CUSTODIES)}")
    checksummed = checksum_address(address, f"firm {code!r} address")
    firm = firm_by_code(session, code)
    owner = session.scalar(select(Firm.code).where(Firm.address == checksummed, Firm.id != firm.id))
    if owner is not None:
        raise LedgerError(f"firm {code!r}: address {checksummed} already belongs to firm {owner!r}")
    if checksummed != firm.address:
        held = session.scalar(select(AllocationLeafRow.id).where(AllocationLeafRow.holder_address == firm.address)
                              .limit(1))
        if held is not None:
            raise LedgerError(f"firm {code!r}: certificates are already allocated to its account {firm.address}; "
                              "the account can change only before the firm's first certificates")
    firm.address, firm.key_custody = checksummed, key_custody
    session.flush()
    return firm


def plant_by_code(session: Session, code: str) -> Plant:
    """Return the plant ``code``; raise :class:`UnknownRecordError` if it is not registered."""
    plant = session.scalar(select(Plant).where(Plant.code == code))
    if plant is None:
        raise UnknownRecordError(f"plant {code!r} is not registered")
    return plant


def firm_by_code(session: Session, code: str) -> Firm:
    """Return the firm ``code``; raise :class:`UnknownRecordError` if it is not registered."""
    firm = session.scalar(select(Firm).where(Firm.code == code))
    if firm is None:
        raise UnknownRecordError(f"firm {code!r} is not registered")
    return firm
