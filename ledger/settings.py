"""Ledger configuration, read from the environment (prefix ``GREENPROOF_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_DATABASE_URL", "LedgerSettings"]

#: SQLite file used when ``GREENPROOF_DATABASE_URL`` is not set (relative to the working directory).
DEFAULT_DATABASE_URL = f"sqlite:///{Path('greenproof-data') / 'ledger.sqlite'}"


class LedgerSettings(BaseSettings):
    """Settings of the ledger.

    Attributes
    ----------
    database_url : str
        SQLAlchemy URL (``GREENPROOF_DATABASE_URL``). ``sqlite:///path`` (default
        ``sqlite:///greenproof-data/ledger.sqlite``) or ``postgresql+psycopg://user@host/db``;
        a plain ``postgresql://`` URL is read as psycopg 3.
    interval_s : int
        Length of a certificate interval in seconds (``GREENPROOF_INTERVAL_S``, default 900 = 15 min;
        EnergyTag granular certificates allow at most 1 h).
    validity_months : int
        How long a certificate stays usable, counted in whole months from the first day of its
        production month (``GREENPROOF_VALIDITY_MONTHS``, default 24: China GEC validity is two years
        from the production month).
    production_month_tz : str
        IANA time zone in which production months (validity, GEC roll-up) are counted
        (``GREENPROOF_PRODUCTION_MONTH_TZ``, default ``Asia/Shanghai``, the time zone China GEC uses).
    """

    model_config = SettingsConfigDict(env_prefix="GREENPROOF_", extra="ignore")

    database_url: str = Field(default=DEFAULT_DATABASE_URL)
    interval_s: int = Field(default=900, gt=0, le=3600)
    validity_months: int = Field(default=24, gt=0)
    production_month_tz: str = Field(default="Asia/Shanghai")
