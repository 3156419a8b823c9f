"""Power-flow attribution: which generator supplies which load (proportional sharing).

Pure numpy/scipy: nothing here imports a power-flow library, the chain or the database.
"""

from .allocation import Allocation
from .batch import mix_many, trace_many
from .carbon_emission_flow import CarbonIntensity, carbon_intensity
from .errors import AttributionError, GreenproofError, SnapshotError
from .nodal_mix import BusMix, mix
from .proportional_sharing import trace
from .snapshot import Branches, Injections, Snapshot, Withdrawals
from .storage_ledger import StorageLedger, StorageStep
from .technologies import TECHNOLOGIES, TECHNOLOGY_KEYS, Technology, emission_factors, renewable_technologies

__all__ = [
    "TECHNOLOGIES",
    "TECHNOLOGY_KEYS",
    "Allocation",
    "AttributionError",
    "Branches",
    "BusMix",
    "CarbonIntensity",
    "GreenproofError",
    "Injections",
    "Snapshot",
    "SnapshotError",
    "StorageLedger",
    "StorageStep",
    "Technology",
    "Withdrawals",
    "carbon_intensity",
    "emission_factors",
    "mix",
    "mix_many",
    "renewable_technologies",
    "trace",
    "trace_many",
]
