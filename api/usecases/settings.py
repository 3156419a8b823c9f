"""Configuration of the HTTP API and the CLI: one pydantic-settings class, ``GREENPROOF_`` environment prefix."""

from __future__ import annotations

from pathlib import Path

from limits import parse
from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from greenproof.ledger.settings import DEFAULT_DATABASE_URL

__all__ = ["ApiSettings"]


class ApiSettings(BaseSettings):
    """Settings read from ``GREENPROOF_*`` environment variables (or a ``.env`` file).

    Attributes
    ----------
    database_url : str
        SQLAlchemy URL of the ledger database (``GREENPROOF_DATABASE_URL``, shared with
        :class:`~greenproof.ledger.settings.LedgerSettings`); default the ledger's SQLite file.
    chain_rpc_url : str or None
        JSON-RPC URL of the EVM node holding the certificate contract (``GREENPROOF_CHAIN_RPC_URL``).
        Without it, endpoints that need the chain answer 503.
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
    contract_address: str | None = None
    issuer_key: SecretStr | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    key_file: Path = Path("greenproof-data/api-keys.json")
    pdf_font: Path | None = None
    public_rate_limit: str = "120/minute"
    public_verify_rate_limit: str = "10/minute"

    @field_validator("public_rate_limit", "public_verify_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a rate limit such as '10/minute' or '100 per hour'") from exc
        return value
