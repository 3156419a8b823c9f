"""Retirement with a firm-held key, in two steps: the park prepares, the firm signs, the park relays and pays gas.

1. :func:`prepare_firm_retirement` picks the firm's certificates exactly as a retirement would
   (:func:`greenproof.ledger.retirements.retire`, run against a chain that sends nothing) and
   returns the EIP-712 authorisations it needs — one per transaction: a ``RetireLeaves`` per batch
   drawn on, a ``Retire`` for minted balances — as JSON documents that ``eth_signTypedData_v4``
   takes, with the claim and the chain's block time they were made at.
2. The firm signs each document in its own wallet (or with a local key, :func:`sign_authorisations`).
3. :func:`submit_firm_retirement` runs the retirement again with the same claim and block time,
   so it derives the same documents while nothing changed, hands the ledger the firm's signatures
   in order, and the park's account relays them. The contract checks each signature against the
   holder (ECDSA, or ERC-1271 for a contract wallet), its nonce and deadline: a signature that is
   not the firm's over exactly this retirement is refused on-chain, and nothing is recorded.

The park never sees the firm's key: it gets the address (:mod:`greenproof.api.usecases.firm_accounts`)
and the signatures.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy.orm import Session, sessionmaker

from greenproof.contracts.authorisations import sign_typed_data
from greenproof.contracts.client import ChainClient
from greenproof.contracts.transactor import PreparedTx, TxResult
from greenproof.ledger.canonical import canonical_json
from greenproof.ledger.chain_port import CertificateChain
from greenproof.ledger.registry import firm_by_code
from greenproof.ledger.retirements import Shipment, retire
from greenproof.ledger.settings import LedgerSettings

from .chain_gateway import chain_id_of
from .errors import AuthorisationError, FirmAccountError
from .evidence import LeafFileCache
from .firm_codes import canonical_firm_code
from .periods import Period
from .provenance import claim_for, claim_reference, retire_and_record
from .schemas import FirmAuthorisations, ProvenanceClaim, ProvenanceRecord, ShipmentCreate, SignedRetirement

__all__ = ["json_typed_data", "prepare_firm_retirement", "sign_authorisations", "submit_firm_retirement"]

#: Largest integer a JSON number carries exactly in a browser (2^53 − 1); larger uint256 values go as strings.
_JS_SAFE_INT = 2**53 - 1


def json_typed_data(value: Any) -> Any:
    """Return EIP-712 typed data as JSON values: bytes as ``0x`` hex, integers above 2^53 − 1 as decimal strings."""
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) > _JS_SAFE_INT:
        return str(value)
    if isinstance(value, dict):
        return {key: json_typed_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_typed_data(item) for item in value]
    return value


class _Collected(Exception):
    """Raised instead of sending: the documents are collected (never leaves this module)."""


class _PinnedChain:
    """``chain`` with its clock read as ``time_s`` (the deadline the documents carry); sends only if ``send``."""

    def __init__(self, chain: CertificateChain, time_s: int, *, send: bool) -> None:
        self._chain, self._time_s, self._send = chain, time_s, send

    def __getattr__(self, name: str) -> Any:
        return getattr(self._chain, name)

    def chain_time(self) -> int:
        return self._time_s

    def send_many(self, prepared: Sequence[PreparedTx], **options: Any) -> list[TxResult]:
        if not self._send:
            raise _Collected
        return self._chain.send_many(prepared, **options)


@dataclass
class _CollectingSigner:
    """Keeps the documents it is asked to sign; signs nothing (65 zero bytes, never sent)."""

    address: str
    documents: list[dict[str, Any]] = field(default_factory=list)

    def sign(self, typed_data: dict[str, Any]) -> bytes:
        self.documents.append(json_typed_data(typed_data))
        return bytes(65)


@dataclass
class _GivenSignatures:
    """Hands out the firm's signatures in order, one per document."""

    address: str
    signatures: list[bytes]
    used: int = 0

    def sign(self, typed_data: dict[str, Any]) -> bytes:
        signature = self.signatures[self.used]
        self.used += 1
        return signature


def _shipment(claim: ProvenanceClaim) -> Shipment:
    s = claim.shipment
    return Shipment(s.shipment_id, s.product, s.quantity, s.quantity_unit, s.destination, s.embedded_electricity_mwh)


def _documents(factory: sessionmaker[Session], chain: ChainClient, claim: ProvenanceClaim, chain_time_s: int,
               rule: LedgerSettings) -> list[dict[str, Any]]:
    """Return the authorisations retiring ``claim`` needs at ``chain_time_s``; nothing is sent.

    This is the retirement saga (:func:`greenproof.ledger.retirements.retire`) run up to its first
    transaction: the intent is stored, so the certificates picked stay reserved for this claim
    until its signatures are submitted (or it is prepared again with the same terms).
    """
    signer = _CollectingSigner(claim.holder)
    with suppress(_Collected):  # raised where the first transaction would be sent
        retire(factory, cast(CertificateChain, _PinnedChain(chain, chain_time_s, send=False)),
               firm_code=claim.firm_code, claim_ref=claim_reference(claim), shipment=_shipment(claim),
               beneficiary=claim.beneficiary, purpose=claim.purpose, period_start_s=claim.consumption_start_s,
               period_end_s=claim.consumption_end_s, signer=signer,
               claim_document=canonical_json(claim.model_dump(mode="json")).decode("utf-8"),
               now=datetime.fromtimestamp(chain.chain_time(), UTC), validity_months=rule.validity_months,
               tz=rule.production_month_tz)
    return signer.documents


def _firm_held(session: Session, firm_code: str) -> None:
    firm = firm_by_code(session, firm_code)
    if firm.key_custody != "firm":
        raise FirmAccountError(f"firm {firm_code}'s account {firm.address} is custodial: the registry signs its "
                               "retirements (POST /exporter/retirements, `greenproof retire`), no firm signature "
                               "is needed")


def prepare_firm_retirement(factory: sessionmaker[Session], chain: ChainClient, firm_code: str,
                            shipment: ShipmentCreate, consumption_start: datetime, consumption_end: datetime, *,
                            beneficiary: str | None, purpose: str, rule: LedgerSettings) -> FirmAuthorisations:
    """Return the claim and the EIP-712 authorisations the firm signs to retire certificates for ``shipment``.

    Raises
    ------
    InvalidPeriodError
        If the consumption period is empty or reversed.
    FirmAccountError
        If the firm's account is custodial.
    ShipmentAlreadyRetiredError, InsufficientCertificatesError, RetirementError
        As a retirement would (nothing is sent; the intent is stored, reserving the certificates).
    """
    Period.nonempty(consumption_start, consumption_end)
    firm_code = canonical_firm_code(firm_code)
    with factory() as session:
        _firm_held(session, firm_code)
        claim = claim_for(session, chain, firm_code, shipment, consumption_start, consumption_end,
                          beneficiary=beneficiary, purpose=purpose)
        chain_time_s = chain.chain_time()
    documents = _documents(factory, chain, claim, chain_time_s, rule)
    return FirmAuthorisations(claim=claim, chain_time_s=chain_time_s, authorisations=documents)


def sign_authorisations(private_key: str, prepared: FirmAuthorisations) -> list[str]:
    """Sign each authorisation with a local key (the firm's own tooling, ``retire --signer-key-file``); 0x hex."""
    return ["0x" + sign_typed_data(private_key, document).hex() for document in prepared.authorisations]


def submit_firm_retirement(factory: sessionmaker[Session], chain: ChainClient, signed: SignedRetirement, *,
                           public_base_url: str, rule: LedgerSettings, files: LeafFileCache) -> ProvenanceRecord:
    """Retire with the firm's signatures (the park's account relays them) and return the provenance record.

    Raises
    ------
    FirmAccountError
        If the firm's account is custodial, or is no longer the claim's holder.
    AuthorisationError
        If the claim names another chain or contract, or the number of signatures is not the
        number of authorisations the retirement needs now (prepare again).
    ShipmentAlreadyRetiredError, InsufficientCertificatesError
        As a retirement would.
    RetirementError
        If the chain refuses a transaction (a signature not the holder's over exactly this
        authorisation, a used nonce, a passed deadline: the message names the custom error).
    """
    claim = signed.claim
    with factory() as session:
        _firm_held(session, claim.firm_code)
        firm = firm_by_code(session, claim.firm_code)
        if firm.address != claim.holder:
            raise FirmAccountError(f"firm {claim.firm_code}'s account is {firm.address}, not the claim's holder "
                                   f"{claim.holder}; prepare the retirement again")
        if (claim.chain_id, claim.contract.lower()) != (chain_id_of(chain), chain.address.lower()):
            raise AuthorisationError(f"the claim names chain {claim.chain_id}, contract {claim.contract}; this park "
                                     f"relays to chain {chain_id_of(chain)}, contract {chain.address}")
    needed = len(_documents(factory, chain, claim, signed.chain_time_s, rule))
    if needed != len(signed.signatures):
        raise AuthorisationError(f"retiring shipment {claim.shipment.shipment_id!r} needs {needed} authorisation(s) "
                                 f"now, {len(signed.signatures)} signature(s) were given; prepare again")
    signer = _GivenSignatures(claim.holder, [bytes.fromhex(s[2:]) for s in signed.signatures])
    return retire_and_record(factory, cast(CertificateChain, _PinnedChain(chain, signed.chain_time_s, send=True)),
                             claim, public_base_url=public_base_url, rule=rule, files=files, signer=signer,
                             now=datetime.fromtimestamp(chain.chain_time(), UTC))
