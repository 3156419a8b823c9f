"""Provenance records: retire an exporter's certificates against a shipment and hand out a verifiable record.

Format ``greenproof-provenance/1`` (:class:`~greenproof.api.usecases.schemas.ProvenanceRecord`):

- ``claim``: what is claimed — firm, its certificate account (``holder``), beneficiary, purpose,
  consumption period, the shipment (id, product, quantity, destination, embedded MWh), the chain
  id and contract, and a random nonce;
- ``claim_ref = keccak256(canonical JSON of claim)``: the retirement's reference in the ledger. On
  chain, each transaction of the retirement (one per batch, one for minted balances) carries the
  reference :func:`greenproof.ledger.retirements.part_claim_ref` derives from the holder, the
  shipment id and the part, so a rerun after a crash finds its own retirement; the record binds
  both: the claim hashes to ``claim_ref`` and names the holder and shipment the on-chain
  references derive from;
- ``lines``: per retired leaf, the leaf (with its position), its multiproof (the cap included),
  its cap, the batch root and discharge root, the retired Wh and the retiring transaction.

A buyer checks a record with the chain alone (:mod:`greenproof.api.usecases.provenance_verify`).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from eth_account import Account
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from greenproof.contracts.client import ChainClient
from greenproof.contracts.leaves import AllocationLeaf
from greenproof.ledger.authorisation import AuthorisationSigner
from greenproof.ledger.canonical import canonical_json, keccak_hex
from greenproof.ledger.chain_port import CertificateChain
from greenproof.ledger.models import AllocationLeafRow, IssuanceBatch, Plant, ProvenanceRecordRow, RetirementRow
from greenproof.ledger.registry import firm_by_code
from greenproof.ledger.retirements import Shipment, retire
from greenproof.ledger.settings import LedgerSettings

from .chain_gateway import chain_id_of
from .custody import ensure_gas
from .errors import FirmAccountError, NotFoundError, ProvenanceRecordError, ShipmentAlreadyRetiredError
from .evidence import LeafFileCache, LeafProofs
from .firm_codes import canonical_firm_code
from .park_setup import firm_account_key
from .periods import Period
from .schemas import ProvenanceClaim, ProvenanceLine, ProvenanceRecord, ShipmentCreate

__all__ = [
    "PROVENANCE_FORMAT",
    "claim_for",
    "claim_reference",
    "issue_provenance",
    "load_record",
    "retire_and_record",
    "verify_url",
]

PROVENANCE_FORMAT = "greenproof-provenance/1"


def claim_reference(claim: ProvenanceClaim) -> str:
    """Return ``keccak256`` of the canonical JSON of ``claim`` as ``0x`` hex: the record's claim reference."""
    return keccak_hex(canonical_json(claim.model_dump(mode="json")))


def verify_url(public_base_url: str, claim_ref: str) -> str:
    """Return the public verification URL of a record."""
    return f"{public_base_url.rstrip('/')}/public/verify/{claim_ref}"


def _lines(session: Session, retirement: RetirementRow, files: LeafFileCache) -> list[ProvenanceLine]:
    leaf_ids = [line.leaf_id for line in retirement.lines]
    found = {row.id: (row, code, batch_id, root) for row, code, batch_id, root in session.execute(
        select(AllocationLeafRow, Plant.code, IssuanceBatch.batch_id, IssuanceBatch.root)
        .join(Plant, Plant.id == AllocationLeafRow.plant_id)
        .join(IssuanceBatch, IssuanceBatch.id == AllocationLeafRow.batch_pk)
        .where(AllocationLeafRow.id.in_(leaf_ids)))}
    lines = []
    for index, line in enumerate(retirement.lines):
        row, plant_code, batch_id, root = found[line.leaf_id]
        proofs = LeafProofs.of(files.get(session, batch_id), AllocationLeaf(
            plant_code, row.plant_id, row.interval_start_s, row.interval_s, row.holder_address, row.amount_wh))
        if line.tx_hash is None or line.block_number is None:
            raise ProvenanceRecordError(f"retirement {retirement.claim_ref}: line {index} has no mined transaction")
        lines.append(ProvenanceLine(
            line=index, claim_ref=line.chain_claim_ref, batch_id=batch_id, root=root,
            discharge_root=proofs.discharge_root, leaf=proofs.leaf, proof=proofs.proof, cap=proofs.cap,
            amount_wh=line.amount_wh,
            tx_hash=line.tx_hash, block_number=line.block_number))
    return lines


def issue_provenance(factory: sessionmaker[Session], client: ChainClient, issuer_key: str, firm_code: str,
                     shipment: ShipmentCreate, consumption_start: datetime, consumption_end: datetime, *,
                     beneficiary: str | None, purpose: str, public_base_url: str, rule: LedgerSettings,
                     files: LeafFileCache) -> ProvenanceRecord:
    """Retire ``firm_code``'s certificates of the consumption period for ``shipment`` and store its record.

    For a firm whose account is custodial: its derived key
    (:func:`greenproof.api.usecases.park_setup.firm_account_key`) signs the retirement; its gas is
    topped up by the issuer first. A firm that holds its own key signs instead
    (:mod:`greenproof.api.usecases.firm_signed_retirement`). The claim (with its nonce) is stored
    with the retirement's intent before any transaction, so asking again for the same shipment with
    the same terms resumes an interrupted retirement, rebuilds a record the process died before
    writing, or returns the record already stored — never a second retirement.

    Raises
    ------
    InvalidPeriodError
        If the consumption period is empty or reversed (naming both ends), before anything is read.
    InsufficientCertificatesError, ClaimRefReusedError, RetirementError
        From :func:`greenproof.ledger.retirements.retire`.
    FirmAccountError
        If the firm holds its own key (only its signature can retire its certificates).
    ProvenanceRecordError
        If the firm's ledger account is not its custodial account (its key is unknown here).
    ShipmentAlreadyRetiredError
        If the firm already has a (not failed) retirement for this shipment id on other terms
        (period, amount, beneficiary, purpose, product…): one claim per shipment.
    """
    Period.nonempty(consumption_start, consumption_end)
    firm_code = canonical_firm_code(firm_code)
    holder_key = firm_account_key(issuer_key, firm_code)
    with factory() as session:
        firm = firm_by_code(session, firm_code)
        if firm.key_custody == "firm":
            raise FirmAccountError(f"firm {firm_code} holds the key of its account {firm.address}: only its "
                                   "signature retires its certificates (prepare the authorisations, have the firm "
                                   "sign them, submit the signatures)")
        if Account.from_key(holder_key).address != firm.address:
            raise ProvenanceRecordError(f"firm {firm_code}: account {firm.address} is not its custodial account; "
                                        "this registry cannot sign its retirements")
        claim = claim_for(session, client, firm_code, shipment, consumption_start, consumption_end,
                          beneficiary=beneficiary, purpose=purpose)
    ensure_gas(client, claim.holder, issuer_key)
    return retire_and_record(factory, client, claim, public_base_url=public_base_url, rule=rule, files=files,
                             holder_key=holder_key)


def claim_for(session: Session, client: ChainClient, firm_code: str, shipment: ShipmentCreate,
              consumption_start: datetime, consumption_end: datetime, *, beneficiary: str | None,
              purpose: str) -> ProvenanceClaim:
    """Return the claim of firm ``firm_code`` (canonical code) for ``shipment``: new (fresh nonce), or the stored one.

    The claim stored with an earlier, not failed retirement of the shipment is returned when the
    request repeats its terms (period, amount, beneficiary, purpose, product…), so the same request
    resumes the same retirement (same claim reference).

    Raises
    ------
    UnknownRecordError
        If the firm is not registered.
    ShipmentAlreadyRetiredError
        If the firm has a (not failed) retirement of this shipment id on other terms: one claim per shipment.
    """
    firm = firm_by_code(session, firm_code)
    asked = ProvenanceClaim(
        firm_code=firm_code, holder=firm.address, beneficiary=beneficiary or firm.name_en, purpose=purpose,
        consumption_start_s=int(consumption_start.timestamp()), consumption_end_s=int(consumption_end.timestamp()),
        shipment=shipment, chain_id=chain_id_of(client), contract=client.address, nonce=secrets.token_hex(16))
    earlier = session.scalars(select(RetirementRow).where(
        RetirementRow.firm_id == firm.id, RetirementRow.shipment_id == shipment.shipment_id,
        RetirementRow.state != "failed")).first()
    return asked if earlier is None else _same_claim(earlier, asked)


def retire_and_record(factory: sessionmaker[Session], client: CertificateChain, claim: ProvenanceClaim, *,
                      public_base_url: str, rule: LedgerSettings, files: LeafFileCache, holder_key: str | None = None,
                      signer: AuthorisationSigner | None = None, now: datetime | None = None) -> ProvenanceRecord:
    """Retire what ``claim`` claims (:func:`greenproof.ledger.retirements.retire`), then store and return its record.

    ``holder_key`` sends the retirement itself, or ``signer`` signs authorisations that ``client``
    relays; ``now`` is the expiry clock (default the chain's). A record already stored is returned
    as it is; a retirement left pending is resumed (the ledger's saga), a confirmed one only recorded.
    """
    claim_ref = claim_reference(claim)
    with factory() as session:
        stored = session.scalar(select(ProvenanceRecordRow.record_json)
                                .where(ProvenanceRecordRow.claim_ref == claim_ref))
        if stored is not None:
            return ProvenanceRecord.model_validate_json(stored)
        state = session.scalar(select(RetirementRow.state).where(RetirementRow.claim_ref == claim_ref))
    if state is None or state == "pending":
        shipment = claim.shipment
        retire(factory, client, firm_code=claim.firm_code, claim_ref=claim_ref,
               shipment=Shipment(shipment.shipment_id, shipment.product, shipment.quantity, shipment.quantity_unit,
                                 shipment.destination, shipment.embedded_electricity_mwh),
               beneficiary=claim.beneficiary, purpose=claim.purpose, period_start_s=claim.consumption_start_s,
               period_end_s=claim.consumption_end_s, holder_key=holder_key, signer=signer, now=now,
               claim_document=canonical_json(claim.model_dump(mode="json")).decode("utf-8"),
               validity_months=rule.validity_months, tz=rule.production_month_tz)
    with factory() as session:
        retirement = session.scalars(select(RetirementRow).where(RetirementRow.claim_ref == claim_ref)).one()
        record = ProvenanceRecord(format=PROVENANCE_FORMAT, claim_ref=claim_ref, claim=claim,
                                  retired_wh=retirement.amount_wh, lines=_lines(session, retirement, files),
                                  verify_url=verify_url(public_base_url, claim_ref))
        session.add(ProvenanceRecordRow(claim_ref=claim_ref, firm_code=claim.firm_code,
                                        record_json=canonical_json(record.model_dump(mode="json")).decode("utf-8")))
        session.commit()
    return record


def _same_claim(earlier: RetirementRow, asked: ProvenanceClaim) -> ProvenanceClaim:
    """Return the claim stored with an earlier retirement of the shipment if ``asked`` repeats it (nonce aside).

    Raises
    ------
    ShipmentAlreadyRetiredError
        If the earlier retirement was asked on other terms, or stored no claim (made before claims were stored).
    """
    stored = (ProvenanceClaim.model_validate_json(earlier.claim_document)
              if earlier.claim_document is not None else None)
    if stored is None or stored.model_copy(update={"nonce": asked.nonce}) != asked:
        raise ShipmentAlreadyRetiredError(f"firm {asked.firm_code} already retired certificates for shipment "
                                          f"{asked.shipment.shipment_id!r} on other terms (claim reference "
                                          f"{earlier.claim_ref}); one claim per shipment")
    return stored


def load_record(session: Session, claim_ref: str) -> ProvenanceRecord:
    """Return the stored provenance record ``claim_ref``.

    Raises
    ------
    NotFoundError
        If no record has that claim reference.
    """
    text = session.scalar(select(ProvenanceRecordRow.record_json)
                          .where(ProvenanceRecordRow.claim_ref == claim_ref.lower()))
    if text is None:
        raise NotFoundError(f"no provenance record with claim reference {claim_ref}")
    return ProvenanceRecord.model_validate_json(text)
