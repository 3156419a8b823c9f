"""Shapes the park's use cases take and return (pydantic), one module per resource, apart from the ledger's ORM rows.

The HTTP API answers with them as they are, the dashboard renders them and the CLI prints and
verifies them; request bodies that only the HTTP API reads live in :mod:`greenproof.api.http.schemas`.
Models taken as input (and the provenance record, which is also posted back) refuse unknown fields.

Conventions: energies are whole watt-hours (``*_wh``) where they are certificate quantities and
MWh (``*_mwh``) where they are physical aggregates; times are timezone-aware UTC (ISO 8601);
shares are fractions in [0, 1]; carbon intensities are tCO2/MWh; hashes and ids from the chain
are ``0x``-prefixed hex; token ids are decimal strings (uint256).
"""

from .authorisations import FirmAccountPublic, FirmAuthorisations, SignedRetirement
from .batches import BatchPublic, IssuanceMode
from .certificates import BalanceLine, CertificatePublic, CertificateStatus
from .evidence import CapLeafPublic, EvidenceBundle, LeafPublic, RetirementLinePublic
from .intensity import BusIntensityPublic, NodalIntensityPublic
from .provenance import (
    ProvenanceClaim,
    ProvenanceLine,
    ProvenanceRecord,
    RecordCheck,
    ShipmentCreate,
    SubmittedRecord,
    VerificationPublic,
)
from .retirements import (
    PlantRetiredPublic,
    RetirementPublic,
    RetirementStatementPublic,
    ShipmentPublic,
    StorageRecordPublic,
)
from .series import HourlyMatchingPublic, HourMatch, Resolution, SeriesPointPublic, ShareSeriesPublic

__all__ = [
    "BalanceLine",
    "BatchPublic",
    "BusIntensityPublic",
    "CapLeafPublic",
    "CertificatePublic",
    "CertificateStatus",
    "EvidenceBundle",
    "FirmAccountPublic",
    "FirmAuthorisations",
    "HourMatch",
    "HourlyMatchingPublic",
    "IssuanceMode",
    "LeafPublic",
    "NodalIntensityPublic",
    "PlantRetiredPublic",
    "ProvenanceClaim",
    "ProvenanceLine",
    "ProvenanceRecord",
    "RecordCheck",
    "Resolution",
    "RetirementLinePublic",
    "RetirementPublic",
    "RetirementStatementPublic",
    "SeriesPointPublic",
    "ShareSeriesPublic",
    "ShipmentCreate",
    "ShipmentPublic",
    "SignedRetirement",
    "StorageRecordPublic",
    "SubmittedRecord",
    "VerificationPublic",
]
