"""The public surface of greenproof.contracts is listed once, sorted, and every name resolves."""

from __future__ import annotations

import greenproof.contracts as contracts
from greenproof.attribution.errors import GreenproofError


def test_all_is_sorted_unique_and_importable():
    assert contracts.__all__ == sorted(set(contracts.__all__))
    for name in contracts.__all__:
        assert getattr(contracts, name) is not None, name


def test_chain_errors_derive_from_the_greenproof_root():
    assert issubclass(contracts.ChainError, GreenproofError)
    assert issubclass(contracts.ContractRevertError, contracts.ChainError)
    error = contracts.ContractRevertError("GreenCertificateZeroAmount", ())
    assert str(error) == "contract reverted: GreenCertificateZeroAmount()"
