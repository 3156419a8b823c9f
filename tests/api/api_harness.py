"""Shared helpers of the API tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from greenproof.api import KeyStore, Role
from greenproof.api.usecases.park_setup import register_park
from greenproof.ledger.database import make_engine, make_session_factory, upgrade

FIRM = "GH2"
OTHER_FIRM = "STL"
#: Issuer key of the tests without a chain (the custodial addresses derive from it).
ISSUER_KEY = "0x" + "42" * 32


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


def register_the_park(database_url: str) -> None:
    """Migrate the ledger at ``database_url`` and register the Binhai park's plants and firms in it."""
    engine = make_engine(database_url)
    upgrade(engine)
    with make_session_factory(engine)() as session:
        register_park(session, ISSUER_KEY)
        session.commit()
    engine.dispose()
