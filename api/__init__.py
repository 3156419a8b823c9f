"""HTTP API, web dashboard and the ``greenproof`` command line over the park's use cases.

Three doors (:mod:`.http`, :mod:`.web`, :mod:`.cli`) over one use-case layer (:mod:`.usecases`),
which imports none of them; :func:`create_app` serves the HTTP API with the dashboard.

The public names load their module on first use (:mod:`greenproof.attribution._lazy_exports`):
importing ``greenproof.api.cli`` does not build the HTTP API, and ``greenproof --help`` does not
import FastAPI.
"""

from typing import TYPE_CHECKING

from greenproof.attribution._lazy_exports import lazy_exports

if TYPE_CHECKING:
    from .app import create_app as create_app
    from .usecases.api_keys import KeyStore as KeyStore
    from .usecases.api_keys import Principal as Principal
    from .usecases.api_keys import Role as Role
    from .usecases.errors import ApiError as ApiError
    from .usecases.errors import ApiKeyError as ApiKeyError
    from .usecases.errors import AuthenticationError as AuthenticationError
    from .usecases.errors import AuthorisationError as AuthorisationError
    from .usecases.errors import ChainMisconfiguredError as ChainMisconfiguredError
    from .usecases.errors import ChainUnavailableError as ChainUnavailableError
    from .usecases.errors import ClockStartError as ClockStartError
    from .usecases.errors import FirmAccountError as FirmAccountError
    from .usecases.errors import InvalidPeriodError as InvalidPeriodError
    from .usecases.errors import NotFoundError as NotFoundError
    from .usecases.errors import PdfFontMissingError as PdfFontMissingError
    from .usecases.errors import PermissionDeniedError as PermissionDeniedError
    from .usecases.errors import ProvenanceRecordError as ProvenanceRecordError
    from .usecases.errors import SchedulerUnavailableError as SchedulerUnavailableError
    from .usecases.errors import SettingsError as SettingsError
    from .usecases.errors import ShipmentAlreadyRetiredError as ShipmentAlreadyRetiredError
    from .usecases.errors import UploadTooLargeError as UploadTooLargeError
    from .usecases.settings import ApiSettings as ApiSettings

__all__, __getattr__, __dir__ = lazy_exports(__name__)
