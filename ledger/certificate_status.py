"""Certificate status — active, retired or expired — and the production month it is counted from.

EnergyTag granular certificates have a status; China GEC certificates are valid for two years
counted from their production month (NDRC/MOF/NEA notice 发改能源〔2023〕1044号 of August 2023, and
NEA's 2024 GEC issuance and trading rules 《可再生能源绿色电力证书核发和交易规则》).
The production month is counted in a configurable time zone (China: Asia/Shanghai, so an interval
starting 2025-01-31T16:00Z belongs to February 2025). The contract (v2) enforces the same rule
on-chain at a fixed UTC offset (+8 h): identical for every instant since China's last daylight
saving time (1991), which a property test checks against the contract over random timestamps.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

__all__ = ["ACTIVE", "EXPIRED", "RETIRED", "certificate_status", "expires_at", "production_month"]

ACTIVE = "active"
RETIRED = "retired"
EXPIRED = "expired"


def production_month(interval_start_s: int, tz: str = "Asia/Shanghai") -> tuple[int, int]:
    """Return ``(year, month)`` of an interval start (UNIX s) in time zone ``tz``."""
    local = datetime.fromtimestamp(interval_start_s, ZoneInfo(tz))
    return local.year, local.month


def expires_at(interval_start_s: int, validity_months: int = 24, tz: str = "Asia/Shanghai") -> datetime:
    """Return when a certificate of the interval expires: the production month's first instant + validity.

    Parameters
    ----------
    interval_start_s : int
        Interval start, UNIX seconds UTC.
    validity_months : int
        Validity in whole months (24: China GEC).
    tz : str
        IANA time zone of the production month.

    Returns
    -------
    datetime
        Timezone-aware UTC instant from which the certificate is expired.
    """
    year, month = production_month(interval_start_s, tz)
    months = year * 12 + (month - 1) + validity_months
    return datetime(months // 12, months % 12 + 1, 1, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def certificate_status(*, amount_wh: int, retired_wh: int, interval_start_s: int, now: datetime,
                       validity_months: int = 24, tz: str = "Asia/Shanghai") -> str:
    """Return ``"retired"`` if all ``amount_wh`` is retired, else ``"expired"`` past validity, else ``"active"``."""
    if retired_wh >= amount_wh:
        return RETIRED
    if now >= expires_at(interval_start_s, validity_months, tz):
        return EXPIRED
    return ACTIVE
