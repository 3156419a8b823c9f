"""Power-flow attribution: which generator supplies which load (proportional sharing).

Pure numpy/scipy: nothing here imports a power-flow library, the chain or the database. The public
names below load their module on first use (:mod:`._lazy_exports`), so importing
``greenproof.attribution.errors`` alone does not import numpy and scipy.
"""

from typing import TYPE_CHECKING

from ._lazy_exports import lazy_exports

if TYPE_CHECKING:
    from .allocation import Allocation as Allocation
    from .batch import mix_many as mix_many
    from .batch import trace_many as trace_many
    from .batch import trace_snapshots as trace_snapshots
    from .carbon_emission_flow import CarbonIntensity as CarbonIntensity
    from .carbon_emission_flow import carbon_intensity as carbon_intensity
    from .errors import AttributionError as AttributionError
    from .errors import GreenproofError as GreenproofError
    from .errors import SnapshotError as SnapshotError
    from .nodal_mix import BusMix as BusMix
    from .nodal_mix import mix as mix
    from .proportional_sharing import trace as trace
    from .snapshot import Branches as Branches
    from .snapshot import Injections as Injections
    from .snapshot import Snapshot as Snapshot
    from .snapshot import Withdrawals as Withdrawals
    from .storage_ledger import StorageLedger as StorageLedger
    from .storage_ledger import StorageStep as StorageStep
    from .technologies import TECHNOLOGIES as TECHNOLOGIES
    from .technologies import TECHNOLOGY_KEYS as TECHNOLOGY_KEYS
    from .technologies import Technology as Technology
    from .technologies import emission_factors as emission_factors
    from .technologies import renewable_technologies as renewable_technologies

__all__, __getattr__, __dir__ = lazy_exports(__name__)
