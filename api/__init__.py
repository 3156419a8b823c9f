"""HTTP API, web dashboard and the ``greenproof`` command line over the park's use cases.

Three doors (:mod:`.http`, :mod:`.web`, :mod:`.cli`) over one use-case layer (:mod:`.usecases`),
which imports none of them; :func:`create_app` serves the HTTP API with the dashboard.
"""

from .app import create_app
from .usecases.api_keys import KeyStore, Principal, Role
from .usecases.errors import (
    ApiError,
    ApiKeyError,
    AuthenticationError,
    ChainUnavailableError,
    InvalidPeriodError,
    NotFoundError,
    PdfFontMissingError,
    PermissionDeniedError,
    ProvenanceRecordError,
    SchedulerUnavailableError,
    ShipmentAlreadyRetiredError,
    UploadTooLargeError,
)
from .usecases.settings import ApiSettings

__all__ = [
    "ApiError",
    "ApiKeyError",
    "ApiSettings",
    "AuthenticationError",
    "ChainUnavailableError",
    "InvalidPeriodError",
    "KeyStore",
    "NotFoundError",
    "PdfFontMissingError",
    "PermissionDeniedError",
    "Principal",
    "ProvenanceRecordError",
    "Role",
    "SchedulerUnavailableError",
    "ShipmentAlreadyRetiredError",
    "UploadTooLargeError",
    "create_app",
]
