"""Configuration of the HTTP API and the CLI: one pydantic-settings class, ``GREENPROOF_`` environment prefix.

Each setting is taken from the first of these that gives it (highest precedence first):

1. a value passed in code, or a command-line option (``--database-url``, ``--key-file``);
2. a ``GREENPROOF_*`` environment variable (``GREENPROOF_CHAIN_RPC_URL``, …);
3. a ``.env`` file in the working directory (same names);
4. the settings file :func:`settings_file`, ``greenproof-data/settings.json`` unless
   ``GREENPROOF_SETTINGS_FILE`` names another: JSON with the field names below as keys, written
   by ``greenproof chain up`` and ``greenproof demo --keep`` for the local chain they start;
5. the defaults below.

Relative paths (the SQLite file, the key file, the settings file) are relative to the working
directory. Nothing here imports the ledger: the ``greenproof`` command reads its settings
without loading SQLAlchemy or web3.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .data_folder import DEFAULT_DATABASE_URL, DEFAULT_KEY_FILE, DEFAULT_SETTINGS_FILE
from .errors import SettingsError

__all__ = ["SETTINGS_FILE_VARIABLE", "ApiSettings", "settings_file", "write_settings_file"]

#: Environment variable naming another settings file than ``greenproof-data/settings.json``.
SETTINGS_FILE_VARIABLE = "GREENPROOF_SETTINGS_FILE"


def settings_file() -> Path:
    """Return the settings file: ``$GREENPROOF_SETTINGS_FILE``, or ``greenproof-data/settings.json``."""
    return Path(os.environ.get(SETTINGS_FILE_VARIABLE) or DEFAULT_SETTINGS_FILE)


class _SettingsFileSource(PydanticBaseSettingsSource):
    """The settings file as a pydantic-settings source; a missing file gives nothing."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls)
        self._path = path

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self().get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        if not self._path.is_file():
            return {}
        try:
            values = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise SettingsError(f"settings file {self._path} is not readable JSON: {exc}") from exc
        if not isinstance(values, dict):
            raise SettingsError(f"settings file {self._path} holds {type(values).__name__}, not a JSON object")
        return {name: value for name, value in values.items() if name in self.settings_cls.model_fields}


class ApiSettings(BaseSettings):
    """Settings read from options, ``GREENPROOF_*`` variables, ``.env`` and the settings file (module docstring).

    Attributes
    ----------
    database_url : str
        SQLAlchemy URL of the ledger database (``GREENPROOF_DATABASE_URL``, shared with
        :class:`~greenproof.ledger.settings.LedgerSettings`); default the SQLite file
        ``greenproof-data/ledger.sqlite``.
    chain_rpc_url : str or None
        JSON-RPC URL of the EVM node holding the certificate contract (``GREENPROOF_CHAIN_RPC_URL``).
        Without it, endpoints that need the chain answer 503.
    chain_id : int or None
        Chain id the node must report (``GREENPROOF_CHAIN_ID``); unchecked when unset.
    contract_address : str or None
        Address of the deployed ``GreenCertificate`` contract (``GREENPROOF_CONTRACT_ADDRESS``).
    issuer_key : SecretStr or None
        Private key (hex) of the account holding ISSUER_ROLE (``GREENPROOF_ISSUER_KEY``); it also
        signs retirements for the firms' custodial accounts (see ``docs/api.md``).
    public_base_url : str
        Base URL printed in provenance records and QR codes (``GREENPROOF_PUBLIC_BASE_URL``); the
        public verify URL of a record is ``{public_base_url}/public/verify/{record_id}``.
    key_file : Path
        JSON file of the API keys (hashed, never in clear) (``GREENPROOF_KEY_FILE``).
    pdf_font : Path or None
        TrueType/OpenType font with Chinese glyphs that PDFs embed (``GREENPROOF_PDF_FONT``); default
        the first installed of :data:`~greenproof.api.usecases.pdf_document.CJK_FONT_CANDIDATES`.
    public_rate_limit : str
        Reads of the public endpoints (records, verification by claim reference) per client
        address (``GREENPROOF_PUBLIC_RATE_LIMIT``), in the ``limits`` notation, e.g. ``120/minute``.
    public_verify_rate_limit : str
        Verifications of submitted records, and sign-in attempts, per client address
        (``GREENPROOF_PUBLIC_VERIFY_RATE_LIMIT``), e.g. ``10/minute``.
    """

    model_config = SettingsConfigDict(env_prefix="GREENPROOF_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    chain_rpc_url: str | None = None
    chain_id: int | None = None
    contract_address: str | None = None
    issuer_key: SecretStr | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    key_file: Path = DEFAULT_KEY_FILE
    pdf_font: Path | None = None
    public_rate_limit: str = "120/minute"
    public_verify_rate_limit: str = "10/minute"

    @field_validator("public_rate_limit", "public_verify_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        from limits import parse  # here, not at import: the CLI reads settings without the HTTP stack

        try:
            parse(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a rate limit such as '10/minute' or '100 per hour'") from exc
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read options, then variables, then ``.env``, then the settings file (see the module docstring)."""
        return init_settings, env_settings, dotenv_settings, _SettingsFileSource(settings_cls, settings_file())


def write_settings_file(values: Mapping[str, str | int | None], path: Path | None = None) -> Path:
    """Merge ``values`` into the settings file (other keys kept; ``None`` removes a key) and return its path.

    The file holds the issuer's private key: it is written to a temporary file first, made
    readable by its owner only (0600), then renamed over the old one.

    Raises
    ------
    SettingsError
        If the existing file is malformed or the file cannot be written.
    """
    target = path or settings_file()
    current = _SettingsFileSource(ApiSettings, target)() if target.exists() else {}
    merged = {name: value for name, value in {**current, **values}.items() if value is not None}
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=".settings-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(merged, out, indent=2, sort_keys=True)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise SettingsError(f"cannot write settings file {target}: {exc}") from exc
    return target
