"""What one running app holds: settings, database sessions, API keys and the chain gateway."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from greenproof.ledger.database import make_engine, make_session_factory, upgrade
from greenproof.ledger.settings import LedgerSettings

from .api_keys import KeyStore
from .attribution_results import ensure_results_table
from .certificate_queries import ExpiryRule, expiry_rule
from .chain_gateway import ChainGateway
from .evidence import LeafFileCache
from .settings import ApiSettings

__all__ = ["AppState"]


@dataclass
class AppState:
    """Shared state of one app instance, stored as ``app.state.greenproof``."""

    settings: ApiSettings
    engine: Engine
    session_factory: sessionmaker[Session]
    keys: KeyStore
    chain: ChainGateway
    ledger_settings: LedgerSettings
    leaf_files: LeafFileCache

    @classmethod
    def start(cls, settings: ApiSettings) -> AppState:
        """Migrate the ledger database to the newest schema and prepare (not open) the chain connection."""
        engine = make_engine(settings.database_url)
        upgrade(engine)
        ensure_results_table(engine)
        return cls(settings=settings, engine=engine, session_factory=make_session_factory(engine),
                   keys=KeyStore(settings.key_file), chain=ChainGateway(settings),
                   ledger_settings=LedgerSettings(database_url=settings.database_url), leaf_files=LeafFileCache())

    @property
    def expiry(self) -> ExpiryRule:
        """The ledger's certificate validity rule."""
        return expiry_rule(self.ledger_settings)

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()
