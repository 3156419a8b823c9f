"""The small test park of the ledger tests: plants, firms and their Anvil dev-account addresses."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from greenproof.ledger.batches import IntervalShares
from greenproof.ledger.meters import MeterReading, ingest_readings
from greenproof.ledger.registry import register_firm, register_plant

#: Anvil's default dev accounts 1..4 (mnemonic "test test ... junk"): firms and the plant operator.
OPERATOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
FIRM_ADDRESSES = {
    "LNG": "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    "CRANES": "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    "COLD": "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
}



@dataclass(frozen=True)
class Park:
    """Codes of the test park: four renewable plants, one coal plant, three firms."""

    renewable: tuple[str, ...] = ("H1", "H2", "H3", "PV")
    coal: str = "COAL"
    firms: tuple[str, ...] = ("LNG", "CRANES", "COLD")


PLANTS = [  # code, technology, capacity MW, renewable
    ("H1", "wind_offshore", 100.0, True),
    ("H2", "wind_offshore", 400.0, True),
    ("H3", "wind_offshore", 300.0, True),
    ("PV", "solar_pv", 147.0, True),
    ("COAL", "coal", 2000.0, False),
]


def register_park(session: Session) -> Park:
    for code, technology, capacity_mw, renewable in PLANTS:
        register_plant(session, code=code, name_en=f"Plant {code}", technology=technology, capacity_mw=capacity_mw,
                       renewable=renewable, operator_address=OPERATOR, device_id=f"gen:{code}")
    for code, address in FIRM_ADDRESSES.items():
        register_firm(session, code=code, name_en=f"Firm {code}", address=address, device_ids=[f"load:{code}"])
    return Park()


#: Traced shares used by the tests: plant -> firm -> share of the plant's output.
SHARES = {
    "H1": {"LNG": 0.3, "CRANES": 0.2},
    "H2": {"LNG": 0.25, "CRANES": 0.25, "COLD": 0.125},
    "H3": {"COLD": 0.6},
    "PV": {"CRANES": 1 / 3, "COLD": 1 / 3},
}


def record_period(session: Session, start_s: int, n_intervals: int, *, pv_dark: bool = False) -> list[IntervalShares]:
    """Store meter readings of every plant for ``n_intervals`` from ``start_s``; return their IntervalShares.

    Wind plants generate ``(i + 1) * 1_000_003`` Wh (odd numbers exercise the rounding); PV generates
    the same unless ``pv_dark``, then 0 Wh (night).
    """
    readings = []
    for i in range(n_intervals):
        for code, *_ in PLANTS:
            wh = 0 if code == "PV" and pv_dark else (i + 1) * 1_000_003
            readings.append(MeterReading(code, start_s + 900 * i, 900, energy_wh=wh))
    ingest_readings(session, readings)
    return [IntervalShares(start_s + 900 * i, SHARES) for i in range(n_intervals)]
