"""Certificate ledger: meter data, allocation leaves, Merkle batches, issuance outbox, reconciliation.

The ledger turns metered generation and traced shares into certificate batches (Merkle roots over
allocation and cap leaves), anchors them on the chain through a crash-safe outbox, serves proofs
and leaf files, records claims and retirements, and checks itself against the chain. Units: Wh
(integers) for certificates, MW for capacity, UNIX seconds UTC for intervals.
"""

from .allocation_leaves import split_cap
from .authorisation import AuthorisationSigner, KeySigner
from .batches import IntervalShares, batch_by_id, build_batch, find_batch, load_leaf_file
from .canonical import canonical_json, keccak_hex, snapshot_digest
from .certificate_status import certificate_status, expires_at, production_month
from .database import make_engine, make_session_factory, session_scope, upgrade
from .errors import (
    AllocationError,
    BatchError,
    ChainIdentityError,
    ClaimRefReusedError,
    DatabaseUnavailableError,
    InsufficientCertificatesError,
    IssuanceError,
    LeafFileError,
    LedgerError,
    MeterDataError,
    RetirementError,
    UnknownRecordError,
)
from .gec_rollup import GecMonth, gec_rollup, roll_up
from .holder_shares import holder_shares, ledger_devices
from .holdings import Holding, holding_of_leaf, holdings
from .issuance import issue, register_plants_on_chain, resume_unfinished, send_and_confirm
from .leaf_claims import claim_holder_leaves
from .leaf_file import LeafFile
from .meters import IngestReport, MeterReading, ingest_readings
from .reconcile import Difference, reconcile
from .registry import firm_by_code, plant_by_code, register_firm, register_plant, set_firm_account
from .retirements import Shipment, claim_leaf, part_claim_ref, retire
from .settings import LedgerSettings
from .storage_allocation import ChargeLot, draw, stored_after_losses
from .storage_chain import claim_discharges, record_charges, register_storage_on_chain, retire_discharges
from .storage_records import StorageFlow, held_lots, register_storage, storage_by_code
from .verify import HolderVerification, LeafVerification, verify_holder, verify_leaf

__all__ = [
    "AllocationError",
    "AuthorisationSigner",
    "BatchError",
    "ChainIdentityError",
    "ChargeLot",
    "ClaimRefReusedError",
    "DatabaseUnavailableError",
    "Difference",
    "GecMonth",
    "HolderVerification",
    "Holding",
    "IngestReport",
    "InsufficientCertificatesError",
    "IntervalShares",
    "IssuanceError",
    "KeySigner",
    "LeafFile",
    "LeafFileError",
    "LeafVerification",
    "LedgerError",
    "LedgerSettings",
    "MeterDataError",
    "MeterReading",
    "RetirementError",
    "Shipment",
    "StorageFlow",
    "UnknownRecordError",
    "batch_by_id",
    "build_batch",
    "canonical_json",
    "certificate_status",
    "claim_discharges",
    "claim_holder_leaves",
    "claim_leaf",
    "draw",
    "expires_at",
    "find_batch",
    "firm_by_code",
    "gec_rollup",
    "held_lots",
    "holder_shares",
    "holding_of_leaf",
    "holdings",
    "ingest_readings",
    "issue",
    "keccak_hex",
    "ledger_devices",
    "load_leaf_file",
    "make_engine",
    "make_session_factory",
    "part_claim_ref",
    "plant_by_code",
    "production_month",
    "reconcile",
    "record_charges",
    "register_firm",
    "register_plant",
    "register_plants_on_chain",
    "register_storage",
    "register_storage_on_chain",
    "resume_unfinished",
    "retire",
    "retire_discharges",
    "roll_up",
    "send_and_confirm",
    "session_scope",
    "set_firm_account",
    "snapshot_digest",
    "split_cap",
    "storage_by_code",
    "stored_after_losses",
    "upgrade",
    "verify_holder",
    "verify_leaf",
]
