"""Power-flow attribution: which generator supplies which load (proportional sharing).

Pure numpy/scipy: nothing here imports a power-flow library, the chain or the database.
"""

from .errors import AttributionError, GreenproofError, SnapshotError
from .snapshot import Branches, Injections, Snapshot, Withdrawals

__all__ = [
    "AttributionError",
    "Branches",
    "GreenproofError",
    "Injections",
    "Snapshot",
    "SnapshotError",
    "Withdrawals",
]
