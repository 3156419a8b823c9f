"""Where the local data lives: one folder, ``greenproof-data/`` in the working directory.

It holds the SQLite ledger, the API keys, the settings file and the local chain
(``greenproof chain up``); kept in a module of its own so that naming these paths imports nothing.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATA_FOLDER", "DEFAULT_DATABASE_URL", "DEFAULT_KEY_FILE", "DEFAULT_SETTINGS_FILE"]

#: Folder of the local data (relative to the working directory).
DATA_FOLDER = Path("greenproof-data")
#: The ledger's default database (the same file as :data:`greenproof.ledger.settings.DEFAULT_DATABASE_URL`).
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_FOLDER / 'ledger.sqlite'}"
#: The API keys' default file.
DEFAULT_KEY_FILE = DATA_FOLDER / "api-keys.json"
#: The settings file read unless ``GREENPROOF_SETTINGS_FILE`` names another.
DEFAULT_SETTINGS_FILE = DATA_FOLDER / "settings.json"
