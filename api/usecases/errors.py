"""Errors raised by the API and the CLI.

Each carries the HTTP status it maps to; :mod:`greenproof.api.http.problem_details` turns every
:class:`~greenproof.attribution.errors.GreenproofError` into an RFC 7807 problem in one place::

    GreenproofError
    └── ApiError                     (500 unless a subclass says otherwise)
        ├── AuthenticationError      401: no key, unknown key, malformed key
        ├── PermissionDeniedError    403: the key's role or firm may not do this
        ├── NotFoundError            404: no such firm, plant, certificate, record
        ├── InvalidPeriodError       422: a period is empty, reversed or too long
        ├── ApiKeyError              400: a key cannot be created (role / firm mismatch, bad key file)
        ├── ShipmentAlreadyRetiredError 409: a firm's shipment already has a retirement
        ├── ClockStartError          409: a clock start given for a local chain that already has a clock
        ├── FirmAccountError         409: a firm's account cannot be set, or does not sign this way
        ├── AuthorisationError       422: a firm's signatures do not match what is to be retired
        ├── UploadTooLargeError      413: an uploaded file is larger than the limit
        ├── ChainUnavailableError    503: no chain configured or the node is unreachable
        │   └── ChainMisconfiguredError 503: malformed URL or address, no contract there, another chain
        ├── SchedulerUnavailableError 503: the Dask scheduler given to `trace` is unreachable
        ├── PdfFontMissingError      503: no CJK-capable font to write PDFs with
        ├── ProvenanceRecordError    422: a provenance record is malformed or fails verification
        └── SettingsError            500: a setting (option, variable, settings file) is malformed
"""

from __future__ import annotations

from greenproof.attribution.errors import GreenproofError

__all__ = [
    "ApiError",
    "ApiKeyError",
    "AuthenticationError",
    "AuthorisationError",
    "ChainMisconfiguredError",
    "ChainUnavailableError",
    "ClockStartError",
    "FirmAccountError",
    "InvalidPeriodError",
    "NotFoundError",
    "PdfFontMissingError",
    "PermissionDeniedError",
    "ProvenanceRecordError",
    "SchedulerUnavailableError",
    "SettingsError",
    "ShipmentAlreadyRetiredError",
    "UploadTooLargeError",
]


class ApiError(GreenproofError):
    """A request-level failure; ``status`` is the HTTP status code it maps to."""

    status: int = 500


class AuthenticationError(ApiError):
    """The request carries no API key, or one that matches no stored key."""

    status = 401


class PermissionDeniedError(ApiError):
    """The API key is valid but its role (or bound firm) may not make this call."""

    status = 403


class NotFoundError(ApiError):
    """A firm, plant, certificate, batch or record named in the request does not exist."""

    status = 404


class InvalidPeriodError(ApiError, ValueError):
    """A requested period is empty, reversed or longer than the API serves at once."""

    status = 422


class ClockStartError(ApiError):
    """A clock start was given for a local chain that exists already (its clock runs from its own blocks)."""

    status = 409


class FirmAccountError(ApiError):
    """A firm's certificate account cannot be set (taken, or certificates already held), or cannot sign this way.

    A custodial account's retirements are signed by the registry; a firm-held account's only by the
    firm (prepare the authorisations, sign them in its wallet, submit the signatures).
    """

    status = 409


class AuthorisationError(ApiError):
    """The signatures a firm submits do not match the authorisations its retirement needs now, or are malformed."""

    status = 422


class ApiKeyError(ApiError):
    """An API key cannot be created or the key file cannot be read."""

    status = 400


class ShipmentAlreadyRetiredError(ApiError):
    """The firm already retired certificates against this shipment id (one claim per shipment)."""

    status = 409


class UploadTooLargeError(ApiError):
    """An uploaded file is larger than the endpoint accepts."""

    status = 413


class ChainUnavailableError(ApiError):
    """The chain is not configured (RPC URL, contract address) or cannot be reached."""

    status = 503


class ChainMisconfiguredError(ChainUnavailableError):
    """The chain settings are wrong: malformed URL or address, no contract there, or another chain id.

    The HTTP API answers 503 like any unusable chain; the CLI exits 2 (bad input), as the user's
    settings are at fault rather than the node.
    """


class SettingsError(ApiError):
    """A setting is malformed: an option, a ``GREENPROOF_*`` variable, ``.env`` or the settings file."""

    status = 500


class ProvenanceRecordError(ApiError):
    """A provenance record is malformed (fields missing, hashes not hex)."""

    status = 422


class SchedulerUnavailableError(ApiError):
    """The Dask scheduler given with ``--scheduler`` cannot be reached."""

    status = 503


class PdfFontMissingError(ApiError):
    """No font with Chinese glyphs is installed or configured, so no PDF can be written."""

    status = 503
