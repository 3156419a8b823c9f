"""Shared helpers of the API tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from greenproof.api import KeyStore, Role

FIRM = "GH2"
OTHER_FIRM = "STL"


@dataclass(frozen=True)
class Keys:
    """Clear API keys, one per role; ``firm`` and ``exporter`` are bound to :data:`FIRM`."""

    operator: str
    firm: str
    other_firm: str
    auditor: str
    exporter: str

    def of(self, role: str | None) -> dict[str, str]:
        """Return the Authorization header of the key of ``role`` (no header for None)."""
        return {} if role is None else {"Authorization": f"Bearer {getattr(self, role)}"}


def make_keys(key_file: Path) -> Keys:
    store = KeyStore(key_file)
    return Keys(
        operator=store.create(Role.PARK_OPERATOR)[1],
        firm=store.create(Role.FIRM, firm_code=FIRM)[1],
        other_firm=store.create(Role.FIRM, firm_code=OTHER_FIRM)[1],
        auditor=store.create(Role.AUDITOR)[1],
        exporter=store.create(Role.EXPORTER, firm_code=FIRM)[1],
    )
