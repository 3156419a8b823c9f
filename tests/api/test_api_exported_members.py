"""The public surface of ``greenproof.api`` is listed once, sorted, and every name resolves."""

from __future__ import annotations

import greenproof.api as api

EXPECTED = [
    "ApiError", "ApiKeyError", "ApiSettings", "AuthenticationError", "AuthorisationError", "ChainMisconfiguredError",
    "ChainUnavailableError", "ClockStartError", "FirmAccountError", "InvalidPeriodError", "KeyStore", "NotFoundError",
    "PdfFontMissingError", "PermissionDeniedError", "Principal",
    "ProvenanceRecordError", "Role", "SchedulerUnavailableError", "SettingsError", "ShipmentAlreadyRetiredError",
    "UploadTooLargeError", "create_app",
]


def test_public_surface_is_pinned() -> None:
    assert api.__all__ == sorted(api.__all__)
    assert api.__all__ == EXPECTED
    for name in api.__all__:
        assert getattr(api, name) is not None


def test_every_api_error_is_a_greenproof_error_with_an_http_status() -> None:
    from greenproof.attribution.errors import GreenproofError

    errors = [getattr(api, name) for name in api.__all__ if name.endswith("Error")]
    for error in errors:
        assert issubclass(error, GreenproofError)
        assert 400 <= error.status <= 599
