"""A firm's certificate account: custodial (derived, the demo default) or an address whose key the firm holds.

The park registers every firm with a custodial account (:mod:`greenproof.api.usecases.custody`):
the registry derives its key and can sign for it. A firm that wants to be the only one able to
move or retire its certificates registers an address of its own wallet instead; from then on
its certificates are allocated to that address and only its EIP-712 signature retires them
(:mod:`greenproof.api.usecases.firm_signed_retirement`). The account can change only before the
firm's first certificates are allocated (:func:`greenproof.ledger.registry.set_firm_account`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from greenproof.ledger.errors import LedgerError, UnknownRecordError
from greenproof.ledger.registry import firm_by_code, set_firm_account

from .custody import custodial_address
from .errors import FirmAccountError
from .firm_codes import canonical_firm_code
from .park_setup import register_park
from .schemas import FirmAccountPublic

__all__ = ["CUSTODY_LABELS", "firm_account", "register_firm_account"]

#: How each custody shows wherever an account is shown.
CUSTODY_LABELS = {"custodial": "custodial account, key derived by the registry (demo default)",
                  "firm": "firm-held key (the firm signs its retirements)"}


def firm_account(session: Session, firm_code: str) -> FirmAccountPublic:
    """Return firm ``firm_code``'s account and its custody; raise ``UnknownRecordError`` if the firm is unknown."""
    firm = firm_by_code(session, canonical_firm_code(firm_code))
    return FirmAccountPublic(firm_code=firm.code, address=firm.address, key_custody=firm.key_custody)


def register_firm_account(factory: sessionmaker[Session], issuer_key: str, firm_code: str,
                          address: str | None) -> FirmAccountPublic:
    """Give firm ``firm_code`` the firm-held account ``address``, or (``None``) back its custodial account.

    The park's plants and firms are registered first if they are not yet (as ``chain up`` and
    ``POST /park/registry`` do).

    Raises
    ------
    FirmAccountError
        If the address is malformed or another firm's, is the firm's custodial address (its key is
        not the firm's alone), or certificates were already allocated to the firm's account.
    """
    firm_code = canonical_firm_code(firm_code)
    custodial = custodial_address(issuer_key, f"firm:{firm_code}")
    with factory() as session:
        register_park(session, issuer_key)
        try:
            if address is None:
                firm = set_firm_account(session, firm_code, custodial, key_custody="custodial")
            else:
                if address.lower() == custodial.lower():
                    raise FirmAccountError(f"firm {firm_code}: {address} is its custodial address, whose key the "
                                           "registry derives; register an address of the firm's own wallet")
                firm = set_firm_account(session, firm_code, address, key_custody="firm")
        except UnknownRecordError:
            raise
        except LedgerError as exc:
            raise FirmAccountError(str(exc)) from exc
        session.commit()
        return FirmAccountPublic(firm_code=firm.code, address=firm.address, key_custody=firm.key_custody)
