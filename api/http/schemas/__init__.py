"""Request and response bodies that only the HTTP API reads or writes, one module per resource.

Everything the use cases return is in :mod:`greenproof.api.usecases.schemas` (same conventions:
``*_wh`` whole watt-hours, ``*_mwh`` MWh, UTC times, shares in [0, 1]); request bodies refuse
unknown fields.
"""

from .attribution_runs import AttributionRunCreate, AttributionRunPublic, FirmTotalPublic
from .claims import ClaimCreate, ClaimPublic, DayClaimCreate, DayClaimPublic
from .health import HealthPublic
from .leaf_verification import LeafVerificationPublic
from .meter_readings import IngestResult, MeterReadingCreate, MeterReadingsCreate
from .registration import FirmAccountUpdate, ParkRegistrationPublic
from .retirements import RetirementCreate

__all__ = [
    "AttributionRunCreate",
    "AttributionRunPublic",
    "ClaimCreate",
    "ClaimPublic",
    "DayClaimCreate",
    "DayClaimPublic",
    "FirmAccountUpdate",
    "FirmTotalPublic",
    "HealthPublic",
    "IngestResult",
    "LeafVerificationPublic",
    "MeterReadingCreate",
    "MeterReadingsCreate",
    "ParkRegistrationPublic",
    "RetirementCreate",
]
