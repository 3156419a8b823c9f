"""HTTP API, web dashboard and the ``greenproof`` command line."""

from .api_keys import KeyStore, Principal, Role
from .app import create_app
from .errors import (
    ApiError,
    ApiKeyError,
    AuthenticationError,
    ChainUnavailableError,
    InvalidPeriodError,
    NotFoundError,
    PermissionDeniedError,
    ProvenanceRecordError,
    SchedulerUnavailableError,
    ShipmentAlreadyRetiredError,
    UploadTooLargeError,
)
from .settings import ApiSettings

__all__ = [
    "ApiError",
    "ApiKeyError",
    "ApiSettings",
    "AuthenticationError",
    "ChainUnavailableError",
    "InvalidPeriodError",
    "KeyStore",
    "NotFoundError",
    "PermissionDeniedError",
    "Principal",
    "ProvenanceRecordError",
    "Role",
    "SchedulerUnavailableError",
    "ShipmentAlreadyRetiredError",
    "UploadTooLargeError",
    "create_app",
]
