"""What one running app holds: settings, database sessions, API keys and the chain gateway."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from greenproof.ledger.database import make_engine, make_session_factory, upgrade
from greenproof.ledger.settings import LedgerSettings

from .api_keys import KeyStore
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
        return cls(settings=settings, engine=engine, session_factory=make_session_factory(engine),
                   keys=KeyStore(settings.key_file), chain=ChainGateway(settings),
                   ledger_settings=LedgerSettings(database_url=settings.database_url), leaf_files=LeafFileCache())

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()
